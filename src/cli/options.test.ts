/**
 * CLI conventions (issue 14 item 5): `--help` on every command, from its one option table; a bad flag gives one line
 * and exit 2, never a stack trace. The commands are run as the npm scripts run them (tsx), not imported.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineCli, helpText, parseCli, CliExit, usageErrorLine } from './options';
import { eventWriter, progressFraction, progressOut } from './progress';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const COMMANDS = [
  ...['start', 'datasets', 'experiment', 'bench', 'profile', 'reproduce', 'tradeoff'],
  ...['gpu-check', 'gpu-bundle', 'ship-model'],
];

function run(name: string, args: string[]) {
  const file = scripts[name].replace(/^tsx /, '');
  return spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('every command', () => {
  it('is a tsx script of package.json', () => {
    for (const c of COMMANDS) expect(scripts[c]).toMatch(/^tsx \S+\.ts$/);
  });
  for (const c of COMMANDS) {
    it(`${c}: --help prints its options; a bad flag is one line, exit 2`, () => {
      const help = run(c, ['--help']);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: npm (start|run ${c}) --`));
      expect(help.stdout).toContain('-h, --help');
      const bad = run(c, ['--no-such-flag']);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim()).toBe('error: unknown option --no-such-flag (see --help)');
      expect(bad.stdout).toBe('');
    }, 240_000);
  }
});

describe('option tables', () => {
  const CLI = defineCli({
    name: 'demo',
    summary: 'A demo.',
    options: {
      n: { type: 'string', arg: 'N', default: '3', help: 'how many' },
      flag: { type: 'boolean', help: 'a switch' },
    },
  });
  it('give the help text and the parsed values from one table', () => {
    const text = helpText(CLI);
    expect(text).toContain('usage: npm run demo -- [options]');
    expect(text).toMatch(/--n N\s+how many \(default 3\)/);
    expect(text).toMatch(/--flag\s+a switch\n/);
    expect(parseCli(CLI, ['--flag'])).toMatchObject({ n: '3', flag: true });
    expect(parseCli(CLI, ['--n', '7']).n).toBe('7');
  });
  it('turn parseArgs errors into one line', () => {
    expect(() => parseCli(CLI, ['--n'])).toThrow(CliExit);
    const err = (argv: string[]) => {
      try {
        parseCli(CLI, argv);
      } catch (e) {
        return e;
      }
    };
    expect(
      usageErrorLine(
        Object.assign(new TypeError("Option '--n <value>' argument missing"), {
          code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
        }),
      ),
    ).toBe('error: option --n needs a value (see --help)');
    expect((err(['x']) as CliExit).code).toBe(2);
    expect((err(['--help']) as CliExit).code).toBe(0);
  });
  it('list the values an option takes and refuse any other', () => {
    const C = defineCli({
      name: 'demo',
      summary: 'A demo.',
      options: { preset: { type: 'string', arg: 'NAME', choices: ['smoke', 'quick'], help: 'the preset' } },
    });
    expect(helpText(C)).toMatch(/--preset NAME\s+the preset; one of: smoke, quick/);
    expect(parseCli(C, ['--preset', 'quick']).preset).toBe('quick');
    let code = -1;
    try {
      parseCli(C, ['--preset', 'nope']);
    } catch (e) {
      code = (e as CliExit).code;
    }
    expect(code).toBe(2);
  });
});

describe('progress output', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: {
        isTTY,
        columns: 80,
        write: (s: string) => {
          chunks.push(s);
          return true;
        },
      },
    };
  };
  it('draws a bar in place on a terminal and plain throttled lines elsewhere', () => {
    let t = 0;
    const tty = sink(true),
      plain = sink(false);
    const a = progressOut(tty.stream, () => t),
      b = progressOut(plain.stream, () => t);
    a.bar(0.5, 'pretrain epoch 1/2');
    b.bar(0.5, 'pretrain epoch 1/2');
    t += 50;
    b.bar(0.6, 'skipped: within 2 s');
    a.line('done');
    expect(tty.chunks[0]).toBe(`\r\x1b[K[${'█'.repeat(10)}${'░'.repeat(10)}]  50% pretrain epoch 1/2`);
    expect(tty.chunks.slice(1)).toEqual(['\r\x1b[K', 'done\n']);
    expect(plain.chunks).toEqual(['  pretrain epoch 1/2\n']);
    expect(progressFraction({ epoch: 2, epochs: 4, step: 5, steps: 10 })).toBeCloseTo(0.375);
  });
  it('--events writes one JSON object per line, with its context, and skips image views', () => {
    const lines: string[] = [];
    const emit = eventWriter(
      {
        write: (s: string) => {
          lines.push(s);
          return true;
        },
      },
      () => 1000,
    );
    emit({ kind: 'log', level: 'info', message: 'hi' }, { cell: 'c1' });
    emit({ kind: 'prototypes', iter: 0, items: [] });
    emit({ kind: 'written', files: ['a', new Uint8Array([1, 2])] });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { t: 0, cell: 'c1', kind: 'log', level: 'info', message: 'hi' },
      { t: 0, kind: 'written', files: ['a', [1, 2]] },
    ]);
  });
});
