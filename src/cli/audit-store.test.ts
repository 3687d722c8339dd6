/** The audit's record files: reused only under the same key and with a finite φ list; anything else is recomputed. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileAuditStore } from './audit-store';

describe('fileAuditStore', () => {
  it('round-trips a record and refuses another key, a non-finite φ and garbage, with one line each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-store-'));
    const warnings: string[] = [];
    const store = fileAuditStore(dir, (l) => warnings.push(l));
    const record = { phi: [0.5, -1.25], trainSeconds: 3, methodSeconds: 1 };
    expect(await store.get('a', 'k')).toBeNull();
    await store.put('a', 'k', record);
    expect(await store.get('a', 'k')).toEqual(record);
    expect(await store.get('a', 'other key')).toBeNull();
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ key: 'k', record: { ...record, phi: [1, null] } }));
    expect(await store.get('b', 'k')).toBeNull();
    writeFileSync(join(dir, 'c.json'), '{');
    expect(await store.get('c', 'k')).toBeNull();
    expect(warnings.length).toBe(3);
    expect(warnings[0]).toMatch(/a\.json: ignored \(written for another/);
    expect(warnings[1]).toMatch(/b\.json: ignored \(no finite φ/);
    expect(warnings[2]).toMatch(/c\.json: unreadable/);
  });
});
