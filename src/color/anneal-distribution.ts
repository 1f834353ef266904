/**
 * The annealed distribution over ab bins, f_T(z) ∝ exp(log z / T) (Zhang, Isola, Efros, "Colorful Image
 * Colorization", ECCV 2016, eq. 5), shared by the decoders and the sampler.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbGamut } from './gamut.js';
import { resolveDecodeConfig } from './decode-config.js';

/**
 * What a `[N, H, W, Q]` distribution tensor holds: unnormalized scores or probabilities.
 * @example decodeMean(probs, { input: 'probabilities' satisfies DistributionInput });
 */
export type DistributionInput = 'logits' | 'probabilities';

/**
 * The valid values of {@link DistributionInput}.
 * @example DISTRIBUTION_INPUTS.includes('logits'); // true
 */
export const DISTRIBUTION_INPUTS: readonly DistributionInput[] = Object.freeze(['logits', 'probabilities']);

/**
 * Options shared by the decoders (the gamut defaults to ZHANG_GAMUT).
 * @example decodeAnnealedMean(logits, { temperature: 0.5 } satisfies DecodeConfig);
 */
export interface DecodeConfig {
  /** The bins the last axis indexes; default {@link ZHANG_GAMUT} (Q = 313). */
  gamut?: AbGamut;
  /** `'logits'` (a model's raw output, the default) or `'probabilities'` (non-negative, summing to 1 per pixel). */
  input?: DistributionInput;
  /** T in (0, 1]: 1 keeps the distribution, → 0 approaches the mode. Default 0.38 (§3.3, Fig. 3). */
  temperature?: number;
}

/** Smallest probability taken into the log, so zero bins give a finite score (their weight stays ~0). */
const MIN_PROBABILITY = 1e-30;

/**
 * Re-weight a distribution over bins with temperature T: softmax(z / T) for logits z, softmax(log p / T)
 * for probabilities p. Computed in log space so small T does not underflow (eq. 5 of Zhang et al. 2016).
 *
 * @param dist  `[N, H, W, Q]` logits or probabilities (see `config.input`).
 * @param config  `{ gamut = ZHANG_GAMUT, input = 'logits', temperature = 0.38 }`.
 * @returns `[N, H, W, Q]` probabilities summing to 1 over the last axis. Caller owns it.
 * @throws InputError on a wrong rank or last dimension; ConfigError on a bad `input` or `temperature`.
 * @example
 * const sharp = annealDistribution(logits, { temperature: 0.38 });
 */
export function annealDistribution(dist: tf.Tensor4D, config: DecodeConfig = {}): tf.Tensor4D {
  const { input, temperature } = resolveDecodeConfig(dist, config, 0.38);
  return tf.tidy(() => {
    const scores = input === 'logits' ? dist : tf.log(tf.maximum(dist, MIN_PROBABILITY));
    return tf.softmax(tf.div(scores, temperature)) as tf.Tensor4D;
  });
}
