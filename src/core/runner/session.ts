/**
 * LabSession: the experiment runner. Holds dataset, split, original model, condensed sets and method outputs
 * between commands (Condense → Unlearn → Compare in the app; one `runAll` in the CLI) and streams RunEvents.
 *
 * Stage order per round (docs/paper-notes.md §4.5): split → [pretrain, reused from cache] → [k-means once] → partition
 * → Blend → for each method × arm: unlearn (timed) → evaluate on the real retain / forget / test-eval sets.
 * Every random choice flows from spec.seed through named Rng forks; every stage frees its tensors, also on cancel.
 */
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../types';
import type {
  CondenseResult,
  ExperimentResult,
  ExperimentSpec,
  LabSessionApi,
  MethodName,
  MethodResult,
} from '../contracts';
import { specChange, type ArmChoice } from '../contracts';
import { validateSpecWithWarnings } from '../presets';
import { CondenseStage } from './condense-stage';
import { ForgetGallery } from './gallery';
import { PretrainStage } from './pretrain-stage';
import { now, SessionContext, type LabSessionOptions } from './session-context';
import { UnlearnStage } from './unlearn-stage';

export type { LabSessionOptions } from './session-context';

/**
 * The session composes its stages by responsibility: SessionContext (spec, options, rounds, shared helpers),
 * PretrainStage (original model and cache), CondenseStage (k-means, partition, Blend), UnlearnStage (methods,
 * results, resume) and ForgetGallery; it owns the spec changes (what each invalidates) and the result.
 */
export class LabSession implements LabSessionApi {
  private readonly ctx: SessionContext;
  private readonly gallery: ForgetGallery;
  private readonly pretrainStage: PretrainStage;
  private readonly condenseStage: CondenseStage;
  private readonly unlearnStage: UnlearnStage;
  private startedAt = new Date().toISOString();

  constructor(opts: LabSessionOptions, spec?: ExperimentSpec) {
    this.ctx = new SessionContext(opts, spec);
    this.gallery = new ForgetGallery(this.ctx);
    this.pretrainStage = new PretrainStage(this.ctx, this.gallery);
    this.condenseStage = new CondenseStage(this.ctx);
    this.unlearnStage = new UnlearnStage(this.ctx, this.pretrainStage, this.condenseStage, this.gallery);
  }

  /** process CPU seconds of the last unlearning (NaN without `cpuClock`) */
  get lastUnlearnCpuSeconds(): number {
    return this.unlearnStage.lastUnlearnCpuSeconds;
  }

  // ---- spec & invalidation -------------------------------------------------------------------------------

  setSpec(next: ExperimentSpec): void {
    const { spec, warnings } = validateSpecWithWarnings(next);
    this.ctx.emitWarnings(warnings);
    // one rule for the session and the page's run view (contracts.ts specChange)
    const change = specChange(this.ctx.spec, spec);
    if (change.original) this.pretrainStage.drop();
    if (change.kmeans) this.condenseStage.sub = null;
    if (change.rounds) this.ctx.dropRounds();
    if (change.staleMethods) this.unlearnStage.dropMethods(change.staleMethods);
    else if (change.outputs) this.unlearnStage.drop();
    this.ctx.spec = spec;
  }

  dispose(): void {
    this.unlearnStage.drop();
    this.ctx.dropRounds();
    this.pretrainStage.drop();
    this.condenseStage.sub = null;
  }

  // ---- stages --------------------------------------------------------------------------------------------

  async pretrain(signal?: AbortSignal): Promise<void> {
    return this.pretrainStage.run(signal);
  }

  async condense(signal?: AbortSignal): Promise<CondenseResult> {
    return this.condenseStage.run(0, signal);
  }

  async unlearn(methods: MethodName[], arms: ArmChoice, signal?: AbortSignal): Promise<MethodResult[]> {
    return this.unlearnStage.run(0, methods, arms, signal);
  }

  async runAll(signal?: AbortSignal): Promise<ExperimentResult> {
    const t0 = now();
    const spec = this.ctx.spec;
    for (let r = 0; r < spec.rounds; r++) {
      await this.unlearnStage.run(r, spec.unlearn.methods, spec.unlearn.arms, signal);
    }
    const res = this.result();
    res.env.seconds = now() - t0;
    return res;
  }

  result(): ExperimentResult {
    const r0 = this.ctx.rounds[0];
    const conds = this.ctx.rounds.map((r) => r.condense).filter((c): c is CondenseResult => !!c);
    return {
      spec: this.ctx.spec,
      env: {
        backend: this.ctx.opts.backendName,
        versions: { ...(this.ctx.opts.versions ?? {}), tfjs: tf.version_core },
        startedAt: this.startedAt,
        seconds: this.ctx.busySeconds,
        machine: this.ctx.opts.machine,
        workers: this.ctx.opts.parallel?.workers ?? 1,
      },
      split: r0
        ? {
            trainSize: r0.split.trainIdx.length,
            retainSize: r0.split.retainIdx.length,
            forgetSize: r0.split.forgetIdx.length,
            testUsedSize: r0.split.testUsedIdx.length,
            testEvalSize: r0.split.testEvalIdx.length,
            forgetClass: r0.split.forgetClass,
          }
        : { trainSize: 0, retainSize: 0, forgetSize: 0, testUsedSize: 0, testEvalSize: 0, forgetClass: null },
      pretrain: this.pretrainStage.info,
      condense: conds[0],
      condenseRounds: conds.length > 1 ? conds : undefined,
      methods: [...this.unlearnStage.methods],
    };
  }
}

export { LabError };
