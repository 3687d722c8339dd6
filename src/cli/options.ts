/**
 * One option table per command: each entry's name, type, default and help text give both node:util parseArgs'
 * config and the `--help` text, so the two cannot drift apart. Adding an option is one line in the table.
 *
 *   const CLI = defineCli({ name: 'bench', usage: '[options]', summary: '…', options: {
 *     only: { type: 'string', arg: 'PREFIX', help: 'run only rows whose id starts with PREFIX' },
 *   } });
 *   const values = parseCli(CLI);            // --help prints the help and exits 0
 *
 * A bad flag never gives a stack trace: one line "error: unknown option --x (see --help)" on stderr, exit 2.
 * `runCli` wraps a command's main: errors print as one line `<command>: message` (exit 1), a cancel exits 130.
 */
import { parseArgs } from 'node:util';

export interface CliOption {
  type: 'string' | 'boolean';
  help: string;
  default?: string | boolean;
  short?: string;
  /** the value's placeholder in the help text (default VALUE) */
  arg?: string;
  /** the values it takes (listed in the help; any other is a usage error, exit 2), e.g. the preset names */
  choices?: readonly string[];
}

export interface CliCommand<T extends Record<string, CliOption> = Record<string, CliOption>> {
  /** the npm script, e.g. 'reproduce' (`npm run reproduce -- …`; 'start' → `npm start -- …`) */
  name: string;
  summary: string;
  /** extra paragraphs after the option list (recipes, notes) */
  notes?: string[];
  options: T;
}

type ValueOf<O extends CliOption> = O['type'] extends 'boolean'
  ? boolean | undefined
  : O extends { default: string }
    ? string
    : string | undefined;
export type CliValues<T extends Record<string, CliOption>> = { [K in keyof T]: ValueOf<T[K]> } & { help?: boolean };

/** Thrown by parseCli after it printed the help (code 0) or a bad-flag line (code 2); runCli turns it into the exit code. */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function defineCli<const T extends Record<string, CliOption>>(cmd: CliCommand<T>): CliCommand<T> {
  return cmd;
}

const HELP: CliOption = { type: 'boolean', short: 'h', help: 'print this help and exit' };

export function helpText(cmd: CliCommand): string {
  const run = cmd.name === 'start' ? 'npm start --' : `npm run ${cmd.name} --`;
  const rows = Object.entries({ ...cmd.options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default ${String(o.default)})` : '';
    const choices = o.choices?.length ? `; one of: ${o.choices.join(', ')}` : '';
    return [flag, o.help + def + choices] as const;
  });
  const width = Math.min(30, Math.max(...rows.map(([f]) => f.length)));
  const lines = rows.map(([f, h]) =>
    f.length > width ? `  ${f}\n  ${' '.repeat(width)}  ${h}` : `  ${f.padEnd(width)}  ${h}`,
  );
  return [
    `usage: ${run} [options]`,
    '',
    cmd.summary,
    '',
    'options:',
    ...lines,
    ...(cmd.notes?.length ? ['', ...cmd.notes] : []),
  ].join('\n');
}

/** One line for a parseArgs error: which flag, and where to look. */
export function usageErrorLine(e: unknown): string {
  const msg = (e as Error)?.message ?? String(e);
  const code = (e as { code?: string })?.code;
  const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `error: unknown option ${flag ?? msg} (see --help)`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing/.test(msg)
      ? `error: option ${flag} needs a value (see --help)`
      : `error: option ${flag} takes no value (see --help)`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return `error: unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? msg} (see --help)`;
  }
  return `error: ${msg.split('\n')[0]} (see --help)`;
}

/** Parse argv against the command's table; `--help` prints the help (stdout) and a bad flag one line (stderr). */
export function parseCli<T extends Record<string, CliOption>>(
  cmd: CliCommand<T>,
  argv = process.argv.slice(2),
): CliValues<T> {
  const options = Object.fromEntries(
    Object.entries({ ...cmd.options, help: HELP }).map(([k, o]) => [
      k,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  ) as Parameters<typeof parseArgs>[0] extends infer C ? (C extends { options?: infer O } ? O : never) : never;
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    process.stderr.write(usageErrorLine(e) + '\n');
    throw new CliExit(2);
  }
  if (values.help) {
    process.stdout.write(helpText(cmd as unknown as CliCommand) + '\n');
    throw new CliExit(0);
  }
  for (const [name, o] of Object.entries(cmd.options)) {
    const v = values[name];
    if (o.choices && typeof v === 'string' && !o.choices.includes(v)) {
      process.stderr.write(`error: --${name} ${v}: not one of ${o.choices.join(', ')} (see --help)\n`);
      throw new CliExit(2);
    }
  }
  return values as CliValues<T>;
}

/**
 * Run a command's main: its returned number (or 0) is the exit code; CliExit keeps its code; an error whose name is
 * CancelledError exits 130; any other error prints one line `<name>: message` (stack only with LAB_DEBUG=1), exit 1.
 */
export function runCli(name: string, main: () => Promise<number | void>, opts: { exitWhenDone?: boolean } = {}): void {
  main().then(
    (code) => {
      if (opts.exitWhenDone) process.exit(code ?? 0);
      process.exitCode = code ?? 0;
    },
    (e: unknown) => {
      if (e instanceof CliExit) process.exit(e.code);
      const err = e as Error;
      const msg = (err?.message ?? String(e)).replace(/\s*\n\s*/g, ' ');
      console.error(`${name}: ${process.env.LAB_DEBUG ? (err?.stack ?? msg) : msg}`);
      process.exit(err?.name === 'CancelledError' ? 130 : 1);
    },
  );
}
