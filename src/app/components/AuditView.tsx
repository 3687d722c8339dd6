/**
 * The Audit view (issue 21 item 4; docs/audit.md "On the page"): the per-example unlearning audit (U-LiRA) as a
 * background job of the page, or an audit.json of `npm run audit` loaded into it, shown as
 *
 * - a table per method: the per-example attack's AUC and TPR at 1 % / 5 % FPR next to the population attack's on the
 *   same pairs, with 95 % bootstrap intervals, and how little the audit can resolve;
 * - the scatter of the per-example score against the population score (one point per target × candidate pair), with
 *   each attack's threshold at 5 % FPR: where they disagree;
 * - both attacks' ROC on log axes;
 * - the most exposed candidates after each method, each next to its exposure after Retrain.
 */
import { useMemo, useState, type ChangeEvent } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AUDIT_GAME, AUDIT_PRESETS, type AuditMethodReport } from '../../core/lite';
import type { AuditImages } from '../../worker/protocol';
import { download, fmtSeconds, METHOD_COLORS } from '../format';
import {
  auditJsonOf,
  galleryRows,
  readingOf,
  resolutionOf,
  rocCurves,
  scatterData,
  type AuditDoc,
  type AuditRow,
} from '../audit-data';
import { PAGE_AUDIT_PRESETS, hasCommittedAudit, useAudit } from '../store/audit';
import { RgbaCanvas } from './RgbaCanvas';
import '../audit.css';

const pct = (x: number | undefined, d = 1) =>
  x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(d)}`;
const ciText = (c: [number, number] | undefined) => (c ? `[${pct(c[0])}, ${pct(c[1])}]` : '');
/** ticks of the ROC's log axes */
const LOG_TICKS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const colorOf = (m: string) => METHOD_COLORS[m] ?? (m === 'Original' ? '#6b7280' : '#2563eb');

/** The job: preset and sizes, Start / Stop / Resume, progress with ETA; and loading an audit.json instead. */
function AuditJobPanel() {
  const a = useAudit();
  const running = a.status === 'starting' || a.status === 'running' || a.status === 'stopping';
  const preset = AUDIT_PRESETS[a.form.preset];
  const p = a.progress;
  const [committed] = useState(hasCommittedAudit);
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (f) void a.loadFile(f);
    e.target.value = '';
  };
  return (
    <section className="panel" aria-labelledby="audit-job-title" data-testid="audit-job">
      <div className="panel-head">
        <h2 id="audit-job-title">Per-example audit (U-LiRA)</h2>
      </div>
      <p className="small">{AUDIT_GAME}</p>
      <div className="audit-form">
        <label>
          <span>Audit preset</span>
          <select
            value={a.form.preset}
            disabled={running}
            onChange={(e) => a.setForm({ preset: e.target.value })}
            data-testid="audit-preset"
          >
            {PAGE_AUDIT_PRESETS.map((k) => (
              <option key={k} value={k} title={AUDIT_PRESETS[k].description}>
                {AUDIT_PRESETS[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Shadows</span>
          <input
            type="number"
            min={2}
            max={64}
            value={a.form.shadows}
            disabled={running}
            onChange={(e) => a.setForm({ shadows: Math.max(2, Math.min(64, Math.round(Number(e.target.value) || 2))) })}
            data-testid="audit-shadows"
          />
        </label>
        <label>
          <span>Targets</span>
          <input
            type="number"
            min={1}
            max={16}
            value={a.form.targets}
            disabled={running}
            onChange={(e) => a.setForm({ targets: Math.max(1, Math.min(16, Math.round(Number(e.target.value) || 1))) })}
            data-testid="audit-targets"
          />
        </label>
        <label>
          <span>Audit seed</span>
          <input
            type="number"
            min={0}
            max={999}
            value={a.form.seed}
            disabled={running}
            onChange={(e) => a.setForm({ seed: Math.max(0, Math.min(999, Math.round(Number(e.target.value) || 0))) })}
            data-testid="audit-seed"
          />
        </label>
        <div className="btn-row">
          <button className="primary" disabled={running} onClick={() => void a.start()} data-testid="audit-start">
            Start audit
          </button>
          <button className="danger" disabled={!running} onClick={a.stop} data-testid="audit-stop">
            Stop
          </button>
          <button
            disabled={running || !a.job || a.status === 'done' || a.status === 'idle'}
            onClick={() => void a.resume()}
            data-testid="audit-resume"
            title="Start the same job again: the records finished in this browser are reused"
          >
            Resume
          </button>
        </div>
      </div>
      {preset && <p className="muted small">{preset.description}</p>}
      <p className="muted small">
        It runs in a worker of its own (the page’s other commands keep working, sharing the processor), keeps every
        finished (model, method) record in this browser and picks up from them after a reload or a Stop. The shadows’
        and targets’ originals go to the lab’s weights cache. “Clear cached data” (Setup → Device) removes both.
        {!a.persistent && ' This browser refused IndexedDB: the records live in memory only, a reload starts over.'}
      </p>
      <div className="audit-status" data-testid="audit-status" data-status={a.status}>
        status: {a.status}
        {a.job &&
          ` · job ${a.job.preset}, seed ${a.job.seed}, ${a.job.settings.shadows} shadows + ${a.job.settings.targets} targets`}
      </div>
      {a.resumed && a.resumed.reused !== null && (
        <p className="audit-resumed" data-testid="audit-resumed" data-reused={a.resumed.reused}>
          {a.resumed.afterReload ? 'Resumed after the page was reloaded' : 'Resumed'}: {a.resumed.reused} of{' '}
          {a.resumed.total} records were already finished in this browser and are reused.
        </p>
      )}
      {a.loading && <p className="muted small">{a.loading}</p>}
      {p && (
        <div
          className="stage"
          data-testid="audit-progress"
          data-done={p.done}
          data-total={p.total}
          data-fraction={p.fraction.toFixed(4)}
        >
          <div className="stage-head">
            <span className="stage-name">
              {p.done} of {p.total} records
              {p.current ? ` · ${p.current}` : ''}
            </span>
            <span className="stage-meta" data-testid="audit-eta">
              {p.done >= p.total && p.fraction >= 1
                ? `finished in ${fmtSeconds(p.elapsedSeconds)}`
                : `${fmtSeconds(p.elapsedSeconds)} elapsed · ${
                    p.etaSeconds === null ? 'ETA: measuring…' : `ETA ${fmtSeconds(p.etaSeconds)}`
                  }`}
            </span>
          </div>
          <div
            className="bar"
            role="progressbar"
            aria-label="Audit progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(100 * p.fraction)}
          >
            <div className="bar-fill" style={{ width: `${Math.round(100 * p.fraction)}%` }} />
          </div>
        </div>
      )}
      {a.message && (
        <p className="notice-inline" data-testid="audit-message">
          {a.message}
        </p>
      )}
      {a.log.length > 0 && (
        <ul className="muted small" data-testid="audit-log">
          {a.log.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      )}
      {a.tensors !== null && (
        <p className="muted small" data-testid="audit-tensors" data-now={a.tensors} data-before={a.tensorsBefore ?? ''}>
          Tensors in the audit worker: {a.tensors}
          {a.tensorsBefore !== null ? ` (${a.tensorsBefore} when the job started)` : ''}.
        </p>
      )}
      <div className="btn-row audit-load">
        <label className="btn-like">
          Load an audit.json…
          <input
            type="file"
            accept=".json,application/json"
            onChange={onFile}
            className="visually-hidden"
            data-testid="audit-file"
          />
        </label>
        {committed && (
          <button onClick={() => void a.loadCommitted()} data-testid="audit-committed">
            Show the committed audit (results/audit/audit.json)
          </button>
        )}
        <span className="muted small">
          <code>npm run audit</code> writes audit.json; <code>npm run audit -- --report-only</code> rewrites an older
          one with the pairs this view needs.
        </span>
      </div>
      {a.loadError && (
        <p className="notice-inline notice-error" role="alert" data-testid="audit-load-error">
          {a.loadError}
        </p>
      )}
    </section>
  );
}

/** Per-method table: per-example vs population attack on the same pairs, with intervals and the reading. */
function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div className="table-wrap">
      <table className="summary audit-table" data-testid="audit-table">
        <caption className="visually-hidden">Per-example and population attacks per method</caption>
        <thead>
          <tr>
            <th scope="col">method</th>
            <th scope="col">per-example AUC %</th>
            <th scope="col">TPR % at 1 % FPR</th>
            <th scope="col">TPR % at 5 % FPR</th>
            <th scope="col">population AUC %</th>
            <th scope="col">population TPR % at 1 % FPR</th>
            <th scope="col">pairs (member / non)</th>
            <th scope="col">reading</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ method, report: r, error }) =>
            r ? (
              <tr key={method} className={method === 'Retrain' ? 'ref' : ''} data-testid={`audit-row-${method}`}>
                <th scope="row">{method}</th>
                <td>
                  {pct(r.auc)} <span className="se">{ciText(r.aucCi)}</span>
                </td>
                <td>
                  {pct(r.tpr[0])} <span className="se">{ciText(r.tprCi[0])}</span>
                </td>
                <td>
                  {pct(r.tpr[1])} <span className="se">{ciText(r.tprCi[1])}</span>
                </td>
                <td>
                  {pct(r.population?.auc)} <span className="se">{ciText(r.population?.aucCi)}</span>
                </td>
                <td>
                  {pct(r.population?.tpr[0])} <span className="se">{ciText(r.population?.tprCi[0])}</span>
                </td>
                <td>
                  {r.members} / {r.nonMembers}
                </td>
                <td>{readingOf(r)}</td>
              </tr>
            ) : (
              <tr key={method}>
                <th scope="row">{method}</th>
                <td colSpan={7} className="muted">
                  {error}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

/** Per-example score against the population score, one point per (target, candidate) pair. */
function AuditScatter({ report }: { report: AuditMethodReport }) {
  const s = useMemo(() => scatterData(report, 0.05), [report]);
  const members = s.points.filter((p) => p.member);
  const non = s.points.filter((p) => !p.member);
  const m = s.members;
  const label =
    `Scatter of ${s.points.length} (target, candidate) pairs after ${report.method}: x = population score φ, ` +
    `y = per-example likelihood ratio. Of ${m.total} member pairs at 5 % FPR each: flagged by both ${m.both}, ` +
    `by the per-example attack only ${m.perExampleOnly}, by the population attack only ${m.populationOnly}, by ` +
    `neither ${m.neither}.`;
  return (
    <figure className="audit-fig" data-testid="audit-scatter">
      <figcaption className="chart-caption">
        {report.method}: per-example score against the population score (one point per target × candidate)
      </figcaption>
      <div className="chart" role="img" aria-label={label}>
        <ResponsiveContainer width="100%" height={300}>
          <ScatterChart margin={{ top: 8, right: 16, bottom: 24, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              type="number"
              dataKey="x"
              name="φ"
              domain={['auto', 'auto']}
              tickFormatter={(v) => Number(v).toFixed(0)}
              label={{
                value: 'population score φ = log(p/(1−p)) on the target',
                position: 'insideBottom',
                offset: -14,
              }}
            />
            <YAxis
              type="number"
              dataKey="y"
              name="LLR"
              width={48}
              domain={['auto', 'auto']}
              tickFormatter={(v) => Number(v).toFixed(0)}
              label={{ value: 'per-example LLR', angle: -90, position: 'insideLeft' }}
            />
            <Tooltip
              formatter={(v) => Number(v).toFixed(2)}
              labelFormatter={() => ''}
              cursor={{ strokeDasharray: '3 3' }}
            />
            <Legend verticalAlign="top" />
            <ReferenceLine y={s.threshold.llr} stroke="#b45309" strokeDasharray="5 3" ifOverflow="extendDomain" />
            <ReferenceLine x={s.threshold.phi} stroke="#2563eb" strokeDasharray="5 3" ifOverflow="extendDomain" />
            <Scatter
              name="never saw it (non-member)"
              data={non}
              fill="#9ca3af"
              fillOpacity={0.55}
              isAnimationActive={false}
            />
            <Scatter
              name="unlearned it (member)"
              data={members}
              fill="#dc2626"
              fillOpacity={0.75}
              isAnimationActive={false}
            />
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <table className="summary audit-quadrants" data-testid="audit-quadrants">
        <caption className="small">
          Member pairs (the target trained on the candidate, then unlearned it) by which attack flags them, each at 5 %
          FPR (dashed lines: thresholds from the {s.nonMembers.total} non-member pairs).
        </caption>
        <thead>
          <tr>
            <th scope="col">both</th>
            <th scope="col">per-example only</th>
            <th scope="col">population only</th>
            <th scope="col">neither</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td data-testid="audit-q-both">{m.both}</td>
            <td data-testid="audit-q-perexample">{m.perExampleOnly}</td>
            <td data-testid="audit-q-population">{m.populationOnly}</td>
            <td data-testid="audit-q-neither">{m.neither}</td>
          </tr>
        </tbody>
      </table>
    </figure>
  );
}

/** Both attacks' ROC of every method on log axes. */
function AuditRoc({ rows }: { rows: AuditRow[] }) {
  const curves = useMemo(
    () =>
      rows
        .filter((r): r is AuditRow & { report: AuditMethodReport } => !!r.report?.pairs)
        .map((r) => ({ method: r.method, ...rocCurves(r.report) })),
    [rows],
  );
  if (!curves.length) return null;
  const lo = Math.min(...curves.map((c) => c.minFpr));
  const floor = Math.min(...curves.map((c) => c.tprFloor));
  const label =
    'ROC on log axes, per method: solid = per-example attack (U-LiRA), dashed = population attack; ' +
    curves.map((c) => `${c.method} from FPR ${(100 * c.minFpr).toFixed(2)} %`).join('; ');
  return (
    <figure className="audit-fig" data-testid="audit-roc">
      <figcaption className="chart-caption">
        ROC on log axes, one colour per method (solid: per-example attack; dashed: population attack; grey dotted:
        chance). The curves start at the smallest FPR the pairs can show (1 / non-member pairs); a TPR of 0 is drawn at
        the bottom edge.
      </figcaption>
      <div className="chart" role="img" aria-label={label}>
        <ResponsiveContainer width="100%" height={320}>
          <LineChart margin={{ top: 8, right: 16, bottom: 24, left: 4 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              type="number"
              dataKey="fpr"
              scale="log"
              domain={[lo, 1]}
              allowDataOverflow
              ticks={LOG_TICKS.filter((t) => t >= lo)}
              tickFormatter={(v) => `${+(100 * Number(v)).toPrecision(2)}%`}
              label={{ value: 'false-positive rate', position: 'insideBottom', offset: -14 }}
            />
            <YAxis
              type="number"
              dataKey="tpr"
              scale="log"
              domain={[floor, 1]}
              allowDataOverflow
              width={48}
              ticks={LOG_TICKS.filter((t) => t >= floor)}
              tickFormatter={(v) => `${+(100 * Number(v)).toPrecision(2)}%`}
            />
            <Tooltip
              formatter={(v) => `${(100 * Number(v)).toFixed(1)} %`}
              labelFormatter={(v) => `FPR ${(100 * Number(v)).toFixed(2)} %`}
            />
            <Line
              data={[
                { fpr: lo, tpr: Math.max(lo, floor) },
                { fpr: 1, tpr: 1 },
              ]}
              dataKey="tpr"
              name="chance"
              stroke="#9ca3af"
              strokeDasharray="2 4"
              dot={false}
              isAnimationActive={false}
            />
            {curves.flatMap((c) => [
              <Line
                key={`${c.method}-pe`}
                data={c.perExample}
                dataKey="tpr"
                name={c.method}
                stroke={colorOf(c.method)}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />,
              <Line
                key={`${c.method}-pop`}
                data={c.population}
                dataKey="tpr"
                name={`${c.method} population`}
                legendType="none"
                stroke={colorOf(c.method)}
                strokeDasharray="6 3"
                strokeWidth={1}
                dot={false}
                isAnimationActive={false}
              />,
            ])}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <ul className="audit-legend">
        {curves.map((c) => (
          <li key={c.method}>
            <span className="audit-swatch" style={{ background: colorOf(c.method) }} />
            {c.method}
          </li>
        ))}
        <li>solid: per-example · dashed: population · dotted: chance</li>
      </ul>
    </figure>
  );
}

function imageOf(images: AuditImages | null, index: number) {
  if (!images) return null;
  const k = images.indices.indexOf(index);
  if (k < 0) return null;
  return { width: 32, height: 32, data: images.data.slice(k * 4096, (k + 1) * 4096) };
}

/** The most exposed candidates after each method, each with its exposure after Retrain. */
function AuditGallery({ rows, images, classes }: { rows: AuditRow[]; images: AuditImages | null; classes: string[] }) {
  const gallery = useMemo(() => galleryRows(rows), [rows]);
  const note = useAudit((s) => s.imagesNote);
  const name = (l: number) => classes[l] ?? `class ${l}`;
  if (!gallery.length) return null;
  return (
    <section className="audit-gallery" data-testid="audit-gallery" aria-labelledby="audit-gallery-title">
      <h3 id="audit-gallery-title">Most exposed forget images after each method, next to Retrain</h3>
      <p className="muted small">
        Exposure = the candidate’s separation of its in and out Gaussians, (μ_in − μ_out) / σ, from the shadows: how far
        training on it (then unlearning it) moves its φ. After Retrain it is noise around 0; “Retrain” under each image
        is the same candidate after Retrain. LLR = the per-example score on the targets that unlearned it (mean).
        {note && ` ${note}`}
      </p>
      {gallery.map((row) => (
        <div key={row.method} className="audit-gallery-row" data-testid={`audit-gallery-${row.method}`}>
          <div className="audit-gallery-method" style={{ borderColor: colorOf(row.method) }}>
            {row.method}
          </div>
          <div className="forgets">
            {row.items.map((it) => {
              const img = imageOf(images, it.index);
              const what = `training image ${it.index}, ${name(it.label)}: exposure ${it.separation.toFixed(2)} after ${row.method}${it.retrain !== null ? `, ${it.retrain.toFixed(2)} after Retrain` : ''}`;
              return (
                <figure key={it.index} className="forget audit-item" data-testid="audit-item">
                  <div className="forget-top">
                    {img ? (
                      <RgbaCanvas image={img} scale={2} label={what} title={what} testId="audit-image" />
                    ) : (
                      <span className="audit-noimg" aria-hidden="true" />
                    )}
                    <figcaption>
                      <span className="forget-class">{name(it.label)}</span>
                      <span className="muted">#{it.index}</span>
                      <span>
                        {row.method}: {it.separation.toFixed(2)}
                      </span>
                      {row.method !== 'Retrain' && (
                        <span className="muted">Retrain: {it.retrain === null ? '–' : it.retrain.toFixed(2)}</span>
                      )}
                      {it.memberLlr !== null && <span className="muted">LLR {it.memberLlr.toFixed(1)}</span>}
                    </figcaption>
                  </div>
                </figure>
              );
            })}
          </div>
        </div>
      ))}
    </section>
  );
}

/** Where the shown audit comes from, and the pickers for seed and method. */
function AuditDocHead({ doc }: { doc: AuditDoc }) {
  const seed = useAudit((s) => s.seed);
  const method = useAudit((s) => s.method);
  const show = useAudit((s) => s.show);
  const methods = doc.rows.filter((r) => r.seed === seed && r.report).map((r) => r.method);
  const s = doc.settings;
  return (
    <>
      <p className="provenance small" data-testid="audit-source">
        From {doc.origin === 'live' ? '' : doc.origin === 'committed' ? 'the committed file ' : 'the file '}
        {doc.label}
        {doc.createdAt ? `, ${doc.createdAt}` : ''}
        {doc.command ? ` (\`${doc.command}\`)` : ''}. {s.dataset} pool of {s.poolPerClass} per class, {s.model.arch} w
        {s.model.width}, {(100 * s.candidateFraction).toFixed(0)} % candidates, {s.shadows} shadows
        {s.sharedVariance ? ' (shared variance)' : ''}, methods at budgets ×{s.epochScale}.
      </p>
      {doc.notice && (
        <p className="notice-inline" data-testid="audit-notice">
          {doc.notice}
        </p>
      )}
      {doc.missing.length > 0 && (
        <p className="notice-inline">Partial: {doc.missing.length} record(s) were not finished when it was written.</p>
      )}
      <div className="gallery-controls">
        {doc.seeds.length > 1 && (
          <label className="small">
            seed{' '}
            <select
              value={seed ?? ''}
              onChange={(e) => show({ seed: Number(e.target.value) })}
              data-testid="audit-seed-shown"
            >
              {doc.seeds.map((x) => (
                <option key={x} value={x}>
                  {x}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="small">
          scatter and resolution for{' '}
          <select value={method ?? ''} onChange={(e) => show({ method: e.target.value })} data-testid="audit-method">
            {methods.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      </div>
    </>
  );
}

function AuditResults() {
  const doc = useAudit((s) => s.doc);
  const seed = useAudit((s) => s.seed);
  const method = useAudit((s) => s.method);
  const images = useAudit((s) => s.images);
  if (!doc) {
    return (
      <section className="panel" data-testid="audit-empty">
        <p className="muted">
          Start an audit (the page’s preset takes a few minutes on two cores), or load an audit.json of{' '}
          <code>npm run audit</code>: the per-method table, the scatter of per-example against population scores, the
          ROC on log axes and the gallery of the most exposed forget images appear here.
        </p>
      </section>
    );
  }
  const rows = doc.rows.filter((r) => r.seed === seed);
  const shown = rows.find((r) => r.method === method)?.report;
  const classes = images?.classes ?? [];
  return (
    <section className="panel" aria-labelledby="audit-results-title" data-testid="audit-results">
      <div className="panel-head">
        <h2 id="audit-results-title">Audit results</h2>
      </div>
      <AuditDocHead doc={doc} />
      <div className="btn-row">
        <button
          onClick={() =>
            download(`audit-${doc.origin}-${doc.seeds.join('_')}.json`, auditJsonOf(doc), 'application/json')
          }
          data-testid="audit-export"
          title="The shown audit as an audit.json (npm run audit's format): load it back here or read it with the CLI's tools"
        >
          Export audit.json
        </button>
      </div>
      <AuditTable rows={rows} />
      {shown && (
        <p className="small audit-resolution" data-testid="audit-resolution">
          <strong>How little this audit can resolve ({shown.method}):</strong> {resolutionOf(shown).text}
        </p>
      )}
      <p className="hint">
        Per-example attack: U-LiRA, a likelihood ratio of φ under the candidate’s own “in” and “out” Gaussians fitted on
        the shadows. Population attack: one threshold on φ = log(p_y / (1 − p_y)) of the target for every example — the
        paper’s MIA feature; the loss −log p_y orders the pairs the same way, so it is also the loss-based attack. Both
        are scored on the same (target, candidate) pairs; intervals are 95 % bootstrap over candidates. Where the
        per-example attack finds what the population attack misses, a population MIA overstates the forgetting.
      </p>
      {!doc.detailed ? (
        <p className="notice-inline" data-testid="audit-not-detailed">
          This audit.json has no per-pair scores (written before the page’s Audit view): the scatter, the ROC and the
          gallery need them. Re-run <code>npm run audit -- --report-only</code> with the same settings to add them.
        </p>
      ) : (
        <>
          <div className="grid2">
            {shown?.pairs ? <AuditScatter report={shown} /> : <p className="muted">Pick a method with a report.</p>}
            <AuditRoc rows={rows} />
          </div>
          <AuditGallery rows={rows} images={images} classes={classes} />
        </>
      )}
    </section>
  );
}

/** In the navigation: how far a running audit is, whatever view is shown (it runs in the background). */
export function AuditNavBadge() {
  const status = useAudit((s) => s.status);
  const fraction = useAudit((s) => s.progress?.fraction);
  if (status !== 'starting' && status !== 'running' && status !== 'stopping') return null;
  return (
    <span className="audit-nav-badge" data-testid="audit-nav-badge">
      {' '}
      {fraction === undefined ? '…' : `${Math.floor(100 * fraction)} %`}
    </span>
  );
}

/** The Audit view. */
export function AuditView() {
  return (
    <>
      <AuditJobPanel />
      <AuditResults />
    </>
  );
}
