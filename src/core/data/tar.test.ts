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
      ['dir/', 'directory', 0],
      ['dir/a.txt', 'file', 5],
      ['dir/empty.bin', 'file', 0],
      ['dir/big.bin', 'file', 1300],
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
    const gnu = buildTar([
      { name: '././@LongLink', data: enc(long + '\0') },
      { name: 'short', data: enc('abc') },
    ]);
    gnu[156] = 'L'.charCodeAt(0);
    fixChecksum(gnu, 0);
    expect(parseTar(gnu).map((e) => e.name)).toEqual([long]);
    const rec = ` path=${long}\n`;
    const len = rec.length + String(rec.length + 3).length;
    const pax = buildTar([
      { name: 'PaxHeader', data: enc(`${len}${rec}`) },
      { name: 'short', data: enc('abc') },
    ]);
    pax[156] = 'x'.charCodeAt(0);
    fixChecksum(pax, 0);
    expect(parseTar(pax).map((e) => e.name)).toEqual([long]);
  });

  it('reports a truncated archive', () => {
    const bytes = sample();
    expect(() => parseTar(bytes.subarray(0, 512 * 5 + 100), { file: 'x.tar' })).toThrow(
      /x\.tar: truncated tar archive: entry dir\/big\.bin ends early/,
    );
    expect(() => parseTar(bytes.subarray(0, 512 * 4 + 200))).toThrow(/partial header/);
  });

  it('reports a corrupt header and non-tar input', () => {
    const bytes = sample();
    bytes[512 + 10] ^= 0xff; // inside the second header's name
    expect(() => parseTar(bytes, { file: 'c.tar' })).toThrow(
      /c\.tar: corrupt or not a tar archive: bad header checksum at offset 512/,
    );
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

describe('tar reader on hostile headers (issue 12)', () => {
  const header = (name: string, size: string, type = '0') => {
    const t = buildTar([{ name, data: new Uint8Array(0) }]).subarray(0, 512);
    t.fill(0, 124, 136);
    t.set(enc(size), 124);
    t[156] = type.charCodeAt(0);
    fixChecksum(t, 0);
    return t;
  };

  it('streaming: a kept file above the cap is rejected from its header, before any data is read or allocated', () => {
    const p = new TarParser({ file: 's.tar', maxKeptBytes: 1000 });
    expect(() => p.push(header('big.bin', '00000002000'))).toThrow(
      's.tar: corrupt tar header at offset 0: big.bin declares 1024 bytes, ' +
        'more than the 1000-byte limit for a file read into memory',
    );
    // skipped (unwanted) entries may be large: they are streamed past, never allocated
    const q = new TarParser({ file: 's.tar', maxKeptBytes: 1000, want: () => false });
    expect(q.push(header('big.bin', '00000002000'))).toEqual([]);
    // but no entry may declare more than the ustar maximum (base-256 sizes can)
    const big = header('huge.bin', '');
    big.fill(0, 124, 136);
    big[124] = 0x80;
    big[131] = 4;
    fixChecksum(big, 0); // 2^34
    expect(() => new TarParser({ file: 's.tar' }).push(big)).toThrow(
      /s\.tar: corrupt tar header at offset 0: huge\.bin declares 17179869184 bytes, more than the 8589934592-byte/,
    );
  });

  it('in memory: a size running past the end is rejected before allocation', () => {
    expect(() => parseTar(header('a.bin', '77777777777'), { file: 'm.tar' })).toThrow(
      'm.tar: truncated tar archive: entry a.bin ends early ' +
        '(its header at offset 0 declares 8589934591 bytes, only 0 remain)',
    );
  });

  it('metadata entries are capped and must be followed by their entry; names in parentheses are ordinary files', () => {
    expect(() => parseTar(header('././@LongLink', '00004000001', 'L'), { file: 'l.tar' })).toThrow(
      'l.tar: corrupt tar header at offset 0: (L header) declares 1048577 bytes, ' +
        'more than the 1048576-byte limit for metadata',
    );
    const rec = ' path=zz\n';
    const pax = buildTar([{ name: 'PaxHeader', data: enc(`${rec.length + 2}${rec}`) }]);
    pax[156] = 'x'.charCodeAt(0);
    fixChecksum(pax, 0);
    expect(() => parseTar(pax, { file: 'p.tar' })).toThrow(
      'p.tar: truncated tar archive: an extended header is not followed by its entry',
    );
    const paren = parseTar(buildTar([{ name: '(x)', data: enc('kept') }]));
    expect(paren.map((e) => [e.name, e.data?.length])).toEqual([['(x)', 4]]);
  });

  it('PAX size records must be non-negative decimals within the cap; record lengths must fit', () => {
    const withPax = (records: string) => {
      const t = buildTar([
        { name: 'PaxHeader', data: enc(records) },
        { name: 'f', data: enc('abc') },
      ]);
      t[156] = 'x'.charCodeAt(0);
      fixChecksum(t, 0);
      return t;
    };
    // (a negative size used to send the reader backwards forever: that input is replayed under a watchdog in
    // fuzz.test.ts, so a regression fails there instead of freezing this file)
    expect(() => parseTar(withPax('16 size=1e9x999\n'), { file: 'q.tar' })).toThrow(
      /q\.tar: corrupt PAX extended header \(entry at offset 0\): size "1e9x999"/,
    );
    expect(() => parseTar(withPax('25 size=9999999999999999\n'), { file: 'q.tar' })).toThrow(
      /exceeds the 8589934592-byte limit/,
    );
    expect(() => parseTar(withPax('8 size=1\n'), { file: 'q.tar' })).toThrow(/declares length 8, which does not fit/);
    expect(parseTar(withPax('10 size=3\n')).map((e) => [e.name, e.size])).toEqual([['f', 3]]);
  });
});
