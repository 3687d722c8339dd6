import { useMemo, useState } from 'react';
import { armLabel, isWithDC, parseGalleryKey } from '../../core/lite';
import {
  armKey,
  galleryMethodKeys,
  galleryRows,
  pickGalleryMethod,
  pickGalleryReference,
  type GallerySort,
} from '../runState';
import { useLab } from '../store';
import { METHOD_COLORS } from '../format';
import { RgbaCanvas } from './RgbaCanvas';

const SORTS: Array<{ key: GallerySort; label: string; title: string }> = [
  {
    key: 'hardest',
    label: 'hardest to forget',
    title: 'smallest confidence drop first (the samples the method kept remembering)',
  },
  { key: 'easiest', label: 'most forgotten', title: 'largest confidence drop first' },
  { key: 'original', label: 'original confidence', title: 'most confident original model first' },
  { key: 'position', label: 'forget-set order', title: 'order in the forget set' },
];

/** percentage points, with a real minus sign and no "-0.0" */
const fmtPts = (d: number) => {
  const v = Math.round(1000 * d) / 10;
  return v === 0 ? '0.0' : `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)}`;
};

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(1)}%`);

/** "A-CF w/ DC" for the gallery key "A-CF|w/ DC" */
function keyLabel(key: string): string {
  const { method, arm } = parseGalleryKey(key);
  return `${method} ${armLabel(arm)}`;
}

function ConfBar(props: { label: string; value: number | undefined; color: string; testId: string; title: string }) {
  const { value } = props;
  const w = value === undefined || !Number.isFinite(value) ? 0 : Math.max(0, Math.min(1, value)) * 100;
  return (
    <div className="conf-row" title={props.title}>
      <span className="conf-label">{props.label}</span>
      <span className="conf-track">
        <span className="conf-fill" style={{ width: `${w}%`, background: props.color }} />
      </span>
      <span className="conf-num" data-testid={props.testId}>
        {pct(value)}
      </span>
    </div>
  );
}

/**
 * Forget-set samples with the true-label confidence p(y|x) of the original model, of the selected unlearning
 * method and of Retrain (the reference): an unlearned model should be about as unsure as the retrained one.
 */
export function ForgetGallery() {
  const items = useLab((s) => s.run.forgetSamples);
  const selected = useLab((s) => s.selectedMethod);
  const select = useLab((s) => s.selectMethod);
  const classes = useLab((s) => s.dataset?.classes);
  const [sort, setSort] = useState<GallerySort>('hardest');
  const keys = useMemo(() => galleryMethodKeys(items), [items]);
  const method = pickGalleryMethod(keys, selected);
  const reference = pickGalleryReference(keys, method);
  const showRef = reference !== null && reference !== method;
  const rows = useMemo(
    () => galleryRows(items, method, showRef ? reference : null, sort),
    [items, method, reference, showRef, sort],
  );
  const className = (label: number) => classes?.[label] ?? `class ${label}`;
  const methodName = method ? parseGalleryKey(method).method : '';
  return (
    <section className="panel gallery-panel" data-testid="forget-gallery">
      <div className="panel-head">
        <h2>Forget gallery</h2>
        {items.length > 0 && (
          <div className="gallery-controls">
            {keys.length > 0 && (
              <label className="small">
                method{' '}
                <select
                  value={method ?? ''}
                  onChange={(e) => {
                    const { method: m, arm } = parseGalleryKey(e.target.value);
                    select(armKey(m, isWithDC(arm), 0));
                  }}
                  data-testid="forget-method"
                >
                  {keys.map((k) => (
                    <option key={k} value={k}>
                      {keyLabel(k)}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="small">
              sort{' '}
              <select value={sort} onChange={(e) => setSort(e.target.value as GallerySort)} data-testid="forget-sort">
                {SORTS.map((s) => (
                  <option key={s.key} value={s.key} title={s.title}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </div>
      {items.length === 0 ? (
        <p className="muted">
          Press Unlearn: once the original model is trained, a sample of the forget set appears here with its confidence
          in the true label, and each method’s confidence next to it as it finishes (Retrain is the reference).
        </p>
      ) : (
        <>
          <p className="muted small">
            Confidence in the true label, p(y|x), on {items.length} forget images: original model
            {method ? ` vs ${keyLabel(method)}` : ''}
            {showRef && reference ? ` and ${keyLabel(reference)} (reference)` : ''}.{' '}
            {method ? 'Drop = original − method, in percentage points; sorted by ' : 'Sorted by '}
            {SORTS.find((s) => s.key === sort)?.label}.{!method && ' Press Unlearn to compare.'}
          </p>
          <div className="forgets">
            {rows.map((r) => (
              <figure key={r.item.pos} className="forget" data-testid="forget-item" data-drop={r.drop ?? ''}>
                <div className="forget-top">
                  <RgbaCanvas
                    image={r.item.image}
                    scale={2}
                    title={`forget sample #${r.item.pos}: ${className(r.item.label)}`}
                    label={`forget sample #${r.item.pos}: ${className(r.item.label)}`}
                    testId="forget-image"
                  />
                  <figcaption>
                    <span className="forget-class" data-testid="forget-class">
                      {className(r.item.label)}
                    </span>
                    <span className="muted">#{r.item.pos}</span>
                    {r.drop !== undefined && (
                      <span
                        className="forget-drop"
                        data-testid="forget-drop"
                        title="confidence drop: original − method"
                      >
                        drop {fmtPts(r.drop)} pts
                      </span>
                    )}
                  </figcaption>
                </div>
                <ConfBar
                  label="original"
                  value={r.item.original}
                  color="#9ca3af"
                  testId="forget-conf-original"
                  title="original model (trained on the forget set)"
                />
                {method && (
                  <ConfBar
                    label={methodName}
                    value={r.method}
                    color={METHOD_COLORS[methodName] ?? '#2563eb'}
                    testId="forget-conf-method"
                    title={keyLabel(method)}
                  />
                )}
                {showRef && reference && (
                  <ConfBar
                    label="Retrain"
                    value={r.reference}
                    color={METHOD_COLORS.Retrain ?? '#374151'}
                    testId="forget-conf-retrain"
                    title={`${keyLabel(reference)} (reference)`}
                  />
                )}
              </figure>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
