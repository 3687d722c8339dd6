import { describe, expect, it } from 'vitest';
import { budgetRows, retainSize, speedReading } from './budgets';
import { getPreset, mergeSpec } from '../presets';

const row = (rows: ReturnType<typeof budgetRows>, what: string) => rows.find((r) => r.what === what);

describe('budgets next to the paper', () => {
  it('retain size: full CIFAR-10 minus 10 % uniform or one class; scaled per class', () => {
    expect(retainSize(getPreset('reference').spec)).toBe(45000);
    expect(retainSize(getPreset('quick').spec)).toBe(2700);
    expect(retainSize(mergeSpec(getPreset('quick').spec, { forget: { mode: 'class', class: 3 } }))).toBe(2700);
    expect(retainSize(mergeSpec(getPreset('quick').spec, { trainPerClass: 100, forget: { fraction: 0.25 } }))).toBe(
      750,
    );
  });

  it('reference: A-CF one epoch is the paper’s 704 steps; the baselines are ×0.04 of the paper’s epochs', () => {
    const rows = budgetRows(getPreset('reference').spec);
    expect(row(rows, 'A-CF: one epoch')).toEqual({
      what: 'A-CF: one epoch',
      ours: '704 Adam steps (⌈45000 / 64⌉)',
      paper: '704 Adam steps (⌈45000 / 64⌉)',
    });
    expect(row(rows, 'CF')).toMatchObject({ ours: 'cf_epochs 2', paper: 'cf_epochs 50' });
    expect(row(rows, 'Retrain')).toMatchObject({ ours: 'retrain_epochs 4', paper: 'retrain_epochs 100' });
    expect(row(rows, 'pretraining (original model)')?.paper).toMatch(/^200 epochs/);
    expect(row(rows, 'Blend step')).toMatchObject({ ours: 'paper-regime', paper: 'paper-polynomial' });
  });

  it('an override and a measured retain size change the rows (computed, not typed per preset)', () => {
    const spec = mergeSpec(getPreset('quick').spec, { unlearn: { hparams: { CF: { cf_epochs: 7 } } } });
    const rows = budgetRows(spec, { retain: 1000 });
    expect(row(rows, 'CF')?.ours).toBe('cf_epochs 7');
    expect(row(rows, 'A-CF, A-SCRUB, A-L1-Sparse: one epoch')?.ours).toBe('16 Adam steps (⌈1000 / 64⌉)');
  });

  it('the speed reading states the scaled budgets and does not assert the step-count cause', () => {
    const text = speedReading(getPreset('reference').spec);
    expect(text).toContain('×0.04');
    expect(text).toContain('CF 50 → 2, Retrain 100 → 4');
    expect(text).toContain('704 Adam steps here, 704 in the paper');
    expect(text).not.toMatch(/which is why/);
    expect(speedReading(getPreset('bench').spec)).toContain("keeps the paper's epoch counts");
  });
});
