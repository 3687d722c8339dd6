/**
 * The resume store reuses only what belongs to the resuming run (issue 19 item 3): one test per case the issue
 * lists. Each was run against the store before this change (`git show 268984a:src/cli/method-store.ts`) and failed
 * there: the old store returned any file that parsed (and hung on a FIFO).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  LabSession,
  MemoryWeightsCache,
  getPreset,
  makeSyntheticDataset,
  mergeSpec,
  methodStoreKey,
  validateSpec,
} from '../core';
import type { ExperimentSpec, MethodResult, RunEvent, StoreStamp } from '../core';
import { FileMethodStore } from './method-store';
import { initNodeBackend } from './node-backend';

const root = mkdtempSync(join(tmpdir(), 'lab-method-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `cell${n++}`);

const specA = validateSpec(mergeSpec(getPreset('smoke').spec, { seed: 0 }));
const specB = validateSpec(mergeSpec(specA, { pretrain: { epochs: 1 } }));

const stamp = (o: Partial<StoreStamp> = {}): StoreStamp => ({
  spec: 'spec-a',
  seed: 0,
  arm: 'raw',
  round: 0,
  method: 'CF',
  data: 'data-a',
  ...o,
});
const result = (o: Partial<MethodResult> = {}): MethodResult => ({
  name: 'CF',
  withDC: false,
  round: 0,
  unlearnSeconds: 1.5,
  overheadSeconds: 0,
  metrics: { retainAcc: 90, forgetAcc: 35, testAcc: 60, mia: 55, lossMia: 52 },
  curve: [],
  ...o,
});
const CF = methodStoreKey('CF', false, 0);
const fileOf = (dir: string, key: string) => join(dir, 'methods', key.split('|').join('__') + '.json');

async function open(dir: string, spec: ExperimentSpec = specA) {
  const lines: string[] = [];
  const store = await FileMethodStore.open(dir, spec, (l) => lines.push(l));
  return { store, lines };
}

describe('FileMethodStore: only what belongs is reused', () => {
  it('reuses a record whose stamp matches and which passes the schema', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    await store.put(CF, result(), stamp());
    const { store: again, lines } = await open(dir);
    expect(await again.get(CF, stamp())).toMatchObject({ name: 'CF', metrics: { forgetAcc: 35 } });
    expect(lines.filter((l) => l.includes('⚠'))).toEqual([]);
  });

  it('two runs with different specs sharing one folder: B never reuses what A wrote after B opened it', async () => {
    const dir = freshDir();
    const a = await open(dir, specA);
    const b = await open(dir, specB); // B clears the folder and claims it …
    await a.store.put(CF, result({ metrics: { ...result().metrics, forgetAcc: 12 } }), stamp({ spec: 'spec-a' }));
    // … but A, still running, writes its result there; B resumes
    expect(await b.store.get(CF, stamp({ spec: 'spec-b' }))).toBeNull();
    expect(b.lines.some((l) => l.includes(fileOf(dir, CF)) && l.includes('spec differs'))).toBe(true);
  });

  it('data re-prepared with other pixels: a record of the old data is recomputed', async () => {
    const dir = freshDir();
    const { store, lines } = await open(dir);
    await store.put(CF, result(), stamp({ data: 'old-pixels' }));
    expect(await store.get(CF, stamp({ data: 'new-pixels' }))).toBeNull();
    expect(lines.some((l) => l.includes('data differs'))).toBe(true);
  });

  it("a seed-1 file copied into seed 0's folder is recomputed", async () => {
    const d1 = freshDir();
    const d0 = freshDir();
    const s1 = await open(d1, validateSpec(mergeSpec(specA, { seed: 1 })));
    await s1.store.put(CF, result(), stamp({ seed: 1 }));
    const s0 = await open(d0, specA);
    copyFileSync(fileOf(d1, CF), fileOf(d0, CF));
    expect(await s0.store.get(CF, stamp({ seed: 0 }))).toBeNull();
    expect(s0.lines.some((l) => l.includes('seed differs'))).toBe(true);
  });

  it("CF's file saved under A-CF's name is recomputed", async () => {
    const dir = freshDir();
    const { store, lines } = await open(dir);
    await store.put(CF, result(), stamp());
    const ACF = methodStoreKey('A-CF', false, 0);
    copyFileSync(fileOf(dir, CF), fileOf(dir, ACF));
    expect(await store.get(ACF, stamp({ method: 'A-CF' }))).toBeNull();
    expect(lines.some((l) => l.includes(fileOf(dir, ACF)) && l.includes('method differs'))).toBe(true);
  });

  it('metrics set to "NaN" strings or −500 fail the result schema and are recomputed', async () => {
    const dir = freshDir();
    const { store, lines } = await open(dir);
    for (const bad of ['NaN', -500]) {
      const r = result() as unknown as { metrics: Record<string, unknown> };
      r.metrics.forgetAcc = bad;
      writeFileSync(fileOf(dir, CF), JSON.stringify({ stamp: stamp(), result: r }));
      expect(await store.get(CF, stamp())).toBeNull();
    }
    expect(lines.filter((l) => l.includes('fails the result schema') && l.includes('forgetAcc'))).toHaveLength(2);
  });

  it('a file holding {} is ignored with one line, not a crash', async () => {
    const dir = freshDir();
    const { store, lines } = await open(dir);
    writeFileSync(fileOf(dir, CF), '{}');
    expect(await store.get(CF, stamp())).toBeNull();
    expect(lines.filter((l) => l.includes(fileOf(dir, CF)))).toHaveLength(1);
  });

  it('a FIFO in place of a method file is refused at once, not read (old code hung)', { timeout: 5000 }, async () => {
    const dir = freshDir();
    const { store, lines } = await open(dir);
    execFileSync('mkfifo', [fileOf(dir, CF)]);
    expect(await store.get(CF, stamp())).toBeNull();
    expect(lines.some((l) => l.includes('FIFO'))).toBe(true);
  });

  it('a symlink to a regular file is read; one to /dev/zero or past the size cap is refused', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    await store.put(CF, result(), stamp());
    const real = join(root, 'elsewhere.json');
    copyFileSync(fileOf(dir, CF), real);
    rmSync(fileOf(dir, CF));
    symlinkSync(real, fileOf(dir, CF));
    expect(await store.get(CF, stamp())).not.toBeNull();
    rmSync(fileOf(dir, CF));
    symlinkSync('/dev/zero', fileOf(dir, CF));
    expect(await store.get(CF, stamp())).toBeNull();
    const lines: string[] = [];
    const small = await FileMethodStore.open(dir, specA, (l) => lines.push(l), { maxBytes: 100 });
    rmSync(fileOf(dir, CF));
    copyFileSync(real, fileOf(dir, CF));
    expect(readFileSync(real).length).toBeGreaterThan(100);
    expect(await small.get(CF, stamp())).toBeNull();
    expect(lines.some((l) => l.includes('more than the 100 allowed'))).toBe(true);
  });
});

describe('a resumed session over the file store', () => {
  it('data re-prepared with other pixels, same command: every method is recomputed', { timeout: 120_000 }, async () => {
    await initNodeBackend();
    const spec = validateSpec(
      mergeSpec(specA, {
        trainPerClass: 20,
        testPerClass: 20,
        pretrain: { epochs: 1 },
        curves: false,
        unlearn: { methods: ['CF'], arms: 'both' },
      }),
    );
    const dir = freshDir();
    const run = async (dataSeed: number) => {
      const dataset = makeSyntheticDataset({ seed: dataSeed, trainPerClass: 20, testPerClass: 20 });
      const store = await FileMethodStore.open(dir, spec);
      const ran: string[] = [];
      const sink = (e: RunEvent) => {
        if (e.kind === 'stage' && e.stage === 'unlearn' && e.status === 'start') ran.push(e.label ?? '');
      };
      const s = new LabSession(
        { dataset, sink, cache: new MemoryWeightsCache(), methodStore: store, backendName: tf.getBackend() },
        spec,
      );
      try {
        const r = await s.runAll();
        return { ran, resumed: r.methods.filter((m) => m.resumed).length };
      } finally {
        s.dispose();
      }
    };
    expect(await run(1)).toEqual({ ran: ['CF', 'CF w/ DC'], resumed: 0 });
    expect(await run(1)).toEqual({ ran: [], resumed: 2 }); // same data: resumed
    expect(await run(2)).toEqual({ ran: ['CF', 'CF w/ DC'], resumed: 0 }); // other pixels: recomputed
  });
});
