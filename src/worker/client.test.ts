import { describe, expect, expectTypeOf, it } from 'vitest';
import { CommandError, LabClient, WorkerCrashError } from './client';
import { FakeWorker } from './fake-worker.test-util';
import type { ReplyOf, WorkerToApp } from './protocol';

function setup() {
  const workers: FakeWorker[] = [];
  const messages: WorkerToApp[] = [];
  const restarts: string[] = [];
  const client = new LabClient(
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    {
      onMessage: (m) => messages.push(m),
      onRestart: (r) => restarts.push(r),
      setInterval: () => 1,
      clearInterval: () => {},
    },
  );
  return { client, workers, messages, restarts };
}

const experiment = { methods: [] } as unknown as ReplyOf<'runAll'>['experiment'];

describe('LabClient: replies are tied to their requests', () => {
  it('routes each done to the request with the same id, whatever the order', async () => {
    const { client, workers } = setup();
    const spec = client.send({ kind: 'setSpec', spec: {} as never });
    const run = client.send({ kind: 'runAll' });
    expect(workers[0].posted.map((m) => [m.kind, m.id])).toEqual([
      ['setSpec', spec.id],
      ['runAll', run.id],
    ]);
    expect(spec.id).not.toBe(run.id);
    workers[0].reply({ kind: 'done', id: run.id, result: { kind: 'experiment', experiment }, seconds: 2 });
    expect(client.outstanding).toEqual([{ id: spec.id, kind: 'setSpec' }]);
    workers[0].reply({ kind: 'done', id: spec.id, result: { kind: 'ok' }, seconds: 0 });
    await expect(run.promise).resolves.toEqual({ kind: 'experiment', experiment });
    await expect(spec.promise).resolves.toEqual({ kind: 'ok' });
    expect(client.outstanding).toEqual([]);
  });

  it('types the reply by the request kind', () => {
    const { client } = setup();
    expectTypeOf(client.send({ kind: 'condense' }).promise).resolves.toEqualTypeOf<ReplyOf<'condense'>>();
    expectTypeOf(client.send({ kind: 'init', backendPref: 'wasm' }).promise).resolves.toEqualTypeOf<ReplyOf<'init'>>();
    expectTypeOf<ReplyOf<'importArchive'>['kind']>().toEqualTypeOf<'dataset'>();
    expectTypeOf<ReplyOf<'runAll'>['kind']>().toEqualTypeOf<'experiment'>();
  });

  it('an error of one request rejects only that one, naming the command', async () => {
    const { client, workers } = setup();
    const a = client.send({ kind: 'pretrain' });
    const b = client.send({ kind: 'reset' });
    workers[0].reply({ kind: 'error', id: a.id, message: 'load a dataset first', cancelled: false });
    const err = await a.promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({
      message: 'load a dataset first',
      cancelled: false,
      command: 'pretrain',
      name: 'CommandError',
    });
    expect(client.outstanding).toEqual([{ id: b.id, kind: 'reset' }]);
  });

  it('ignores a done for an unknown id and forwards events to onMessage', () => {
    const { client, workers, messages } = setup();
    const a = client.send({ kind: 'condense' });
    workers[0].reply({ kind: 'event', id: a.id, event: { kind: 'log', level: 'info', message: 'hi' } });
    workers[0].reply({ kind: 'done', id: 999, result: { kind: 'ok' }, seconds: 0 });
    workers[0].reply({ kind: 'pong', id: 0, busy: null });
    expect(client.outstanding).toHaveLength(1);
    expect(messages.map((m) => m.kind)).toEqual(['event', 'done']);
  });
});

describe('LabClient: cancel', () => {
  it('sends a cancel message for that id only; the cancelled reply rejects as cancelled', async () => {
    const { client, workers } = setup();
    const a = client.send({ kind: 'unlearn', methods: ['A-CF'], arms: 'without' });
    const b = client.send({ kind: 'reset' });
    client.cancel(a.id);
    client.cancel(12345);
    expect(workers[0].posted.filter((m) => m.kind === 'cancel')).toEqual([{ kind: 'cancel', id: a.id }]);
    workers[0].reply({ kind: 'error', id: a.id, message: 'Stopped by user', cancelled: true });
    await expect(a.promise).rejects.toMatchObject({ name: 'CancelledError', cancelled: true, command: 'unlearn' });
    workers[0].reply({ kind: 'done', id: b.id, result: { kind: 'ok' }, seconds: 0 });
    await expect(b.promise).resolves.toEqual({ kind: 'ok' });
  });

  it('does not send cancel for a request already answered', () => {
    const { client, workers } = setup();
    const a = client.send({ kind: 'reset' });
    workers[0].reply({ kind: 'done', id: a.id, result: { kind: 'ok' }, seconds: 0 });
    client.cancel(a.id);
    client.cancelAll();
    expect(workers[0].posted.filter((m) => m.kind === 'cancel')).toEqual([]);
  });
});

describe('LabClient: crash', () => {
  it('rejects every pending request with a WorkerCrashError that says what happened', async () => {
    const { client, workers, restarts } = setup();
    const a = client.send({ kind: 'runAll' });
    const b = client.send({ kind: 'condense' });
    workers[0].crash('out of memory');
    for (const [p, kind] of [
      [a.promise, 'runAll'],
      [b.promise, 'condense'],
    ] as const) {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkerCrashError);
      expect(err).toMatchObject({ command: kind, message: 'Worker crashed: out of memory (lab.worker.js:7)' });
    }
    expect(restarts).toEqual(['Worker crashed: out of memory (lab.worker.js:7)']);
    expect(workers[0].terminated).toBe(true);
    expect(client.outstanding).toEqual([]);
  });

  it('sends later requests to the fresh worker and ignores the dead one', async () => {
    const { client, workers, messages } = setup();
    const a = client.send({ kind: 'pretrain' });
    workers[0].crash('boom');
    await expect(a.promise).rejects.toBeInstanceOf(WorkerCrashError);
    const b = client.send({ kind: 'reset' });
    expect(workers).toHaveLength(2);
    expect(workers[1].posted).toEqual([{ kind: 'reset', id: b.id }]);
    workers[0].reply({ kind: 'done', id: b.id, result: { kind: 'ok' }, seconds: 0 });
    expect(client.outstanding).toHaveLength(1);
    expect(messages).toEqual([]);
    workers[1].reply({ kind: 'done', id: b.id, result: { kind: 'ok' }, seconds: 0 });
    await expect(b.promise).resolves.toEqual({ kind: 'ok' });
  });

  it('treats an undeserialisable message as a crash', async () => {
    const { client, workers, restarts } = setup();
    const a = client.send({ kind: 'condense' });
    workers[0].onmessageerror?.({} as MessageEvent);
    await expect(a.promise).rejects.toMatchObject({ name: 'WorkerCrashError', message: /could not be deserialised/ });
    expect(restarts).toHaveLength(1);
  });

  it('dispose rejects what is pending, and a later send fails with a clear error', async () => {
    const { client, workers } = setup();
    const a = client.send({ kind: 'runAll' });
    client.dispose();
    await expect(a.promise).rejects.toMatchObject({ name: 'WorkerCrashError', message: /disposed/ });
    expect(workers[0].terminated).toBe(true);
    expect(() => client.send({ kind: 'reset' })).toThrow(/disposed; "reset" was not sent/);
  });
});
