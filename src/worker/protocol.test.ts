import { describe, expect, it } from 'vitest';
import { CommandQueue, isAppToWorker, isWorkerToApp } from './protocol';
import { LabClient } from './client';
import { FakeWorker } from './fake-worker.test-util';
import type { DoneResult } from './protocol';

describe('CommandQueue', () => {
  it('runs one command at a time, in order', () => {
    const q = new CommandQueue<{ id: number }>();
    q.push({ id: 1 });
    q.push({ id: 2 });
    expect(q.take()?.id).toBe(1);
    expect(q.take()).toBeNull();
    q.finish(1);
    expect(q.take()?.id).toBe(2);
    q.finish(2);
    expect(q.take()).toBeNull();
  });

  it('cancels waiting commands and reports the running one', () => {
    const q = new CommandQueue<{ id: number }>();
    q.push({ id: 1 });
    q.push({ id: 2 });
    q.push({ id: 3 });
    q.take();
    expect(q.cancel(2)).toBe('removed');
    expect(q.cancel(1)).toBe('running');
    expect(q.cancel(9)).toBe('unknown');
    q.finish(1);
    expect(q.take()?.id).toBe(3);
  });
});

describe('message guards', () => {
  it('accepts only known kinds with numeric ids', () => {
    expect(isAppToWorker({ kind: 'condense', id: 1 })).toBe(true);
    expect(isAppToWorker({ kind: 'cancel', id: 4 })).toBe(true);
    expect(isAppToWorker({ kind: 'condense' })).toBe(false);
    expect(isAppToWorker({ kind: 'eval', id: 1 })).toBe(false);
    expect(isAppToWorker(null)).toBe(false);
    expect(isWorkerToApp({ kind: 'done', id: 1, result: { kind: 'ok' }, seconds: 0 })).toBe(true);
    expect(isWorkerToApp({ kind: 'nope' })).toBe(false);
  });
});

function makeBridge(extra: Partial<ConstructorParameters<typeof LabClient>[1]> = {}) {
  const workers: FakeWorker[] = [];
  const messages: unknown[] = [];
  const restarts: string[] = [];
  const bridge = new LabClient(
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    {
      onMessage: (m) => messages.push(m),
      onRestart: (r) => restarts.push(r),
      setInterval: () => 1,
      clearInterval: () => undefined,
      ...extra,
    },
  );
  return { bridge, workers, messages, restarts };
}

describe('LabClient', () => {
  it('resolves a request with its done message and forwards events', async () => {
    const { bridge, workers, messages } = makeBridge();
    const { id, promise } = bridge.send({ kind: 'condense' });
    expect(workers[0].posted[0]).toEqual({ kind: 'condense', id });
    workers[0].reply({ kind: 'event', id, event: { kind: 'log', level: 'info', message: 'hi' } });
    const result: DoneResult = { kind: 'ok' };
    workers[0].reply({ kind: 'done', id, result, seconds: 1 });
    await expect(promise).resolves.toEqual(result);
    expect(messages).toHaveLength(2);
    expect(bridge.outstanding).toEqual([]);
  });

  it('rejects with a cancelled CommandError and sends cancel for Stop', async () => {
    const { bridge, workers } = makeBridge();
    const a = bridge.send({ kind: 'pretrain' });
    const b = bridge.send({ kind: 'condense' });
    bridge.cancelAll();
    expect(workers[0].posted.filter((m) => m.kind === 'cancel').map((m) => m.id)).toEqual([b.id, a.id]);
    workers[0].reply({ kind: 'error', id: a.id, message: 'Stopped by user', cancelled: true });
    await expect(a.promise).rejects.toMatchObject({ cancelled: true, command: 'pretrain' });
  });

  it('restarts a crashed worker and rejects what was outstanding', async () => {
    const { bridge, workers, restarts } = makeBridge();
    const { promise } = bridge.send({ kind: 'runAll' });
    workers[0].crash('boom');
    await expect(promise).rejects.toMatchObject({ name: 'WorkerCrashError' });
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    expect(restarts[0]).toMatch(/boom/);
    expect(bridge.restartCount).toBe(1);
  });

  it('declares an unresponsive worker dead after the silence limit', async () => {
    let now = 0;
    let tick: () => void = () => undefined;
    const { bridge, workers, restarts } = makeBridge({
      now: () => now,
      setInterval: (fn) => {
        tick = fn;
        return 1;
      },
      unresponsiveMs: 10_000,
    });
    const { promise } = bridge.send({ kind: 'unlearn', methods: ['CF'], arms: 'without' });
    now = 5_000;
    tick();
    expect(workers[0].posted.at(-1)).toEqual({ kind: 'ping', id: 0 });
    workers[0].reply({ kind: 'pong', id: 0, busy: 'unlearn' });
    now = 14_000;
    tick();
    expect(restarts).toHaveLength(0);
    now = 30_000;
    tick();
    expect(restarts).toHaveLength(1);
    await expect(promise).rejects.toMatchObject({ name: 'WorkerCrashError' });
  });
});
