import { useEffect, useState } from 'react';
import type { Claim, TradeoffFile } from '../../core/lite';
import { parseTradeoffFile } from '../../core/lite';
import {
  REPORTS,
  claimsOf,
  hasFile,
  jsonProvenance,
  loadFile,
  reportProvenance,
  scalingRows,
  type Provenance,
  type ReportDef,
  type ScalingRow,
} from '../paper-reports';
import { ClaimsTable } from './ClaimsTable';
import { TradeoffChart } from './TradeoffChart';

type Loaded =
  | { kind: 'claims'; claims: Claim[]; markdown: string | null; provenance: Provenance }
  | { kind: 'tradeoff'; file: TradeoffFile; provenance: Provenance }
  | { kind: 'scaling'; rows: ScalingRow[]; missing: string[]; provenance: Provenance }
  | { kind: 'other'; provenance: Provenance };

async function load(r: ReportDef): Promise<Loaded> {
  if (r.kind === 'claims') {
    const claims = claimsOf(await loadFile(r.file), r.file);
    const markdown = r.markdown && hasFile(r.markdown) ? String(await loadFile(r.markdown)) : null;
    const provenance = markdown
      ? reportProvenance(markdown)
      : { generated: null, command: r.command, machine: null, versions: null };
    return { kind: 'claims', claims, markdown, provenance };
  }
  if (r.kind === 'tradeoff') {
    const text = String(await loadFile(r.file));
    return {
      kind: 'tradeoff',
      file: parseTradeoffFile(text),
      provenance: jsonProvenance(JSON.parse(text), r.command),
    };
  }
  const j = (await loadFile(r.file)) as Record<string, unknown>;
  if (r.kind === 'scaling') {
    const missing = Array.isArray(j.missing) ? j.missing.map(String) : [];
    return { kind: 'scaling', rows: scalingRows(j), missing, provenance: jsonProvenance(j, r.command) };
  }
  return { kind: 'other', provenance: jsonProvenance(j, r.command) };
}

function ProvenanceLine({ p, file }: { p: Provenance; file: string }) {
  return (
    <dl className="kv provenance small" data-testid="paper-provenance">
      <dt>File</dt>
      <dd>
        <code>{file}</code> (committed; bundled into this build, nothing is rerun)
      </dd>
      <dt>Generated</dt>
      <dd>{p.generated ?? 'not recorded'}</dd>
      <dt>Command</dt>
      <dd>{p.command ? <code>{p.command}</code> : 'not recorded'}</dd>
      <dt>Machine</dt>
      <dd>{p.machine ?? 'not recorded'}</dd>
      <dt>Versions</dt>
      <dd>{p.versions ?? 'not recorded'}</dd>
    </dl>
  );
}

function ScalingTable({ rows, missing }: { rows: ScalingRow[]; missing: string[] }) {
  return (
    <>
      {missing.length > 0 && (
        <p className="notice-inline small">
          Partial: {missing.length} piece{missing.length === 1 ? '' : 's'} still missing (
          {missing.slice(0, 4).join('; ')}
          {missing.length > 4 ? '; …' : ''}).
        </p>
      )}
      <table className="summary fit" data-testid="scaling-table">
        <caption className="visually-hidden">Scaling study: gaps to Retrain, paired by seed</caption>
        <thead>
          <tr>
            <th scope="col">Size / class</th>
            <th scope="col" className="left">
              Method
            </th>
            <th scope="col">Passes</th>
            <th scope="col">n</th>
            <th scope="col">Forget gap</th>
            <th scope="col">MIA gap</th>
            <th scope="col">Test gap</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{r.size}</td>
              <td className="left">{r.method}</td>
              <td>{r.passes}</td>
              <td>{r.n}</td>
              {(['forgetAcc', 'mia', 'testAcc'] as const).map((k) => (
                <td key={k} className="wrap">
                  {r.gaps[k]?.text ?? '–'}
                  {r.gaps[k]?.withinNoise && <span className="gap">within noise</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Gaps to Retrain (pp), mean ± half-width of the 95 % t-interval over seeds; “within noise”: the interval covers
        0.
      </p>
    </>
  );
}

/** The Paper view's committed reports: one at a time, with where it comes from; "not yet run" when absent. */
export function PaperReports() {
  const [which, setWhich] = useState<string>(REPORTS[0].id);
  const report = REPORTS.find((r) => r.id === which) ?? REPORTS[0];
  const present = hasFile(report.file);
  const [state, setState] = useState<{ id: string; loaded?: Loaded; error?: string } | null>(null);
  useEffect(() => {
    if (!present) return;
    let live = true;
    load(report).then(
      (loaded) => live && setState({ id: report.id, loaded }),
      (e: unknown) => live && setState({ id: report.id, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [report, present]);
  const cur = state?.id === report.id ? state : null;
  return (
    <section className="panel" data-testid="paper-reports" aria-labelledby="paper-reports-title">
      <div className="panel-head">
        <h2 id="paper-reports-title">Committed reports</h2>
        <nav className="seg" aria-label="Committed reports">
          {REPORTS.map((r) => (
            <button
              key={r.id}
              type="button"
              className={r.id === report.id ? 'on' : ''}
              aria-current={r.id === report.id ? 'true' : undefined}
              data-testid={`paper-report-${r.id}`}
              onClick={() => setWhich(r.id)}
            >
              {r.id}
              {hasFile(r.file) ? '' : ' (not yet run)'}
            </button>
          ))}
        </nav>
      </div>
      <h3>{report.title}</h3>
      {!present ? (
        <p className="muted" data-testid="paper-not-run">
          Not yet run: <code>{report.file}</code> is not committed
          {report.command ? (
            <>
              {' '}
              (<code>{report.command}</code> writes it)
            </>
          ) : (
            ' (its command does not exist yet)'
          )}
          .
        </p>
      ) : cur?.error ? (
        <p className="error" role="alert">
          {report.file}: {cur.error}
        </p>
      ) : !cur?.loaded ? (
        <p className="muted">Loading {report.file}…</p>
      ) : (
        <>
          <ProvenanceLine p={cur.loaded.provenance} file={report.file} />
          {cur.loaded.kind === 'claims' && (
            <>
              <ClaimsTable
                claims={cur.loaded.claims}
                testId="paper-claims-table"
                caption={`${report.title}: each claim, the paper's value, ours and the verdict`}
              />
              {cur.loaded.markdown && (
                <details className="small">
                  <summary>The full report ({report.markdown})</summary>
                  <pre className="report-md" data-testid="paper-markdown">
                    {cur.loaded.markdown}
                  </pre>
                </details>
              )}
            </>
          )}
          {cur.loaded.kind === 'tradeoff' && <TradeoffChart file={cur.loaded.file} />}
          {cur.loaded.kind === 'scaling' && <ScalingTable rows={cur.loaded.rows} missing={cur.loaded.missing} />}
        </>
      )}
    </section>
  );
}
