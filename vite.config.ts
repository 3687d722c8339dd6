/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { copyPublic, labServiceWorker } from './src/sw/plugin';

/**
 * Static-host build (docs/hosting.md "Hosting"): `npm run build` writes dist/, which any static file server can host.
 * - `BASE_PATH`: where the page lives on the host; default './' (relative URLs: works at any path, e.g. a GitHub
 *   Pages project site `https://user.github.io/repo/`). Set an absolute path like '/repo/' only if you need one.
 * - `LAB_DATASETS=0`: leave public/datasets (the CIFAR-10/SVHN shards of `npm run datasets`, ~180 MB) out of dist/;
 *   the page then offers the synthetic dataset and the drop-in.
 *
 * No COOP/COEP headers: the page needs no cross-origin isolation (WASM runs single-threaded, see
 * src/worker/backend.ts; data-parallel workers exchange transferable buffers, not SharedArrayBuffer), and static
 * hosts such as GitHub Pages cannot set them, so dev and preview serve the page exactly as those hosts do.
 */
const base = process.env.BASE_PATH || './';
const datasets = process.env.LAB_DATASETS !== '0';

export default defineConfig({
  plugins: [react(), copyPublic({ datasets }), labServiceWorker()],
  base,
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, copyPublicDir: false },
  test: {
    include: ['src/**/*.test.ts', 'datasets/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
