import { describe, expect, it } from 'vitest';
import { abortOnSigint } from './experiment';

describe('CLI Ctrl-C (issue 12 item 1)', () => {
  it('the first SIGINT cancels the run; the handler is gone after it, so a second one ends the process', () => {
    const before = process.listenerCount('SIGINT');
    const write = process.stderr.write;
    const ac = abortOnSigint();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      process.emit('SIGINT');
    } finally {
      process.stderr.write = write;
    }
    expect(ac.signal.aborted).toBe(true);
    // no handler of ours is left: Node's default action (terminate) applies to the next Ctrl-C
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
