/**
 * Simulated user points for training and evaluating a hint-capable colorization network, after Zhang et al.
 * 2017, "Real-Time User-Guided Image Colorization with Learned Deep Priors", §3.2: for each example a number
 * of points drawn from a geometric distribution, each point revealing the mean ab of a small square patch of
 * the ground truth at a random place, with a mask channel marking where points are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError, describeValue } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import { assertRank, checkConfigChoice, checkConfigRange } from '../validate.js';

/**
 * Where simulated points are placed: the paper's centred Gaussian, or uniformly over the picture.
 * @example
 * if (!HINT_LOCATIONS.includes(flag as HintLocation)) throw new Error(`--location: one of ${HINT_LOCATIONS.join(', ')}`);
 */
export const HINT_LOCATIONS = ['gaussian', 'uniform'] as const;
/**
 * One of {@link HINT_LOCATIONS}.
 * @example
 * const location: HintLocation = 'uniform';
 */
export type HintLocation = (typeof HINT_LOCATIONS)[number];

/**
 * The paper's stop probability p of the geometric distribution of the number of points (§3.2).
 * @example
 * const meanPoints = (1 - DEFAULT_HINT_STOP_PROBABILITY) / DEFAULT_HINT_STOP_PROBABILITY;
 */
export const DEFAULT_HINT_STOP_PROBABILITY = 1 / 8;
/**
 * The paper's patch sizes: P drawn uniformly from 1 … 9 (§3.2).
 * @example
 * simulateHints(ab, { patchSizes: DEFAULT_HINT_PATCH_SIZES.filter((p) => p <= 5), random });
 */
export const DEFAULT_HINT_PATCH_SIZES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * Options of {@link simulateHints}. Every field is optional.
 * @example
 * const options: SimulatedHintsOptions = { noHintsShare: 0.1, random: createRandom(1) };
 */
export interface SimulatedHintsOptions {
  /**
   * p in (0, 1] of the geometric distribution of the number of points k per example: P(k) = (1 − p)^k · p for
   * k = 0, 1, 2, … (mean (1 − p) / p). A share p of the examples already gets no point. Default 1/8 (the paper).
   */
  stopProbability?: number;
  /**
   * Share in [0, 1] of the examples that get no point at all, on top of the geometric draw's own zeros (so one
   * network learns both automatic and guided colorization). The share with no point is then
   * `noHintsShare + (1 − noHintsShare) · stopProbability`. Default 0.
   */
  noHintsShare?: number;
  /**
   * A fixed number of points per example instead of the geometric draw (an integer ≥ 0), as the paper's
   * evaluation does for its PSNR-against-points curve. When set, `stopProbability` and `noHintsShare` are unused.
   */
  points?: number;
  /** Side lengths (integers ≥ 1) of the revealed square patches, drawn uniformly. Default 1 … 9 (the paper). */
  patchSizes?: readonly number[];
  /**
   * Where a patch's top-left corner falls: `'gaussian'` (the paper: N((S − P + 1)/2, ((S − P + 1)/4)²) on each
   * axis of side S, clipped to the picture) or `'uniform'`. Default `'gaussian'`.
   */
  location?: HintLocation;
  /**
   * The generator that draws every random choice; it advances, so a trainer passes one generator for the whole
   * run (and saves its `state()` in checkpoints). Takes precedence over `seed`.
   */
  random?: Random;
  /** Seed of a fresh generator when `random` is not given. Default 0 (the same points on every call). */
  seed?: number;
}

/** The planes {@link simulateHints} returns. The caller owns (and disposes) both tensors. */
export interface SimulatedHints {
  /** `[N, H, W, 2]` revealed ab / 110 where a point is, 0 elsewhere. */
  hintAb: tf.Tensor4D;
  /** `[N, H, W, 1]` 1 where a point is, 0 elsewhere. */
  hintMask: tf.Tensor4D;
}

/**
 * Simulate user points from the ground-truth colours (Zhang et al. 2017, §3.2). For each example: draw the
 * number of points (geometric with stop probability p, or `options.points`), and for each point a patch side
 * P from `patchSizes` and a top-left corner; the patch's mean ab is written into `hintAb` over the whole
 * P × P square and `hintMask` is set to 1 there. A later point overwrites an earlier one where they overlap.
 *
 * The values are read back to the CPU once (a synchronous read of `ab`), so this is meant for training
 * batches, not for large pictures on a GPU backend.
 *
 * @param ab  `[N, H, W, 2]` ground-truth ab / 110 (the normalization of a model's `hint_ab` input).
 * @param options  see {@link SimulatedHintsOptions}.
 * @returns `{ hintAb [N, H, W, 2], hintMask [N, H, W, 1] }`, the second and third inputs of a hint-capable
 *   model. The caller owns both.
 * @example
 * const random = createRandom(7);                        // one generator for the whole run
 * const { hintAb, hintMask } = simulateHints(abBatch, { random });
 * const predicted = model.predict([lightness, hintAb, hintMask]) as tf.Tensor4D;
 */
export function simulateHints(ab: tf.Tensor4D, options: SimulatedHintsOptions = {}): SimulatedHints {
  assertRank('ab', ab, 4);
  if (ab.shape[3] !== 2) throw new InputError('ab', 'shape [N, H, W, 2]', `shape [${ab.shape.join(', ')}]`);
  const settings = readOptions(options);
  const [n, h, w] = ab.shape;
  const truth = ab.dataSync();
  const hintAb = new Float32Array(n * h * w * 2);
  const hintMask = new Float32Array(n * h * w);
  const rng = settings.random;
  for (let example = 0; example < n; example++) {
    const count = drawPointCount(settings, rng);
    for (let point = 0; point < count; point++) {
      const size = Math.min(settings.patchSizes[rng.int(settings.patchSizes.length)], h, w);
      const top = drawCorner(h, size, settings.location, rng);
      const left = drawCorner(w, size, settings.location, rng);
      revealPatch(truth, hintAb, hintMask, { example, h, w, top, left, size });
    }
  }
  return {
    hintAb: tf.tensor4d(hintAb, [n, h, w, 2]),
    hintMask: tf.tensor4d(hintMask, [n, h, w, 1]),
  };
}

interface HintSettings {
  stopProbability: number;
  noHintsShare: number;
  points: number | undefined;
  patchSizes: readonly number[];
  location: HintLocation;
  random: Random;
}

function readOptions(options: SimulatedHintsOptions): HintSettings {
  const stopProbability = options.stopProbability ?? DEFAULT_HINT_STOP_PROBABILITY;
  checkConfigRange('stopProbability', stopProbability, 0, 1, { openLow: true });
  const noHintsShare = options.noHintsShare ?? 0;
  checkConfigRange('noHintsShare', noHintsShare, 0, 1);
  if (options.points !== undefined) checkConfigRange('points', options.points, 0, Infinity, { integer: true });
  const patchSizes = options.patchSizes ?? DEFAULT_HINT_PATCH_SIZES;
  if (!Array.isArray(patchSizes) || patchSizes.length === 0) {
    throw new ConfigError('patchSizes', 'a non-empty array of integers ≥ 1', describeValue(patchSizes));
  }
  patchSizes.forEach((size, i) => checkConfigRange(`patchSizes[${i}]`, size, 1, Infinity, { integer: true }));
  const location = options.location ?? 'gaussian';
  checkConfigChoice('location', location, HINT_LOCATIONS);
  let random = options.random;
  if (random === undefined) {
    const seed = options.seed ?? 0;
    checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
    random = createRandom(seed);
  } else if (typeof random.next !== 'function' || typeof random.int !== 'function') {
    throw new ConfigError('random', 'a generator from createRandom', describeValue(random));
  }
  return { stopProbability, noHintsShare, points: options.points, patchSizes, location, random };
}

/** k ≥ 0 with P(k) = (1 − p)^k p: keep adding points while a uniform draw falls at or above p. */
function drawPointCount(settings: HintSettings, rng: Random): number {
  if (settings.points !== undefined) return settings.points;
  if (settings.noHintsShare > 0 && rng.next() < settings.noHintsShare) return 0;
  let count = 0;
  while (rng.next() >= settings.stopProbability) count++;
  return count;
}

/** Top-left coordinate of a patch of side `size` on an axis of length `side`, in [0, side − size]. */
function drawCorner(side: number, size: number, location: HintLocation, rng: Random): number {
  const span = side - size + 1; // number of valid corners
  if (location === 'uniform') return rng.int(span);
  // The paper's N(μ = span/2, σ = span/4), clipped to the valid corners and truncated to an integer.
  const value = span / 2 + (span / 4) * standardNormal(rng);
  return Math.floor(Math.min(Math.max(value, 0), span - 1));
}

/** A standard normal draw (Box–Muller; 1 − u keeps the log argument in (0, 1]). */
function standardNormal(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

interface Patch {
  example: number;
  h: number;
  w: number;
  top: number;
  left: number;
  size: number;
}

/** Write the mean ab of the truth's patch into the hint plane over the patch, and 1 into the mask. */
function revealPatch(truth: ArrayLike<number>, hintAb: Float32Array, hintMask: Float32Array, p: Patch): void {
  const base = p.example * p.h * p.w;
  let sumA = 0;
  let sumB = 0;
  for (let y = p.top; y < p.top + p.size; y++) {
    for (let x = p.left; x < p.left + p.size; x++) {
      const i = base + y * p.w + x;
      sumA += truth[2 * i];
      sumB += truth[2 * i + 1];
    }
  }
  const area = p.size * p.size;
  const meanA = sumA / area;
  const meanB = sumB / area;
  for (let y = p.top; y < p.top + p.size; y++) {
    for (let x = p.left; x < p.left + p.size; x++) {
      const i = base + y * p.w + x;
      hintAb[2 * i] = meanA;
      hintAb[2 * i + 1] = meanB;
      hintMask[i] = 1;
    }
  }
}
