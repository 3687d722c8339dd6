/**
 * `npm start`: make sure CIFAR-10 is prepared when an archive is available, build the app, serve it.
 *   npm start [-- --archive PATH] [--port N]      (or env CIFAR10_ARCHIVE)
 * Without an archive (and no network needed) the page still works on the built-in synthetic dataset.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { DEFAULT_DATASET_DIR, isPrepared } from './dataset-node';
import { runDatasetsCommand } from './datasets-command';
import { defineCli, parseCli, runCli } from './options';

const SHARED_ARCHIVE = '../shared/datasets/cifar-10-binary.tar.gz';

export const START_CLI = defineCli({
  name: 'start',
  summary: 'Prepare CIFAR-10 when an archive is available, build the app and serve it (synthetic data otherwise).',
  options: {
    archive: { type: 'string', arg: 'PATH', help: 'cifar-10-binary.tar.gz to prepare (or env CIFAR10_ARCHIVE)' },
    port: { type: 'string', arg: 'N', help: "port of the preview server (default: Vite's, 4173)" },
    'skip-build': { type: 'boolean', help: 'serve the existing dist/ without building' },
  },
});

async function main(): Promise<void> {
  const values = parseCli(START_CLI);
  if (values.port !== undefined && !/^\d+$/.test(values.port))
    throw new Error(`--port: expected a number, got "${values.port}"`);
  const out = DEFAULT_DATASET_DIR;
  if (isPrepared('cifar10', out)) {
    console.log(`CIFAR-10: prepared in ${resolve(out, 'cifar10')}`);
  } else {
    const archive =
      values.archive ??
      (process.env.CIFAR10_ARCHIVE || undefined) ??
      (existsSync(SHARED_ARCHIVE) ? SHARED_ARCHIVE : undefined);
    if (archive) {
      // the datasets command prints its own one-line error
      const code = await runDatasetsCommand(['--dataset', 'cifar10', '--archive', archive, '--out', out]);
      if (code !== 0) {
        console.error('CIFAR-10 could not be prepared (see the error above)');
        console.error('continuing: the page falls back to the synthetic dataset');
      }
    } else {
      console.log(
        'CIFAR-10 is not prepared; the page will use the built-in synthetic dataset. To use CIFAR-10, either\n' +
          '  npm start -- --archive PATH/cifar-10-binary.tar.gz   (or CIFAR10_ARCHIVE=PATH npm start), or\n' +
          '  npm run datasets                                      (downloads the official archive), or\n' +
          '  drop cifar-10-binary.tar.gz onto the page.',
      );
    }
  }
  if (!values['skip-build']) {
    console.log('building the app (vite build) …');
    await build({ logLevel: 'warn' });
  }
  const server = await preview({ preview: values.port ? { port: Number(values.port) } : {} });
  const urls = server.resolvedUrls?.local ?? [];
  console.log(`\nUnlearning Lab is running at ${urls[0] ?? 'http://127.0.0.1:4173/'}  (Ctrl+C to stop)`);
}

runCli('start', main);
