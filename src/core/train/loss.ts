import * as tf from '@tensorflow/tfjs';

function labelTensor(labels: tf.Tensor1D | Int32Array | ArrayLike<number>): tf.Tensor1D {
  return labels instanceof tf.Tensor
    ? (tf.cast(labels, 'int32') as tf.Tensor1D)
    : tf.tensor1d(Int32Array.from(labels as ArrayLike<number>), 'int32');
}

/** Per-sample cross-entropy −log softmax(z)_y from log-softmax (stable), shape [N]. */
export function perSampleCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D | Int32Array | ArrayLike<number>,
): tf.Tensor1D {
  return tf.tidy(() => {
    const c = logits.shape[1];
    const y = tf.oneHot(labelTensor(labels), c);
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(logp, y), 1)) as tf.Tensor1D;
  });
}

/** Mean cross-entropy over the batch (PyTorch `F.cross_entropy`, reduction 'mean'). */
export function meanCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D | Int32Array | ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => tf.mean(perSampleCrossEntropy(logits, labels)) as tf.Scalar);
}

/** Number of correct argmax predictions, as a scalar tensor (no host sync). */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D | Int32Array | ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labelTensor(labels)), 'float32')) as tf.Scalar);
}
