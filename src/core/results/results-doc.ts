/**
 * The generated results document (`results/README.md`) and README.md's short results summary, both written from the
 * committed JSON only (claims of each reproduction preset, the bench rows, the trade-off sweep, the step profile and,
 * when present, the scaling study). No tfjs here: `npm run results-doc` reads the files, this module turns their
 * parsed contents into Markdown, and `results-doc.test.ts` checks that the committed documents are what it writes.
 * Every figure below is printed from a JSON value; the prose around it carries none.
 */
import { coversZero, describeDifference, formatInterval, interval, mean, pairedInterval, tQuantile } from '../stats';

/** One row of a `claims.json` (see docs/claims.md). */
export interface ClaimRow {
  id: number | string;
  claim: string;
  paper: string;
  ours: string;
  setting: string;
  reproduces: string;
  leaning?: string;
  n: number;
  rule: string;
  source: string;
}

/** One row of `results/bench.json`'s `rows`. */
export interface BenchRowLike {
  id: string;
  value: number;
  unit: string;
  range?: [number, number];
  repeats?: number;
  setting: string;
  note?: string;
}

interface Interval {
  mean: number;
  ci95: [number, number];
  n: number;
}

/** The parts of `results/reproduce/tradeoff.json` the document uses. */
export interface TradeoffLike {
  preset: string;
  mode: string;
  seeds: number[];
  shared: string[];
  summary: Array<{ method: string; epochs: number; steps: number; n: number; seconds?: Interval }>;
  gapsToRetrain: Array<{ method: string; epochs: number; steps: number; n: number; forgetAcc: Interval; mia: Interval }>;
}

/** The parts of `results/profile.json` the document uses. */
export interface ProfileLike {
  machine: { loadavg?: number[] };
  setting: { model: string; batch: number; threads: number };
  ceiling: { train: { wall: { ratio: number; labStepMs: number; torchStepMs: number } } };
}

/** The parts of `results/scaling/scaling.json` the document uses (any of it may be absent while it runs). */
export interface ScalingLike {
  command?: string;
  sizes?: number[];
  seeds?: number[];
  missing?: string[];
  shared?: string[];
  memorisesAt?: number;
  originals?: Array<{ size: number; seed: number; trainAcc: number; testAcc: number }>;
  points?: Array<{ size: number; seed: number; method: string }>;
  thresholds?: Array<{
    size: number;
    n: number;
    passes: number | null;
    note?: string;
    row?: { steps?: number; cpuVsRetrain?: IntervalLike | null; cpuVsCf?: IntervalLike | null };
  }>;
  gapsToRetrain?: Array<{
    size: number;
    method: string;
    passes: number;
    gaps: { forgetAcc?: IntervalLike | null; mia?: IntervalLike | null };
  }>;
  extrapolations?: Array<{
    method: string;
    passes: number;
    metric: string;
    n: number;
    sizes: number[];
    at: number;
    predicted: number;
    ci95: [number, number];
  }>;
}

/** The parts of `results/audit/audit.json` the document uses (`npm run audit`; absent until it has run). */
export interface AuditLike {
  command?: string;
  fprs?: number[];
  missing?: string[];
  reports?: Array<{ seed: number; error?: string; report?: AuditReportLike }>;
}

/** One method's report in `audit.json` (src/core/results/audit.ts AuditMethodReport, the fields used here). */
export interface AuditReportLike {
  method: string;
  members?: number;
  nonMembers?: number;
  auc: number;
  aucCi?: [number, number];
  tpr?: number[];
  tprCi?: Array<[number, number]>;
  flagged?: boolean;
  atChance?: boolean;
  population?: { auc: number; aucCi: [number, number]; tpr: number[]; tprCi: Array<[number, number]> };
}

/** A mean with its 95 % interval over n (the scaling study's gaps and cost ratios). */
export interface IntervalLike {
  mean: number;
  ci95: [number, number] | null;
  n: number;
}

/** A claims file with where it came from: `preset` and `command` are the run that wrote it. */
export interface ClaimsSource {
  path: string;
  preset: string;
  command: string;
  rows: ClaimRow[];
}

export interface ResultsInputs {
  claims: ClaimsSource[];
  bench: { rows: BenchRowLike[] };
  tradeoff: TradeoffLike;
  profile: ProfileLike;
  /** null: `results/scaling/scaling.json` is absent */
  scaling: ScalingLike | null;
  /** null or absent: `results/audit/audit.json` is absent */
  audit?: AuditLike | null;
}

export const RESULTS_BEGIN = '<!-- results:begin -->';
export const RESULTS_END = '<!-- results:end -->';
export const RESULTS_DOC = 'results/README.md';

/** The 1-minute load average above which bench repeats count as timed on shared cores (2 cores + 0.5). */
export const QUIET_LOAD = 2.5;

const f1 = (x: number) => x.toFixed(1);
const pm = (iv: Interval, d = 1) =>
  `${iv.mean.toFixed(d)} ± ${((iv.ci95[1] - iv.ci95[0]) / 2).toFixed(d)} (n = ${iv.n})`;
const covers0 = (iv: Interval) => iv.ci95[0] <= 0 && iv.ci95[1] >= 0;

function row(bench: BenchRowLike[], id: string): BenchRowLike {
  const r = bench.find((x) => x.id === id);
  if (!r) throw new Error(`results/bench.json: row ${id} is missing`);
  return r;
}

/** A number quoted in a bench row's note after `label` (e.g. "A-CF median 29.1 s wall"). */
function noteNumber(r: BenchRowLike, re: RegExp): number {
  const m = re.exec(r.note ?? '');
  if (!m) throw new Error(`results/bench.json: row ${r.id}'s note has no ${String(re)}`);
  return Number(m[1]);
}

/** The verdict bucket of a claim row. */
type Bucket = 'reproduces' | 'does not' | 'vacuous' | 'inconclusive' | 'no verdict' | 'not computable' | 'lab measure';
function bucketOf(c: ClaimRow): Bucket {
  if (c.reproduces === 'not computable here') return 'not computable';
  if (c.reproduces === 'lab measure') return 'lab measure';
  if (c.reproduces === 'vacuous at this setting') return 'vacuous';
  const v = c.reproduces === 'indicative' ? c.leaning : c.reproduces;
  if (v === 'reproduces') return 'reproduces';
  if (v === 'does not') return 'does not';
  if (v === 'inconclusive') return 'inconclusive';
  return 'no verdict';
}

/** The highest 1-min load average a bench row's note records before its repeats (null: not recorded). */
function loadMax(r: BenchRowLike): string | null {
  const m = /load average before the runs (\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)/.exec(r.note ?? '');
  return m ? m[2] : null;
}

/** A warning for each bench row a claim quotes whose repeats ran above the quiet threshold. */
function loudRows(c: ClaimRow, bench: BenchRowLike[]): string {
  const loud = bench.filter((r) => c.ours.includes(`bench row ${r.id} `) && Number(loadMax(r) ?? 0) > QUIET_LOAD);
  return loud
    .map(
      (r) =>
        ` The quoted bench row ${r.id} ran at 1-min load averages up to ${loadMax(r)}, above the quiet threshold ` +
        `${QUIET_LOAD}: shared cores.`,
    )
    .join('');
}

const claimLine = (c: ClaimRow, s: ClaimsSource, bench: BenchRowLike[]) =>
  `- **${c.id}** (\`${s.preset}\`, n = ${c.n}${c.reproduces === 'indicative' ? ', indicative' : ''}) ${c.claim}. ` +
  `Ours: ${c.ours}. Paper: ${c.paper}. Setting: ${c.setting}. Rule: ${c.rule}.${loudRows(c, bench)}`;

const BUCKETS: Array<[Bucket, string, string]> = [
  ['reproduces', 'What reproduces', 'The whole interval is on the claimed side (or within the tolerance).'],
  ['does not', 'What does not reproduce', 'The whole interval is on the other side (or outside the tolerance).'],
  [
    'vacuous',
    'Vacuous at this setting',
    'The untouched original model passes the claim too, so passing says nothing about unlearning.',
  ],
  ['inconclusive', 'Inconclusive', 'The interval straddles the claimed value or side.'],
  [
    'no verdict',
    'Measured without a verdict, or not measured at this preset',
    'Rows with a figure are timed on shared cores or extrapolated, and left out of the verdict as their setting says.',
  ],
  [
    'lab measure',
    'Lab measures (no claim of the paper)',
    'Numbers the lab adds for the researcher, without a verdict: R*, the break-even number of unlearning requests ' +
      '(docs/claims.md).',
  ],
];

interface Speed {
  mode: 'class' | 'uniform';
  cf: BenchRowLike;
  rt: BenchRowLike;
  dc: BenchRowLike;
  forgetGap: number;
  miaGap: number;
  steps: number;
  acf: number;
  acfDc: number;
  load: [string, string] | null;
}

/** The bench's speed rows of one forgetting mode, with the numbers their notes quote. */
function speedOf(bench: BenchRowLike[], mode: 'class' | 'uniform'): Speed {
  const cf = row(bench, `unlearn.acf_vs_cf_speedup.${mode}`);
  const dc = row(bench, `unlearn.acf_dc_end_to_end_vs_cf_speedup.${mode}`);
  const fg = row(bench, `unlearn.acf_forget_gap.${mode}`);
  const load = /load average before the runs (\d+(?:\.\d+)?)–(\d+(?:\.\d+)?)/.exec(cf.note ?? '');
  return {
    mode,
    cf,
    dc,
    rt: row(bench, `unlearn.acf_vs_retrain_speedup.${mode}`),
    forgetGap: fg.value,
    miaGap: row(bench, `unlearn.acf_mia_gap.${mode}`).value,
    steps: noteNumber(fg, /one epoch = (\d+) Adam steps/),
    acf: noteNumber(cf, /A-CF median ([\d.]+) s wall/),
    acfDc: noteNumber(dc, /A-CF w\/ DC median ([\d.]+) s wall/),
    load: load ? [load[1], load[2]] : null,
  };
}

const shared = (s: Speed) => s.load !== null && Number(s.load[1]) > QUIET_LOAD;

/** Speed lines: each ratio with the A-CF budget it was timed at, that budget's gaps, and the cores' load. */
function speedLines(bench: BenchRowLike[]): string[] {
  return (['class', 'uniform'] as const).map((mode) => {
    const s = speedOf(bench, mode);
    const { cf, rt, dc } = s;
    const cores = !s.load
      ? 'load average not recorded'
      : shared(s)
        ? `1-min load average ${s.load[0]}–${s.load[1]} before the repeats, above the quiet threshold ${QUIET_LOAD}: ` +
          'shared cores, not a quiet-core measurement'
        : `1-min load average ${s.load[0]}–${s.load[1]}, within the quiet threshold ${QUIET_LOAD}`;
    return (
      `- **${mode}** (\`bench\`, seed 0, ${cf.repeats ?? 1} interleaved repeats; ${cores}): A-CF at **1 pass ` +
      `(${s.steps} Adam steps)** is ${f1(cf.value)}× faster than CF (range ${f1(cf.range![0])}–${f1(cf.range![1])}×) ` +
      `and ${f1(rt.value)}× faster than Retrain (range ${f1(rt.range![0])}–${f1(rt.range![1])}×); at that budget its ` +
      `gaps to Retrain do not close: forget +${f1(s.forgetGap)} pp, MIA +${f1(s.miaGap)} (first repeat, n = 1). ` +
      `With DC, A-CF is ${(s.acfDc / s.acf).toFixed(1)}× slower end to end than without (median ${f1(s.acfDc)} s vs ` +
      `${f1(s.acf)} s wall), though still ${f1(dc.value)}× faster than CF (range ${f1(dc.range![0])}–${f1(dc.range![1])}×).`
    );
  });
}

/** The A-CF budget sweep: per budget the paired gaps to Retrain, and whether each is within noise. */
function tradeoffLines(t: TradeoffLike): string[] {
  const retrain = t.summary.find((s) => s.method === 'Retrain');
  const out = t.gapsToRetrain
    .filter((g) => g.method === 'A-CF')
    .map(
      (g) =>
        `- A-CF ${g.epochs} pass${g.epochs === 1 ? '' : 'es'} (${g.steps} steps): forget gap ${pm(g.forgetAcc)} pp` +
        `${covers0(g.forgetAcc) ? ' (within noise)' : ''}, MIA gap ${pm(g.mia)}${covers0(g.mia) ? ' (within noise)' : ''}.`,
    );
  const first = t.gapsToRetrain.find((g) => g.method === 'A-CF' && covers0(g.forgetAcc) && covers0(g.mia));
  out.push(
    first
      ? `- Smallest budget with both gaps within noise: ${first.epochs} passes (${first.steps} steps).`
      : '- No A-CF budget of the sweep has both gaps within noise of Retrain.',
  );
  if (retrain?.seconds)
    out.push(
      `- Retrain (${retrain.epochs} epochs) took ${pm(retrain.seconds)} s; ${t.shared.length} of the sweep's runs ` +
        'were timed on shared cores, so its seconds are not speed measurements.',
    );
  return out;
}

/** The pieces of the scaling study per size and seed: the original and the three unlearning runs. */
export const SCALING_PIECES = ['Original', 'Retrain', 'CF', 'A-CF'] as const;

function scalingLines(s: ScalingLike | null): string[] {
  if (!s) return ['- The scaling study (`npm run scaling`): not yet run (no `results/scaling/scaling.json`).'];
  const done = new Set((s.points ?? []).map((p) => `${p.size}|${p.seed}|${p.method}`)).size;
  const planned = (s.sizes?.length ?? 0) * (s.seeds?.length ?? 0) * SCALING_PIECES.length;
  const total = Math.max(planned, done + (s.missing?.length ?? 0));
  const head = done < total ? `partial: ${done} of ${total} pieces` : `complete: ${done} pieces`;
  const shared = s.shared?.length ? `; ${s.shared.length} runs timed on shared cores` : '';
  const out = [`- The scaling study (\`${s.command ?? 'npm run scaling'}\`): ${head}${shared}.`];
  for (const o of s.originals ?? [])
    out.push(
      `  - Original, ${o.size} images per class, seed ${o.seed}: train ${f1(o.trainAcc)} %, test ${f1(o.testAcc)} %` +
        (s.memorisesAt !== undefined
          ? o.trainAcc >= s.memorisesAt
            ? ` (memorises: ≥ ${s.memorisesAt} %).`
            : ` (does not memorise: below ${s.memorisesAt} %).`
          : '.'),
    );
  const iv = (v: IntervalLike | null | undefined, unit = '') =>
    v ? `${f1(v.mean)}${unit}` + (v.ci95 ? ` [${f1(v.ci95[0])}, ${f1(v.ci95[1])}]` : '') + ` (n = ${v.n})` : '–';
  const ratio = (v: IntervalLike | null | undefined) =>
    v ? `${v.mean.toFixed(2)}×` + (v.ci95 ? ` [${v.ci95[0].toFixed(2)}, ${v.ci95[1].toFixed(2)}]` : '') : '–';
  for (const th of s.thresholds ?? []) {
    const one = (s.gapsToRetrain ?? []).find((g) => g.size === th.size && g.method === 'A-CF' && g.passes === 1);
    out.push(
      `  - ${th.size} images per class (n = ${th.n}): ` +
        (th.passes !== null
          ? `forget and MIA gaps within noise of Retrain from ${th.passes} A-CF passes` +
            (th.row
              ? `, at ${ratio(th.row.cpuVsRetrain)} Retrain's and ${ratio(th.row.cpuVsCf)} CF-50's process ` +
                'CPU-seconds.'
              : '.')
          : th.note
            ? `no verdict yet (${th.note}).`
            : 'not reached within 16 passes.') +
        (one ? ` At 1 pass: forget gap ${iv(one.gaps.forgetAcc, ' pp')}, MIA gap ${iv(one.gaps.mia)}.` : ''),
    );
  }
  const ones = (s.thresholds ?? [])
    .map((th) => (s.gapsToRetrain ?? []).find((g) => g.size === th.size && g.method === 'A-CF' && g.passes === 1))
    .filter((g): g is NonNullable<typeof g> => !!g);
  const covers = (v: IntervalLike | null | undefined) => !!v?.ci95 && v.ci95[0] <= 0 && v.ci95[1] >= 0;
  if (ones.length)
    out.push(
      `  - Does one pass of A-CF suffice? Its forget and MIA gaps to Retrain are both within noise at ` +
        `${ones.filter((g) => covers(g.gaps.forgetAcc) && covers(g.gaps.mia)).length} of the ${ones.length} sizes ` +
        `measured (${ones.map((g) => g.size).join(', ')} images per class).`,
    );
  for (const e of (s.extrapolations ?? []).filter((e) => e.passes === 1)) {
    const measured = (s.gapsToRetrain ?? [])
      .filter((g) => g.method === e.method && g.passes === e.passes)
      .map((g) => (e.metric === 'mia' ? g.gaps.mia : g.gaps.forgetAcc)?.mean)
      .filter((v): v is number => v !== undefined);
    const lo = Math.min(...measured);
    const hi = Math.max(...measured);
    const outside = measured.length > 0 && (e.predicted < lo || e.predicted > hi);
    out.push(
      `  - Extrapolation (beyond the data: a straight line in log10 of the retain size through ${e.sizes.join(', ')} ` +
        `images per class, n = ${e.n}) of ${e.method}'s ${e.metric === 'mia' ? 'MIA' : 'forget'} gap at ` +
        `${e.passes} pass to the paper's ${e.at.toLocaleString('en-US')} retain images: ${f1(e.predicted)} ` +
        `[${f1(e.ci95[0])}, ${f1(e.ci95[1])}]` +
        (outside
          ? ` — outside every measured mean (${f1(lo)} to ${f1(hi)}): the line leaves the data, so read its ` +
            'direction, not its value.'
          : '.'),
    );
  }
  return out;
}

/** The generated results document. */
export function renderResultsDoc(x: ResultsInputs): string {
  const L: string[] = [
    '# Results — what two CPU cores can decide',
    '',
    '<!-- Generated by `npm run results-doc` from the committed JSON; do not edit by hand (results-doc.test.ts ' +
      'checks it byte for byte). -->',
    '',
    'Every figure below is printed from committed JSON: ' +
      x.claims.map((s) => `\`${s.path}\``).join(', ') +
      ', `results/bench.json`, `results/reproduce/tradeoff.json`, `results/profile.json` and, when present, ' +
      '`results/scaling/scaling.json` and `results/audit/audit.json`. Intervals are 95 % t-intervals over seeds (mean ± half-width, n seeds); a ' +
      'verdict at n = 1 is *indicative* only. How the verdicts are read: [docs/claims.md](../docs/claims.md).',
    '',
    '## Where the claims come from',
    '',
    ...x.claims.map((s) => `- \`${s.preset}\`: \`${s.command}\` → \`${s.path}\`.`),
    '',
  ];
  for (const [b, title, gloss] of BUCKETS) {
    const lines = x.claims.flatMap((s) =>
      s.rows.filter((c) => bucketOf(c) === b && !(b === 'no verdict' && c.ours.startsWith('–') && c.n === 0))
        .map((c) => claimLine(c, s, x.bench.rows)),
    );
    const unmeasured =
      b === 'no verdict'
        ? x.claims
            .map((s) => [s, s.rows.filter((c) => bucketOf(c) === b && c.ours.startsWith('–') && c.n === 0)] as const)
            .filter(([, r]) => r.length)
            .map(([s, r]) => `- Not measured at \`${s.preset}\`: claims ${r.map((c) => c.id).join(', ')}.`)
        : [];
    L.push(`## ${title}`, '', gloss, '');
    L.push(...(lines.length || unmeasured.length ? [...lines, ...unmeasured] : ['- None.']), '');
  }
  const seen = new Set<string>();
  const out = x.claims
    .flatMap((s) => s.rows.filter((c) => bucketOf(c) === 'not computable'))
    .filter((c) => !seen.has(String(c.id)) && seen.add(String(c.id)));
  L.push('## Out of reach here, and why', '');
  L.push(...(out.length ? out.map((c) => `- **${c.id}** ${c.claim} (paper: ${c.paper}): ${c.setting}.`) : ['- None.']));
  L.push('', '## Speed, with the budget it was timed at', '', ...speedLines(x.bench.rows), '');
  const t = x.tradeoff;
  L.push(
    `## A-CF's budget against Retrain (\`${t.preset}\`, ${t.mode}, seeds ${t.seeds.join(', ')})`,
    '',
    'Gaps to Retrain paired by seed (`npm run tradeoff`); a gap whose interval covers 0 is within noise.',
    '',
    ...tradeoffLines(t),
    '',
  );
  const p = x.profile;
  const load = p.machine.loadavg?.[0];
  L.push(
    '## Training throughput against PyTorch-CPU',
    '',
    `- ${p.setting.model}, batch ${p.setting.batch}, ${p.setting.threads} thread: a lab training step runs at ` +
      `${p.ceiling.train.wall.ratio.toFixed(2)}× PyTorch-CPU's rate (${f1(p.ceiling.train.wall.labStepMs)} ms vs ` +
      `${f1(p.ceiling.train.wall.torchStepMs)} ms per step, one measurement)` +
      (load !== undefined
        ? `; 1-min load average ${load} at the start: ${load > QUIET_LOAD ? 'shared' : 'quiet'} cores.`
        : '.'),
    '',
    '## Scaling study',
    '',
    ...scalingLines(x.scaling),
    '',
    '## Per-example audit (U-LiRA)',
    '',
    ...auditLines(x.audit ?? null),
    '',
  );
  return L.join('\n');
}

/** Per method: the per-example attack next to the population attack on the same pairs, and the two rankings. */
export function auditLines(a: AuditLike | null): string[] {
  if (!a) return ['- The audit (`npm run audit`): not yet run (no `results/audit/audit.json`).'];
  const pct = (v: number) => (100 * v).toFixed(1);
  const ci = (c?: [number, number]) => (c ? ` [${pct(c[0])}, ${pct(c[1])}]` : '');
  const i1 = (a.fprs ?? []).findIndex((f) => Math.abs(f - 0.01) < 1e-9);
  const ok = (a.reports ?? []).flatMap((r) => (r.report && !r.error ? [{ seed: r.seed, ...r.report }] : []));
  const out = [
    `- The audit (\`${a.command ?? 'npm run audit'}\`): ${ok.length} method report(s)` +
      (a.missing?.length ? `, partial: ${a.missing.length} record(s) missing.` : '.') +
      ' The game: a target either was trained on a candidate and then unlearned it, or never saw it; AUC 50 % and ' +
      'TPR = FPR are chance. Intervals: 95 % bootstrap over candidates, one seed each (the per-seed line says which).',
  ];
  for (const r of ok) {
    const pop = r.population;
    out.push(
      `  - seed ${r.seed}, ${r.method} (${r.members ?? '?'} member / ${r.nonMembers ?? '?'} non-member pairs): ` +
        `per-example AUC ${pct(r.auc!)} %${ci(r.aucCi)}` +
        (i1 >= 0 && r.tpr ? `, TPR @ 1 % FPR ${pct(r.tpr[i1])} %${ci(r.tprCi?.[i1])}` : '') +
        (pop
          ? `; population attack on the same pairs AUC ${pct(pop.auc)} %${ci(pop.aucCi)}` +
            (i1 >= 0 ? `, TPR @ 1 % FPR ${pct(pop.tpr[i1])} %${ci(pop.tprCi[i1])}` : '')
          : '') +
        `${r.flagged ? ' — flagged' : r.atChance ? ' — at chance' : ''}.`,
    );
  }
  for (const seed of [...new Set(ok.map((r) => r.seed))]) {
    const rs = ok.filter((r) => r.seed === seed && r.population);
    if (rs.length < 2) continue;
    const order = (key: (r: (typeof rs)[number]) => number) =>
      [...rs].sort((x, y) => key(y) - key(x)).map((r) => r.method!);
    const per = order((r) => r.auc!);
    const pop = order((r) => r.population!.auc);
    // two methods are told apart by an attack only when their AUC intervals do not overlap
    const apart = (lo: (typeof rs)[number], hi: (typeof rs)[number], c: (r: (typeof rs)[number]) => [number, number]) =>
      c(hi)[0] > c(lo)[1];
    let told = 0,
      pairs = 0,
      disagree = 0;
    for (let i = 0; i < rs.length; i++)
      for (let j = i + 1; j < rs.length; j++) {
        pairs++;
        const [x, y] = [rs[i], rs[j]];
        const perSign = Math.sign(x.auc! - y.auc!);
        const popSign = Math.sign(x.population!.auc - y.population!.auc);
        const perApart = perSign > 0 ? apart(y, x, (r) => r.aucCi!) : apart(x, y, (r) => r.aucCi!);
        const popApart =
          popSign > 0 ? apart(y, x, (r) => r.population!.aucCi) : apart(x, y, (r) => r.population!.aucCi);
        if (perApart && popApart) {
          told++;
          if (perSign !== popSign) disagree++;
        }
      }
    out.push(
      `  - Seed ${seed}, ranking by AUC (most exposed first): per-example ${per.join(' > ')}; population ` +
        `${pop.join(' > ')}. Of ${pairs} method pairs, ${told} are told apart by both attacks (AUC intervals ` +
        `disjoint under each), and ${disagree} of those are ranked differently; the rest cannot be ordered at this ` +
        'resolution.',
    );
  }
  out.push(...auditAcrossSeeds(ok));
  return out;
}

/**
 * The audit over seeds (issue 21 item 6: "does the per-example audit rank the methods as the population MIA does?"):
 * per method the mean AUC of each attack with its 95 % t-interval over seeds; per method pair the paired difference
 * over seeds under each attack — a pair is ordered by an attack when that interval excludes 0 — and whether the two
 * attacks order the pairs they both can order alike. Nothing when fewer than two seeds report.
 */
function auditAcrossSeeds(ok: Array<{ seed: number } & AuditReportLike>): string[] {
  const seeds = [...new Set(ok.map((r) => r.seed))].sort((a, b) => a - b);
  if (seeds.length < 2) return [];
  const methods = [...new Set(ok.map((r) => r.method))].filter((m) =>
    seeds.every((s) => ok.some((r) => r.seed === s && r.method === m && r.population)),
  );
  const by = (m: string, key: (r: AuditReportLike) => number): Record<string, number> =>
    Object.fromEntries(
      seeds.map((s) => [String(s), key(ok.find((r) => r.seed === s && r.method === m && r.population)!)]),
    );
  const per = (r: AuditReportLike) => 100 * r.auc;
  const pop = (r: AuditReportLike) => 100 * r.population!.auc;
  const out = [
    `- **Over ${seeds.length} seeds** (${seeds.join(', ')}; each seed draws the candidates and the targets, the ` +
      'shadows are shared), AUC % mean ± 95 % t-interval half-width over seeds, per-example / population: ' +
      methods
        .map(
          (m) =>
            `${m} ${formatInterval(interval(Object.values(by(m, per))))} / ` +
            `${formatInterval(interval(Object.values(by(m, pop))))}`,
        )
        .join('; ') +
      '.',
  ];
  let pairs = 0,
    both = 0,
    disagree = 0,
    perOnly = 0,
    popOnly = 0;
  const splits: string[] = [];
  for (let i = 0; i < methods.length; i++)
    for (let j = i + 1; j < methods.length; j++) {
      pairs++;
      const [a, b] = [methods[i], methods[j]];
      const dPer = pairedInterval(by(a, per), by(b, per));
      const dPop = pairedInterval(by(a, pop), by(b, pop));
      const perTold = dPer.n >= 2 && !coversZero(dPer);
      const popTold = dPop.n >= 2 && !coversZero(dPop);
      if (perTold && popTold) {
        both++;
        if (Math.sign(dPer.mean) !== Math.sign(dPop.mean)) {
          disagree++;
          splits.push(`${a} − ${b}: per-example ${describeDifference(dPer)}, population ${describeDifference(dPop)}`);
        }
      } else if (perTold) perOnly++;
      else if (popTold) popOnly++;
    }
  const rank = (key: (r: AuditReportLike) => number) =>
    [...methods].sort((x, y) => mean(Object.values(by(y, key))) - mean(Object.values(by(x, key))));
  out.push(
    `  - Ranking by mean AUC (most exposed first): per-example ${rank(per).join(' > ')}; population ` +
      `${rank(pop).join(' > ')}. Of ${pairs} method pairs, ${both} are ordered by both attacks (the paired ` +
      `difference over seeds excludes 0 under each) and ${disagree} of those are ordered differently` +
      (splits.length ? ` (${splits.join('; ')})` : '') +
      `; ${perOnly} are ordered by the per-example attack only, ${popOnly} by the population attack only, ` +
      `${pairs - both - perOnly - popOnly} by neither. ` +
      (both === 0
        ? 'At this resolution the seeds cannot say whether the two attacks rank the methods alike.'
        : disagree === 0
          ? 'Where both attacks can order two methods, they order them alike' +
            (perOnly > popOnly
              ? '; the per-example attack orders more pairs than the population attack.'
              : perOnly < popOnly
                ? '; the population attack orders more pairs than the per-example attack.'
                : '.')
          : 'The two attacks order some pairs differently that both can tell apart.') +
      ` (${seeds.length} seeds: t = ${tQuantile(0.975, seeds.length - 1).toFixed(2)}, wide intervals.)`,
  );
  return out;
}

/** README.md's short summary (what goes between the results markers). */
export function renderReadmeBlock(x: ResultsInputs): string {
  const counts = x.claims.map((s) => {
    const ids = (b: Bucket) => {
      const r = s.rows.filter((c) => bucketOf(c) === b);
      return r.length ? `${r.length} (${r.map((c) => (c.n <= 1 ? `${c.id}¹` : c.id)).join(', ')})` : '0';
    };
    const n = (b: Bucket) => s.rows.filter((c) => bucketOf(c) === b).length;
    return (
      `- \`${s.preset}\` (${s.rows.length} rows): reproduce ${ids('reproduces')}; do not ${ids('does not')}; ` +
      `vacuous at this setting ${ids('vacuous')}; inconclusive ${ids('inconclusive')}; ${n('no verdict')} without ` +
      `a verdict; ${n('not computable')} not computable here; ${n('lab measure')} lab measures (R*).`
    );
  });
  const one = x.claims.map((s) => [s, s.rows.find((c) => c.id === 1)] as const).find(([, c]) => c && c.n > 0);
  const sp = (['class', 'uniform'] as const).map((m) => speedOf(x.bench.rows, m));
  const lines = [
    `Full summary, every line with its interval, n and setting: [\`${RESULTS_DOC}\`](${RESULTS_DOC}) (generated by ` +
      '`npm run results-doc` from the committed JSON, like this block).',
    '',
    ...counts,
    '- ¹ one measurement or seed (n = 1): an *indicative* verdict only.',
  ];
  if (one) {
    const [s, c] = one;
    lines.push(
      `- Claim 1 (size reading: the reduced retain set as a share of the retain set), \`${s.preset}\`: ${c!.ours} ` +
        `against the paper's ${c!.paper}: ${bucketOf(c!) === 'reproduces' ? 'reproduces' : c!.reproduces}.`,
    );
  }
  const both = (f: (s: Speed) => string) => sp.map(f).join(' / ');
  const loud = sp.filter(shared);
  lines.push(
    `- Speed (\`bench\`, seed 0, class / uniform): A-CF is ${both((s) => `${f1(s.cf.value)}×`)} faster than CF at ` +
      `1 pass (${sp[0].steps} Adam steps), a budget whose gaps to Retrain do not close (forget ` +
      `${both((s) => `+${f1(s.forgetGap)} pp`)}, MIA ${both((s) => `+${f1(s.miaGap)}`)}); with DC, A-CF is ` +
      `${both((s) => `${(s.acfDc / s.acf).toFixed(1)}×`)} slower end to end than without` +
      (loud.length
        ? `; the ${loud.map((s) => s.mode).join(' and ')} repeats ran at 1-min load averages up to ` +
          `${loud.map((s) => s.load![1]).join(' / ')}, above the quiet threshold ${QUIET_LOAD}.`
        : '.'),
    ...scalingLines(x.scaling).slice(0, 1),
  );
  return lines.join('\n');
}

/** README.md with its results block replaced by `block`; an error when the markers are missing or out of order. */
export function spliceReadme(readme: string, block: string): string {
  const a = readme.indexOf(RESULTS_BEGIN);
  const b = readme.indexOf(RESULTS_END);
  if (a < 0 || b < a) throw new Error(`README.md: no ${RESULTS_BEGIN} … ${RESULTS_END} block`);
  return readme.slice(0, a + RESULTS_BEGIN.length) + '\n' + block + '\n' + readme.slice(b);
}

/** Where the claims files come from (the run that wrote each). */
export const CLAIMS_SOURCES: ReadonlyArray<Omit<ClaimsSource, 'rows'>> = [
  {
    path: 'results/reproduce/claims.json',
    preset: 'quick',
    command: 'npm run reproduce -- --preset quick --seeds 3',
  },
  {
    path: 'results/reference/claims.json',
    preset: 'reference',
    command: 'npm run reproduce -- --preset reference --cell single-uniform-seed0',
  },
];

/**
 * The inputs from the committed files; `read(path)` returns a file's text relative to the repository root, or
 * null when it does not exist (only the scaling study may be absent). Bad JSON names the file.
 */
export function loadResultsInputs(read: (path: string) => string | null): ResultsInputs {
  const json = <T>(path: string, optional = false): T | null => {
    const text = read(path);
    if (text === null) {
      if (optional) return null;
      throw new Error(`${path}: missing`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`${path}: not JSON (${(e as Error).message})`);
    }
  };
  return {
    claims: CLAIMS_SOURCES.map((s) => ({ ...s, rows: json<ClaimRow[]>(s.path)! })),
    bench: json<{ rows: BenchRowLike[] }>('results/bench.json')!,
    tradeoff: json<TradeoffLike>('results/reproduce/tradeoff.json')!,
    profile: json<ProfileLike>('results/profile.json')!,
    scaling: json<ScalingLike>('results/scaling/scaling.json', true),
    audit: json<AuditLike>('results/audit/audit.json', true),
  };
}
