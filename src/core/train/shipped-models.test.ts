import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../data/formats';
import { parseShippedManifest, shippedModels, type ShippedModelEntry } from './shipped-models';

const entry = (over: Partial<ShippedModelEntry> = {}): ShippedModelEntry => ({
  file: 'm.ulc',
  key: '{"k":1}',
  sha256: '0'.repeat(64),
  bytes: 3,
  preset: 'first-look',
  seed: 0,
  command: 'npm run ship-model',
  createdAt: '2026-11-29T00:00:00Z',
  ...over,
});

function source(files: Record<string, string | Uint8Array>) {
  const read = async (n: string) => files[n] ?? null;
  return shippedModels({
    where: 'models',
    readText: async (n) => {
      const f = await read(n);
      return f === null ? null : typeof f === 'string' ? f : new TextDecoder().decode(f);
    },
    readBytes: async (n) => {
      const f = await read(n);
      return f === null ? null : typeof f === 'string' ? new TextEncoder().encode(f) : f;
    },
  });
}

describe('shipped original models', () => {
  it('parses a manifest and refuses malformed ones with the field named', () => {
    const ok = parseShippedManifest(JSON.stringify({ v: 1, models: [entry()] }), 'm.json');
    expect(ok.models[0].file).toBe('m.ulc');
    const bad =
      (models: unknown, v = 1) =>
      () =>
        parseShippedManifest(JSON.stringify({ v, models }), 'm.json');
    expect(() => parseShippedManifest('{', 'm.json')).toThrow(/m\.json: not JSON/);
    expect(bad([], 2)).toThrow(/version 2/);
    expect(bad({})).toThrow(/"models" must be an array/);
    expect(bad([entry({ file: '../etc/passwd' })])).toThrow(/models\[0\]\.file/);
    expect(bad([entry({ sha256: 'abc' })])).toThrow(/models\[0\]\.sha256/);
    expect(bad([entry({ bytes: -1 })])).toThrow(/models\[0\]\.bytes/);
    expect(bad([{ ...entry(), key: '' }])).toThrow(/models\[0\]\.key/);
  });

  it('finds the entry of a key, checks its length and SHA-256, and has none for other keys', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const sha256 = await sha256Hex(bytes);
    const manifest = JSON.stringify({ v: 1, models: [entry({ sha256 })] });
    const found = await source({ 'manifest.json': manifest, 'm.ulc': bytes }).find('{"k":1}');
    expect(found?.entry.sha256).toBe(sha256);
    expect(Array.from(found!.bytes)).toEqual([1, 2, 3]);
    expect(await source({ 'manifest.json': manifest, 'm.ulc': bytes }).find('{"k":2}')).toBeNull();
    expect(await source({}).find('{"k":1}')).toBeNull(); // no manifest: no shipped models
    await expect(source({ 'manifest.json': manifest }).find('{"k":1}')).rejects.toThrow(/models\/m\.ulc: .*missing/);
    await expect(
      source({ 'manifest.json': manifest, 'm.ulc': new Uint8Array([1, 2]) }).find('{"k":1}'),
    ).rejects.toThrow(/2 bytes, the manifest says 3/);
    await expect(
      source({ 'manifest.json': manifest, 'm.ulc': new Uint8Array([1, 2, 4]) }).find('{"k":1}'),
    ).rejects.toThrow(/SHA-256 .* the manifest says/);
  });

  // the committed models (public/models, `npm run ship-model`) must be intact
  const dir = join(process.cwd(), 'public', 'models');
  it.runIf(existsSync(join(dir, 'manifest.json')))('every committed shipped model matches its manifest', async () => {
    const m = parseShippedManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'), 'public/models/manifest.json');
    expect(m.models.length).toBeGreaterThan(0);
    for (const e of m.models) {
      const bytes = new Uint8Array(readFileSync(join(dir, e.file)));
      expect(bytes.length).toBe(e.bytes);
      expect(await sha256Hex(bytes)).toBe(e.sha256);
      expect(JSON.parse(e.key).workers).toBe(1);
    }
  });
});
