import { useLab } from '../store';
import { fmtNum } from '../format';
import { heatColors, keyOf, methodLabel, pickMethod, shownModels, type ShownModel } from '../modelViews';

/** Class names of the shown run: the loaded dataset's when it is the run's dataset, else "class i". */
function useClassNames(n: number): string[] {
  const ds = useLab((s) => s.dataset);
  const runDataset = useLab((s) => s.run.experiment?.spec.dataset);
  const names = ds && (!runDataset || ds.id === runDataset) ? ds.classes : [];
  return Array.from({ length: n }, (_, i) => names[i] ?? `class ${i}`);
}

/** Method picker shared by the per-class and attack views (the store's selectedMethod). */
export function MethodPicker({ testId, label }: { testId: string; label: string }) {
  const methods = useLab((s) => s.run.methods);
  const selected = useLab((s) => s.selectedMethod);
  const select = useLab((s) => s.selectMethod);
  const cur = pickMethod(methods, selected);
  if (!methods.length) return null;
  return (
    <label className="small">
      <span className="visually-hidden">{label}</span>
      <select
        value={cur ? keyOf(cur) : ''}
        onChange={(e) => select(e.target.value)}
        data-testid={testId}
        aria-label={label}
      >
        {methods.map((m) => (
          <option key={keyOf(m)} value={keyOf(m)}>
            {methodLabel(m)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A horizontal bar with its value as text (0–100 %). */
function PctBar({ v, color }: { v: number | null | undefined; color: string }) {
  if (v === null || v === undefined || !Number.isFinite(v)) return <span className="muted">—</span>;
  return (
    <span className="pct-bar">
      <span className="pct-bar-track" aria-hidden="true">
        <span className="pct-bar-fill" style={{ width: `${Math.max(0, Math.min(100, v))}%`, background: color }} />
      </span>
      <span className="pct-bar-num">{fmtNum(v, 1)}</span>
    </span>
  );
}

const ROLE_COLORS: Record<ShownModel['role'], string> = { original: '#6b7280', method: '#2563eb', retrain: '#374151' };

/** Confusion matrix as a heatmap table: cell shade = share of the true class's row, text = count. */
function ConfusionTable({ model, names }: { model: ShownModel; names: string[] }) {
  const m = model.views?.confusion;
  const caption = `Confusion matrix, ${model.label} (test set; rows = true class, columns = predicted class)`;
  if (!m) return <p className="muted small">{model.label}: confusion matrix not in this result.</p>;
  return (
    <div className="confusion-wrap">
      <table className="confusion" data-testid={`confusion-${model.role}`} aria-label={caption}>
        <caption>{model.label}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">true class \ predicted class</span>
            </th>
            {m.map((_, j) => (
              <th key={j} scope="col" title={`predicted ${names[j]}`}>
                <abbr title={`predicted ${names[j]}`}>{names[j].slice(0, 3)}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.map((row, i) => {
            const n = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={i}>
                <th scope="row">{names[i]}</th>
                {row.map((v, j) => {
                  const share = n > 0 ? v / n : 0;
                  const c = heatColors(share);
                  return (
                    <td
                      key={j}
                      style={{ background: c.bg, color: c.fg }}
                      aria-label={`true ${names[i]}, predicted ${names[j]}: ${v} of ${n}`}
                      title={`true ${names[i]}, predicted ${names[j]}: ${v} of ${n} (${fmtNum(100 * share, 1)} %)`}
                    >
                      {v}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Per-class test and forget accuracy of the selected method next to Retrain and the original, and confusions. */
export function PerClassView() {
  const methods = useLab((s) => s.run.methods);
  const selected = useLab((s) => s.selectedMethod);
  const experiment = useLab((s) => s.run.experiment);
  const shown = shownModels(methods, selected, experiment?.pretrain);
  const withViews = shown.filter((m) => m.views?.perClass);
  const nClasses = Math.max(
    0,
    ...shown.map((m) => m.views?.perClass?.testAcc.length ?? m.views?.confusion?.length ?? 0),
  );
  const names = useClassNames(nClasses);
  const forgetClass = experiment?.split.forgetClass ?? null;
  const hasMethod = shown.some((m) => m.role !== 'original');
  return (
    <section className="panel" data-testid="view-perclass" aria-labelledby="perclass-title">
      <div className="panel-head">
        <h2 id="perclass-title">Per class</h2>
        <MethodPicker testId="perclass-method" label="Method shown in the per-class view" />
      </div>
      {!hasMethod ? (
        <p className="muted">
          After unlearning, per-class test and forget accuracy of each method appear here next to Retrain, with
          confusion matrices.
        </p>
      ) : withViews.length === 0 ? (
        <p className="muted" data-testid="perclass-missing">
          Per-class accuracies are not in this result (it was made before they were recorded).
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table
              className="perclass"
              data-testid="perclass-table"
              aria-label="Per-class accuracy (%) on the test set and the forget set"
            >
              <thead>
                <tr>
                  <th scope="col" rowSpan={2}>
                    class
                  </th>
                  <th scope="colgroup" colSpan={withViews.length}>
                    test accuracy %
                  </th>
                  <th scope="colgroup" colSpan={withViews.length}>
                    forget accuracy %
                  </th>
                </tr>
                <tr>
                  {withViews.map((m) => (
                    <th key={`t${m.role}`} scope="col">
                      {m.label}
                    </th>
                  ))}
                  {withViews.map((m) => (
                    <th key={`f${m.role}`} scope="col">
                      {m.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {names.map((name, c) => (
                  <tr key={c} className={c === forgetClass ? 'forgotten' : undefined}>
                    <th scope="row">
                      {name}
                      {c === forgetClass && <span className="tag-forgot"> (forgotten)</span>}
                    </th>
                    {withViews.map((m) => (
                      <td key={`t${m.role}`}>
                        <PctBar v={m.views!.perClass!.testAcc[c]} color={ROLE_COLORS[m.role]} />
                      </td>
                    ))}
                    {withViews.map((m) => (
                      <td key={`f${m.role}`}>
                        <PctBar v={m.views!.perClass!.forgetAcc[c]} color={ROLE_COLORS[m.role]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="hint">
            Forget accuracy is shown for the classes that have images in the forget set (— elsewhere). Unlearning should
            bring the method’s bars to Retrain’s, not to zero.
          </p>
          <div className="confusions">
            {shown.map((m) => (
              <ConfusionTable key={m.role} model={m} names={names} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
