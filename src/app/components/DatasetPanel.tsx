import { useRef, useState } from 'react';
import { useLab } from '../store';
import { RgbaCanvas } from './RgbaCanvas';

const NAMES: Record<string, string> = { cifar10: 'CIFAR-10', svhn: 'SVHN', synthetic: 'Synthetic' };
const SOURCES: Record<string, string> = {
  prepared: 'prepared shards (SHA-256 verified)',
  cache: 'browser cache (verified)',
  import: 'imported archive',
  synthetic: 'generated in the browser',
};

/** The loaded dataset: 10×10 grid of real samples (row = class), sizes, classes; drop or pick an archive. */
export function DatasetPanel() {
  const ds = useLab((s) => s.dataset);
  const busy = useLab((s) => s.busy);
  const importFiles = useLab((s) => s.importFiles);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const onFiles = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    void importFiles([...list].slice(0, 2));
  };
  return (
    <section
      className={`panel dataset-panel ${over ? 'drop-over' : ''}`}
      data-testid="dataset-panel"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onFiles(e.dataTransfer.files);
      }}
    >
      <div className="panel-head">
        <h2>
          Dataset: <span data-testid="dataset-panel-name">{ds ? (NAMES[ds.id] ?? ds.id) : 'loading…'}</span>
        </h2>
        <button
          className="btn-small"
          disabled={!!busy}
          onClick={() => input.current?.click()}
          data-testid="btn-import-archive"
        >
          Import archive…
        </button>
        <input
          ref={input}
          type="file"
          accept=".gz,.tgz,.mat"
          multiple
          hidden
          data-testid="archive-input"
          onChange={(e) => {
            onFiles(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {ds ? (
        <div className="dataset-body">
          <RgbaCanvas
            image={ds.grid}
            scale={1}
            className="sample-grid"
            testId="sample-grid"
            title="10 training images per class (one row per class)"
            label={`${NAMES[ds.id] ?? ds.id}: 10 training images per class, one row per class (${ds.classes.join(', ')})`}
          />
          <div className="dataset-meta">
            <div>
              <strong>{ds.trainSize.toLocaleString()}</strong> train · <strong>{ds.testSize.toLocaleString()}</strong>{' '}
              test
            </div>
            <div className="muted small">from {SOURCES[ds.source] ?? ds.source}</div>
            <ol className="class-list" start={0}>
              {ds.classes.map((c, i) => (
                <li key={c}>
                  {c} <span className="muted">({ds.perClassTrain[i] ?? 0})</span>
                </li>
              ))}
            </ol>
            {ds.available.length > 0 && (
              <div className="muted small">
                Prepared on this server:{' '}
                {ds.available
                  .map((a) => `${NAMES[a.id] ?? a.id} (${a.trainSize.toLocaleString()}/${a.testSize.toLocaleString()})`)
                  .join(', ')}
              </div>
            )}
            <div className="muted small drop-hint">
              Drop cifar-10-binary.tar.gz or train_32x32.mat + test_32x32.mat here: parsed in the worker, cached in this
              browser.
            </div>
          </div>
        </div>
      ) : (
        <p className="muted">Loading the dataset in the worker…</p>
      )}
    </section>
  );
}
