/**
 * Seeded mutations for the parser fuzz tests (test-only). Every input stays under `MAX_INPUT_BYTES`.
 */
import { Rng } from '../../rng';

export const MAX_INPUT_BYTES = 256 << 10;

export type MutationKind = 'truncate' | 'bitflip' | 'random' | 'bytes' | 'ints' | 'splice' | 'absurd';
export const KINDS: MutationKind[] = ['truncate', 'bitflip', 'random', 'bytes', 'ints', 'splice', 'absurd'];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x30, 0x37, 0x20, 0x0a, 0x2d];
const INTERESTING_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8, 0x10000, 0x40000000, 3073, 512];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/** One mutated copy of `seed`; `absurd` (target-specific header mutations) is used for kind 'absurd'. */
export function mutate(
  rng: Rng,
  seed: Uint8Array,
  kind: MutationKind,
  absurd?: (rng: Rng, seed: Uint8Array) => Uint8Array,
): Uint8Array {
  const n = seed.length;
  switch (kind) {
    case 'truncate':
      return seed.slice(0, rng.int(n + 1));
    case 'bitflip': {
      const out = seed.slice();
      const flips = 1 + rng.int(8);
      for (let k = 0; k < flips && n > 0; k++) out[rng.int(n)] ^= 1 << rng.int(8);
      return out;
    }
    case 'random': {
      const len = rng.int(4) === 0 ? rng.int(64) : rng.int(8192);
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) out[i] = rng.int(256);
      // keep the seed's first bytes sometimes, so magic numbers pass and deeper code is reached
      const keep = rng.int(2) === 0 ? Math.min(len, rng.int(Math.min(n, 600) + 1)) : 0;
      out.set(seed.subarray(0, keep), 0);
      return out;
    }
    case 'bytes': {
      const out = seed.slice();
      const k = 1 + rng.int(16);
      for (let j = 0; j < k && n > 0; j++) out[rng.int(n)] = pick(rng, INTERESTING_BYTES);
      return out;
    }
    case 'ints': {
      const out = seed.slice();
      const dv = new DataView(out.buffer);
      const k = 1 + rng.int(4);
      for (let j = 0; j < k && n >= 4; j++) {
        const at = rng.int(2) === 0 ? rng.int(Math.floor(n / 4)) * 4 : rng.int(n - 3);
        dv.setUint32(at, pick(rng, INTERESTING_U32), rng.int(2) === 0);
      }
      return out;
    }
    case 'splice': {
      if (n === 0) return seed.slice();
      const a = rng.int(n),
        b = Math.min(n, a + 1 + rng.int(2048));
      if (rng.int(2) === 0) {
        // delete [a, b)
        const out = new Uint8Array(n - (b - a));
        out.set(seed.subarray(0, a), 0);
        out.set(seed.subarray(b), a);
        return out;
      }
      // duplicate [a, b) at a random place
      const at = rng.int(n + 1);
      const out = new Uint8Array(Math.min(MAX_INPUT_BYTES, n + (b - a)));
      const full = new Uint8Array(n + (b - a));
      full.set(seed.subarray(0, at), 0);
      full.set(seed.subarray(a, b), at);
      full.set(seed.subarray(at), at + (b - a));
      out.set(full.subarray(0, out.length));
      return out;
    }
    case 'absurd':
      return absurd ? absurd(rng, seed) : mutate(rng, seed, 'ints');
  }
}
