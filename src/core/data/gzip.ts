/**
 * gzip / zlib decompression over the web-standard `DecompressionStream` (browsers, workers and Node ≥ 18),
 * so the same code runs in the page's worker and in Node. Errors become LabErrors naming the file.
 */
import { LabError } from '../types';

export type ByteSource = Uint8Array | ReadableStream<Uint8Array>;

/**
 * Caps on decompression, so a small hostile file cannot inflate into gigabytes ("zip bomb"). Output may never
 * exceed `maxBytes`, nor `max(ratioFloor, maxRatio × compressed bytes read so far)`.
 */
export interface InflateLimits {
  maxBytes: number;
  maxRatio: number;
  ratioFloor: number;
}

/** Defaults: real archives are far below them (CIFAR-10: 170 MB → 184 MB; SVHN .mat: ratio ≈ 1.3). */
export const INFLATE_LIMITS: InflateLimits = { maxBytes: 1 << 30, maxRatio: 50, ratioFloor: 4 << 20 };

const mib = (n: number) => `${(n / (1 << 20)).toFixed(n < 1 << 20 ? 2 : 0)} MiB`;

/** Checks the running totals of a decompression against `InflateLimits`; throws a LabError naming `file`. */
export class InflateGuard {
  readonly limits: InflateLimits;
  constructor(
    readonly file: string,
    limits: Partial<InflateLimits> = {},
  ) {
    this.limits = { ...INFLATE_LIMITS, ...limits };
  }

  check(outBytes: number, inBytes: number): void {
    const { maxBytes, maxRatio, ratioFloor } = this.limits;
    if (outBytes > maxBytes) {
      throw new LabError(
        `decompressed data exceeds the limit of ${mib(maxBytes)} (not a genuine dataset file?)`,
        this.file,
      );
    }
    if (outBytes > ratioFloor && outBytes > maxRatio * inBytes) {
      throw new LabError(
        `decompression bomb: ${inBytes} compressed bytes inflate to more than ${outBytes} bytes ` +
          `(over ${maxRatio}× the input; genuine dataset files compress far less)`,
        this.file,
      );
    }
  }
}

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function toStream(src: ByteSource, count: (n: number) => void): ReadableStream<Uint8Array> {
  if (src instanceof Uint8Array) {
    // Feed in 1 MiB slices so consumers see a real stream (and memory stays flat).
    let off = 0;
    const CH = 1 << 20;
    return new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (off >= src.length) {
          ctrl.close();
          return;
        }
        const end = Math.min(src.length, off + CH);
        count(end - off);
        ctrl.enqueue(src.subarray(off, end));
        off = end;
      },
    });
  }
  const reader = src.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const r = await reader.read();
      if (r.done) {
        ctrl.close();
        return;
      }
      count(r.value.length);
      ctrl.enqueue(r.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Decompress `src` (format 'gzip' or zlib 'deflate'), calling `onChunk` for every decompressed chunk in order.
 * A truncated or corrupt input, or output beyond `limits` (see `InflateLimits`), throws a LabError naming `file`;
 * so does an error thrown by `onChunk` that is not already a LabError. Decompression stops at the first error.
 */
export async function inflateChunks(
  src: ByteSource,
  format: 'gzip' | 'deflate',
  file: string,
  onChunk: (chunk: Uint8Array) => void,
  limits: Partial<InflateLimits> = {},
): Promise<number> {
  let total = 0;
  let consumed = 0;
  const guard = new InflateGuard(file, limits);
  let stream: ReadableStream<Uint8Array>;
  try {
    const inflate = new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>;
    stream = toStream(src, (n) => {
      consumed += n;
    }).pipeThrough(inflate);
  } catch (e) {
    throw new LabError(`cannot start ${format} decompression (${(e as Error).message})`, file);
  }
  const reader = stream.getReader();
  for (;;) {
    let res: ReadableStreamReadResult<Uint8Array>;
    try {
      res = await reader.read();
    } catch (e) {
      const msg = (e as Error | undefined)?.message || String(e);
      const code = (e as { code?: string } | undefined)?.code ?? '';
      const truncated = /unexpected end|end of file|truncat|Z_BUF_ERROR/i.test(msg + code);
      throw new LabError(
        truncated
          ? `truncated ${format === 'gzip' ? 'gzip archive' : 'compressed data'} (the file ends early: ${msg})`
          : `corrupt ${format === 'gzip' ? 'gzip archive' : 'compressed data'} (${msg})`,
        file,
      );
    }
    if (res.done) break;
    total += res.value.length;
    try {
      guard.check(total, consumed);
      onChunk(res.value);
    } catch (e) {
      reader.cancel().catch(() => {});
      if (e instanceof LabError) throw e;
      throw new LabError(`cannot read the decompressed data (${(e as Error)?.message ?? String(e)})`, file);
    }
  }
  return total;
}

/** Decompress everything into one Uint8Array (within `limits`). */
export async function inflateAll(
  src: ByteSource,
  format: 'gzip' | 'deflate',
  file: string,
  limits: Partial<InflateLimits> = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const total = await inflateChunks(src, format, file, (c) => chunks.push(c), limits);
  return concatBytes(chunks, total);
}

export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? chunks.reduce((s, c) => s + c.length, 0);
  if (chunks.length === 1 && chunks[0].length === n) return chunks[0];
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
