/**
 * `npm run audit -- [--preset audit] [--shadows 16] [--targets 4] [--seeds 1] [--methods Original,Retrain,CF,A-CF]
 *   [--out results/audit]`; fan-out: `--list-cells`, `--cell ID`, `--jobs N`, `--report-only`.
 *
 * The per-example unlearning audit (issue 21; docs/audit.md): shadow models on random halves of a pool, each
 * unlearning the seed's candidates it was trained on with every audited method, and a per-example likelihood-ratio
 * attack (U-LiRA) on target models trained apart from the shadows. Shadows' originals are trained once, cached in the
 * weights cache (`.cache/weights`, `LAB_CACHE_DIR`) and shared by every method and every seed; every finished
 * (model, method) record is written at once to `<out>/models/<id>.json` (stamped with the key of what produced it),
 * so a re-run resumes per model and method. A cell is one model (`shadow3`, `seed0-target1`): `--cell` runs it (a
 * shadow cell for every seed), `--jobs N` runs N cells at a time as child processes, then the report. Writes
 * `<out>/audit.json` and `<out>/audit.md` after every model (partial until every record exists).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import os from 'node:os';
import {
  AUDIT_FPRS,
  AUDIT_GAME,
  AUDIT_PRESETS,
  DISTRIBUTION_QS,
  EXPOSURE_GREW_Z,
  METHOD_NAMES,
  AUDIT_DC_SUFFIX,
  auditArm,
  analyseAuditMethod,
  auditModels,
  auditRecordId,
  checkAuditSettings,
  getAuditPreset,
  parseWorkerCount,
  planAudit,
  recordKey,
  runAudit,
  seedList,
} from '../core';
import type {
  AuditMethod,
  AuditMethodReport,
  AuditPlan,
  AuditRecord,
  AuditSettings,
  AuditStore,
  ImageDataset,
} from '../core';
import { initNodeBackend } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { FileWeightsCache, fmtSeconds, labVersions, machineInfo, writeAtomic } from './node-io';
import { abortOnSigint, parseSeedsArg, processCpuSeconds } from './experiment';
import { createNodeParallel } from './parallel-node';
import { checkOutputPaths } from './out-paths';
import { acquireOutLock } from './out-lock';
import { fileAuditStore } from './audit-store';
import { defineCli, parseCli, runCli } from './options';

export const AUDIT_CLI = defineCli({
  name: 'audit',
  summary:
    'Per-example unlearning audit (U-LiRA: shadow models, per-example likelihood-ratio test on fresh targets) → ' +
    '<out>/audit.json + audit.md (resumable per model; fan-out with --cell / --jobs).',
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      default: 'audit',
      help: `audit preset (${Object.keys(AUDIT_PRESETS).join(', ')})`,
    },
    shadows: { type: 'string', arg: 'K', help: 'shadow models (default: the preset’s, 16 for audit)' },
    targets: { type: 'string', arg: 'T', help: 'target models per seed (default: the preset’s, 4 for audit)' },
    seeds: { type: 'string', arg: 'N|a,b,c', default: '1', help: 'audit seeds (each draws candidates and targets)' },
    methods: { type: 'string', arg: 'A,B', help: 'methods to audit (Original and any registered method)' },
    'shared-variance': { type: 'boolean', help: 'one σ per side pooled over the examples (few shadows)' },
    'out-shadows': {
      type: 'string',
      arg: 'unlearned|original',
      help: 'the "out" Gaussian from the method’s own shadows (default) or from the originals',
    },
    out: { type: 'string', arg: 'DIR', default: 'results/audit', help: 'where audit.json/.md and models/ go' },
    'list-cells': { type: 'boolean', help: 'print the cells (one model each) and exit' },
    cell: { type: 'string', arg: 'ID', help: 'run one cell (a model id from --list-cells) and exit' },
    jobs: { type: 'string', arg: 'N', default: '1', help: 'N local child processes, each running --cell' },
    'report-only': { type: 'boolean', help: 'run nothing: gather the finished records into audit.json/.md' },
    workers: {
      type: 'string',
      arg: 'N',
      help: 'data-parallel training workers per process (default 1; records are keyed by it)',
    },
  },
});

type AuditValues = ReturnType<typeof parseCli<typeof AUDIT_CLI.options>>;

function settingsOf(values: AuditValues): AuditSettings {
  const base = getAuditPreset(values.preset!).settings;
  const int = (v: string | undefined, flag: string, dflt: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${flag}: expected an integer, got "${v}"`);
    return n;
  };
  const methods = values.methods?.split(',').map((m) => m.trim()) ?? base.methods;
  for (const m of methods) {
    if (m !== 'Original' && !(METHOD_NAMES as readonly string[]).includes(auditArm(m).base))
      throw new Error(
        `--methods: unknown method "${m}" (known: Original, ${METHOD_NAMES.join(', ')}; "<method>${AUDIT_DC_SUFFIX}" for its condensed arm)`,
      );
  }
  const outShadows = values['out-shadows'] ?? base.outShadows;
  if (outShadows !== 'unlearned' && outShadows !== 'original')
    throw new Error(`--out-shadows: "unlearned" or "original", got "${outShadows}"`);
  return checkAuditSettings({
    ...base,
    shadows: int(values.shadows, '--shadows', base.shadows),
    targets: int(values.targets, '--targets', base.targets),
    methods,
    sharedVariance: values['shared-variance'] ? true : base.sharedVariance,
    outShadows,
  });
}

function child(args: string[], tag: string): Promise<number> {
  return new Promise((resolveP) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    createInterface({ input: p.stderr }).on('line', (l) => process.stderr.write(`[${tag}] ${l}\n`));
    p.on('close', (code) => resolveP(code ?? 1));
  });
}

async function main(): Promise<number> {
  const values = parseCli(AUDIT_CLI);
  const settings = settingsOf(values);
  const seeds = seedList({ seed: 0, seeds: parseSeedsArg(values.seeds!) });
  const out = values.out!;
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
    throw new Error(`--jobs: an integer 1..64, got "${values.jobs}"`);
  const warn = (l: string) => process.stderr.write(l + '\n');
  const dataset =
    settings.dataset === 'synthetic'
      ? await loadDatasetNode('synthetic', { seed: 0, trainPerClass: settings.poolPerClass, testPerClass: 8 })
      : await loadDatasetNode(settings.dataset, { seed: 0 });
  const plans = seeds.map((s) => planAudit(dataset.train.labels, dataset.classes.length, settings, s));
  const cells = [...plans[0].shadows.map((m) => m.id), ...plans.flatMap((p) => p.targets.map((m) => m.id))];
  if (values['list-cells']) {
    process.stdout.write(cells.join('\n') + '\n');
    return 0;
  }
  if (values.cell !== undefined && !cells.includes(values.cell))
    throw new Error(`--cell: unknown cell "${values.cell}" (--list-cells lists them)`);
  await checkOutputPaths([{ flag: '--out', path: out, kind: 'dir' }]);
  const store = fileAuditStore(`${out}/models`, warn);
  const workers = values.workers !== undefined ? parseWorkerCount(values.workers, '--workers') : 1;
  const lock = values.cell === undefined ? await acquireOutLock(out, warn) : null;
  const timings: Timing[] = [];
  try {
    if (jobs > 1 && values.cell === undefined && !values['report-only']) {
      const pass = process.argv.slice(2).filter((a, i, all) => a !== '--jobs' && all[i - 1] !== '--jobs');
      let next = 0;
      const codes: number[] = [];
      await Promise.all(
        Array.from({ length: Math.min(jobs, cells.length) }, async () => {
          while (next < cells.length) {
            const id = cells[next++];
            codes.push(await child([...pass.filter((a) => !a.startsWith('--jobs=')), '--cell', id], id));
          }
        }),
      );
      const failed = codes.filter((c) => c !== 0).length;
      if (failed) warn(`${failed} cell(s) failed; the report lists what is missing`);
    } else if (!values['report-only']) {
      const backend = (await initNodeBackend()).backend;
      const parallel = workers > 1 ? createNodeParallel(workers) : null;
      const ac = abortOnSigint();
      const t0 = Date.now();
      try {
        for (const plan of plans) {
          const only = values.cell !== undefined ? auditModels(plan).filter((m) => m.id === values.cell) : undefined;
          if (only && !only.length) continue;
          const cpu0 = { v: processCpuSeconds() };
          await runAudit({
            dataset,
            plan,
            store,
            cache: new FileWeightsCache(),
            signal: ac.signal,
            parallel,
            only: only?.map((m) => m.id),
            cpuClock: processCpuSeconds,
            onEvent: (e) => {
              const at = `[${fmtSeconds((Date.now() - t0) / 1000)}]`;
              if (e.kind === 'model-start') warn(`${at} seed ${plan.seed}: ${e.model} (${e.done + 1}/${e.total})`);
              else if (e.kind === 'original')
                warn(
                  `${at}   original ${e.source}` +
                    (e.source === 'trained'
                      ? ` in ${e.seconds.toFixed(1)} s (${e.epochs} epochs, running train acc ${e.trainAcc?.toFixed(1)} %)`
                      : ''),
                );
              else if (e.kind === 'record') {
                if (!e.reused) {
                  const cpu = processCpuSeconds() - cpu0.v;
                  cpu0.v = processCpuSeconds();
                  warn(`${at}   ${e.method}: ${e.seconds.toFixed(1)} s`);
                  timings.push({ seed: plan.seed, model: e.model, method: e.method, seconds: e.seconds, cpu, backend });
                }
              } else if (e.kind === 'log') warn(`${at}   ${e.message}`);
            },
          });
          if (values.cell === undefined) await writeReport(out, dataset, plans, store, settings, values, timings);
        }
      } finally {
        await parallel?.dispose();
      }
    }
    if (values.cell === undefined) await writeReport(out, dataset, plans, store, settings, values, timings);
  } finally {
    await lock?.release();
  }
  return 0;
}

interface Timing {
  seed: number;
  model: string;
  method: AuditMethod;
  seconds: number;
  cpu: number;
  backend: string;
}

async function writeReport(
  out: string,
  ds: ImageDataset,
  plans: AuditPlan[],
  store: AuditStore,
  s: AuditSettings,
  values: { preset?: string; seeds?: string },
  timings: Timing[],
): Promise<void> {
  const records = new Map<string, AuditRecord>();
  const missing: string[] = [];
  for (const plan of plans)
    for (const m of auditModels(plan))
      for (const method of s.methods) {
        const id = auditRecordId(m, method, plan.seed);
        if (records.has(id)) continue;
        const r = await store.get(id, recordKey(ds, plan, m, method));
        if (r) records.set(id, r);
        else missing.push(id);
      }
  const reports: Array<{ seed: number; report?: AuditMethodReport; error?: string }> = [];
  for (const plan of plans)
    for (const method of s.methods) {
      try {
        const report = analyseAuditMethod(
          plan,
          method,
          (m, meth) => records.get(auditRecordId(m, meth, plan.seed))?.phi ?? null,
        );
        reports.push({ seed: plan.seed, report });
      } catch (e) {
        reports.push({ seed: plan.seed, error: `${method}: ${(e as Error).message}` });
      }
    }
  // cost per model: the originals' training seconds and each method's seconds, from the records
  const shadowRec = (method: AuditMethod) =>
    plans[0].shadows
      .map((m) => records.get(auditRecordId(m, method, plans[0].seed)))
      .filter((r): r is AuditRecord => !!r);
  // one training time per model that trained its original in the runs recorded (any of its records carries it)
  const trainedModels = plans
    .flatMap((plan) => auditModels(plan).map((m) => ({ plan, m })))
    .filter(({ m }, i, all) => all.findIndex((x) => x.m.id === m.id) === i)
    .map(({ plan, m }) =>
      s.methods.map((method) => records.get(auditRecordId(m, method, plan.seed))?.trainSeconds ?? 0).find((t) => t > 0),
    )
    .filter((t): t is number => t !== undefined);
  const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const cpuOf = (rs: AuditRecord[], k: 'trainCpuSeconds' | 'methodCpuSeconds') =>
    meanOf(rs.map((r) => r[k]).filter((x): x is number => x !== undefined && x > 0));
  const trainedRecs = [...records.values()].filter((r) => r.trainSeconds > 0);
  const perModel = {
    trainSeconds: meanOf(trainedModels),
    trainCpuSeconds: cpuOf(trainedRecs, 'trainCpuSeconds'),
    trainedOriginals: trainedModels.length,
    methods: Object.fromEntries(
      s.methods.filter((m) => m !== 'Original').map((m) => [m, meanOf(shadowRec(m).map((r) => r.methodSeconds))]),
    ),
    methodsCpu: Object.fromEntries(
      s.methods.filter((m) => m !== 'Original').map((m) => [m, cpuOf(shadowRec(m), 'methodCpuSeconds')]),
    ),
  };
  const projected =
    (s.shadows + s.targets) *
    (perModel.trainSeconds + Object.values(perModel.methods).reduce((a, b) => a + (b || 0), 0));
  const command =
    `npm run audit -- --preset ${values.preset} --shadows ${s.shadows} --targets ${s.targets} --seeds ${values.seeds} ` +
    `--methods ${s.methods.join(',')}${s.sharedVariance ? ' --shared-variance' : ''}` +
    (s.outShadows !== 'unlearned' ? ` --out-shadows ${s.outShadows}` : '');
  await writeAtomic(
    `${out}/audit.json`,
    JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        command,
        game: AUDIT_GAME,
        machine: machineInfo(),
        load: os.loadavg(),
        versions: await labVersions(),
        settings: s,
        fprs: AUDIT_FPRS,
        missing,
        perModel,
        projectedSeconds: projected,
        timings,
        reports,
      },
      null,
      2,
    ),
  );
  const pct = (x: number) => (100 * x).toFixed(1);
  const ci = (c: [number, number]) => `[${pct(c[0])}, ${pct(c[1])}]`;
  const md = [
    '# Per-example unlearning audit (U-LiRA)',
    '',
    `Generated ${new Date().toISOString()} by \`${command}\`.`,
    '',
    `**${AUDIT_GAME}**`,
    '',
    `Setting: ${s.dataset} pool of ${s.poolPerClass} images per class (pool seed ${s.poolSeed}); ${s.model.arch} ` +
      `w${s.model.width}; each model trained on a random half until ${s.pretrain.targetTrainAcc} % running train ` +
      `accuracy (cap ${s.pretrain.epochs} epochs); ${pct(s.candidateFraction)} % of the pool are candidates (per seed), ` +
      `a model's forget set = candidates ∩ its half; methods at epoch budgets ×${s.epochScale}; ${s.shadows} shadows, ` +
      `${s.targets} targets per seed; ${s.sharedVariance ? 'shared' : 'per-example'} variance; "out" Gaussian from ` +
      `${s.outShadows === 'unlearned' ? "the method's own shadows" : 'the original shadows'}. Intervals: 95 % ` +
      `bootstrap over candidates (${s.bootstrap} resamples). Details and deviations: docs/audit.md.`,
    '',
    ...(missing.length
      ? [
          `**Partial:** ${missing.length} record(s) not finished: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ', …' : ''}.`,
          '',
        ]
      : []),
    '| seed | method | shadows | targets | pairs (member / non) | AUC % | TPR @ 1 % FPR | TPR @ 5 % FPR | reading |',
    '|---|---|---|---|---|---|---|---|---|',
    ...reports.map(({ seed, report: r, error }) =>
      r
        ? `| ${seed} | ${r.method} | ${r.shadows} | ${r.targets} | ${r.members} / ${r.nonMembers} | ${pct(r.auc)} ${ci(r.aucCi)} | ` +
          `${pct(r.tpr[0])} ${ci(r.tprCi[0])} | ${pct(r.tpr[1])} ${ci(r.tprCi[1])} | ` +
          `${r.flagged ? 'flagged (TPR@1% ≥ 5×FPR)' : r.atChance ? 'at chance' : 'neither'} |`
        : `| ${seed} | ${error} | | | | | | | |`,
    ),
    '',
    '## Per-example scores',
    '',
    `Separation of each candidate's in and out Gaussians, (μ_in − μ_out) / σ, quantiles ${DISTRIBUTION_QS.map((q) => `${q * 100} %`).join(', ')}:`,
    '',
    '| seed | method | separation quantiles | most exposed candidates (dataset index: separation) |',
    '|---|---|---|---|',
    ...reports
      .filter((x) => x.report)
      .map(
        ({ seed, report: r }) =>
          `| ${seed} | ${r!.method} | ${r!.separation.map((x) => x.toFixed(2)).join(', ')} | ` +
          `${r!.mostExposed
            .slice(0, 5)
            .map((e) => `${e.index}: ${e.separation.toFixed(2)}`)
            .join('; ')} |`,
      ),
    '',
    '## Retain examples whose exposure grew after unlearning',
    '',
    `Pool images that are not candidates (never unlearned): separation between shadows trained on them and shadows ` +
      `that never saw them, under the Original and after the method; "grew" = the rise exceeds ${EXPOSURE_GREW_Z} ` +
      'standard errors (about 2.3 % would by chance with independent estimates).',
    '',
    '| seed | method | examined | grew | share | by chance ≈ | change quantiles | largest rises (index: before → after) |',
    '|---|---|---|---|---|---|---|---|',
    ...reports
      .filter((x) => x.report?.retain)
      .map(({ seed, report: r }) => {
        const x = r!.retain!;
        return (
          `| ${seed} | ${r!.method} | ${x.examined} | ${x.grew} | ${pct(x.grewShare)} % | ${x.chanceCount.toFixed(0)} | ` +
          `${x.change.map((v) => v.toFixed(2)).join(', ')} | ` +
          `${x.top
            .slice(0, 3)
            .map((t) => `${t.index}: ${t.before.toFixed(2)} → ${t.after.toFixed(2)}`)
            .join('; ')} |`
        );
      }),
    '',
    '## Cost',
    '',
    `Mean seconds per model on this run's machine (${os.cpus().length} cores; other jobs may share them — see the ` +
      `load in audit.json): original training ${perModel.trainSeconds.toFixed(1)} s (${perModel.trainedOriginals} ` +
      `trained here), ${Object.entries(perModel.methods)
        .map(([m, v]) => `${m} ${Number.isFinite(v) ? v.toFixed(1) : '–'} s`)
        .join(', ')}; in process CPU seconds: original ${perModel.trainCpuSeconds.toFixed(1)} s, ${Object.entries(
        perModel.methodsCpu,
      )
        .map(([m, v]) => `${m} ${Number.isFinite(v) ? v.toFixed(1) : '–'} s`)
        .join(
          ', ',
        )}. Projected (wall) for ${s.shadows} shadows + ${s.targets} targets, one seed: ${fmtSeconds(projected)} ` +
      "(a further seed re-uses the shadows' originals: its cost is the targets plus the methods).",
    '',
  ];
  await writeAtomic(`${out}/audit.md`, md.join('\n'));
}

runCli('audit', main);
