import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { precacheList, renderServiceWorker } from './plugin';

describe('service worker build', () => {
  it('precaches the app and dataset manifests, not shards, the screenshot or itself', () => {
    const files = [
      'index.html',
      'assets/index-abc.js',
      'assets/lab.worker-def.js',
      'assets/tfjs-backend-wasm-simd-1.wasm',
      'favicon.svg',
      'screenshot.png',
      'sw.js',
      'datasets/cifar10/manifest.json',
      'datasets/cifar10/train-000.bin',
      'datasets/cifar10/notes.txt',
    ];
    expect(precacheList(files)).toEqual([
      'assets/index-abc.js',
      'assets/lab.worker-def.js',
      'assets/tfjs-backend-wasm-simd-1.wasm',
      'datasets/cifar10/manifest.json',
      'favicon.svg',
      'index.html',
    ]);
  });

  it('fills in the template and rejects a template without placeholders', () => {
    const template = readFileSync(new URL('./service-worker.js', import.meta.url), 'utf8');
    const sw = renderServiceWorker(template, 'v1', ['index.html', 'a.wasm']);
    expect(sw).toContain(`const VERSION = "v1";`);
    expect(sw).toContain(`const PRECACHE = ["index.html","a.wasm"];`);
    expect(() => renderServiceWorker('no placeholders', 'v1', [])).toThrow(/placeholders missing/);
  });
});
