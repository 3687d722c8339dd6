import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { halfWidth } from '../../core/lite';
import {
  COMPARE_METRICS,
  CURVE_METRICS,
  armName,
  difference,
  differenceBasis,
  experimentMismatch,
  overlayRows,
  rowKeyId,
  rowKeys,
  runDash,
  runValue,
  type LabRun,
} from '../compare';
import { useLab } from '../store';
import { METHOD_COLORS, fmtNum } from '../format';

/** A short sample of a run's line style (for the run key next to the chart). */
function DashSample({ i }: { i: number }) {
  return (
    <svg width="28" height="8" aria-hidden="true" className="dash-sample">
      <line x1="0" y1="4" x2="28" y2="4" stroke="#374151" strokeWidth="2" strokeDasharray={runDash(i)} />
    </svg>
  );
}

const NO_CURVES = 'No per-epoch curves in these runs (enable “Per-epoch curves” before running).';

function OverlayChart({ runs }: { runs: LabRun[] }) {
  const [metricId, setMetricId] = useState<string>(CURVE_METRICS.find((m) => m.id === 'forgetAcc')?.id ?? 'mia');
  const [method, setMethod] = useState<string>('');
  const metric = CURVE_METRICS.find((m) => m.id === metricId) ?? CURVE_METRICS[0];
  const { rows, series } = useMemo(() => overlayRows(runs, metric), [runs, metric]);
  const methods = [...new Set(series.map((s) => s.method))];
  const shown = series.filter((s) => !method || s.method === method);
  return (
    <div className="compare-chart" data-testid="compare-chart">
      <div className="panel-head">
        <h3>Per-epoch curves, runs overlaid</h3>
        <div className="btn-row">
          <label className="small">
            Metric{' '}
            <select value={metric.id} onChange={(e) => setMetricId(e.target.value)} data-testid="compare-metric">
              {CURVE_METRICS.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.longLabel}
                </option>
              ))}
            </select>
          </label>
          <label className="small">
            Method{' '}
            <select value={method} onChange={(e) => setMethod(e.target.value)} data-testid="compare-method">
              <option value="">all</option>
              {methods.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="muted small">{NO_CURVES}</p>
      ) : (
        <figure
          className="chart"
          aria-label={`${metric.longLabel} per epoch for ${runs.map((r) => r.name).join(', ')}`}
        >
          <ResponsiveContainer width="100%" height={280}>
            <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="epoch" allowDecimals={false} />
              <YAxis domain={metric.unit === '%' ? [0, 100] : ['auto', 'auto']} />
              <Tooltip formatter={(v) => fmtNum(Number(v), metric.digits)} />
              <Legend />
              {shown.map((s) => (
                <Line
                  key={s.key}
                  dataKey={s.key}
                  name={`${runs[s.run].name}: ${s.method} ${armName(s.withDC)}`}
                  stroke={METHOD_COLORS[s.method] ?? '#555'}
                  strokeDasharray={runDash(s.run)}
                  strokeWidth={s.withDC ? 1.5 : 2}
                  dot={{ r: s.withDC ? 3 : 2 }}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
          <figcaption className="small muted run-key" data-testid="compare-run-key">
            Colour = method; line style = run:{' '}
            {runs.map((r, i) => (
              <span key={r.id} className="run-key-item">
                <DashSample i={i} /> {r.name}
              </span>
            ))}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

/** A run's value in one line: "47.3" or, over several seeds, "47.3 ± 2.8" (the 95 % half-width). */
function valueText(v: { mean: number; n: number; ci95: [number, number] }, digits: number): string {
  if (v.n === 0 || !Number.isFinite(v.mean)) return '–';
  const h = halfWidth(v as Parameters<typeof halfWidth>[0]);
  return v.n > 1 && Number.isFinite(h) ? `${v.mean.toFixed(digits)} ± ${h.toFixed(digits)}` : fmtNum(v.mean, digits);
}

/**
 * The warning above the table when a selected run is not the same experiment as the reference (other data, forget
 * setting or original model, `experimentMismatch`): its differences are then no measure of the unlearning setting
 * that differs, and they are not matched seed by seed.
 */
function MismatchWarning({ items, refRun }: { items: Array<{ run: LabRun; lines: string[] }>; refRun: LabRun }) {
  if (!items.length) return null;
  return (
    <div className="notice notice-warn compare-mismatch" role="note" data-testid="compare-mismatch">
      <div>
        <strong>
          Not the same experiment as the reference “{refRun.name}”: the differences below compare different data, forget
          requests or original models, not one change of the unlearning settings.
        </strong>
        <ul>
          {items.map(({ run, lines }) => (
            <li key={run.id}>
              “{run.name}”: {lines.join('; ')}
            </li>
          ))}
        </ul>
        <span className="small">Their rows are marked ≠ and never matched seed by seed.</span>
      </div>
    </div>
  );
}

function CompareTable({ runs, refRun, differs }: { runs: LabRun[]; refRun: LabRun; differs: Set<string> }) {
  const keys = rowKeys(runs);
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Runs side by side (scrolls sideways)">
      <table className="summary compare-table" data-testid="compare-table">
        <caption className="small muted">
          Mean over each run’s seeds (± 95 % half-width when it has several). Small text: difference to the reference
          run “{refRun.name}” (± its 95 % half-width where there is one; italic = within noise, the interval covers 0);
          how it is taken is under each run’s name, in full on hover.
        </caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Run</th>
            {COMPARE_METRICS.map((m) => (
              <th scope="col" key={m.id} title={m.description}>
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        {keys.map((k) => (
          <tbody key={rowKeyId(k)}>
            {runs.map((run, i) => {
              const isRef = run.id === refRun.id;
              const same = !differs.has(run.id);
              return (
                <tr
                  key={run.id}
                  className={`${isRef ? 'ref' : ''}${same ? '' : ' mismatch'}`}
                  data-testid="compare-row"
                  data-run-id={run.id}
                >
                  {i === 0 ? (
                    <th scope="rowgroup" rowSpan={runs.length}>
                      {k.method} {armName(k.withDC)}
                    </th>
                  ) : null}
                  <th scope="row" className="compare-run">
                    {!same && (
                      <span className="badge warn" title="Not the same experiment as the reference">
                        ≠
                      </span>
                    )}{' '}
                    {run.name}
                    {isRef ? (
                      <span className="badge">reference</span>
                    ) : (
                      <span className="basis small muted" data-testid="compare-basis">
                        {differenceBasis(run, refRun, same)}
                      </span>
                    )}
                  </th>
                  {COMPARE_METRICS.map((m) => {
                    const v = runValue(run, k, m);
                    const d = isRef ? null : difference(run, refRun, k, m, same);
                    return (
                      <td key={m.id} className="num compare-cell" data-testid="compare-cell">
                        <span className="v">{valueText(v, m.digits)}</span>
                        {d && (
                          <span
                            className={`gap${d.withinNoise ? ' noise' : ''}`}
                            data-testid="compare-diff"
                            data-kind={d.kind}
                            title={d.text}
                          >
                            <span aria-hidden="true">{d.short}</span>
                            <span className="sr-only">{d.text}</span>
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}

/** Two or more selected runs: curves overlaid in the same chart, metrics side by side against the reference. */
export function CompareView() {
  const all = useLab((s) => s.runs);
  const selected = useLab((s) => s.selectedRuns);
  const reference = useLab((s) => s.referenceRun);
  const runs = useMemo(
    () => selected.map((id) => all.find((r) => r.id === id)).filter((r): r is LabRun => !!r),
    [all, selected],
  );
  const refRun = runs.find((r) => r.id === reference) ?? runs[0];
  const mismatches = useMemo(
    () =>
      runs
        .filter((r) => refRun && r.id !== refRun.id)
        .map((run) => ({ run, lines: experimentMismatch(run, refRun) }))
        .filter((x) => x.lines.length > 0),
    [runs, refRun],
  );
  const differs = useMemo(() => new Set(mismatches.map((x) => x.run.id)), [mismatches]);
  return (
    <section className="panel compare-view" data-testid="compare-view" aria-labelledby="compare-title">
      <div className="panel-head">
        <h2 id="compare-title">Compare runs</h2>
        {runs.length >= 2 && (
          <span className="small muted">
            {runs.length} runs · reference: {refRun.name}
            {reference !== refRun.id ? ' (the first selected; pin one in Runs)' : ''}
          </span>
        )}
      </div>
      {runs.length < 2 ? (
        <p className="muted small">
          Select two or more runs in “Runs” to overlay their curves and compare their metrics.
        </p>
      ) : (
        <>
          <MismatchWarning items={mismatches} refRun={refRun} />
          <CompareTable runs={runs} refRun={refRun} differs={differs} />
          <OverlayChart runs={runs} />
        </>
      )}
    </section>
  );
}
