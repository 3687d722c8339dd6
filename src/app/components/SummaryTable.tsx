import type { MethodResult } from '../../core/lite';
import {
  memorisationNote,
  armLabel,
  armOf,
  armsOf,
  isWithDC,
  metricPoint,
  metricsFor,
  MIA_CLASS_ARTEFACT,
  MIA_GAP_NOTE,
  miaClassArtefact,
  ORIGINAL_ROW,
} from '../../core/lite';
import { SeedsTable } from './SeedsTable';
import { armKey, summaryRows } from '../runState';
import { useLab } from '../store';
import { MIA_NOISE_RULE, fmtGap, fmtNum, fmtSeconds, miaGapNoise } from '../format';

/**
 * Paper-style table: one row per method; MIA, retain, forget, test, time for w/o DC | w/ DC. The retrained
 * model is the reference: its row is highlighted and every other cell shows the gap to it (same arm).
 */
const TABLE_METRICS = metricsFor('table');

/** What the Time column measures, and why the Progress view's stage time is longer. */
export const TIME_NOTE =
  "Time = the method's own unlearning time (training steps only; the per-epoch curve evaluations and the final " +
  'evaluation are left out), + the condensation overhead in the w/ DC arm. The Run view’s progress shows each ' +
  'stage’s wall time, evaluations included, so it is longer.';

/** "within noise" after a single run's MIA gap when the rule of miaGapNoise holds (format.ts). */
function NoiseNote({ m, refM }: { m: MethodResult; refM: MethodResult }) {
  const n = miaGapNoise(m.metrics, refM.metrics);
  if (!n || !n.within) return null;
  return (
    <span
      className="noise"
      data-testid="mia-noise"
      title={`${MIA_NOISE_RULE}; here 2·√(SE² + SE²) = ${n.twoSe.toFixed(2)}`}
    >
      {' '}
      within noise
    </span>
  );
}

export function SummaryTable() {
  const methods = useLab((s) => s.run.methods);
  // optional metrics (MIA (filtered): absent in results made before it) only when some result has them
  const METRIC_COLUMNS = TABLE_METRICS.filter(
    (d) => !d.optional || methods.some((m) => metricPoint(m, d) !== undefined),
  );
  const SPAN = METRIC_COLUMNS.length + 1;
  const ex = useLab((s) => s.run.experiment);
  const pre = useLab((s) => s.run.pretrain) ?? ex?.pretrain;
  const select = useLab((s) => s.selectMethod);
  const rounds = [...new Set(methods.map((m) => m.round))].sort();
  const rows = summaryRows(methods);
  const ref = rows.find((r) => r.method === 'Retrain');
  const arms = armsOf('both')
    .filter((arm) => methods.some((m) => armOf(m.withDC) === arm))
    .map((arm) => ({ arm, title: armLabel(arm) }));
  const multi = useLab((s) => s.run.multi);
  const runSpec = useLab((s) => s.run.spec);
  const busy = useLab((s) => s.busy);
  return (
    <>
      {multi && multi.planned.length >= 2 && <SeedsTable multi={multi} />}
      <section className="panel table-panel" data-testid="summary">
        <div className="panel-head">
          <h2>
            {multi && multi.planned.length >= 2 && multi.current !== null ? `Seed ${multi.current}: ` : ''}Summary
            {rounds.length > 1 ? ` (round ${Math.max(...rounds) + 1} of ${rounds.length})` : ''}
          </h2>
          {!ex && runSpec && (
            <span className="muted small" data-testid="summary-setting">
              {runSpec.forget.mode === 'class'
                ? `forgetting class ${runSpec.forget.class ?? '(drawn from the seed)'}`
                : `forgetting ${Math.round(runSpec.forget.fraction * 100)}% uniform`}{' '}
              · seed {runSpec.seed}
              {busy ? ' · running' : ''}
            </span>
          )}
          {ex && (
            <span className="muted small">
              {ex.split.forgetClass === null || ex.split.forgetClass === undefined
                ? `forgetting ${Math.round(ex.spec.forget.fraction * 100)}% uniform · `
                : ''}
              {ex.split.forgetClass !== null && ex.split.forgetClass !== undefined
                ? `forgetting class ${ex.split.forgetClass} · `
                : ''}
              retain {ex.split.retainSize} · forget {ex.split.forgetSize} · test-eval {ex.split.testEvalSize} · original
              test acc {fmtNum(pre?.testAcc ?? NaN)}
              {pre?.source === 'shipped' ? (
                <span
                  data-testid="original-shipped"
                  title={`${pre.shipped?.file ?? ''} · SHA-256 ${pre.shipped?.sha256 ?? ''}`}
                >
                  {' '}
                  (shipped with the site, hash checked)
                </span>
              ) : pre?.reused ? (
                ' (cached)'
              ) : (
                ''
              )}
              {pre && Number.isFinite(pre.trainAcc) ? (
                <span data-testid="original-memorises"> · {memorisationNote(pre.trainAcc)}</span>
              ) : null}
            </span>
          )}
        </div>
        {rows.length === 0 ? (
          <p className="muted">
            Results appear here as each method finishes. MIA ≈ 50 is ideal (a retrained model); lower forget accuracy =
            more forgetting.
          </p>
        ) : (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Summary table (scrolls sideways)">
            <table className="summary" data-testid="summary-table">
              <thead>
                <tr>
                  <th rowSpan={2}>Method</th>
                  {arms.map((a) => (
                    <th key={a.title} colSpan={SPAN} className="arm">
                      {a.title}
                    </th>
                  ))}
                </tr>
                <tr>
                  {arms.map((a) => [
                    ...METRIC_COLUMNS.map((c) => <th key={`${a.title}${c.id}`}>{c.label}</th>),
                    <th key={`${a.title}time`} title={TIME_NOTE}>
                      Time<sup aria-hidden="true">†</sup>
                    </th>,
                  ])}
                </tr>
              </thead>
              <tbody>
                {pre?.metrics && rounds.length <= 1 && (
                  // the untouched original model (issue 20 item 2): the same numbers in every arm (it does not
                  // depend on DC), each against that arm's Retrain; no unlearning time
                  <tr className="original" data-testid="summary-original">
                    <th scope="row">{ORIGINAL_ROW}</th>
                    {arms.map((a) => {
                      const refM = isWithDC(a.arm) ? (ref?.with ?? ref?.without) : ref?.without;
                      const orig = { metrics: pre.metrics! };
                      return [
                        ...METRIC_COLUMNS.map((c) => (
                          <td key={`${a.title}${c.id}`} className="num">
                            {fmtNum(c.source === 'metrics' ? metricPoint(orig, c) : undefined)}
                            {refM && c.summary.gap && c.source === 'metrics' && (
                              <span className="gap">{fmtGap(metricPoint(orig, c), metricPoint(refM, c))}</span>
                            )}
                          </td>
                        )),
                        <td key={`${a.title}time`} className="num muted">
                          –
                        </td>,
                      ];
                    })}
                  </tr>
                )}
                {rows.map((r) => {
                  const isRef = r.method === 'Retrain';
                  return (
                    <tr key={r.method} className={isRef ? 'ref' : ''} data-testid={`summary-row-${r.method}`}>
                      <th scope="row">
                        {r.method}
                        {isRef && <span className="badge">reference</span>}
                      </th>
                      {arms.map((a) => {
                        const m: MethodResult | undefined = r[a.arm];
                        const refM = isWithDC(a.arm) ? (ref?.with ?? ref?.without) : ref?.without;
                        if (!m)
                          return (
                            <td key={a.title} colSpan={SPAN} className="muted center">
                              not run
                            </td>
                          );
                        return [
                          ...METRIC_COLUMNS.map((c) => (
                            <td
                              key={`${a.title}${c.id}`}
                              className="num"
                              onClick={() => select(armKey(m.name, m.withDC, m.round))}
                              data-testid="metric-cell"
                            >
                              {fmtNum(metricPoint(m, c))}
                              {c.id === 'mia' && m.metrics.miaSe !== undefined && (
                                <span
                                  className="se small"
                                  data-testid="mia-se"
                                  title="bootstrap standard error of the MIA over samples (AUC points)"
                                >
                                  {' '}
                                  ± {fmtNum(m.metrics.miaSe)} SE
                                </span>
                              )}
                              {c.id === 'mia' && miaClassArtefact(m) && (
                                <span
                                  className="badge warn"
                                  data-testid="mia-artefact"
                                  title="this value comes from the paper's unfiltered swapped branch, which compares the forget class with every class of the test split: it measures class, not membership (docs/mia.md)"
                                >
                                  {MIA_CLASS_ARTEFACT}
                                </span>
                              )}
                              {!isRef && refM && c.summary.gap && (
                                <span className="gap">
                                  {fmtGap(metricPoint(m, c), metricPoint(refM, c))}
                                  {c.id === 'miaFiltered' && <NoiseNote m={m} refM={refM} />}
                                </span>
                              )}
                            </td>
                          )),
                          <td
                            key={`${a.title}time`}
                            className="num"
                            title={`unlearning ${fmtSeconds(m.unlearnSeconds)}; overhead ${fmtSeconds(m.overheadSeconds)}`}
                          >
                            {fmtSeconds(m.unlearnSeconds)}
                            {m.overheadSeconds > 0 && <span className="gap">+{fmtSeconds(m.overheadSeconds)}</span>}
                          </td>,
                        ];
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <p className="muted small">
              Accuracies and MIA in %. Small numbers: gap to Retrain in the same arm (Time: + condensation overhead).
              {pre?.metrics && rounds.length <= 1
                ? ` ${ORIGINAL_ROW}: the model before any request (the same in both arms).`
                : ''}
              MIA is the paper’s φ-logistic-regression AUC (≈50 ideal).{' '}
              <span data-testid="mia-gap-note">{MIA_GAP_NOTE}.</span> Single run: {MIA_NOISE_RULE}.
            </p>
            <p className="muted small" data-testid="time-note">
              † {TIME_NOTE}
            </p>
          </div>
        )}
      </section>
    </>
  );
}
