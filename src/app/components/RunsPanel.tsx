import { useMemo, useRef, useState } from 'react';
import { runDetails, runSummary, type LabRun } from '../compare';
import { RUN_FACETS, facetValues, isFiltered, runsBytes, visibleRuns } from '../runs-list';
import { useLab } from '../store';
import { MAX_RUNS_CAP, MIN_RUNS_CAP, UNDO_MS } from '../store/runs';
import { download, fmtBytes } from '../format';

/** Runs rendered at first (more on request): the list stays light with hundreds of runs. */
const PAGE = 100;

/** One run: select, editable name, show it, reference pin, split, remove; its settings in one line and in detail. */
function RunItem({ run, selected, isRef }: { run: LabRun; selected: boolean; isRef: boolean }) {
  const rename = useLab((s) => s.renameRun);
  const toggle = useLab((s) => s.toggleRunSelected);
  const pin = useLab((s) => s.pinReference);
  const remove = useLab((s) => s.removeRun);
  const open = useLab((s) => s.openRun);
  const split = useLab((s) => s.splitRun);
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
          title={run.named ? 'Name given to this run' : 'Default name: the settings that set this run apart'}
          data-testid="run-name"
        />
        <button
          className="small"
          onClick={() => open(run.id)}
          title="Show this run in the Run view (summary, curves; over seeds when it has several)"
          data-testid="run-open"
        >
          Show
        </button>
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
          title="Remove this run (can be undone for a few seconds)"
          data-testid="run-remove"
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
        <div className="btn-row">
          {run.search && (
            <a className="small" href={run.search} data-testid="run-settings-link">
              Open these settings
            </a>
          )}
          {run.seeds.length > 1 && (
            <button className="small" onClick={() => split(run.id)} data-testid="run-split">
              Split into {run.seeds.length} runs, one per seed
            </button>
          )}
        </div>
      </details>
    </li>
  );
}

/** Where the runs are kept, their size, and the cap (settable). */
function StorageLine({ runs }: { runs: LabRun[] }) {
  const storage = useLab((s) => s.runsStorage);
  const cap = useLab((s) => s.runsCap);
  const setCap = useLab((s) => s.setRunsCap);
  const [draft, setDraft] = useState<string | null>(null);
  const bytes = useMemo(() => runsBytes(runs), [runs]);
  const where =
    storage.kind === 'loading'
      ? 'reading the stored runs…'
      : storage.kind === 'indexeddb'
        ? `≈ ${fmtBytes(bytes)} in this browser (IndexedDB)`
        : `≈ ${fmtBytes(bytes)}, in memory only (${storage.reason})`;
  const apply = () => {
    if (draft !== null) {
      const n = Number(draft);
      if (draft.trim() !== '' && Number.isFinite(n)) setCap(n);
    }
    setDraft(null);
  };
  return (
    <p className={`small runs-storage${storage.kind === 'memory' ? ' warn' : ''}`} data-testid="runs-storage">
      <span data-testid="runs-count">
        {runs.length} run{runs.length === 1 ? '' : 's'}
      </span>{' '}
      · <span data-testid="runs-size">{where}</span> ·{' '}
      <label>
        keep at most{' '}
        <input
          type="number"
          className="runs-cap"
          min={MIN_RUNS_CAP}
          max={MAX_RUNS_CAP}
          step={10}
          value={draft ?? String(cap)}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={apply}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            if (e.key === 'Escape') setDraft(null);
          }}
          data-testid="runs-cap"
        />{' '}
        runs
      </label>{' '}
      <span className="muted">(the oldest go first; never the reference)</span>
    </p>
  );
}

/** "Removed 3 runs — Undo", while the removal can be undone. */
function UndoBar() {
  const undo = useLab((s) => s.runsUndo);
  const undoIt = useLab((s) => s.undoRunsChange);
  if (!undo) return null;
  return (
    <div className="notice notice-warn runs-undo" role="status" data-testid="runs-undo">
      <span data-testid="runs-undo-text">{undo.text}.</span>
      <button onClick={undoIt} data-testid="btn-undo-runs" title={`Possible for ${UNDO_MS / 1000} s after the change`}>
        Undo
      </button>
    </div>
  );
}

/** Filter by words and by one setting's value; sort by time, name or a setting. */
function ListTools({ runs, shown }: { runs: LabRun[]; shown: number }) {
  const filter = useLab((s) => s.runsFilter);
  const sort = useLab((s) => s.runsSort);
  const setFilter = useLab((s) => s.setRunsFilter);
  const setSort = useLab((s) => s.setRunsSort);
  const values = useMemo(() => (filter.facet ? facetValues(runs, filter.facet) : []), [runs, filter.facet]);
  return (
    <div className="runs-tools small" data-testid="runs-tools">
      <label>
        Filter{' '}
        <input
          type="search"
          value={filter.text}
          placeholder="words in the name or settings"
          onChange={(e) => setFilter({ text: e.target.value })}
          data-testid="runs-filter-text"
        />
      </label>
      <label>
        Setting{' '}
        <select
          value={filter.facet}
          onChange={(e) => {
            const facet = e.target.value;
            setFilter({ facet, value: facet ? (facetValues(runs, facet)[0]?.value ?? '') : '' });
          }}
          data-testid="runs-filter-facet"
        >
          <option value="">any</option>
          {RUN_FACETS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      {filter.facet && (
        <label>
          <span className="sr-only">Value of the setting</span>
          <select
            value={filter.value}
            onChange={(e) => setFilter({ value: e.target.value })}
            data-testid="runs-filter-value"
          >
            {values.map((v) => (
              <option key={v.value} value={v.value}>
                {v.value} ({v.count})
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Sort by{' '}
        <select value={sort.key} onChange={(e) => setSort({ ...sort, key: e.target.value })} data-testid="runs-sort">
          <option value="newest">newest first</option>
          <option value="oldest">oldest first</option>
          <option value="name">name</option>
          {RUN_FACETS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.label.toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      <button
        className="small"
        aria-pressed={sort.desc}
        onClick={() => setSort({ ...sort, desc: !sort.desc })}
        title="Reverse the order"
        data-testid="runs-sort-dir"
      >
        {sort.desc ? 'reversed' : 'reverse'}
      </button>
      {isFiltered(filter) && (
        <>
          <span data-testid="runs-shown">
            {shown} of {runs.length} shown
          </span>
          <button className="link-btn" onClick={() => setFilter({ text: '', facet: '', value: '' })}>
            clear filter
          </button>
        </>
      )}
    </div>
  );
}

/** Runs: every run of this tab, earlier ones and imported ones, in one list; select two or more to compare them. */
export function RunsPanel() {
  const runs = useLab((s) => s.runs);
  const selected = useLab((s) => s.selectedRuns);
  const reference = useLab((s) => s.referenceRun);
  const filter = useLab((s) => s.runsFilter);
  const sort = useLab((s) => s.runsSort);
  const exportComparison = useLab((s) => s.exportComparison);
  const importFile = useLab((s) => s.importComparisonFile);
  const group = useLab((s) => s.groupSelectedAsSeeds);
  const removeRuns = useLab((s) => s.removeRuns);
  const [limit, setLimit] = useState(PAGE);
  const file = useRef<HTMLInputElement>(null);
  const shown = useMemo(() => visibleRuns(runs, filter, sort), [runs, filter, sort]);
  const filtered = isFiltered(filter);
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
            title="Runs with the same settings and different seeds become one multi-seed run (names given are kept)"
          >
            Group as seeds
          </button>
          <button
            className="danger"
            disabled={shown.length === 0}
            onClick={() => removeRuns(shown.map((r) => r.id))}
            data-testid="btn-remove-runs"
            title="Remove the runs listed (can be undone for a few seconds)"
          >
            {filtered ? `Remove ${shown.length} shown` : 'Remove all'}
          </button>
        </div>
      </div>
      <StorageLine runs={runs} />
      <UndoBar />
      {runs.length === 0 ? (
        <p className="muted small">
          Finished runs appear here (and stay in this browser). Name them, select two or more to overlay their curves
          and put their metrics side by side, pin one as the reference.
        </p>
      ) : (
        <>
          <ListTools runs={runs} shown={shown.length} />
          {shown.length === 0 ? (
            <p className="muted small" data-testid="runs-none-shown">
              No run matches the filter.
            </p>
          ) : (
            <ul className="runs-list" data-testid="runs-list">
              {shown.slice(0, limit).map((r) => (
                <RunItem key={r.id} run={r} selected={selected.includes(r.id)} isRef={reference === r.id} />
              ))}
            </ul>
          )}
          {shown.length > limit && (
            <button className="small" onClick={() => setLimit(limit + PAGE)} data-testid="runs-more">
              Show {Math.min(PAGE, shown.length - limit)} more ({shown.length - limit} not shown)
            </button>
          )}
        </>
      )}
    </section>
  );
}
