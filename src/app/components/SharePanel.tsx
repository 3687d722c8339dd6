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

/** Export JSON/CSV of the shown run, import a result JSON (it then joins the runs list below). */
export function SharePanel() {
  const exportJson = useLab((s) => s.exportJson);
  const exportCsv = useLab((s) => s.exportCsv);
  const importFile = useLab((s) => s.importResultFile);
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
    </section>
  );
}
