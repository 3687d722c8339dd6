import { describe, expect, it } from 'vitest';
import { buildTar, parseTar, TarParser } from './tar';
import { LabError } from '../types';

const enc = (s: string) => new TextEncoder().encode(s);

function sample() {
  const big = new Uint8Array(1300).map((_, i) => (i * 7) & 255);
  return buildTar([
    { name: 'dir/', data: new Uint8Array(0), type: 'directory' },
    { name: 'dir/a.txt', data: enc('hello') },
    { name: 'dir/empty.bin', data: new Uint8Array(0) },
    { name: 'dir/big.bin', data: big },
  ]);
}

describe('tar reader', () => {
  it('reads entries of a whole archive', () => {
    const es = parseTar(sample());
    expect(es.map((e) => [e.name, e.type, e.size])).toEqual([
      ['dir/', 'directory', 0], ['dir/a.txt', 'file', 5], ['dir/empty.bin', 'file', 0], ['dir/big.bin', 'file', 1300],
    ]);
    expect(new TextDecoder().decode(es[1].data)).toBe('hello');
    expect(es[3].data![1299]).toBe((1299 * 7) & 255);
  });

  it('gives the same result for any chunking (streaming)', () => {
    const bytes = sample();
    for (const step of [1, 7, 511, 513, 4096]) {
      const p = new TarParser();
      const es = [];
      for (let i = 0; i < bytes.length; i += step) es.push(...p.push(bytes.subarray(i, i + step)));
      p.end();
      expect(es.map((e) => e.name)).toEqual(['dir/', 'dir/a.txt', 'dir/empty.bin', 'dir/big.bin']);
      expect(es[3].data).toEqual(parseTar(bytes)[3].data);
    }
  });

  it('keeps only wanted data', () => {
    const es = parseTar(sample(), { want: (n) => n.endsWith('.txt') });
    expect(es[1].data).toBeDefined();
    expect(es[3].data).toBeUndefined();
  });

  it('reads GNU long names and PAX paths', () => {
    const long = 'x'.repeat(150);
    // GNU 'L' entry followed by the real header
    const gnu = buildTar([{ name: '././@LongLink', data: enc(long + '\0') }, { name: 'short', data: enc('abc') }]);
    gnu[156] = 'L'.charCodeAt(0);
    fixChecksum(gnu, 0);
    expect(parseTar(gnu).map((e) => e.name)).toEqual([long]);
    const rec = ` path=${long}\n`;
    const len = rec.length + String(rec.length + 3).length;
    const pax = buildTar([{ name: 'PaxHeader', data: enc(`${len}${rec}`) }, { name: 'short', data: enc('abc') }]);
    pax[156] = 'x'.charCodeAt(0);
    fixChecksum(pax, 0);
    expect(parseTar(pax).map((e) => e.name)).toEqual([long]);
  });

  it('reports a truncated archive', () => {
    const bytes = sample();
    expect(() => parseTar(bytes.subarray(0, 512 * 5 + 100), { file: 'x.tar' })).toThrow(/x\.tar: truncated tar archive: entry dir\/big\.bin ends early/);
    expect(() => parseTar(bytes.subarray(0, 512 * 4 + 200))).toThrow(/partial header/);
  });

  it('reports a corrupt header and non-tar input', () => {
    const bytes = sample();
    bytes[512 + 10] ^= 0xff; // inside the second header's name
    expect(() => parseTar(bytes, { file: 'c.tar' })).toThrow(/c\.tar: corrupt or not a tar archive: bad header checksum at offset 512/);
    expect(() => parseTar(enc('just some text'), { file: 't.txt' })).toThrow(LabError);
    expect(() => parseTar(enc('just some text'), { file: 't.txt' })).toThrow(/not a tar archive/);
  });
});

function fixChecksum(b: Uint8Array, off: number) {
  for (let k = 148; k < 156; k++) b[off + k] = 32;
  let sum = 0;
  for (let k = 0; k < 512; k++) sum += b[off + k];
  b.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), off + 148);
}
