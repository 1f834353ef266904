/**
 * Checks shared by the ab encoders and the prior accumulator: interleaved ab arrays and `[N, H, W, 2]`
 * tensors. Internal to src/color: not re-exported from the barrel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../../errors.js';
import { assertDim, assertRank } from '../../validate.js';

/** Number of (a, b) pairs in an interleaved array; throws InputError unless it is array-like of even length. */
export function countAbPairs(name: string, ab: unknown): number {
  const length = (ab as ArrayLike<number> | null)?.length;
  if (typeof length !== 'number' || typeof ab === 'string' || length % 2 !== 0) {
    throw new InputError(
      name,
      'interleaved (a, b) pairs: an array of even length (last dimension 2)',
      describeValue(ab),
    );
  }
  return length / 2;
}

/** Throw InputError for a non-finite value of `name` at flat index `i`. */
export function throwNonFinite(name: string, value: number, i: number): never {
  throw new InputError(name, 'finite a, b values', `${describeValue(value)} at index ${i}`);
}

/** Validate an `[N, H, W, 2]` ab tensor and read its values synchronously. */
export function readAbTensor(name: string, ab: tf.Tensor): Float32Array {
  assertRank(name, ab, 4);
  assertDim(name, ab, -1, 2, 'last dimension (a, b)');
  const data = ab.dataSync();
  return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
}
