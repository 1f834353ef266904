/**
 * Empirical ab priors: Zhang et al.'s ImageNet prior over their 313 bins, and a streaming accumulator
 * that measures the prior of any dataset (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016,
 * §2.2 and Fig. 3(b)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZHANG_PRIOR_VALUES } from './zhang-prior-313.js';
import { ZHANG_GAMUT, type AbGamut } from '../bins/gamut.js';
import { encodeHard } from '../bins/encode-hard.js';
import { encodeSoftSparse } from '../bins/encode-soft.js';
import { countAbPairs } from '../bins/ab-input.js';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';

/**
 * Zhang et al.'s empirical ab prior over {@link ZHANG_GAMUT}'s 313 bins, measured on ImageNet (ECCV 2016,
 * §2.2; data file `resources/prior_probs.npy` of richzhang/colorization, BSD-2-Clause, see
 * THIRD_PARTY_NOTICES.md), float64 verbatim. Sums to 1 − 1.1e-15; largest at bin 120 (0, 0) = 0.2012,
 * smallest at bin 303 (100, −90) = 6.1e-9; no zeros. Treat it as read-only.
 *
 * @example
 * const weights = computeRebalanceWeights(ZHANG_PRIOR); // λ = 0.5
 */
export const ZHANG_PRIOR: Float64Array = Float64Array.from(ZHANG_PRIOR_VALUES);

/**
 * How each pixel is counted: at its nearest bin, or spread over k bins like the soft targets.
 * @example createAbPriorAccumulator({ counting: 'soft' satisfies PriorCounting });
 */
export type PriorCounting = 'hard' | 'soft';

/**
 * Options of {@link createAbPriorAccumulator}.
 * @example createAbPriorAccumulator({ counting: 'soft', neighbours: 10 });
 */
export interface AbPriorConfig {
  /** The bins; default {@link ZHANG_GAMUT}. */
  gamut?: AbGamut;
  /** `'hard'` (default): +1 at each pixel's nearest bin. `'soft'`: + its soft-encoding weights (sum 1). */
  counting?: PriorCounting;
  /** k for `'soft'` counting, an integer in [1, Q]; default 5 (§3.1). */
  neighbours?: number;
  /** σ for `'soft'` counting, Lab units; default 5 (§3.1). */
  sigma?: number;
}

/**
 * A running histogram of ab values over the bins of a gamut.
 * @example const acc = createAbPriorAccumulator(); acc.add(abPairs); acc.result();
 */
export interface AbPriorAccumulator {
  /**
   * Count a batch: interleaved (a, b) pairs in Lab units (any length, even), or a tensor whose last
   * dimension is 2 (read synchronously, not disposed).
   */
  add(ab: ArrayLike<number> | tf.Tensor): void;
  /** Pixels counted so far. */
  readonly pixels: number;
  /** The raw per-bin counts so far (a copy), length Q. */
  counts(): Float64Array;
  /** The empirical prior: counts divided by their sum, length Q. Throws InputError if nothing was added. */
  result(): Float64Array;
}

/**
 * Streaming empirical ab prior over any number of batches (the statistic behind Zhang et al.'s Fig. 3(b)
 * and their class rebalancing, §2.2). Counts in float64, so billions of pixels stay exact.
 *
 * @param config  `{ gamut = ZHANG_GAMUT, counting = 'hard', neighbours = 5, sigma = 5 }`.
 * @returns an accumulator: `add(batch)` as often as needed, then `result()`.
 * @throws ConfigError on a bad option.
 * @example
 * const acc = createAbPriorAccumulator();
 * for (const batch of abBatches) acc.add(batch);
 * const prior = smoothPrior(acc.result()); // then computeRebalanceWeights(prior)
 */
export function createAbPriorAccumulator(config: AbPriorConfig = {}): AbPriorAccumulator {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const counting = config.counting ?? 'hard';
  const neighbours = config.neighbours ?? 5;
  const sigma = config.sigma ?? 5;
  checkConfigChoice('counting', counting, ['hard', 'soft'] as const);
  checkConfigRange('neighbours', neighbours, 1, gamut.size, { integer: true });
  checkConfigRange('sigma', sigma, 0, Infinity, { openLow: true, openHigh: true });
  const totals = new Float64Array(gamut.size);
  let pixels = 0;

  const addPairs = (ab: ArrayLike<number>): void => {
    const n = countAbPairs('ab', ab);
    if (counting === 'hard') {
      const bins = encodeHard(ab, { gamut });
      for (let p = 0; p < n; p++) totals[bins[p]] += 1;
    } else {
      const { indices, weights } = encodeSoftSparse(ab, { gamut, neighbours, sigma });
      for (let m = 0; m < indices.length; m++) totals[indices[m]] += weights[m];
    }
    pixels += n;
  };

  return {
    add(ab: ArrayLike<number> | tf.Tensor): void {
      if (ab instanceof tf.Tensor) {
        if (ab.shape[ab.shape.length - 1] !== 2) {
          throw new InputError('ab', 'a tensor whose last dimension is 2 (a, b)', describeValue(ab));
        }
        addPairs(ab.dataSync() as Float32Array);
      } else {
        addPairs(ab);
      }
    },
    get pixels() {
      return pixels;
    },
    counts: () => Float64Array.from(totals),
    result(): Float64Array {
      const sum = totals.reduce((s, v) => s + v, 0);
      if (!(sum > 0)) throw new InputError('ab', 'at least one pixel added before result()', 'no pixels');
      return totals.map((v) => v / sum);
    },
  };
}
