/**
 * `npm run gpu-bundle [-- --subset 1000] [--subset-test 200] [--from public/datasets] [--out gpu-bundle]
 *   [--platform linux-x64]`
 *
 * Everything `gpu-check` needs on a GPU machine that has only Node ≥ 20 (no network, no npm install), in a few
 * tens of MiB: the gpu-check CLI bundled into one file (tfjs, the WebGPU backend, the lab's core), dawn.node for
 * one platform (from the npm package `webgpu`), and a CIFAR-10 subset (the first N train / M test images per class
 * of the prepared dataset). On the GPU machine: `node gpu-bundle/gpu-check.mjs` (writes results/gpu/ in the
 * current folder). The host still needs its GPU driver's Vulkan support and the loader libvulkan.so.1 (Linux).
 */
import { defineCli, parseCli, runCli } from './options';
import { runDatasetsCommand } from './datasets-command';
import { copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

async function du(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let n = 0;
  for (const e of await readdir(path)) n += await du(join(path, e));
  return n;
}

const HOST_PLATFORM = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;

export const GPU_BUNDLE_CLI = defineCli({
  name: 'gpu-bundle',
  summary: 'Pack gpu-check (one bundled file), dawn.node for one platform and a CIFAR-10 subset for a GPU machine.',
  options: {
    subset: { type: 'string', arg: 'N', default: '1000', help: 'train images per class in the data subset (0: none)' },
    'subset-test': { type: 'string', arg: 'M', default: '200', help: 'test images per class in the data subset' },
    from: { type: 'string', arg: 'DIR', default: 'public/datasets', help: 'the prepared datasets to take it from' },
    out: { type: 'string', arg: 'DIR', default: 'gpu-bundle', help: 'the bundle folder (replaced)' },
    platform: { type: 'string', arg: 'OS-ARCH', default: HOST_PLATFORM, help: 'dawn.node platform' },
  },
});

async function main(): Promise<void> {
  const values = parseCli(GPU_BUNDLE_CLI);
  const out = resolve(values.out!);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  // 1. the CLI as one ES module; `webgpu` stays external (a native addon), found in out/node_modules
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [resolve('src/cli/gpu-check.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(out, 'gpu-check.mjs'),
    external: ['webgpu'],
    logLevel: 'warning',
    legalComments: 'none',
    banner: {
      js: "import { createRequire as __lab_cr } from 'node:module'; const require = __lab_cr(import.meta.url);",
    },
  });

  // 2. dawn.node for one platform plus the package's loader
  const req = createRequire(import.meta.url);
  const pkgDir = dirname(req.resolve('webgpu/package.json'));
  const dawn = join(pkgDir, 'dist', values.platform!, 'dawn.node');
  if (!existsSync(dawn)) {
    throw new Error(`--platform: no ${dawn} (the package ships ${(await readdir(join(pkgDir, 'dist'))).join(', ')})`);
  }
  const wdir = join(out, 'node_modules', 'webgpu');
  await mkdir(join(wdir, 'dist', values.platform!), { recursive: true });
  for (const f of ['index.js', 'package.json', 'LICENSE.md']) {
    if (existsSync(join(pkgDir, f))) await copyFile(join(pkgDir, f), join(wdir, f));
  }
  await copyFile(dawn, join(wdir, 'dist', values.platform!, 'dawn.node'));
  for (const f of await readdir(join(pkgDir, 'dist', values.platform!))) {
    const from = join(pkgDir, 'dist', values.platform!, f);
    if (f !== 'dawn.node') await copyFile(from, join(wdir, 'dist', values.platform!, f));
  }

  // 3. the CIFAR-10 subset
  const n = Number(values.subset),
    m = Number(values['subset-test']);
  if (n > 0) {
    const data = join(out, 'gpu-data');
    const args = ['--dataset', 'cifar10', '--subset', String(n), '--subset-test', String(m)];
    const code = await runDatasetsCommand([...args, '--from', values.from!, '--out', data]);
    if (code !== 0) throw new Error(`the CIFAR-10 subset could not be written (npm run datasets exited with ${code})`);
  }
  await writeFile(
    join(out, 'README.txt'),
    [
      'Unlearning Lab GPU check (made by `npm run gpu-bundle`).',
      'Needs: Node >= 20, a GPU driver with Vulkan support and the Vulkan loader libvulkan.so.1 (Linux).',
      'Run from the folder that should receive results/gpu/:',
      `  node ${values.out}/gpu-check.mjs --data ${values.out}/gpu-data [--minutes 10]`,
      '',
    ].join('\n'),
  );
  const mib = (await du(out)) / 2 ** 20;
  console.log(
    `wrote ${out} (${mib.toFixed(1)} MiB): gpu-check.mjs, node_modules/webgpu (${values.platform}), ` +
      `${n > 0 ? `gpu-data/cifar10 (${n}/${m} per class)` : 'no data'}; copy it (e.g. tar czf) to the GPU machine`,
  );
}

runCli('gpu-bundle', main);
