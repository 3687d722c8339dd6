/**
 * The shard worker's compute (runs inside each worker, with its own tfjs backend): keeps one model of the
 * configured architecture, sets the weights the coordinator sends, and for each group of its shard computes
 * Σᵢ CEᵢ, the correct count, optionally the per-sample CE, and optionally the gradient of Σ_g Σᵢ w_gi·CE_gi.
 * Everything a step allocates is freed before the reply (the model's variables are the worker's baseline).
 * Transport-neutral: src/cli/parallel-node.worker.ts and src/worker/train.worker.ts wrap it.
 */
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../models';
import { Rng } from '../rng';
import type { Model } from '../types';
import { perSampleCrossEntropy } from '../train/loss';
import type { EmbedReply, EmbedRequest, FromWorker, ShardGroup, StepReply, ToWorker } from './protocol';

export class ShardWorker {
  private model: Model | null = null;
  private key = '';

  constructor(private readonly backendName: () => string) {}

  /** Handle one message (a 'crash' message throws asynchronously, outside the reply path). */
  async handle(msg: ToWorker): Promise<FromWorker> {
    try {
      switch (msg.type) {
        case 'init': {
          const key = JSON.stringify(msg.model);
          if (key !== this.key) {
            this.model?.dispose();
            this.model = createModel(msg.model, new Rng('shard-worker'));
            this.key = key;
          }
          return { type: 'ready', id: msg.id, numTensors: tf.memory().numTensors, backend: this.backendName() };
        }
        case 'memory':
          return { type: 'memory', id: msg.id, numTensors: tf.memory().numTensors };
        case 'step':
          return await this.step(msg);
        case 'embed':
          return this.embed(msg);
        case 'crash':
          setTimeout(() => {
            throw new Error('injected crash (test)');
          }, 0);
          return await new Promise<never>(() => {});
        default:
          throw new Error(`unknown message ${(msg as { type: string }).type}`);
      }
    } catch (e) {
      return { type: 'error', id: msg.id, message: (e as Error).message };
    }
  }

  private step(msg: Extract<ToWorker, { type: 'step' }>): StepReply {
    const model = this.model;
    if (!model) throw new Error('step before init');
    if (msg.weights) model.setWeights(msg.weights);
    const groups = msg.groups;
    const lossSums: number[] = [];
    const correct: number[] = [];
    const perSample: Float32Array[] = [];
    const logitsOut: Float32Array[] = [];
    const vars = model.params.map((p) => p.variable);
    let grads: Float32Array[] | undefined;
    let objective: number | undefined;
    let klTotal: number | undefined;
    const klTerms: tf.Tensor[] = [];
    const forward = (g: ShardGroup) => {
      const x = tf.tensor4d(g.x, [g.y.length, ...g.hwc]);
      const logits = model.apply(x);
      const ce = perSampleCrossEntropy(logits, g.y);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(g.y, 'int32')), 'float32'));
      if (msg.logits) logitsOut.push(Float32Array.from(logits.dataSync() as Float32Array));
      return { ce, hits, logits };
    };
    const record = (ce: tf.Tensor1D, hits: tf.Tensor) => {
      const v = ce.dataSync() as Float32Array;
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i];
      lossSums.push(s);
      correct.push(hits.dataSync()[0]);
      if (msg.perSample) perSample.push(Float32Array.from(v));
    };
    if (msg.grads) {
      const saved: { ce: tf.Tensor1D; hits: tf.Tensor }[] = [];
      const r = tf.variableGrads(() => {
        let total: tf.Tensor = tf.scalar(0);
        for (const g of groups) {
          const { ce, hits, logits } = forward(g);
          saved.push({ ce: tf.keep(ce), hits: tf.keep(hits) });
          if (g.kl) {
            const logQ = tf.tensor2d(g.kl.logQ, logits.shape);
            const logS = tf.logSoftmax(tf.div(logits, g.kl.T));
            const kl = tf.sum(tf.mul(tf.exp(logQ), tf.sub(logQ, logS)));
            const klTerm = tf.mul(kl, g.kl.weight * g.kl.T * g.kl.T);
            klTerms.push(tf.keep(klTerm));
            total = tf.add(total, klTerm);
          }
          if (g.weight === null) continue;
          const w = typeof g.weight === 'number' ? tf.scalar(g.weight) : tf.tensor1d(g.weight);
          total = tf.add(total, tf.sum(tf.mul(ce, w)));
        }
        return total as tf.Scalar;
      }, vars);
      objective = r.value.dataSync()[0];
      if (klTerms.length) klTotal = klTerms.reduce((a, t) => a + t.dataSync()[0], 0);
      tf.dispose(klTerms);
      try {
        grads = model.params.map((p) => {
          const gr = r.grads[p.variable.name];
          return gr ? copyOut(gr.dataSync() as Float32Array) : new Float32Array(p.variable.size);
        });
        for (const s of saved) record(s.ce, s.hits);
      } finally {
        r.value.dispose();
        tf.dispose(r.grads);
        for (const s of saved) tf.dispose([s.ce, s.hits]);
      }
    } else {
      for (const g of groups) {
        const { ce, hits } = tf.tidy(() => {
          const f = forward(g);
          return { ce: f.ce, hits: f.hits };
        });
        try {
          record(ce, hits);
        } finally {
          tf.dispose([ce, hits]);
        }
      }
    }
    return {
      type: 'step',
      id: msg.id,
      lossSums,
      correct,
      grads,
      objective,
      klTotal,
      perSample: msg.perSample ? perSample : undefined,
      logits: msg.logits ? logitsOut : undefined,
      numTensors: tf.memory().numTensors,
    };
  }

  /** Feature-network pass of a shard: embed(x), or the matching term's value and input gradient (see EmbedRequest). */
  private embed(msg: EmbedRequest): EmbedReply {
    const model = this.model;
    if (!model) throw new Error('embed before init');
    if (msg.weights) model.setWeights(msg.weights);
    const reply: EmbedReply = { type: 'embed', id: msg.id, numTensors: 0 };
    const match = msg.match;
    const out = tf.tidy(() => {
      const x = tf.tensor4d(msg.x, [msg.n, ...msg.hwc]);
      if (!match) return { features: model.embed(x) };
      const mu = tf.tensor2d(match.mu, [msg.n, match.mu.length / msg.n]);
      // the same ops as Blend's in-thread path (blend.ts batchedGrads), so the shards' values agree with it
      const f = (xv: tf.Tensor): tf.Scalar =>
        tf.div(tf.sum(tf.mean(tf.squaredDifference(model.embed(xv as tf.Tensor4D), mu), 1)), match.T) as tf.Scalar;
      return tf.valueAndGrad(f)(x);
    });
    try {
      if ('features' in out) reply.features = copyOut(out.features.dataSync() as Float32Array);
      else {
        reply.value = out.value.dataSync()[0];
        reply.grad = copyOut(out.grad.dataSync() as Float32Array);
      }
    } finally {
      tf.dispose(out);
    }
    reply.numTensors = tf.memory().numTensors;
    return reply;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
    this.key = '';
  }
}

/** A transferable copy when `a` is a view into a larger buffer (e.g. the WASM heap). */
function copyOut(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.buffer.byteLength === a.byteLength ? a : Float32Array.from(a);
}
