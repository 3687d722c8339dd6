/**
 * `npm run datasets -- [--dataset cifar10|svhn] [--archive PATH] [--out public/datasets]`
 *
 * CIFAR-10: reads the official binary archive (`--archive PATH`, env CIFAR10_ARCHIVE, or downloaded from the official
 * site and MD5-checked), streams gunzip (Node zlib) + untar (the core's streaming tar reader, the same code the
 * browser uses for dropped files), validates it and writes shards + manifest.json to `<out>/cifar10/` atomically.
 * SVHN: `--dataset svhn [--train train_32x32.mat --test test_32x32.mat] [--seed N]`; training capped at 4,500 per
 * class by a seeded random subset (docs/paper-notes.md §1.1), recorded in the manifest.
 */
import { createReadStream, realpathSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CliExit, defineCli, parseCli } from '../src/cli/options';
import { readRegularFile } from '../src/cli/regular-file';
import {
  CIFAR10_EXPECT,
  CIFAR10_INFLATE,
  CIFAR10_MD5,
  CIFAR10_URL,
  Cifar10TarCollector,
  inflateChunks,
  LabError,
  SVHN_MD5,
  SVHN_TRAIN_CAP,
  SVHN_URLS,
  buildShards,
  svhnFromMat,
  type CifarExpect,
  type DatasetManifest,
  type ImageSplit,
} from '../src/core';
import { atomicDir, download, fileSize, md5 } from './io';

export const DEFAULT_OUT = 'public/datasets';
/** where downloads are kept (outside public/, so the Vite build does not copy archives) */
export const DOWNLOAD_DIR = '.cache/datasets';

export type Log = (line: string) => void;

export interface PrepareResult {
  dir: string;
  manifest: DatasetManifest;
  seconds: number;
  warnings: string[];
}

export interface PrepareCifarOptions {
  /** local archive; when absent the official archive is downloaded (and MD5-checked) */
  archive?: string;
  out?: string;
  log?: Log;
  /** count checks; `null` for small test archives */
  expect?: CifarExpect | null;
  shardImages?: number;
  /** overrides for tests */
  url?: string;
  downloadDir?: string;
}

const quiet: Log = () => {};

/** Largest input file read whole into memory (SVHN's train_32x32.mat is 182 MB). */
export const MAX_INPUT_FILE_BYTES = 1 << 30;

/** A path that must name a readable regular file: otherwise a LabError saying what it is, with the path. */
export async function checkInputFile(path: string, what: string, maxBytes = Infinity): Promise<number> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${what} not found` : `cannot read the ${what} (${code ?? (e as Error).message})`;
    throw new LabError(why, path);
  }
  if (st.isDirectory()) {
    throw new LabError(`is a directory, not the ${what} file; give the path of the file itself`, path);
  }
  if (!st.isFile()) throw new LabError(`is not a regular file; expected the ${what}`, path);
  if (st.size > maxBytes) throw new LabError(`${st.size} bytes is far larger than any genuine ${what}`, path);
  return st.size;
}

/** Any error from reading `path` as a LabError that keeps its cause and names the file. */
function asLabError(e: unknown, path: string): LabError {
  if (e instanceof LabError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(err?.message ?? '')) {
    return new LabError('truncated archive: the gzip stream ends early (incomplete download or copy?)', path);
  }
  if (err?.code === 'Z_DATA_ERROR') return new LabError(`corrupt gzip data (${err.message})`, path);
  const msg = String(err?.message ?? e);
  return new LabError(err?.code && !msg.includes(err.code) ? `${msg} (${err.code})` : msg, path);
}

/** Stream a (gzip) tar archive through the core CIFAR-10 collector, computing its MD5 on the way. */
async function readCifarArchive(path: string, expect: CifarExpect | null) {
  const file = basename(path);
  const size = await checkInputFile(path, 'archive');
  // peek at the magic number to choose gunzip or plain tar
  const head = Buffer.alloc(2);
  const fd = await open(path, 'r');
  try {
    await fd.read(head, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const col = new Cifar10TarCollector(path, { expect, totalBytes: gz ? undefined : size });
  const hash = createHash('md5');
  const file$ = () =>
    Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
  const push = (c: Uint8Array) => col.push(c);
  try {
    if (gz) {
      // the core's gunzip (DecompressionStream), the same code as the page's drop-in: Node's zlib stream aborted
      // the pipeline on a valid archive with trailing zero padding ("The operation was aborted", issue 19 item 4);
      // its caps (CIFAR10_INFLATE) apply to the whole archive
      const tapped = file$().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctl) {
            hash.update(chunk);
            ctl.enqueue(chunk);
          },
        }),
      );
      await inflateChunks(tapped, 'gzip', path, push, CIFAR10_INFLATE);
    } else {
      for await (const c of file$() as unknown as AsyncIterable<Uint8Array>) {
        hash.update(c);
        push(c);
      }
    }
  } catch (e) {
    throw asLabError(e, path);
  }
  let ds;
  try {
    ds = col.finish(expect);
  } catch (e) {
    throw asLabError(e, path);
  }
  return { ds, md5: hash.digest('hex'), file };
}

/** Prepare CIFAR-10 into `<out>/cifar10/`. */
export async function prepareCifar10(opts: PrepareCifarOptions = {}): Promise<PrepareResult> {
  const t0 = performance.now();
  const log = opts.log ?? quiet;
  const out = resolve(opts.out ?? DEFAULT_OUT);
  const warnings: string[] = [];
  let archive = opts.archive;
  let downloaded = false;
  if (!archive) {
    const dest = join(resolve(opts.downloadDir ?? DOWNLOAD_DIR), 'cifar-10-binary.tar.gz');
    await download(
      opts.url ?? CIFAR10_URL,
      dest,
      opts.url ? null : CIFAR10_MD5,
      log,
      'give a local cifar-10-binary.tar.gz with --archive PATH or env CIFAR10_ARCHIVE',
    );
    archive = dest;
    downloaded = true;
  }
  archive = resolve(archive);
  log(`reading ${archive} …`);
  const { ds, md5: sum } = await readCifarArchive(archive, opts.expect === undefined ? CIFAR10_EXPECT : opts.expect);
  const matches = sum === CIFAR10_MD5;
  if (!matches && !downloaded) {
    const w = `warning: ${archive}: MD5 ${sum} differs from the official archive's ${CIFAR10_MD5}; its structure is valid, so it is used (the offline copy here is a rebuild)`;
    warnings.push(w);
    log(w);
  }
  const bytes = await fileSize(archive);
  const manifest = await writeDataset(
    out,
    'cifar10',
    ds,
    {
      archive: basename(archive),
      bytes,
      md5: sum,
      md5Official: CIFAR10_MD5,
      md5Matches: matches,
    },
    { shardImages: opts.shardImages },
  );
  const seconds = (performance.now() - t0) / 1000;
  log(
    `wrote ${join(out, 'cifar10')}: ${manifest.splits.train.count} train + ${manifest.splits.test.count} test images in ${seconds.toFixed(1)} s`,
  );
  return { dir: join(out, 'cifar10'), manifest, seconds, warnings };
}

async function writeDataset(
  out: string,
  id: 'cifar10' | 'svhn',
  ds: Parameters<typeof buildShards>[0],
  source: DatasetManifest['source'],
  opts: { shardImages?: number; subset?: DatasetManifest['subset'] },
): Promise<DatasetManifest> {
  const where = join(out, id);
  let w;
  try {
    w = await atomicDir(out, id);
  } catch (e) {
    throw new LabError(`cannot write the prepared dataset here (${asLabError(e, out).message})`, where);
  }
  try {
    const { manifest } = await buildShards(ds, source, { ...opts, onShard: (f, b) => w.write(f, b) });
    await w.write('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
    await w.commit();
    return manifest;
  } catch (e) {
    await w.abort().catch(() => {});
    if (e instanceof LabError) throw e;
    throw new LabError(`cannot write the prepared dataset (${asLabError(e, where).message})`, where);
  }
}

export interface PrepareSvhnOptions {
  train?: string;
  test?: string;
  out?: string;
  seed?: number | string;
  trainCapPerClass?: number;
  log?: Log;
  shardImages?: number;
  downloadDir?: string;
}

/** Prepare SVHN into `<out>/svhn/`. Without --train/--test the official files are downloaded. */
export async function prepareSvhn(opts: PrepareSvhnOptions = {}): Promise<PrepareResult> {
  const t0 = performance.now();
  const log = opts.log ?? quiet;
  const out = resolve(opts.out ?? DEFAULT_OUT);
  const warnings: string[] = [];
  const paths: Record<'train' | 'test', string> = { train: opts.train ?? '', test: opts.test ?? '' };
  if (!!opts.train !== !!opts.test)
    throw new LabError('give both --train and --test .mat files (or neither, to download them)', 'svhn');
  for (const k of ['train', 'test'] as const) {
    if (!paths[k]) {
      const dest = join(resolve(opts.downloadDir ?? DOWNLOAD_DIR), `${k}_32x32.mat`);
      await download(SVHN_URLS[k], dest, SVHN_MD5[k], log, 'give local copies with --train PATH --test PATH');
      paths[k] = dest;
    }
    paths[k] = resolve(paths[k]);
    await checkInputFile(paths[k], `SVHN ${k} .mat file`, MAX_INPUT_FILE_BYTES);
  }
  log(`reading ${paths.train} and ${paths.test} …`);
  const read = async (p: string) => {
    try {
      return new Uint8Array(await readRegularFile(p, MAX_INPUT_FILE_BYTES));
    } catch (e) {
      throw asLabError(e, p);
    }
  };
  const trainBytes = await read(paths.train);
  const testBytes = await read(paths.test);
  const files = (['train', 'test'] as const).map((k) => {
    const b = k === 'train' ? trainBytes : testBytes;
    const sum = md5(b);
    const ok = sum === SVHN_MD5[k];
    if (!ok) {
      const w = `warning: ${paths[k]}: MD5 ${sum} differs from the official ${k}_32x32.mat's ${SVHN_MD5[k]}; its structure is valid, so it is used`;
      warnings.push(w);
    }
    return { name: basename(paths[k]), bytes: b.length, md5: sum, md5Official: SVHN_MD5[k], md5Matches: ok };
  });
  const { dataset, subset } = await svhnFromMat(trainBytes, testBytes, {
    trainFile: paths.train,
    testFile: paths.test,
    seed: opts.seed ?? 0,
    trainCapPerClass: opts.trainCapPerClass ?? SVHN_TRAIN_CAP,
  });
  for (const w of warnings) log(w);
  const manifest = await writeDataset(
    out,
    'svhn',
    dataset,
    {
      archive: `${files[0].name} + ${files[1].name}`,
      md5: `${files[0].md5} ${files[1].md5}`,
      files,
    },
    { shardImages: opts.shardImages, subset: subset ?? undefined },
  );
  const seconds = (performance.now() - t0) / 1000;
  log(
    `wrote ${join(out, 'svhn')}: ${manifest.splits.train.count} train + ${manifest.splits.test.count} test images in ${seconds.toFixed(1)} s`,
  );
  return { dir: join(out, 'svhn'), manifest, seconds, warnings };
}

export const DATASETS_CLI = defineCli({
  name: 'datasets',
  summary: "Prepare CIFAR-10 or SVHN as the lab's shard files, or pack a subset of an already prepared dataset.",
  options: {
    dataset: { type: 'string', arg: 'cifar10|svhn', default: 'cifar10', help: 'which dataset' },
    archive: { type: 'string', arg: 'PATH', help: `cifar-10-binary.tar.gz (or env CIFAR10_ARCHIVE; else downloaded)` },
    out: { type: 'string', arg: 'DIR', default: DEFAULT_OUT, help: 'where <dataset>/ is written' },
    train: { type: 'string', arg: 'PATH', help: 'svhn: train_32x32.mat (else downloaded)' },
    test: { type: 'string', arg: 'PATH', help: 'svhn: test_32x32.mat (else downloaded)' },
    seed: { type: 'string', arg: 'N', help: 'svhn: seed of the train subsample' },
    subset: { type: 'string', arg: 'N', help: 'pack the first N train images per class of --from into --out' },
    'subset-test': { type: 'string', arg: 'M', help: 'with --subset: test images per class (default max(100, N/5))' },
    from: { type: 'string', arg: 'DIR', default: DEFAULT_OUT, help: 'with --subset: the prepared datasets to read' },
  },
  notes: [`CIFAR-10 is downloaded from ${CIFAR10_URL} when no archive is given.`],
});

export interface PrepareSubsetOptions {
  id: 'cifar10' | 'svhn';
  /** folder holding the prepared `<id>/` */
  from: string;
  out: string;
  /** images per class kept: the first ones of each class, in file order */
  train: number;
  test: number;
  log?: Log;
}

/** The first `train` / `test` images per class of a prepared dataset as a new (small) shard set. */
export async function prepareSubset(o: PrepareSubsetOptions): Promise<PrepareResult> {
  const t0 = performance.now();
  const log = o.log ?? quiet;
  const { loadDatasetNode } = await import('../src/cli/dataset-node');
  const full = await loadDatasetNode(o.id, { dir: o.from });
  const pick = (split: ImageSplit, per: number): ImageSplit => {
    const counts = new Array<number>(full.classes.length).fill(0);
    const keep: number[] = [];
    for (let i = 0; i < split.n; i++) if (counts[split.labels[i]]++ < per) keep.push(i);
    const px = full.height * full.width * full.channels;
    const images = new Uint8Array(keep.length * px),
      labels = new Uint8Array(keep.length);
    keep.forEach((src, j) => {
      images.set(split.images.subarray(src * px, (src + 1) * px), j * px);
      labels[j] = split.labels[src];
    });
    return { images, labels, n: keep.length };
  };
  const ds = { ...full, train: pick(full.train, o.train), test: pick(full.test, o.test) };
  const m = await readManifestSource(o.id, o.from);
  const perClassOf = (s: ImageSplit) =>
    Array.from({ length: full.classes.length }, (_, c) => s.labels.filter((l) => l === c).length);
  const manifest = await writeDataset(resolve(o.out), o.id, ds, m, {
    subset: {
      perClassCap: o.train,
      seed: 'first images of each class',
      sourceCount: full.train.n,
      sourcePerClass: perClassOf(full.train),
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  log(
    `wrote ${join(resolve(o.out), o.id)}: ${manifest.splits.train.count} train + ${manifest.splits.test.count} test images ` +
      `(first ${o.train} / ${o.test} per class of ${o.from}) in ${seconds.toFixed(1)} s`,
  );
  return { dir: join(resolve(o.out), o.id), manifest, seconds, warnings: [] };
}

async function readManifestSource(id: 'cifar10' | 'svhn', from: string): Promise<DatasetManifest['source']> {
  const { readManifestNode } = await import('../src/cli/dataset-node');
  return (await readManifestNode(id, from)).source;
}

/** CLI entry; returns the exit code. Errors are printed as one line. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseCli(DATASETS_CLI, argv);
  } catch (e) {
    if (e instanceof CliExit) return e.code;
    throw e;
  }
  const log: Log = (s) => console.log(s);
  try {
    if (values.subset !== undefined) {
      const n = Number(values.subset);
      const m = values['subset-test'] !== undefined ? Number(values['subset-test']) : Math.max(100, Math.round(n / 5));
      for (const [k, v] of [
        ['--subset', n],
        ['--subset-test', m],
      ] as const) {
        if (!Number.isInteger(v) || v < 1) throw new LabError(`expected a positive integer, got "${String(v)}"`, k);
      }
      if (resolve(values.out as string) === resolve(values.from as string)) {
        throw new LabError('--out must differ from --from (the subset would replace the full dataset)', '--subset');
      }
      await prepareSubset({
        id: values.dataset as 'cifar10' | 'svhn',
        from: values.from as string,
        out: values.out as string,
        train: n,
        test: m,
        log,
      });
      return 0;
    }
    if (values.dataset === 'cifar10') {
      await prepareCifar10({
        archive: (values.archive as string | undefined) ?? (env.CIFAR10_ARCHIVE || undefined),
        out: values.out as string,
        log,
      });
    } else if (values.dataset === 'svhn') {
      await prepareSvhn({
        train: values.train as string | undefined,
        test: values.test as string | undefined,
        out: values.out as string,
        seed: values.seed as string | undefined,
        log,
      });
    } else {
      console.error(`error: unknown --dataset ${values.dataset} (use cifar10 or svhn)`);
      return 2;
    }
    return 0;
  } catch (e) {
    const msg = (e as Error | undefined)?.message ?? String(e);
    console.error(`error: ${msg.replace(/\s*\n\s*/g, ' ')}`);
    return 1;
  }
}

function isMain(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
