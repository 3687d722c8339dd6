/**
 * The condensation stage: k-means sub-classes (once), then per round the partition and Blend (docs/paper-notes.md §4).
 */
import { LabError } from '../types';
import { computeSubClasses, buildReducedRetain, convnet3Factory, type SubClasses } from '../condense';
import type { CondenseResult, PrototypeView } from '../contracts';
import { now, type SessionContext } from './session-context';

export class CondenseStage {
  sub: SubClasses | null = null;
  kmeansSeconds = 0;

  constructor(private readonly ctx: SessionContext) {}

  /** Round r's reduced retain set (k-means once per spec, partition, Blend) and its record, once per round. */
  async run(r: number, signal?: AbortSignal): Promise<CondenseResult> {
    const state = this.ctx.round(r);
    if (state.condense && state.reduced) return state.condense;
    const ds = this.ctx.opts.dataset;
    const c = this.ctx.spec.condense;
    const r0 = this.ctx.round(0);
    let kmeansSeconds = 0;
    if (!this.sub) {
      // the schema checks IPC against trainPerClass; with "all" images only the data knows the class sizes
      const perClass = new Int32Array(ds.classes.length);
      for (const i of r0.split.trainIdx) perClass[ds.train.labels[i]]++;
      const smallest = Math.min(...Array.from(perClass).filter((n) => n > 0));
      if (c.ipc > smallest) {
        this.ctx.emitLog(
          `condense.ipc ${c.ipc} exceeds the ${smallest} training images of the smallest class: ` +
            'such classes get one image per cluster and are not condensed at all',
          'warn',
        );
      }
      this.sub = await this.ctx.timed('kmeans', `IPC ${c.ipc}`, async () => {
        const t0 = now();
        const sub = await computeSubClasses({
          dataset: ds,
          trainIdx: r0.split.trainIdx,
          ipc: c.ipc,
          maxIter: c.kmeansMaxIter,
          rng: this.ctx.rng('kmeans'),
          signal,
          createNet: convnet3Factory(ds.classes.length, c.netWidth),
          parallel: this.ctx.opts.parallel,
          onProgress: (progress) => this.ctx.opts.sink({ kind: 'progress', progress }),
        });
        this.kmeansSeconds = now() - t0;
        return sub;
      });
      kmeansSeconds = this.kmeansSeconds;
    }
    const sub = this.sub;
    let lastPrototypes: PrototypeView[] = [];
    const reduced = await this.ctx.timed('condense', `round ${r}`, () =>
      buildReducedRetain({
        dataset: ds,
        sub,
        trainIdx: r0.split.trainIdx,
        forgetIdx: state.cumulativeForget,
        retainIdx: state.split.retainIdx,
        ipc: c.ipc,
        iterations: c.iterations,
        resampleNet: c.resampleNet,
        rng: this.ctx.rng(`blend-${r}`),
        signal,
        lrMode: c.lrMode,
        forgetMode: this.ctx.spec.forget.mode,
        createNet: convnet3Factory(ds.classes.length, c.netWidth),
        parallel: this.ctx.opts.parallel,
        onIter: (iter, iterations, loss) =>
          this.ctx.opts.sink({ kind: 'condense-iter', round: r, iter, iterations, loss }),
        onPrototypes: (iter, items) => {
          lastPrototypes = items;
          this.ctx.opts.sink({ kind: 'prototypes', iter, items });
        },
        onProgress: (progress) => this.ctx.opts.sink({ kind: 'progress', progress }),
      }),
    );
    const badIter = reduced.blend.losses.findIndex((l) => !Number.isFinite(l));
    if (badIter >= 0 || !reduced.blend.weights.every((w) => w.every(Number.isFinite))) {
      reduced.dispose();
      const at =
        badIter >= 0 ? `at iteration ${badIter + 1} (loss ${reduced.blend.losses[badIter]})` : '(non-finite weights)';
      throw new LabError(`Blend diverged ${at}; nothing was kept`, `condense (round ${r})`);
    }
    const result: CondenseResult = {
      ipc: c.ipc,
      round: r,
      kmeansSeconds,
      partitionSeconds: reduced.partitionSeconds,
      blendSeconds: reduced.blendSeconds,
      retainSize: state.split.retainIdx.length,
      reducedRetainSize: reduced.source.size,
      freeClusters: reduced.freeClusters,
      residualImages: reduced.residualImages,
      emptyClusters: reduced.emptyClusters,
      clusterSizes: Array.from(sub.sizes),
      finalLoss: reduced.finalLoss,
      prototypes: lastPrototypes.map((p) => ({
        cluster: p.cluster,
        label: p.label,
        size: p.size,
        rgbaBase64: bytesToBase64(p.image.data),
      })),
    };
    state.reduced = reduced;
    state.condense = result;
    this.ctx.opts.sink({
      kind: 'clusters',
      sizes: result.clusterSizes,
      freeClusters: result.freeClusters,
      residualImages: result.residualImages,
      retainSize: result.retainSize,
      reducedRetainSize: result.reducedRetainSize,
    });
    this.ctx.opts.sink({ kind: 'condense-result', result });
    return result;
  }
}

/** Base64 of raw bytes without Node's Buffer (the core runs in browsers too). */
function bytesToBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
