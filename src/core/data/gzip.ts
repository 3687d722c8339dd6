/**
 * gzip / zlib decompression over the web-standard `DecompressionStream` (browsers, workers and Node ≥ 18),
 * so the same code runs in the page's worker and in Node. Errors become LabErrors naming the file.
 */
import { LabError } from '../types';

export type ByteSource = Uint8Array | ReadableStream<Uint8Array>;

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function toStream(src: ByteSource): ReadableStream<Uint8Array> {
  if (src instanceof Uint8Array) {
    // Feed in 1 MiB slices so consumers see a real stream (and memory stays flat).
    let off = 0;
    const CH = 1 << 20;
    return new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (off >= src.length) { ctrl.close(); return; }
        const end = Math.min(src.length, off + CH);
        ctrl.enqueue(src.subarray(off, end));
        off = end;
      },
    });
  }
  return src;
}

/**
 * Decompress `src` (format 'gzip' or zlib 'deflate'), calling `onChunk` for every decompressed chunk in order.
 * A truncated or corrupt input throws a LabError naming `file`.
 */
export async function inflateChunks(
  src: ByteSource,
  format: 'gzip' | 'deflate',
  file: string,
  onChunk: (chunk: Uint8Array) => void,
): Promise<number> {
  let total = 0;
  let stream: ReadableStream<Uint8Array>;
  try {
    stream = toStream(src).pipeThrough(new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>);
  } catch (e) {
    throw new LabError(`cannot start ${format} decompression (${(e as Error).message})`, file);
  }
  const reader = stream.getReader();
  for (;;) {
    let res: ReadableStreamReadResult<Uint8Array>;
    try {
      res = await reader.read();
    } catch (e) {
      const msg = (e as Error).message || String(e);
      const truncated = /unexpected end|end of file|truncat|Z_BUF_ERROR/i.test(msg + ((e as { code?: string }).code ?? ''));
      throw new LabError(
        truncated
          ? `truncated ${format === 'gzip' ? 'gzip archive' : 'compressed data'} (the file ends early: ${msg})`
          : `corrupt ${format === 'gzip' ? 'gzip archive' : 'compressed data'} (${msg})`,
        file,
      );
    }
    if (res.done) break;
    total += res.value.length;
    onChunk(res.value);
  }
  return total;
}

/** Decompress everything into one Uint8Array. */
export async function inflateAll(src: ByteSource, format: 'gzip' | 'deflate', file: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const total = await inflateChunks(src, format, file, (c) => chunks.push(c));
  return concatBytes(chunks, total);
}

export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  const n = total ?? chunks.reduce((s, c) => s + c.length, 0);
  if (chunks.length === 1 && chunks[0].length === n) return chunks[0];
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}
