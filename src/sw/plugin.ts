/**
 * Build-time helpers for the static-host build (vite.config.ts, docs/hosting.md "Hosting"):
 *
 * - `labServiceWorker()` writes dist/sw.js from src/sw/service-worker.js once the build is on disk, with the list
 *   of files to precache (everything the build wrote except dataset shards and the README's screenshot) and a
 *   version that changes whenever one of those files changes, so a new deploy replaces the old cache.
 * - `copyPublic({ datasets })` copies public/ into the build itself, leaving out public/datasets when the build is
 *   asked to (`LAB_DATASETS=0`), instead of Vite's copy which always takes all of it (~180 MB with CIFAR-10).
 *
 * Node-only (runs inside Vite); never imported by the page or the worker.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export const SW_FILE = 'sw.js';
const TEMPLATE = new URL('./service-worker.js', import.meta.url);

/** Files (paths relative to the build root, '/'-separated) the service worker precaches. */
export function precacheList(files: readonly string[]): string[] {
  return files
    .filter((f) => f !== SW_FILE && f !== 'screenshot.png' && !/^datasets\/[^/]+\/[^/]+\.bin$/.test(f))
    .filter((f) => !f.startsWith('datasets/') || /^datasets\/[^/]+\/manifest\.json$/.test(f))
    .sort();
}

/** The generated worker: the template with its version and precache list filled in. */
export function renderServiceWorker(template: string, version: string, precache: readonly string[]): string {
  const withVersion = template.replace("'__LAB_SW_VERSION__'", JSON.stringify(version));
  const out = withVersion.replace('/* __LAB_SW_PRECACHE__ */ []', JSON.stringify(precache));
  if (out === withVersion || withVersion === template) {
    throw new Error('src/sw/service-worker.js: placeholders missing');
  }
  return out;
}

function walk(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(root, p, out);
    else out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

export function labServiceWorker(): Plugin {
  let outDir = 'dist';
  return {
    name: 'lab-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const precache = precacheList(walk(outDir));
      const hash = createHash('sha256');
      for (const f of precache)
        hash
          .update(f)
          .update('\0')
          .update(readFileSync(join(outDir, f)));
      const version = hash.digest('hex').slice(0, 16);
      const sw = renderServiceWorker(readFileSync(TEMPLATE, 'utf8'), version, precache);
      writeFileSync(join(outDir, SW_FILE), sw);
    },
  };
}

/** Copies public/ into the build (Vite's own copy is switched off), with or without public/datasets. */
export function copyPublic(opts: { datasets: boolean }): Plugin {
  let from = 'public';
  let outDir = 'dist';
  return {
    name: 'lab-copy-public',
    apply: 'build',
    configResolved(config) {
      from = join(config.root, 'public');
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      if (!existsSync(from)) return;
      for (const name of readdirSync(from)) {
        if (name === 'datasets' && !opts.datasets) continue;
        cpSync(join(from, name), join(outDir, name), { recursive: true, dereference: true });
      }
    },
  };
}
