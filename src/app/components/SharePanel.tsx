import { useRef, useState } from 'react';
import { useLab } from '../store';
import { download } from '../format';

/** Copy link, export JSON/CSV, import a result JSON, recent runs. */
export function SharePanel() {
  const copyLink = useLab((s) => s.copyLink);
  const exportJson = useLab((s) => s.exportJson);
  const exportCsv = useLab((s) => s.exportCsv);
  const importFile = useLab((s) => s.importResultFile);
  const recent = useLab((s) => s.recent);
  const openRecent = useLab((s) => s.openRecent);
  const hasResult = useLab((s) => s.run.methods.length > 0);
  const viewing = useLab((s) => s.viewingImport);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return (
    <section className="panel share-panel" data-testid="share-panel">
      <h2>Share & keep</h2>
      <div className="btn-row">
        <button
          data-testid="btn-copy-link"
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
      {link && (
        <div className="link-box">
          <input readOnly value={link} data-testid="share-link" onFocus={(e) => e.target.select()} />
          <span className="muted small">{copied ? 'copied to the clipboard' : 'select and copy'}</span>
        </div>
      )}
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
