/**
 * Node adapters for the core: a file-backed weights cache and atomic result writing
 * (write to a temp file, then rename, so a crash never leaves a half-written result).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { shippedModels, type ShippedModels, type WeightsCache } from '../core';
import { readRegularFileIfExists } from './regular-file';

/** A cached entry larger than this is not read (ResNet-18's weights are ≈ 45 MB). */
export const MAX_CACHE_ENTRY_BYTES = 512 << 20;

export class FileWeightsCache implements WeightsCache {
  /** `LAB_CACHE_DIR` (default .cache) can point several jobs at one shared folder (reproduce --jobs, Slurm) */
  constructor(readonly dir = resolve(process.env.LAB_CACHE_DIR || '.cache', 'weights')) {}
  private path(key: string): string {
    return join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 32) + '.bin');
  }
  async get(key: string): Promise<Uint8Array | null> {
    try {
      const b = await readRegularFileIfExists(this.path(key), MAX_CACHE_ENTRY_BYTES);
      return b === null ? null : new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch (e) {
      // not a regular file, too large, unreadable: say so and retrain (never hang on a FIFO, never read /dev/zero)
      process.stderr.write(`⚠ weights cache: ${(e as Error).message}; ignored\n`);
      return null;
    }
  }
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await writeAtomic(this.path(key), bytes);
  }
}

/** The folder of shipped original models: `LAB_MODELS`, default public/models (what the static site serves). */
export function shippedModelsDir(): string {
  return resolve(process.env.LAB_MODELS || join('public', 'models'));
}

/** Shipped original models read from `dir` (train/shipped-models.ts); a missing folder simply has none. */
export function fileShippedModels(dir = shippedModelsDir()): ShippedModels {
  const read = async (name: string) => {
    return readRegularFileIfExists(join(dir, name), MAX_CACHE_ENTRY_BYTES);
  };
  return shippedModels({
    where: dir,
    readText: async (name) => (await read(name))?.toString('utf8') ?? null,
    readBytes: async (name) => {
      const b = await read(name);
      return b === null ? null : new Uint8Array(b);
    },
  });
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export function machineInfo(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    platform: os.platform(),
    arch: os.arch(),
    node: process.version,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  };
}

export async function labVersions(): Promise<Record<string, string>> {
  const pkg = JSON.parse(await readFile(resolve('package.json'), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return { lab: pkg.version, tfjs: pkg.dependencies['@tensorflow/tfjs'], node: process.version };
}

/** Human-readable seconds: 75 → "1m15s". */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60)
    return `${m}m${Math.round(s % 60)
      .toString()
      .padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, '0')}m`;
}
