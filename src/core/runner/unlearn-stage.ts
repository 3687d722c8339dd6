/** The unlearning stage: each method × arm of a round, its timing, evaluation and result (resumable). */
import type { Model, SampleSource } from '../types';
import { throwIfCancelled } from '../types';
import { createModel } from '../models';
import { firstNonFiniteParam } from '../train';
import { evaluateModel } from '../eval';
import { runMethod, resolveHParams } from '../unlearn';
import type { MethodName, MethodResult } from '../contracts';
import {
  armOf,
  armSuffix,
  armTag,
  armsOf,
  galleryKey,
  isWithDC,
  methodStoreKey,
  parseGalleryKey,
  type ArmChoice,
} from '../contracts';
import { pickMetrics } from '../metrics';
import type { CondenseStage } from './condense-stage';
import type { ForgetGallery } from './gallery';
import type { PretrainStage } from './pretrain-stage';
import { divergedWeights, guardDivergence, now, type SessionContext } from './session-context';

export class UnlearnStage {
  /** latest output of each method/arm (multi-round chaining) */
  outputs = new Map<string, Model>();
  methods: MethodResult[] = [];
  /** process CPU seconds of the last unlearning (NaN without `cpuClock`) */
  lastUnlearnCpuSeconds = NaN;

  constructor(
    private readonly ctx: SessionContext,
    private readonly pretrain: PretrainStage,
    private readonly condense: CondenseStage,
    private readonly gallery: ForgetGallery,
  ) {}

  drop(): void {
    this.gallery.clearMethods();
    for (const m of this.outputs.values()) m.dispose();
    this.outputs.clear();
    this.methods = [];
  }

  /** Drops the outputs, results and gallery entries of these methods (every arm and round); keeps the others'. */
  dropMethods(names: readonly MethodName[]): void {
    const gone = new Set<string>(names);
    this.gallery.clearMethods((key) => !gone.has(parseGalleryKey(key).method));
    for (const [key, m] of [...this.outputs]) {
      if (gone.has(key.split('|')[0])) {
        m.dispose();
        this.outputs.delete(key);
      }
    }
    this.methods = this.methods.filter((m) => !gone.has(m.name));
  }

  /** Round r: every method × arm from the original (round 0) or its previous output, timed and evaluated. */
  async run(r: number, methods: MethodName[], arms: ArmChoice, signal?: AbortSignal): Promise<MethodResult[]> {
    const store = this.ctx.spec.rounds === 1 ? this.ctx.opts.methodStore : undefined;
    const out: MethodResult[] = [];
    const armList = armsOf(arms);
    // resume: methods finished in an earlier sitting are taken from the store; only the rest run
    const stored = new Map<string, MethodResult>();
    if (store) {
      for (const arm of armList) {
        for (const name of methods) {
          const prev = await store.get(
            methodStoreKey(name, isWithDC(arm), r),
            this.ctx.storeStamp(name, armTag(arm), r),
          );
          // the store checked the stamp and the schema; a record of another method, arm or round is never taken
          if (prev && prev.name === name && prev.withDC === isWithDC(arm) && prev.round === r) {
            stored.set(`${name}|${arm}`, prev);
          }
        }
      }
    }
    const pending = armList.flatMap((arm) => methods.filter((n) => !stored.has(`${n}|${arm}`)).map(() => arm));
    // the original model comes from the weights cache on a resume (cheap); it also gives the pretrain record
    await this.pretrain.run(signal);
    const original = this.pretrain.original!;
    const state = this.ctx.round(r);
    if (pending.some(isWithDC)) {
      const cond = await this.condense.run(r, signal);
      await store
        ?.putCondense?.(`condense|r${r}`, cond, this.ctx.storeStamp('condense', 'dc', r))
        .catch((e: Error) => this.ctx.emitLog(`could not store the condensation record: ${e.message}`, 'warn'));
    } else if (armList.some(isWithDC) && !state.condense && store?.getCondense) {
      const prev = await store.getCondense(`condense|r${r}`, this.ctx.storeStamp('condense', 'dc', r));
      if (prev) state.condense = prev;
    }
    const srcs = this.ctx.sources(state.split);
    const spec = this.ctx.spec;
    for (const arm of armList) {
      const withDC = isWithDC(arm); // the boolean of the result JSON and of the method context
      for (const name of methods) {
        throwIfCancelled(signal);
        const key = `${name}|${arm}`;
        const prev = stored.get(key);
        if (prev) {
          this.acceptStored(prev, out);
          continue;
        }
        const start = r > 0 ? (this.outputs.get(key) ?? original) : original;
        const retain: SampleSource = withDC ? state.reduced!.source : srcs.retain;
        const hp = resolveHParams(
          name,
          { dataset: spec.dataset, arch: spec.model.arch, withDC },
          spec.unlearn.hparams[name] ?? {},
          spec.unlearn.epochScale,
        );
        const curve: MethodResult['curve'] = [];
        let evalSeconds = 0;
        const label = `${name}${armSuffix(arm)}${spec.rounds > 1 ? ` (round ${r})` : ''}`;
        const result = await this.ctx.timed('unlearn', label, async () => {
          const t0 = now();
          const c0 = this.ctx.opts.cpuClock?.() ?? NaN;
          const { model } = await guardDivergence(`unlearn (${label})`, () =>
            runMethod(name, {
              original: start,
              retain,
              forget: srcs.forget,
              testUsed: srcs.testUsed,
              hp,
              withDC,
              signal,
              parallel: this.ctx.opts.parallel,
              // the real D_r in the DC arm, for A-SCRUB's ascrub_retain = 'real' (docs/paper-notes.md §10 C4); unused
              // otherwise
              retainReal: withDC ? srcs.retain : undefined,
              rng: this.ctx.rng(`unlearn-${name}-${armTag(arm)}-${r}`), // stable seed names
              createFresh: () => createModel(this.ctx.modelConfig(), this.ctx.rng(`fresh-${name}-${r}`)),
              onProgress: (p) => this.ctx.opts.sink({ kind: 'progress', progress: { ...p, stage: 'unlearn', label } }),
              onTerms: (step, ce2, mmd, lambda) =>
                this.ctx.opts.sink({ kind: 'acf-terms', method: name, withDC, step, ce2, mmd, lambda }),
              onEpoch: spec.curves
                ? async (epoch, m) => {
                    const e0 = now();
                    // unlearning seconds up to this checkpoint (earlier curve evaluations excluded)
                    const seconds = e0 - t0 - evalSeconds;
                    const metrics = await evaluateModel(
                      m,
                      { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
                      state.split,
                      this.ctx.rng('eval'),
                      { signal, maxRetainEval: this.ctx.opts.curveRetainCap ?? 1000, parallel: this.ctx.opts.parallel },
                    );
                    const point = { epoch: epoch + 1, seconds, ...pickMetrics(metrics) };
                    curve.push(point);
                    this.ctx.opts.sink({
                      kind: 'epoch',
                      method: name,
                      withDC,
                      round: r,
                      epoch: epoch + 1,
                      metrics: pickMetrics(metrics),
                    });
                    evalSeconds += now() - e0;
                  }
                : undefined,
            }),
          );
          const unlearnSeconds = now() - t0 - evalSeconds;
          // CPU over the same span (curve evaluations included when curves are on: run timings with curves off)
          this.lastUnlearnCpuSeconds = (this.ctx.opts.cpuClock?.() ?? NaN) - c0;
          try {
            const bad = await firstNonFiniteParam(model);
            if (bad !== null) throw divergedWeights(`unlearn (${label})`, bad);
            const metrics = await evaluateModel(
              model,
              { retain: srcs.retain, forget: srcs.forget, testEval: srcs.testEval },
              state.split,
              this.ctx.rng('eval'),
              { signal, parallel: this.ctx.opts.parallel, views: true },
            );
            const overheadSeconds = withDC
              ? state.condense!.kmeansSeconds + state.condense!.partitionSeconds + state.condense!.blendSeconds
              : 0;
            const mr: MethodResult = {
              name,
              withDC,
              round: r,
              unlearnSeconds,
              overheadSeconds,
              metrics: pickMetrics(metrics),
              curve,
              losses: metrics.losses
                ? { forget: Array.from(metrics.losses.forget), test: Array.from(metrics.losses.testEval) }
                : undefined,
              ...metrics.views,
            };
            if (r === 0) this.gallery.update(galleryKey(name, arm), metrics.losses.forget);
            this.outputs.get(key)?.dispose();
            this.outputs.set(key, model);
            return mr;
          } catch (e) {
            model.dispose();
            throw e;
          }
        });
        this.methods = this.methods.filter((m) => !(m.name === name && m.withDC === withDC && m.round === r));
        this.methods.push(result);
        out.push(result);
        this.ctx.opts.sink({ kind: 'method-result', result });
        if (store) {
          await store
            .put(methodStoreKey(name, withDC, r), result, this.ctx.storeStamp(name, armTag(arm), r))
            .catch((e: Error) => this.ctx.emitLog(`could not store the ${label} result: ${e.message}`, 'warn'));
        }
      }
    }
    return out;
  }

  /** A method result finished in an earlier sitting (methodStore): recorded and announced, not re-run. */
  private acceptStored(result: MethodResult, out: MethodResult[]): void {
    const m = { ...result, resumed: true };
    this.methods = this.methods.filter((x) => !(x.name === m.name && x.withDC === m.withDC && x.round === m.round));
    this.methods.push(m);
    out.push(m);
    this.ctx.emitLog(`${m.name}${armSuffix(armOf(m.withDC))}: finished in an earlier sitting, result reused`);
    this.ctx.opts.sink({ kind: 'method-result', result: m });
  }
}
