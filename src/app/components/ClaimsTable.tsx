import type { Claim } from '../../core/lite';
import { NOT_COMPUTABLE } from '../../core/lite';

/**
 * The claims table (the Reproduce panel's run and the Paper view's committed reports): one row per paper claim,
 * its value in the paper, ours and the verdict (its rule as the cell's tooltip). The claim text wraps; the
 * columns fit their card (styles.css `table.claims`). With `synthetic`, every verdict says that the data were
 * the built-in synthetic images: such verdicts test the pipeline, not the paper.
 */
export function ClaimsTable({
  claims,
  synthetic = false,
  testId = 'claims-table',
  caption,
}: {
  claims: Claim[];
  synthetic?: boolean;
  testId?: string;
  caption?: string;
}) {
  return (
    <div className="claims-wrap">
      {synthetic && (
        <p className="notice-inline small" data-testid="claims-synthetic">
          These claims were computed on the built-in <strong>synthetic</strong> dataset (this preset’s data), not on
          CIFAR-10 or SVHN: the verdicts check the pipeline, they say nothing about the paper.
        </p>
      )}
      <table className="summary claims" data-testid={testId}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            <th scope="col" className="claims-id">
              #
            </th>
            <th scope="col" className="left">
              Claim
            </th>
            <th scope="col">Paper</th>
            <th scope="col">Ours</th>
            <th scope="col">Reproduces</th>
          </tr>
        </thead>
        <tbody>
          {claims.map((c) => (
            <tr key={c.id} title={`${c.setting} — ${c.source}`}>
              <td className="claims-id">{c.id}</td>
              <td className="left wrap">{c.claim}</td>
              <td className="wrap">{c.paper}</td>
              <td className={c.reproduces === NOT_COMPUTABLE ? 'left wrap muted' : 'wrap'}>
                {c.reproduces === NOT_COMPUTABLE ? c.setting : c.ours}
              </td>
              <td className={`wrap verdict verdict-${c.reproduces.replace(/[^a-z]/g, '')}`} title={c.rule}>
                {c.reproduces === 'indicative' ? `indicative (n = 1): ${c.leaning ?? ''}` : c.reproduces}
                {synthetic && <span className="muted small"> (synthetic data)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
