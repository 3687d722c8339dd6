import { useMemo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { AttackView as AttackData } from '../../core/lite';
import { useLab } from '../store';
import { MIA_CLASS_ARTEFACT, miaClassArtefact } from '../../core/lite';
import { fmtNum } from '../format';
import { histogram } from '../runState';
import { shownModels, type ShownModel } from '../modelViews';
import { MethodPicker } from './PerClassView';

const ROLE_COLORS: Record<ShownModel['role'], string> = {
  original: '#6b7280',
  method: '#2563eb',
  retrain: '#b45309',
};
const ROLE_DASH: Record<ShownModel['role'], string | undefined> = {
  original: '2 3',
  method: undefined,
  retrain: '6 3',
};

const sideName = (p: AttackData['positive']) => (p === 'test' ? 'unseen test' : 'forget');

function aucText(m: ShownModel): string {
  const se = m.miaSe !== undefined && Number.isFinite(m.miaSe) ? ` ± ${fmtNum(m.miaSe, 2)}` : '';
  return `${fmtNum(m.mia ?? m.views?.attack?.auc, 2)}${se}`;
}

/** Histogram of the attack's out-of-fold scores on forget vs unseen test images, for one model. */
function ScoreHistogram({ model }: { model: ShownModel }) {
  const a = model.views?.attack;
  const data = useMemo(() => (a ? histogram(a.forgetScores, a.testScores, 20) : []), [a]);
  if (!a) return <p className="muted small">{model.label}: attack scores not in this result.</p>;
  const label =
    `Attack score distributions of ${model.label}: ${a.forgetScores.length} forget and ` +
    `${a.testScores.length} unseen test images; x = the attack's probability that an image is ` +
    `${sideName(a.positive)}; AUC ${aucText(model)}`;
  return (
    <figure className="attack-fig" data-testid={`attack-hist-${model.role}`}>
      <figcaption className="chart-caption">
        {model.label} — AUC {aucText(model)}
      </figcaption>
      <div className="chart" role="img" aria-label={label}>
        <ResponsiveContainer width="100%" height={170}>
          <BarChart data={data} barGap={0} barCategoryGap={1} margin={{ top: 6, right: 10, bottom: 6, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="x" tickFormatter={(v) => Number(v).toFixed(2)} />
            <YAxis tickFormatter={(v) => `${Math.round(Number(v) * 100)}%`} width={40} />
            <Tooltip
              formatter={(v) => `${(Number(v) * 100).toFixed(1)} %`}
              labelFormatter={(v) => `score ≈ ${Number(v).toFixed(3)}`}
            />
            <Legend />
            <Bar dataKey="a" name="forget" fill="#dc2626" fillOpacity={0.7} isAnimationActive={false} />
            <Bar dataKey="b" name="unseen test" fill="#2563eb" fillOpacity={0.7} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** ROC curves of the shown models in one chart (chance diagonal dashed). */
function RocChart({ models }: { models: ShownModel[] }) {
  const withRoc = models.filter((m) => m.views?.attack?.roc.length);
  if (!withRoc.length) return null;
  const label =
    'ROC curves of the membership attack: ' +
    withRoc.map((m) => `${m.label} AUC ${aucText(m)} (${m.views!.attack!.roc.length} points)`).join('; ');
  return (
    <figure className="attack-fig" data-testid="roc-chart">
      <figcaption className="chart-caption">ROC of the attack (false-positive rate → true-positive rate)</figcaption>
      <div className="chart" role="img" aria-label={label}>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart margin={{ top: 6, right: 14, bottom: 14, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              type="number"
              dataKey="fpr"
              domain={[0, 1]}
              tickCount={6}
              label={{ value: 'FPR', position: 'insideBottomRight', offset: -6 }}
            />
            <YAxis type="number" dataKey="tpr" domain={[0, 1]} tickCount={6} width={40} />
            <Tooltip formatter={(v) => Number(v).toFixed(3)} labelFormatter={(v) => `FPR ${Number(v).toFixed(3)}`} />
            <Legend />
            <Line
              data={[
                { fpr: 0, tpr: 0 },
                { fpr: 1, tpr: 1 },
              ]}
              dataKey="tpr"
              name="chance"
              stroke="#9ca3af"
              strokeDasharray="4 4"
              dot={false}
              isAnimationActive={false}
            />
            {withRoc.map((m) => (
              <Line
                key={m.role}
                data={m.views!.attack!.roc.map(([fpr, tpr]) => ({ fpr, tpr }))}
                dataKey="tpr"
                name={`${m.label} (AUC ${fmtNum(m.mia ?? m.views!.attack!.auc, 1)})`}
                stroke={ROLE_COLORS[m.role]}
                strokeDasharray={ROLE_DASH[m.role]}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
                className={`roc-line roc-${m.role}`}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** The MIA beyond its AUC: score distributions (forget vs unseen) and ROC per model, next to AUC ± SE. */
export function AttackView() {
  const methods = useLab((s) => s.run.methods);
  const selected = useLab((s) => s.selectedMethod);
  const pretrain = useLab((s) => s.run.experiment?.pretrain);
  const shown = shownModels(methods, selected, pretrain);
  const hasMethod = shown.some((m) => m.role !== 'original');
  const withAttack = shown.filter((m) => m.views?.attack);
  return (
    <section className="panel" data-testid="view-attack" aria-labelledby="attack-title">
      <div className="panel-head">
        <h2 id="attack-title">Attack (MIA)</h2>
        <MethodPicker testId="attack-method" label="Method shown in the attack view" />
      </div>
      {!hasMethod ? (
        <p className="muted">
          After unlearning, the membership attack’s score distributions (forget vs unseen test images) and its ROC curve
          appear here for each method, next to Retrain.
        </p>
      ) : withAttack.length === 0 ? (
        <p className="muted" data-testid="attack-missing">
          Attack scores are not in this result (it was made before they were recorded); the table shows the MIA AUC
          only.
        </p>
      ) : null}
      {hasMethod && (
        <table className="attack-table" data-testid="attack-table" aria-label="Membership attack per model">
          <thead>
            <tr>
              <th scope="col">model</th>
              <th scope="col">MIA AUC % ± SE</th>
              <th scope="col">MIA (filtered)</th>
              <th scope="col">images / side</th>
              <th scope="col">branch</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.role}>
                <th scope="row">{m.label}</th>
                <td>{aucText(m)}</td>
                <td>{fmtNum(m.miaFiltered, 2)}</td>
                <td>{m.views?.attack ? m.views.attack.forgetScores.length : '—'}</td>
                <td>
                  {m.views?.attack ? `${m.views.attack.branch} (positive: ${sideName(m.views.attack.positive)})` : '—'}
                  {m.mia !== undefined && miaClassArtefact({ metrics: { mia: m.mia, miaFiltered: m.miaFiltered } }) && (
                    <span
                      className="badge warn"
                      data-testid="mia-artefact"
                      title="the paper's swapped branch compares the forget class with the whole test split (all classes): it measures which class an image is, not membership (docs/mia.md)"
                    >
                      {' '}
                      {MIA_CLASS_ARTEFACT}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {withAttack.length > 0 && (
        <>
          <div className="attack-grid">
            {shown.map((m) => (
              <ScoreHistogram key={m.role} model={m} />
            ))}
          </div>
          <RocChart models={shown} />
          <p className="hint">
            The attack is a 1-D logistic regression on the logit-scaled confidence, scored out of fold (paper §7.2). ≈50
            = the forget images look like unseen ones. When the direct AUC is ≤ 42 the paper swaps the roles and keeps
            the larger AUC; the curves then come from that swapped branch (positives = forget images), so each curve’s
            area is the reported AUC. In class forgetting that swapped branch compares the forget class with the whole
            test split (all classes), so it measures which class an image is, not membership: such values are marked “
            {MIA_CLASS_ARTEFACT}”. MIA (filtered) filters the swapped branch to the forget labels; the lab’s gaps to
            Retrain use it.
          </p>
        </>
      )}
    </section>
  );
}
