import { useState } from 'react';
import { PRESETS } from '../../core/lite';
import { useLab } from '../store';
import { download, fmtSeconds } from '../format';
import { ClaimsTable } from './ClaimsTable';

/** Run the paper's experiment cells from the page; claims table + markdown report (issue 7). */
export function ReproducePanel() {
  const repro = useLab((s) => s.repro);
  const busy = useLab((s) => s.busy);
  const ready = useLab((s) => s.workerReady);
  const run = useLab((s) => s.reproduce);
  const report = useLab((s) => s.reproReport);
  const clear = useLab((s) => s.clearRepro);
  const [preset, setPreset] = useState('browser');
  const [seeds, setSeeds] = useState(1);
  const [multi, setMulti] = useState(true);
  const done = repro?.cells.filter((c) => c.status === 'done' || c.status === 'resumed').length ?? 0;
  const total = repro?.cells.length ?? 0;
  const ran = repro?.cells.filter((c) => c.status === 'done' && c.seconds !== undefined) ?? [];
  const perCell = ran.length ? ran.reduce((a, c) => a + (c.seconds ?? 0), 0) / ran.length : NaN;
  const eta = busy?.command === 'reproduce' && ran.length ? perCell * (total - done) : NaN;
  return (
    <section className="panel repro-panel" data-testid="reproduce-panel">
      <details open={!!repro}>
        <summary>
          <h2 className="inline">Reproduce the paper’s tables</h2>
        </summary>
        <p className="muted small">
          Runs the cells of <code>npm run reproduce</code> here: §4.3 class and 10% uniform single rounds (all methods,
          w/o and w/ DC) and the §4.5 three-round cell, per seed. Finished cells are kept in this browser, so a reload
          resumes. The §4.2 condensation benchmark is CLI-only.
        </p>
        <div className="repro-form">
          <label>
            Preset{' '}
            <select
              value={preset}
              onChange={(e) => setPreset(e.target.value)}
              disabled={!!busy}
              data-testid="repro-preset"
            >
              {Object.entries(PRESETS).map(([k, p]) => (
                <option key={k} value={k}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Seeds{' '}
            <input
              type="number"
              min={1}
              max={5}
              value={seeds}
              onChange={(e) => setSeeds(Math.max(1, Math.min(5, Number(e.target.value) || 1)))}
              disabled={!!busy}
              data-testid="repro-seeds"
            />
          </label>
          <label className="check">
            <input type="checkbox" checked={multi} onChange={(e) => setMulti(e.target.checked)} disabled={!!busy} />{' '}
            multi-round cell
          </label>
          <button
            className="primary"
            disabled={!ready || !!busy}
            onClick={() => run(preset, seeds, multi)}
            data-testid="btn-reproduce"
          >
            Run
          </button>
          {repro?.claims && (
            <button
              onClick={() => {
                const t = report();
                if (t) download(`reproduce-${repro.preset}.md`, t, 'text/markdown');
              }}
              data-testid="btn-repro-report"
            >
              Export report (.md)
            </button>
          )}
          {repro && !busy && (
            <button onClick={clear} title="Forget the finished cells kept in this browser">
              Clear
            </button>
          )}
        </div>
        {repro && (
          <>
            <div className="muted small">
              {done}/{total} cells{Number.isFinite(eta) ? ` · ETA ${fmtSeconds(eta)}` : ''}
            </div>
            <ul className="cells" data-testid="repro-cells">
              {repro.cells.map((c) => (
                <li key={c.id} className={`cell cell-${c.status}`}>
                  <span className="cell-status">{c.status}</span> {c.title}
                  {c.seconds !== undefined && <span className="muted small"> · {fmtSeconds(c.seconds)}</span>}
                </li>
              ))}
            </ul>
          </>
        )}
        {repro?.claims && (
          <ClaimsTable claims={repro.claims} synthetic={PRESETS[repro.preset]?.spec.dataset === 'synthetic'} />
        )}
      </details>
    </section>
  );
}
