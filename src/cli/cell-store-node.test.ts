/**
 * The reproduce cell store reads only regular files within the cap whose result passes the result schema (issue 19
 * item 3); before, any file that parsed was handed to the driver and a FIFO hung it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPreset } from '../core';
import type { ExperimentResult } from '../core';
import { fileCellStore } from './cell-store-node';

const out = mkdtempSync(join(tmpdir(), 'lab-cells-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
mkdirSync(join(out, 'cells'));
const cell = { id: 'c1', title: 'c1' } as Parameters<ReturnType<typeof fileCellStore>['get']>[0];
const file = join(out, 'cells', 'c1.json');

const result = (): ExperimentResult => ({
  spec: getPreset('smoke').spec,
  env: { backend: 'wasm', versions: {}, startedAt: '', seconds: 1 },
  split: { trainSize: 400, retainSize: 360, forgetSize: 40, testUsedSize: 200, testEvalSize: 200, forgetClass: null },
  pretrain: { seconds: 1, testAcc: 50, trainAcc: 60, reused: false },
  methods: [
    {
      name: 'CF',
      withDC: false,
      round: 0,
      unlearnSeconds: 1,
      overheadSeconds: 0,
      metrics: { retainAcc: 90, forgetAcc: 35, testAcc: 60, mia: 55, lossMia: 52 },
      curve: [],
    },
  ],
});

describe('fileCellStore', () => {
  it(
    'returns a checked cell; ignores {} , a failing result and a FIFO with one line each',
    { timeout: 5000 },
    async () => {
      const lines: string[] = [];
      const store = fileCellStore(out, (l) => lines.push(l));
      writeFileSync(file, JSON.stringify({ spec: { a: 1 }, result: result() }));
      expect((await store.get(cell))?.result?.methods[0].metrics.forgetAcc).toBe(35);
      writeFileSync(file, '{}');
      expect(await store.get(cell)).toBeNull();
      const bad = result() as unknown as { methods: Array<{ metrics: Record<string, unknown> }> };
      bad.methods[0].metrics.forgetAcc = -500;
      writeFileSync(file, JSON.stringify({ spec: { a: 1 }, result: bad }));
      expect(await store.get(cell)).toBeNull();
      rmSync(file);
      execFileSync('mkfifo', [file]);
      expect(await store.get(cell)).toBeNull();
      expect(lines).toHaveLength(3);
      expect(lines.every((l) => l.includes(file))).toBe(true);
      expect(lines[1]).toMatch(/forgetAcc/);
      expect(lines[2]).toMatch(/FIFO/);
    },
  );
});
