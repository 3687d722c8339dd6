/**
 * Runs the dataset preparation command (`npm run datasets`, datasets/prepare.ts) as a child process, for the CLI
 * commands that need a dataset prepared (`npm start`, `npm run gpu-bundle`). datasets/ is a command of its own
 * that uses the CLI's Node harnesses, so the CLI runs it rather than importing it (eslint.config.js keeps the
 * dependency one way). Output goes to this process's stdout / stderr; the result is the exit code.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PREPARE = fileURLToPath(new URL('../../datasets/prepare.ts', import.meta.url));

export function runDatasetsCommand(args: string[]): Promise<number> {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [tsx, PREPARE, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 + 2 : 1)));
  });
}
