import { useMemo, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Metrics } from '../../core/lite';
import { armLabel, armOf, isWithDC, metricsFor, type ModelMetricId } from '../../core/lite';
import { acfChartRows, armKey, histogram, parseArmKey } from '../runState';
import { useLab } from '../store';
import { METHOD_COLORS, fmtNum } from '../format';
import { pickMethod } from '../modelViews';
import { useTabs } from './Tabs';

/** the metrics with per-epoch curves, from the metric table (src/core/metrics.ts) */
const METRICS = metricsFor('curve').map((d) => ({ key: d.id as ModelMetricId, label: d.longLabel }));

/** Per-method curves: one chart per metric, one line per method × arm. */
export function MethodCurves() {
  const curves = useLab((s) => s.run.curves);
  const [metric, setMetric] = useState<keyof Metrics>('forgetAcc');
  const tabs = useTabs({ tabs: METRICS, selected: metric, onSelect: setMetric, label: 'Curve metric' });
  const keys = Object.keys(curves).filter((k) => curves[k].length > 0);
  const data = useMemo(() => {
    const byEpoch = new Map<number, Record<string, number>>();
    for (const k of keys) {
      for (const p of curves[k]) {
        const row = byEpoch.get(p.epoch) ?? { epoch: p.epoch };
        const v = p[metric];
        if (typeof v === 'number' && Number.isFinite(v)) row[k] = v;
        byEpoch.set(p.epoch, row);
      }
    }
    return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  }, [curves, metric, keys.join(';')]);
  return (
    <section className="panel chart-panel" data-testid="chart-curves">
      <div className="panel-head">
        <h2>Per-epoch curves</h2>
        {tabs.tabList}
      </div>
      <div {...tabs.panelProps}>
        {keys.length === 0 ? (
          <p className="muted">Curves appear while methods run (enable “Per-epoch curves”).</p>
        ) : (
          <div className="chart">
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis
                  dataKey="epoch"
                  label={{ value: 'epoch', position: 'insideBottomRight', offset: -4 }}
                  allowDecimals={false}
                />
                <YAxis domain={[0, 100]} />
                <Tooltip formatter={(v) => fmtNum(Number(v), 2)} />
                <Legend />
                {keys.map((k) => {
                  const a = parseArmKey(k);
                  return (
                    <Line
                      key={k}
                      dataKey={k}
                      name={`${a.method} ${armLabel(a.arm)}${a.round ? ` r${a.round + 1}` : ''}`}
                      stroke={METHOD_COLORS[a.method] ?? '#555'}
                      strokeDasharray={isWithDC(a.arm) ? '5 3' : undefined}
                      dot={{ r: 2 }}
                      isAnimationActive={false}
                      connectNulls
                    />
                  );
                })}
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </div>
    </section>
  );
}

/** A-CF's two loss terms per step: squared retain CE and λ·MMD² (weighted by the run's resolved λ). */
export function AcfTerms() {
  const terms = useLab((s) => s.run.acfTerms);
  const keys = Object.keys(terms).filter((k) => terms[k].length);
  // the page's selected method when it has loss terms (one selection for every per-method view)
  const selected = useLab((s) => s.selectedMethod);
  const select = useLab((s) => s.selectMethod);
  const key = selected && keys.includes(selected) ? selected : keys[0];
  const { rows: data, lambda } = acfChartRows(key ? terms[key] : []);
  return (
    <section className="panel chart-panel" data-testid="chart-acf">
      <div className="panel-head">
        <h2>A-CF loss terms</h2>
        {keys.length > 1 && (
          <select value={key} onChange={(e) => select(e.target.value)} aria-label="Run whose loss terms are shown">
            {keys.map((k) => {
              const a = parseArmKey(k);
              return (
                <option key={k} value={k}>
                  {a.method} {armLabel(a.arm)}
                </option>
              );
            })}
          </select>
        )}
      </div>
      {!key ? (
        <p className="muted">Runs of A-CF (and A-SCRUB / A-ℓ1) report (mean CE)² and the λ·MMD² term here.</p>
      ) : (
        <div className="chart">
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="step" allowDecimals={false} />
              <YAxis />
              <Tooltip formatter={(v) => fmtNum(Number(v), 4)} />
              <Legend />
              <Line dataKey="ce2" name="(mean retain CE)²" stroke="#2563eb" dot={false} isAnimationActive={false} />
              <Line
                dataKey="lambdaMmd"
                name={`λ·MMD²(test, forget)${lambda === null ? '' : `, λ = ${lambda}`}`}
                stroke="#dc2626"
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

/** Stacked bars per method: overhead (condensation) + unlearning seconds, w/o vs w/ DC. */
export function TimingChart() {
  const methods = useLab((s) => s.run.methods);
  const data = useMemo(
    () =>
      methods
        .filter((m) => m.round === Math.max(0, ...methods.map((x) => x.round)))
        .map((m) => ({
          name: `${m.name} ${armLabel(armOf(m.withDC))}`,
          unlearn: m.unlearnSeconds,
          overhead: m.overheadSeconds,
        })),
    [methods],
  );
  return (
    <section className="panel chart-panel" data-testid="chart-timing">
      <h2>Time per method</h2>
      {data.length === 0 ? (
        <p className="muted">Seconds of unlearning (and condensation overhead for w/ DC) per method.</p>
      ) : (
        <div className="chart">
          <ResponsiveContainer width="100%" height={Math.max(160, 34 * data.length + 60)}>
            <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 24 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis type="number" unit=" s" />
              <YAxis type="category" dataKey="name" width={150} />
              <Tooltip formatter={(v) => `${fmtNum(Number(v), 2)} s`} />
              <Legend />
              <Bar
                dataKey="overhead"
                name="overhead (k-means + Blend)"
                stackId="t"
                fill="#f59e0b"
                isAnimationActive={false}
              />
              <Bar dataKey="unlearn" name="unlearning" stackId="t" fill="#2563eb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

/** Forget-vs-test loss histogram of the selected method (NeurIPS'23 kit style). */
export function LossHistogram() {
  const methods = useLab((s) => s.run.methods);
  const selected = useLab((s) => s.selectedMethod);
  const select = useLab((s) => s.selectMethod);
  const withLosses = methods.filter((m) => m.losses && (m.losses.forget.length || m.losses.test.length));
  const keyOf = (m: (typeof methods)[number]) => armKey(m.name, m.withDC, m.round);
  const cur = pickMethod(withLosses, selected) ?? undefined;
  const data = useMemo(() => (cur?.losses ? histogram(cur.losses.forget, cur.losses.test, 30) : []), [cur]);
  return (
    <section className="panel chart-panel" data-testid="chart-hist">
      <div className="panel-head">
        <h2>Loss histogram: forget vs test</h2>
        {withLosses.length > 0 && (
          <select
            value={cur ? keyOf(cur) : ''}
            onChange={(e) => select(e.target.value)}
            data-testid="hist-method"
            aria-label="Method whose losses are shown"
          >
            {withLosses.map((m) => (
              <option key={keyOf(m)} value={keyOf(m)}>
                {m.name} {armLabel(armOf(m.withDC))}
                {m.round ? ` r${m.round + 1}` : ''}
              </option>
            ))}
          </select>
        )}
      </div>
      {!cur ? (
        <p className="muted">
          After unlearning, the per-example losses on the forget set and on unseen test images are compared here; a
          retrained model makes them overlap.
        </p>
      ) : (
        <div className="chart">
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={data} barGap={0} barCategoryGap={1} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis
                dataKey="x"
                tickFormatter={(v) => Number(v).toFixed(1)}
                label={{ value: 'CE loss', position: 'insideBottomRight', offset: -4 }}
              />
              <YAxis tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} />
              <Tooltip
                formatter={(v) => `${(Number(v) * 100).toFixed(1)} %`}
                labelFormatter={(v) => `loss ≈ ${Number(v).toFixed(2)}`}
              />
              <Legend />
              <Bar
                dataKey="a"
                name={`forget (${cur.losses!.forget.length})`}
                fill="#dc2626"
                fillOpacity={0.7}
                isAnimationActive={false}
              />
              <Bar
                dataKey="b"
                name={`test (${cur.losses!.test.length})`}
                fill="#2563eb"
                fillOpacity={0.7}
                isAnimationActive={false}
              />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

/** Blend's distribution-matching loss per iteration, and pretraining accuracy per epoch. */
export function CondenseLoss() {
  const loss = useLab((s) => s.run.condenseLoss);
  const pre = useLab((s) => s.run.pretrainCurve);
  if (!loss.length && !pre.length) return null;
  return (
    <section className="panel chart-panel chart-small" data-testid="chart-condense">
      <h2>Pretraining & Blend</h2>
      <div className="two-charts">
        {pre.length > 0 && (
          <div className="chart">
            <div className="chart-caption">original model: train accuracy per epoch</div>
            <ResponsiveContainer width="100%" height={160}>
              <LineChart data={pre} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis dataKey="epoch" allowDecimals={false} />
                <YAxis domain={[0, 100]} />
                <Tooltip formatter={(v) => fmtNum(Number(v), 1)} />
                <Line dataKey="retainAcc" name="train acc" stroke="#374151" isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
        {loss.length > 0 && (
          <div className="chart">
            <div className="chart-caption">Blend: mean-embedding MSE per iteration</div>
            <ResponsiveContainer width="100%" height={160}>
              <LineChart data={loss} margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis dataKey="iter" allowDecimals={false} />
                <YAxis />
                <Tooltip formatter={(v) => fmtNum(Number(v), 5)} />
                <Line dataKey="loss" name="loss" stroke="#f59e0b" isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        )}
      </div>
    </section>
  );
}
