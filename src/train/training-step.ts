/**
 * Small pieces of one optimizer update shared by the trainers: which variables a model trains, the
 * coupled L2 weight-decay term, and reading the step's scalar losses back as numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The trainable `tf.Variable`s of a model (layers marked `trainable = false` are left out).
 *
 * @example
 * optimizer.minimize(loss, true, trainableVariables(model));
 */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * The coupled L2 weight decay `½·wd·Σ w²` over the kernels (variables of rank ≥ 2) of `variables`; its
 * gradient `wd·w` is Caffe's `weight_decay` (see `optimizer-presets.ts`). Biases and BatchNorm
 * parameters (rank 1) are not decayed. Caller owns the scalar.
 *
 * @example
 * const total = tf.add(loss, computeWeightDecay(trainableVariables(model), 1e-3));
 */
export function computeWeightDecay(variables: readonly tf.Variable[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    const kernels = variables.filter((v) => v.rank >= 2);
    if (kernels.length === 0) return tf.scalar(0);
    return tf.mul(0.5 * weightDecay, tf.addN(kernels.map((v) => tf.sum(tf.square(v))))) as tf.Scalar;
  });
}

/**
 * Read named scalars into numbers, then dispose them (they are the step's own results).
 *
 * @example
 * const losses = await readScalars({ loss: total, color, classification }); // { loss: 0.12, ... }
 */
export async function readScalars(scalars: { [name: string]: tf.Scalar }): Promise<{ [name: string]: number }> {
  const names = Object.keys(scalars);
  const values = await Promise.all(names.map((n) => scalars[n].data()));
  const out: { [name: string]: number } = {};
  names.forEach((n, i) => (out[n] = values[i][0]));
  tf.dispose(Object.values(scalars));
  return out;
}
