/**
 * The backend self-check: loss and parameter gradients of a small seeded ConvNet-3 on a candidate backend,
 * compared with a reference backend (CPU). It needs a model, so it lives here, above both the backend kernels
 * (src/core/backend) and the models; `selectBackend` receives it as its `check` option.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { fusedOpsEnabled, setFusedOps } from '../backend/fused';
import { errMsg, type SelfCheck } from '../backend/select';
import { createModel } from './index';

/**
 * Self-check of `backend`: loss and parameter gradients of a ConvNet-3 (width 4, 2 images, seeded) against
 * `reference` (default 'cpu'). Leaves `backend` active. Both backends must already be initialised or
 * initialisable.
 */
export async function selfCheck(
  backend: string,
  opts: { reference?: string; tolerance?: { loss?: number; grad?: number } } = {},
): Promise<SelfCheck> {
  const reference = opts.reference ?? 'cpu';
  const tolLoss = opts.tolerance?.loss ?? 1e-3;
  const tolGrad = opts.tolerance?.grad ?? 1e-2;
  const fusedWas = fusedOpsEnabled();
  const compute = async (b: string) => {
    if (!(await tf.setBackend(b))) throw new Error(`setBackend('${b}') failed`);
    // the reference runs the plain tfjs ops, the candidate whatever training will run
    setFusedOps(b === reference ? false : fusedWas);
    const model = createModel({ arch: 'convnet3', width: 4, numClasses: 4 }, new Rng('selfcheck/model'));
    try {
      const xs = new Rng('selfcheck/x').uniformArray(2 * 32 * 32 * 3, -2, 2);
      const { value, grads } = tf.tidy(() => {
        const x = tf.tensor4d(xs, [2, 32, 32, 3]);
        const y = tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4);
        return tf.variableGrads(
          () => {
            const z = model.apply(x);
            return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(z), y), 1))) as tf.Scalar;
          },
          model.params.map((p) => p.variable),
        );
      });
      const loss = (await value.data())[0];
      const g: Float32Array[] = [];
      // conv biases before instance norm have zero gradient in exact arithmetic: not comparable
      for (const p of model.params)
        if (p.kind !== 'convBias') g.push((await grads[p.variable.name].data()) as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, g };
    } finally {
      model.dispose();
    }
  };
  try {
    const ref = await compute(reference);
    const got = await compute(backend);
    const lossDiff = Math.abs(got.loss - ref.loss);
    let gradRelErr = 0;
    ref.g.forEach((r, i) => {
      let num = 0,
        den = 0;
      for (let j = 0; j < r.length; j++) {
        num += (got.g[i][j] - r[j]) ** 2;
        den += r[j] ** 2;
      }
      gradRelErr = Math.max(gradRelErr, Math.sqrt(num / Math.max(den, 1e-20)));
    });
    if (!Number.isFinite(gradRelErr)) gradRelErr = Infinity;
    const finite = Number.isFinite(got.loss) && got.loss > 0;
    const ok = finite && lossDiff <= tolLoss * Math.max(1, Math.abs(ref.loss)) && gradRelErr <= tolGrad;
    const reason = ok
      ? undefined
      : !finite
        ? `loss ${got.loss} (expected ${ref.loss.toFixed(4)})`
        : `loss diff ${lossDiff.toExponential(2)}, gradient rel. error ${gradRelErr.toExponential(2)}`;
    return { ok, lossDiff, gradRelErr, loss: got.loss, reason };
  } catch (e) {
    return { ok: false, lossDiff: NaN, gradRelErr: NaN, reason: errMsg(e) };
  } finally {
    setFusedOps(fusedWas);
    if (tf.getBackend() !== backend) await tf.setBackend(backend).catch(() => false);
  }
}
