/**
 * Hard encoding: each ab value to the index of its nearest bin (the one-hot target of a classifier;
 * Zhang et al., "Colorful Image Colorization", ECCV 2016, §2.1, and the class-rebalancing lookup of §2.2).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZHANG_GAMUT, findLatticeBin, type AbGamut } from './gamut.js';
import { findNearestBins, neighbourTable } from './bin-neighbours.js';
import { countAbPairs, readAbTensor, throwNonFinite } from './ab-input.js';
import { InputError, describeValue } from '../../errors.js';

/**
 * Options of {@link encodeHard}.
 * @example encodeHard(ab, { gamut: deriveGamut(20) });
 */
export interface HardEncodeConfig {
  /** The bins; default {@link ZHANG_GAMUT}. */
  gamut?: AbGamut;
}

/**
 * Index of the nearest bin (Euclidean distance in ab) for every pixel. Out-of-gamut values get their
 * nearest in-gamut bin. O(1) per pixel on the grid, exact everywhere.
 *
 * @param ab   `P` interleaved (a, b) pairs in Lab units (not divided by 110), length `2P`.
 * @param config  `{ gamut }`, default Zhang's 313 bins.
 * @param out  optional `Int32Array` of length `P` to fill instead of allocating.
 * @returns `Int32Array` of `P` bin indices in `[0, Q)`.
 * @throws InputError on an odd length, non-finite values or a wrong-sized `out`.
 * @example
 * encodeHard(new Float32Array([0, 0, 42, -17])); // Int32Array [120, …]
 */
export function encodeHard(ab: ArrayLike<number>, config: HardEncodeConfig = {}, out?: Int32Array): Int32Array {
  const pixels = countAbPairs('ab', ab);
  const gamut = config.gamut ?? ZHANG_GAMUT;
  if (out !== undefined && !(out instanceof Int32Array && out.length === pixels)) {
    throw new InputError('out', `an Int32Array of length ${pixels}`, describeValue(out));
  }
  const result = out ?? new Int32Array(pixels);
  const table = neighbourTable(gamut, 1);
  const index = new Int32Array(1);
  const dist2 = new Float64Array(1);
  for (let p = 0; p < pixels; p++) {
    const a = ab[2 * p],
      b = ab[2 * p + 1];
    if (!Number.isFinite(a)) throwNonFinite('ab', a, 2 * p);
    if (!Number.isFinite(b)) throwNonFinite('ab', b, 2 * p + 1);
    // Every bin is a lattice node, so when the nearest node is a bin it is the nearest bin.
    const bin = findLatticeBin(gamut, a, b);
    if (bin >= 0) {
      result[p] = bin;
    } else {
      findNearestBins(gamut, table, a, b, index, dist2);
      result[p] = index[0];
    }
  }
  return result;
}

/**
 * Tensor form of {@link encodeHard}: `[N, H, W, 2]` ab (Lab units) → `[N, H, W]` int32 bin indices.
 * Reads the input synchronously.
 *
 * @returns a new int32 tensor; the caller owns it.
 * @throws InputError unless `ab` has rank 4 and last dimension 2, or on non-finite values.
 * @example
 * const bins = encodeHardTensor(abTensor); // [N, H, W] int32
 */
export function encodeHardTensor(ab: tf.Tensor4D, config: HardEncodeConfig = {}): tf.Tensor3D {
  const data = readAbTensor('ab', ab);
  const [n, h, w] = ab.shape;
  return tf.tensor3d(encodeHard(data, config), [n, h, w], 'int32');
}
