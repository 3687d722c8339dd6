/**
 * `npm run ship-model -- [--preset first-look] [--seed 0] [--dir public/models]`
 *
 * Builds a shipped original model (src/core/train/shipped-models.ts): pretrains the preset's original model for
 * the seed on the prepared dataset, in ONE thread (the key a shipped model is looked up under), seals it as a
 * weights-cache entry and lists it with its SHA-256 in `<dir>/manifest.json` (replacing an entry of the same key
 * or file). The page and every CLI then start matching runs from it. Re-run it after preparing other data: the
 * key covers a fingerprint of the training images, so an entry built from other pixels is never used.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LabSession,
  getPreset,
  mergeSpec,
  validateSpec,
  parseShippedManifest,
  sha256Hex,
  SHIPPED_MANIFEST,
  SHIPPED_MANIFEST_VERSION,
  type ShippedManifest,
  type ShippedModelEntry,
} from '../core';
import { PRESETS } from '../core';
import { initNodeBackend } from './node-backend';
import { loadDatasetNode } from './dataset-node';
import { labVersions, machineInfo, shippedModelsDir, writeAtomic } from './node-io';
import { defineCli, parseCli, runCli } from './options';

export const SHIP_MODEL_CLI = defineCli({
  name: 'ship-model',
  summary: "Pretrain a preset's original model in one thread and list it in public/models/ (shipped with the site).",
  options: {
    preset: {
      type: 'string',
      arg: 'NAME',
      choices: Object.keys(PRESETS),
      default: 'first-look',
      help: 'the preset whose original model to ship',
    },
    seed: { type: 'string', arg: 'N', default: '0', help: 'the experiment seed' },
    dir: { type: 'string', arg: 'DIR', help: 'the models folder (default: $LAB_MODELS or public/models)' },
  },
});

async function main(): Promise<void> {
  const values = parseCli(SHIP_MODEL_CLI);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: a non-negative integer, got "${values.seed}"`);
  const dir = values.dir ?? shippedModelsDir();
  const spec = validateSpec(mergeSpec(getPreset(values.preset!).spec, { seed, seeds: 1 }));
  const backend = await initNodeBackend();
  const dataset = await loadDatasetNode(spec.dataset, { seed });
  let sealed: { key: string; bytes: Uint8Array } | null = null;
  const session = new LabSession(
    {
      dataset,
      sink: (e) => {
        if (e.kind === 'log') console.error(`  ${e.message}`);
        if (e.kind === 'epoch') console.error(`  epoch ${e.epoch}: train acc ${e.metrics.retainAcc?.toFixed(1)}`);
      },
      // captures the sealed entry the session writes; no parallel pool: one worker, the shipped key
      cache: {
        get: async () => null,
        put: async (key, bytes) => {
          sealed = { key, bytes };
        },
      },
      backendName: backend.backend,
      versions: await labVersions(),
      machine: machineInfo(),
    },
    spec,
  );
  let r: ReturnType<LabSession['result']>['pretrain'];
  try {
    await session.pretrain();
    r = session.result().pretrain;
  } finally {
    session.dispose();
  }
  const got = sealed as { key: string; bytes: Uint8Array } | null;
  if (!got) throw new Error('pretraining wrote no weights (nothing to ship)');
  const file = `${values.preset}-seed${seed}.ulc`;
  const entry: ShippedModelEntry = {
    file,
    key: got.key,
    sha256: await sha256Hex(got.bytes),
    bytes: got.bytes.length,
    preset: values.preset!,
    seed,
    command: `npm run ship-model -- --preset ${values.preset} --seed ${seed}`,
    createdAt: new Date().toISOString(),
  };
  const manifestPath = join(dir, SHIPPED_MANIFEST);
  let manifest: ShippedManifest = { v: SHIPPED_MANIFEST_VERSION, models: [] };
  try {
    manifest = parseShippedManifest(await readFile(manifestPath, 'utf8'), manifestPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  manifest.models = [...manifest.models.filter((m) => m.file !== file && m.key !== entry.key), entry];
  // the model first, then the manifest that names it: a crash in between leaves the old manifest valid
  await writeAtomic(join(dir, file), got.bytes);
  await writeAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  console.log(
    `wrote ${join(dir, file)} (${got.bytes.length} bytes, SHA-256 ${entry.sha256}); original model test ` +
      `${r.testAcc.toFixed(1)} %, trained in ${r.seconds.toFixed(0)} s; listed in ${manifestPath}`,
  );
}

runCli('ship-model', main);
