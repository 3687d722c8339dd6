/**
 * How the CLI reports a run while it goes:
 *  - humans: lines on stderr, and where stderr is a terminal (`isTTY`) one progress bar redrawn in place
 *    (plain throttled lines otherwise, e.g. in a log file or CI);
 *  - machines (`--events`): every RunEvent as one JSON line on stdout (`{"t": seconds, ...context, ...event}`),
 *    except the page's image views (`prototypes`, `forget-samples`), plus the command's own events
 *    (`cell`, `tradeoff-run`, `written`). Nothing else is printed on stdout then.
 */
import type { RunEvent } from '../core';

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

export interface ProgressOut {
  /** a whole line (clears the bar first) */
  line(text: string): void;
  /** the bar: fraction 0..1 of the current stage and a short label */
  bar(fraction: number, text: string): void;
  /** remove the bar (before the command prints its result) */
  clear(): void;
}

const PLAIN_EVERY_MS = 2000;
const REDRAW_EVERY_MS = 100;

export function progressOut(stream: Stream = process.stderr, now: () => number = Date.now): ProgressOut {
  const tty = !!stream.isTTY;
  let shown = false;
  let last = -Infinity;
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    line(text) {
      clear();
      stream.write(text + '\n');
    },
    bar(fraction, text) {
      const t = now();
      if (t - last < (tty ? REDRAW_EVERY_MS : PLAIN_EVERY_MS)) return;
      last = t;
      if (!tty) {
        stream.write(`  ${text}\n`);
        return;
      }
      const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      const cells = 20,
        full = Math.round(f * cells);
      const head = `[${'█'.repeat(full)}${'░'.repeat(cells - full)}] ${(100 * f).toFixed(0).padStart(3)}% `;
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[K${(head + text).slice(0, width)}`);
      shown = true;
    },
    clear,
  };
}

/** Fraction of a stage done from a progress event (1-based epoch and step). */
export function progressFraction(p: { epoch: number; epochs: number; step: number; steps: number }): number {
  if (!(p.epochs > 0) || !(p.steps > 0)) return 0;
  return (p.epoch - 1 + p.step / p.steps) / p.epochs;
}

const SKIPPED: ReadonlySet<string> = new Set(['prototypes', 'forget-samples']);

/** A JSON-lines writer for `--events`: `emit(event, context)` prints one line unless it is an image view. */
export function eventWriter(out: Pick<NodeJS.WriteStream, 'write'> = process.stdout, now: () => number = Date.now) {
  const t0 = now();
  const replacer = (_k: string, v: unknown) =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  return (e: RunEvent | { kind: string; [k: string]: unknown }, context: Record<string, unknown> = {}) => {
    if (SKIPPED.has(e.kind)) return;
    out.write(JSON.stringify({ t: +((now() - t0) / 1000).toFixed(3), ...context, ...e }, replacer) + '\n');
  };
}
export type EventWriter = ReturnType<typeof eventWriter>;
