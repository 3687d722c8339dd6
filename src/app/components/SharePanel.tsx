import { useRef, useState } from 'react';
import { useLab } from '../store';
import { download } from '../format';

/**
 * Copy link (in the toolbar, every view): the settings, the base preset, the view and the selected method as a
 * URL; the link is shown to select by hand when the clipboard refuses.
 */
export function CopyLink() {
  const copyLink = useLab((s) => s.copyLink);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-link">
      <button
        data-testid="btn-copy-link"
        title="A link to these settings, this view and the selected method"
        onClick={async () => {
          const l = copyLink();
          setLink(l);
          try {
            await navigator.clipboard.writeText(l);
            setCopied(true);
          } catch {
            setCopied(false);
          }
        }}
      >
        Copy link
      </button>
      {link && (
        <span className="link-box">
          <input
            readOnly
            value={link}
            data-testid="share-link"
            aria-label="Link to these settings"
            onFocus={(e) => e.target.select()}
          />
          <span className="muted small">{copied ? 'copied' : 'select and copy'}</span>
          <button className="icon-btn" aria-label="Close the link" onClick={() => setLink(null)}>
            ×
          </button>
        </span>
      )}
    </span>
  );
}

/** Export JSON/CSV, import a result JSON, recent runs. */
export function SharePanel() {
  const exportJson = useLab((s) => s.exportJson);
  const exportCsv = useLab((s) => s.exportCsv);
  const importFile = useLab((s) => s.importResultFile);
  const recent = useLab((s) => s.recent);
  const openRecent = useLab((s) => s.openRecent);
  const hasResult = useLab((s) => s.run.methods.length > 0);
  const viewing = useLab((s) => s.viewingImport);
  const file = useRef<HTMLInputElement>(null);
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return (
    <section className="panel share-panel" data-testid="share-panel">
      <h2>Keep: export and import</h2>
      <div className="btn-row">
        <button
          disabled={!hasResult}
          data-testid="btn-export-json"
          onClick={() => {
            const t = exportJson();
            if (t) download(`unlearning-lab-${stamp()}.json`, t, 'application/json');
          }}
        >
          Export JSON
        </button>
        <button
          disabled={!hasResult}
          data-testid="btn-export-csv"
          onClick={() => {
            const t = exportCsv();
            if (t) download(`unlearning-lab-${stamp()}.csv`, t, 'text/csv');
          }}
        >
          Export CSV
        </button>
        <button onClick={() => file.current?.click()} data-testid="btn-import-json">
          Import result JSON…
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-json-input"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) await importFile(f);
          }}
        />
      </div>
      {viewing && <p className="notice-inline">Showing {viewing}.</p>}
      <h3>Recent runs</h3>
      {recent.length === 0 ? (
        <p className="muted small">Finished runs are kept in this browser.</p>
      ) : (
        <ul className="recent" data-testid="recent-runs">
          {recent.map((r) => (
            <li key={r.id}>
              <button className="link-btn" onClick={() => openRecent(r.id)} title="show this result">
                {new Date(r.at).toLocaleString()}
              </button>
              <span className="small">
                {' '}
                {r.label} · {r.backend}
              </span>{' '}
              <a className="small" href={r.search.startsWith('?') ? r.search : '?'}>
                settings
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
