import { useRef, useState } from 'react';
import { runDetails, runSummary, type LabRun } from '../compare';
import { useLab } from '../store';
import { download } from '../format';

/** One run: select checkbox, editable name, reference pin, settings in one line and in detail. */
function RunItem({ run, selected, isRef }: { run: LabRun; selected: boolean; isRef: boolean }) {
  const rename = useLab((s) => s.renameRun);
  const toggle = useLab((s) => s.toggleRunSelected);
  const pin = useLab((s) => s.pinReference);
  const remove = useLab((s) => s.removeRun);
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft !== null && draft !== run.name) rename(run.id, draft);
    setDraft(null);
  };
  const nameId = `run-name-${run.id}`;
  return (
    <li className={`run-item${isRef ? ' ref' : ''}`} data-testid="run-item" data-run-id={run.id}>
      <div className="run-line">
        <input
          type="checkbox"
          checked={selected}
          onChange={(e) => toggle(run.id, e.target.checked)}
          aria-label={`Select “${run.name}” for the comparison`}
          data-testid="run-select"
        />
        <label className="sr-only" htmlFor={nameId}>
          Name of the run
        </label>
        <input
          id={nameId}
          className="run-name"
          value={draft ?? run.name}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            if (e.key === 'Escape') setDraft(null);
          }}
          maxLength={200}
          data-testid="run-name"
        />
        <button
          className={isRef ? 'on small' : 'small'}
          aria-pressed={isRef}
          onClick={() => pin(isRef ? null : run.id)}
          title="Differences in the comparison are taken against the reference run"
          data-testid="run-pin"
        >
          {isRef ? 'Reference' : 'Pin as reference'}
        </button>
        <button
          className="icon-btn"
          onClick={() => remove(run.id)}
          aria-label={`Remove “${run.name}”`}
          title="Remove this run"
        >
          ×
        </button>
      </div>
      <div className="small muted" data-testid="run-summary">
        {run.source} · {run.seeds.length > 1 ? `${run.seeds.length} seeds grouped` : '1 seed'} · {runSummary(run)}
      </div>
      <details className="more">
        <summary>Settings</summary>
        <dl className="run-details">
          {runDetails(run).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </details>
    </li>
  );
}

/** Runs: every run of this tab, the recent ones and imported ones; select two or more to compare them. */
export function RunsPanel() {
  const runs = useLab((s) => s.runs);
  const selected = useLab((s) => s.selectedRuns);
  const reference = useLab((s) => s.referenceRun);
  const exportComparison = useLab((s) => s.exportComparison);
  const importFile = useLab((s) => s.importComparisonFile);
  const group = useLab((s) => s.groupSelectedAsSeeds);
  const removeAll = useLab((s) => s.removeAllRuns);
  const file = useRef<HTMLInputElement>(null);
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return (
    <section className="panel runs-panel" data-testid="runs-panel" aria-labelledby="runs-title">
      <div className="panel-head">
        <h2 id="runs-title">Runs</h2>
        <div className="btn-row">
          <button
            disabled={selected.length === 0}
            data-testid="btn-export-comparison"
            title="The selected runs, their settings, names and the reference as one JSON file"
            onClick={() => {
              const t = exportComparison();
              if (t) download(`unlearning-lab-comparison-${stamp()}.json`, t, 'application/json');
            }}
          >
            Export comparison
          </button>
          <button onClick={() => file.current?.click()} data-testid="btn-import-comparison">
            Import comparison…
          </button>
          <input
            ref={file}
            type="file"
            accept=".json,application/json"
            hidden
            aria-label="Comparison file to import"
            data-testid="import-comparison-input"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) await importFile(f);
            }}
          />
          <button
            disabled={selected.length < 2}
            onClick={group}
            data-testid="btn-group-seeds"
            title="Runs with the same settings and different seeds become one multi-seed run (intervals over seeds)"
          >
            Group as seeds
          </button>
          <button className="danger" disabled={runs.length === 0} onClick={removeAll} data-testid="btn-remove-runs">
            Remove all
          </button>
        </div>
      </div>
      {runs.length === 0 ? (
        <p className="muted small">
          Finished runs appear here (and stay in this browser). Name them, select two or more to overlay their curves
          and put their metrics side by side, pin one as the reference.
        </p>
      ) : (
        <ul className="runs-list" data-testid="runs-list">
          {runs.map((r) => (
            <RunItem key={r.id} run={r} selected={selected.includes(r.id)} isRef={reference === r.id} />
          ))}
        </ul>
      )}
    </section>
  );
}
