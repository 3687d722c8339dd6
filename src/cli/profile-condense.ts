/**
 * Where condensation's time goes (issue 24 item 2, first step): k-means features, clustering, partition, Blend's
 * target pass and its iterations split into member gathers, blending, the feature network's passes and the
 * weight gradient. CIFAR-10 at the `bench` preset's condensation setting by default (300 train images per class,
 * IPC 60, width-128 feature nets, 12 Blend iterations, 10 % uniform forgetting, the paper-regime step).
 *
 *   npx tsx src/cli/profile-condense.ts [--train-per-class 300] [--ipc 60] [--iterations 12] [--out results]
 *                                       [--workers N --repeats R]
 *
 * Writes <out>/condense-profile.json and prints a summary. Seconds are wall-clock; the process CPU seconds of
 * each stage are recorded beside them (the process's, worker threads included).
 *
 * With `--workers N` (N ≥ 2) the same condensation runs R times in this thread and R times with the feature
 * networks' passes on N data-parallel worker threads, interleaved (this thread, workers, this thread, …), and
 * <out>/condense-parallel.json records every run, the per-pair wall-clock ratios and whether the two paths gave
 * the same blended images (max |Δ|).
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { condenseInterleaved, prepareCondense } from './condense-timing';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'train-per-class': { type: 'string', default: '300' },
      ipc: { type: 'string', default: '60' },
      iterations: { type: 'string', default: '12' },
      workers: { type: 'string', default: '1' },
      repeats: { type: 'string', default: '1' },
      out: { type: 'string', default: 'results' },
    },
  });
  const perClass = Number(values['train-per-class']);
  const ipc = Number(values.ipc);
  const iterations = Number(values.iterations);
  const workers = Number(values.workers);
  const repeats = Number(values.repeats);
  for (const [k, v] of [
    ['--train-per-class', perClass],
    ['--ipc', ipc],
    ['--iterations', iterations],
    ['--workers', workers],
    ['--repeats', repeats],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k}: expected a non-negative integer, got ${v}`);
  await initNodeBackend('wasm');
  const { writeAtomic } = await import('./node-io');

  if (workers <= 1) {
    const prep = await prepareCondense({ perClass, ipc, iterations });
    const r = await prep.runOnce(null);
    const doc = {
      createdAt: new Date().toISOString(),
      loadavg: os.loadavg().map((x) => +x.toFixed(2)),
      setting: prep.setting(r.blend),
      seconds: r.seconds,
      cpuSeconds: r.cpuSeconds,
    };
    await writeAtomic(`${values.out}/condense-profile.json`, JSON.stringify(doc, null, 2) + '\n');
    console.log(`condensation, ${prep.trainImages} CIFAR-10 images, IPC ${ipc}, ${iterations} Blend iterations`);
    console.log(prep.summary(r));
    console.log(`  tensors alive after: ${tf.memory().numTensors}`);
    return;
  }

  const doc = await condenseInterleaved({
    perClass,
    ipc,
    iterations,
    workers,
    repeats,
    log: (m) => console.log(m),
    checkpoint: (d) => writeAtomic(`${values.out}/condense-parallel.json`, JSON.stringify(d, null, 2) + '\n'),
  });
  const f = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const { ratios } = doc;
  console.log(
    `wall-clock ratio this thread / ${workers} workers per pair: total ${f(ratios.map((r) => r.total))}; ` +
      `Blend ${f(ratios.map((r) => r.blend))}; k-means features ${f(ratios.map((r) => r.kmeansFeatures))}; ` +
      `max |Δ pixel| between runs ${doc.maxAbsPixelDiff}; tensors alive after: ${tf.memory().numTensors}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(`profile-condense: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
