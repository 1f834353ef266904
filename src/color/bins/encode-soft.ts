/**
 * Soft encoding of ab values over the bins: the k nearest bins weighted by a Gaussian of their distance
 * (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, §3.1: k = 5, σ = 5; the authors'
 * training code used k = 10). The search uses the regular grid (see bin-neighbours.ts), not all Q bins;
 * k = 5 with σ ≥ gridSize / 2 runs the WebAssembly SIMD kernel of soft-encode-kernel.ts, which sends
 * the pixels it cannot prove exact (ties, the gamut rim, out-of-gamut values) to the general encoder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZHANG_GAMUT, type AbGamut } from './gamut.js';
import { encodeSoftRows } from './soft-weights.js';
import { encodeSoftRowsWithKernel, softEncodeKernelServes } from './soft-encode-kernel.js';
import { countAbPairs, readAbTensor } from './ab-input.js';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';

/**
 * Options of the soft encoders, with the paper's defaults.
 * @example const config: SoftEncodeConfig = { neighbours: 10, sigma: 5 };
 */
export interface SoftEncodeConfig {
  /** The bins; default {@link ZHANG_GAMUT}. */
  gamut?: AbGamut;
  /** k, the number of nearest bins that get weight: an integer in [1, Q]. Default 5 (§3.1). */
  neighbours?: number;
  /** σ of the Gaussian weights exp(−d² / 2σ²), in Lab units, > 0. Default 5 (§3.1). */
  sigma?: number;
}

/**
 * A soft encoding kept sparse: for each pixel its k bins (nearest first) and their weights.
 * @example const { indices, weights } = encodeSoftSparse(ab); // [P, 5] each
 */
export interface SparseSoftEncoding {
  /** k. */
  readonly neighbours: number;
  /** `[P, k]` bin indices, row-major, in no particular order within a row. */
  readonly indices: Int32Array;
  /** `[P, k]` weights, each row summing to 1. */
  readonly weights: Float32Array;
}

interface ResolvedConfig {
  gamut: AbGamut;
  neighbours: number;
  sigma: number;
}

function resolve(config: SoftEncodeConfig): ResolvedConfig {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const neighbours = config.neighbours ?? 5;
  const sigma = config.sigma ?? 5;
  checkConfigRange('neighbours', neighbours, 1, gamut.size, { integer: true });
  checkConfigRange('sigma', sigma, 0, Infinity, { openLow: true, openHigh: true });
  return { gamut, neighbours, sigma };
}

/** Rows of pixels `[from, to)` into `indices` / `weights` from row 0: the k = 5 kernel when it serves, else the general encoder. */
function encodeRows(
  config: ResolvedConfig,
  ab: ArrayLike<number>,
  from: number,
  to: number,
  indices: Int32Array,
  weights: Float32Array,
): void {
  const { gamut, neighbours, sigma } = config;
  if (softEncodeKernelServes(gamut, neighbours, sigma))
    encodeSoftRowsWithKernel(gamut, sigma, ab, from, to, indices, weights);
  else encodeSoftRows(gamut, neighbours, sigma, ab, from, to, indices, weights);
}

/** Pixels per chunk of the dense encoder: the sparse rows of one chunk stay in cache before scattering. */
const CHUNK = 2048;

/**
 * Dense soft encoding for the data pipeline: `P` ab pairs → `[P, Q]` weights, k non-zero per row,
 * each row summing to 1, the largest on the nearest bin.
 *
 * @param ab   `P` interleaved (a, b) pairs in Lab units (not divided by 110), length `2P`; any finite value
 *             (out-of-gamut values get their nearest in-gamut bins).
 * @param config  `{ gamut = ZHANG_GAMUT, neighbours = 5, sigma = 5 }` (§3.1).
 * @param out  optional `Float32Array` of length `P·Q` to fill (it is cleared first) instead of allocating.
 * @returns `Float32Array` `[P, Q]` row-major.
 * @throws InputError on an odd length, non-finite values or a wrong-sized `out`; ConfigError on a bad option.
 * @example
 * const target = encodeSoft(abPairs);            // [P, 313]
 * encodeSoft(abPairs, { neighbours: 10 }, buf);  // the authors' training setting, into a reused buffer
 */
export function encodeSoft(ab: ArrayLike<number>, config: SoftEncodeConfig = {}, out?: Float32Array): Float32Array {
  const pixels = countAbPairs('ab', ab);
  const resolved = resolve(config);
  const q = resolved.gamut.size;
  if (out !== undefined && !(out instanceof Float32Array && out.length === pixels * q)) {
    throw new InputError('out', `a Float32Array of length ${pixels * q} (P·Q)`, describeValue(out));
  }
  const result = out ? out.fill(0) : new Float32Array(pixels * q);
  const k = resolved.neighbours;
  const indices = new Int32Array(CHUNK * k);
  const weights = new Float32Array(CHUNK * k);
  for (let from = 0; from < pixels; from += CHUNK) {
    const to = Math.min(from + CHUNK, pixels);
    encodeRows(resolved, ab, from, to, indices, weights);
    for (let p = from, row = 0; p < to; p++, row += k) {
      const base = p * q;
      for (let m = 0; m < k; m++) result[base + indices[row + m]] = weights[row + m];
    }
  }
  return result;
}

/**
 * Sparse soft encoding: the same weights as {@link encodeSoft} without the `[P, Q]` array
 * (k values per pixel instead of Q), e.g. for streaming priors or a gather-based loss.
 *
 * @param ab  `P` interleaved (a, b) pairs in Lab units.
 * @returns `{ neighbours: k, indices: [P, k], weights: [P, k] }`; the order of the k bins within a row is unspecified.
 * @example
 * const { indices, weights } = encodeSoftSparse(abPairs, { neighbours: 10 });
 */
export function encodeSoftSparse(ab: ArrayLike<number>, config: SoftEncodeConfig = {}): SparseSoftEncoding {
  const pixels = countAbPairs('ab', ab);
  const resolved = resolve(config);
  const k = resolved.neighbours;
  const indices = new Int32Array(pixels * k);
  const weights = new Float32Array(pixels * k);
  encodeRows(resolved, ab, 0, pixels, indices, weights);
  return { neighbours: k, indices, weights };
}

/**
 * Tensor form of {@link encodeSoft}: `[N, H, W, 2]` ab in Lab units → `[N, H, W, Q]` soft targets.
 * Reads the input synchronously and encodes on the CPU (the grid search has no tensor equivalent).
 *
 * @returns a new float32 tensor; the caller owns it.
 * @throws InputError unless `ab` has rank 4 and last dimension 2, or on non-finite values.
 * @example
 * const target = encodeSoftTensor(abBatch); // [N, H, W, 313]
 */
export function encodeSoftTensor(ab: tf.Tensor4D, config: SoftEncodeConfig = {}): tf.Tensor4D {
  const data = readAbTensor('ab', ab);
  const resolved = resolve(config);
  const [n, h, w] = ab.shape;
  return tf.tensor4d(encodeSoft(data, resolved), [n, h, w, resolved.gamut.size], 'float32');
}
