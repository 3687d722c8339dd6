import { describe, expect, it } from 'vitest';
import {
  METRICS,
  METRIC_BY_ID,
  isInterval,
  metricPoint,
  metricsFor,
  miaClassArtefact,
  pickMetrics,
  pointOf,
} from './metrics';
import type { Metrics } from './types';

describe('metric table', () => {
  // every metric a method result carries, as a session writes it (class mode: all optional metrics present)
  const metrics: Required<Metrics> = {
    retainAcc: 90,
    forgetAcc: 10,
    testAcc: 70,
    testAccRetained: 75,
    mia: 51,
    miaFiltered: 50,
    miaSe: 1.2,
    miaPerSide: 300,
    lossMia: 50,
  };
  const result = { name: 'CF', withDC: true, round: 0, unlearnSeconds: 3, overheadSeconds: 1, metrics, curve: [] };

  it('has a row for every metric in a result (and nothing else)', () => {
    const ids = new Set<string>(METRICS.map((d) => d.id));
    for (const k of Object.keys(metrics)) expect(ids, k).toContain(k);
    for (const k of ['unlearnSeconds', 'overheadSeconds']) expect(ids, k).toContain(k);
    expect(ids.size).toBe(METRICS.length); // ids unique
    expect(METRICS.length).toBe(Object.keys(metrics).length + 2);
    for (const d of METRICS) {
      expect(d.label.length, d.id).toBeGreaterThan(0);
      expect(['%', 's', 'n']).toContain(d.unit);
      expect(['higher', 'lower', 'reference']).toContain(d.direction);
      expect(metricPoint(result, d), d.id).toBeTypeOf('number');
    }
  });

  it('drives the views: the report, the summary table and the curves', () => {
    expect(metricsFor('report').map((d) => d.id)).toEqual([
      'mia',
      'miaFiltered',
      'lossMia',
      'retainAcc',
      'forgetAcc',
      'testAcc',
      'testAccRetained',
    ]);
    expect(metricsFor('table').map((d) => d.id)).toEqual(['mia', 'miaFiltered', 'retainAcc', 'forgetAcc', 'testAcc']);
    expect(
      metricsFor('curve')
        .map((d) => d.id)
        .sort(),
    ).toEqual(['forgetAcc', 'mia', 'retainAcc', 'testAcc']);
    expect(METRIC_BY_ID.get('forgetAcc')?.direction).toBe('reference');
    // the MIA's gap to Retrain comes from the filtered variant only (docs/mia.md)
    expect(METRIC_BY_ID.get('mia')?.summary.gap).toBe(false);
    expect(METRIC_BY_ID.get('miaFiltered')?.summary.gap).toBe(true);
  });

  it("marks a paper MIA that its unfiltered swapped branch changed (class artefact), and nothing it can't tell", () => {
    expect(miaClassArtefact({ metrics: { mia: 94.7, miaFiltered: 48.1 } })).toBe(true);
    expect(miaClassArtefact({ metrics: { mia: 51.2, miaFiltered: 51.2 } })).toBe(false);
    expect(miaClassArtefact({ metrics: { mia: 94.7 } })).toBe(false); // an older result: unknown, not marked
    const iv = (values: number[]) => ({
      mean: values.reduce((a, b) => a + b) / values.length,
      ci95: [0, 100] as [number, number],
      n: values.length,
      values,
    });
    expect(miaClassArtefact({ metrics: { mia: iv([50, 95]), miaFiltered: iv([50, 49]) } })).toBe(true);
    expect(miaClassArtefact({ metrics: { mia: iv([50, 52]), miaFiltered: iv([50, 52]) } })).toBe(false);
  });

  it('reads plain numbers and intervals over seeds alike', () => {
    const iv = { mean: 47.3, ci95: [44.1, 50.5] as [number, number], n: 3, values: [46, 47.9, 48] };
    expect(isInterval(iv)).toBe(true);
    expect(isInterval(47.3)).toBe(false);
    expect(pointOf(iv)).toBe(47.3);
    expect(pointOf(12)).toBe(12);
    expect(pointOf(undefined)).toBeUndefined();
    const mia = METRIC_BY_ID.get('mia')!;
    expect(metricPoint({ metrics: { mia: iv } }, mia)).toBe(47.3);
    expect(metricPoint({ metrics: {} }, mia)).toBeUndefined();
    expect(metricPoint({ metrics: {}, unlearnSeconds: iv }, METRIC_BY_ID.get('unlearnSeconds')!)).toBe(47.3);
  });

  it("prunes an evaluation to the table's metrics, in the evaluation's key order", () => {
    const evaluation = {
      retainAcc: 1,
      forgetAcc: 2,
      testAcc: 3,
      mia: 4,
      lossMia: 5,
      losses: { forget: [1] },
      miaDetail: {},
    } as unknown as Metrics;
    const kept = pickMetrics(evaluation);
    expect(JSON.stringify(kept)).toBe('{"retainAcc":1,"forgetAcc":2,"testAcc":3,"mia":4,"lossMia":5}');
    expect(pickMetrics({ ...evaluation, testAccRetained: 6 })).toMatchObject({ testAccRetained: 6 });
    expect('testAccRetained' in kept).toBe(false);
  });
});
