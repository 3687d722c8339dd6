import type { Interval, MethodAggregate, ModelMetricId } from '../../core/lite';
import {
  ORIGINAL_ROW,
  coversZero,
  gapText,
  halfWidth,
  metricsFor,
  MIA_CLASS_ARTEFACT,
  MIA_GAP_NOTE,
  miaClassArtefact,
} from '../../core/lite';
import type { MultiSeedView } from '../runState';
import { fmtNum, fmtSeconds } from '../format';

/**
 * The summary over seeds (a Compare with spec.seeds ≥ 2, issue 10 item 1): per method and arm, every table metric
 * as mean ± half-width of its 95 % Student-t interval (n), the gap to Retrain paired per seed with "within noise"
 * in words when its interval covers 0, the MIA's bootstrap SE, and a strip per cell drawing the per-seed values
 * (dots) over the interval (band).
 */
const TABLE_COLUMNS = metricsFor('table');

export function fmtInterval(iv: Interval | undefined, digits = 1): string {
  if (!iv || iv.n === 0 || !Number.isFinite(iv.mean)) return '–';
  if (iv.n < 2) return `${iv.mean.toFixed(digits)}`;
  return `${iv.mean.toFixed(digits)} ± ${halfWidth(iv).toFixed(digits)}`;
}

/** Per-seed values (dots) over the 95 % interval (band) on a 0..100 scale. */
export function IntervalStrip({ iv }: { iv: Interval }) {
  const W = 64,
    H = 10;
  const x = (v: number) => Math.max(0, Math.min(W, (v / 100) * W));
  const band = iv.n >= 2 && Number.isFinite(iv.ci95[0]);
  return (
    <svg
      width={W}
      height={H}
      className="iv-strip"
      role="img"
      data-testid="seed-strip"
      aria-label={`per-seed values ${iv.values.map((v) => v.toFixed(1)).join(', ')}`}
    >
      <line x1={0} x2={W} y1={H / 2} y2={H / 2} stroke="#e5e7eb" />
      {band && (
        <rect
          x={x(iv.ci95[0])}
          width={Math.max(1, x(iv.ci95[1]) - x(iv.ci95[0]))}
          y={2}
          height={H - 4}
          fill="#93c5fd"
        />
      )}
      {iv.values.map((v, i) => (
        <circle key={i} cx={x(v)} cy={H / 2} r={1.8} fill="#1f2937" />
      ))}
    </svg>
  );
}

function Cell({
  m,
  id,
  digits,
}: {
  m: Pick<MethodAggregate, 'metrics' | 'gapToRetrain'>;
  id: ModelMetricId;
  digits: number;
}) {
  const iv = m.metrics[id as keyof MethodAggregate['metrics']];
  const gap = m.gapToRetrain?.[id as keyof NonNullable<MethodAggregate['gapToRetrain']>];
  const se = id === 'mia' ? m.metrics.miaSe : undefined;
  return (
    <td
      className="num"
      data-testid="seeds-cell"
      title={iv ? `per seed: ${iv.values.map((v) => v.toFixed(digits)).join(', ')}` : ''}
    >
      {fmtInterval(iv, digits)}
      {iv && <span className="muted small"> (n = {iv.n})</span>}
      {se && (
        <span className="se small" title="mean over seeds of the MIA's bootstrap standard error over samples">
          {' '}
          SE {fmtNum(se.mean)}
        </span>
      )}
      {id === 'mia' && miaClassArtefact(m) && (
        <span
          className="badge warn"
          data-testid="mia-artefact"
          title="in some seed this value comes from the paper's unfiltered swapped branch: it measures class, not membership (docs/mia.md)"
        >
          {MIA_CLASS_ARTEFACT}
        </span>
      )}
      {iv && (
        <div>
          <IntervalStrip iv={iv} />
        </div>
      )}
      {gap && (
        <span className={`gap${gap.n >= 2 && coversZero(gap) ? ' noise' : ''}`} data-testid="seeds-gap">
          {gapText(gap, 1)}
        </span>
      )}
    </td>
  );
}

export function SeedsTable({ multi }: { multi: MultiSeedView }) {
  const agg = multi.aggregate;
  const done = multi.perSeed.length;
  const round = agg ? Math.max(0, ...agg.methods.map((m) => m.round)) : 0;
  const methods = agg ? agg.methods.filter((m) => m.round === round) : [];
  const names = [...new Set(methods.map((m) => m.name))].sort((a, b) =>
    a === 'Retrain' ? -1 : b === 'Retrain' ? 1 : 0,
  );
  const arms = [false, true].filter((w) => methods.some((m) => m.withDC === w));
  // optional metrics (MIA (filtered): absent in results made before it) only when some result has them
  const COLUMNS = TABLE_COLUMNS.filter(
    (d) => !d.optional || methods.some((m) => m.metrics[d.id as keyof MethodAggregate['metrics']]),
  );
  return (
    <section className="panel table-panel" data-testid="seeds-summary">
      <div className="panel-head">
        <h2>Over seeds {multi.planned.join(', ')}</h2>
        <span className="muted small" data-testid="seeds-status">
          {done} of {multi.planned.length} seeds finished
          {multi.current !== null ? ` · running seed ${multi.current}` : ''}
        </span>
      </div>
      {!agg ? (
        <p className="muted">The intervals appear when the first seed finishes.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Summary over seeds (scrolls sideways)">
          <table className="summary" data-testid="seeds-table">
            <thead>
              <tr>
                <th rowSpan={2}>Method</th>
                {arms.map((w) => (
                  <th key={String(w)} colSpan={COLUMNS.length + 1} className="arm">
                    {w ? 'w/ DC' : 'w/o DC'}
                  </th>
                ))}
              </tr>
              <tr>
                {arms.map((w) => [
                  ...COLUMNS.map((c) => <th key={`${w}${c.id}`}>{c.label}</th>),
                  <th key={`${w}time`}>Time</th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {agg.original && round === 0 && (
                // the untouched original model over seeds (issue 20 item 2); its gaps are to Retrain w/o DC
                <tr className="original" data-testid="seeds-original">
                  <th scope="row">{ORIGINAL_ROW}</th>
                  {arms.map((w) =>
                    w ? (
                      <td key="true" colSpan={COLUMNS.length + 1} className="muted center">
                        the same model (no DC)
                      </td>
                    ) : (
                      [
                        ...COLUMNS.map((c) => (
                          <Cell
                            key={`o${c.id}`}
                            m={agg.original!}
                            id={c.id as ModelMetricId}
                            digits={c.digits > 1 ? 1 : c.digits}
                          />
                        )),
                        <td key="otime" className="num muted">
                          –
                        </td>,
                      ]
                    ),
                  )}
                </tr>
              )}
              {names.map((name) => (
                <tr key={name} className={name === 'Retrain' ? 'ref' : ''} data-testid={`seeds-row-${name}`}>
                  <th scope="row">
                    {name}
                    {name === 'Retrain' && <span className="badge">reference</span>}
                  </th>
                  {arms.map((w) => {
                    const m = methods.find((x) => x.name === name && x.withDC === w);
                    if (!m)
                      return (
                        <td key={String(w)} colSpan={COLUMNS.length + 1} className="muted center">
                          not run
                        </td>
                      );
                    return [
                      ...COLUMNS.map((c) => (
                        <Cell
                          key={`${w}${c.id}`}
                          m={m}
                          id={c.id as ModelMetricId}
                          digits={c.digits > 1 ? 1 : c.digits}
                        />
                      )),
                      <td
                        key={`${w}time`}
                        className="num"
                        title={`per seed: ${m.unlearnSeconds.values.map((v) => fmtSeconds(v)).join(', ')}`}
                      >
                        {fmtSeconds(m.unlearnSeconds.mean)}
                        {m.unlearnSeconds.n >= 2 && (
                          <span className="muted small"> ± {fmtSeconds(halfWidth(m.unlearnSeconds))}</span>
                        )}
                      </td>,
                    ];
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            Mean ± half-width of the 95 % Student-t interval over seeds (n). Small text: gap to Retrain, computed per
            seed (same split, same original model); “within noise” = its interval covers 0. Strips: per-seed values
            (dots) over the interval (band), 0–100 %. MIA SE = the MIA’s bootstrap standard error over samples (mean
            over seeds). {MIA_GAP_NOTE}.
          </p>
        </div>
      )}
    </section>
  );
}
