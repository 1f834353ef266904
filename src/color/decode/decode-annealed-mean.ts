/**
 * Annealed-mean decoding (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, eq. 5 and §3.3):
 * H(Z) = E[f_T(Z)], the mean of the bin centres under the distribution re-weighted with temperature T.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbGamut } from '../bins/gamut.js';
import { annealDistributionUnchecked } from './anneal-distribution.js';
import { resolveDecodeConfig, type DecodeConfig, type DistributionInput } from './decode-config.js';

/**
 * Annealed mean of a distribution over ab bins: vibrant like the mode, spatially consistent like the mean.
 *
 * @param dist  `[N, H, W, Q]` logits (default) or probabilities over the bins of `config.gamut`.
 * @param config  `{ gamut = ZHANG_GAMUT, input = 'logits', temperature = DEFAULT_TEMPERATURE }`; T in (0, 1].
 * @returns `[N, H, W, 2]` ab in Lab units (not divided by 110). Caller owns it; `dist` is not disposed.
 * @throws InputError on a wrong rank or last dimension; ConfigError on a bad option.
 * @example
 * const ab = decodeAnnealedMean(model.predict(l) as tf.Tensor4D);            // T = 0.38
 * const abProb = decodeAnnealedMean(probs, { input: 'probabilities', temperature: 0.5 });
 */
export function decodeAnnealedMean(dist: tf.Tensor4D, config: DecodeConfig = {}): tf.Tensor4D {
  const { gamut, input, temperature } = resolveDecodeConfig(dist, config);
  return decodeAnnealedMeanUnchecked(dist, gamut, input, temperature);
}

/** The core of {@link decodeAnnealedMean}, for callers that validated their options already. Internal. */
export function decodeAnnealedMeanUnchecked(
  dist: tf.Tensor4D,
  gamut: AbGamut,
  input: DistributionInput,
  temperature: number,
): tf.Tensor4D {
  const [n, h, w, q] = dist.shape;
  return tf.tidy(() => {
    const weights = annealDistributionUnchecked(dist, input, temperature);
    const centres = tf.tensor2d(gamut.centres, [q, 2], 'float32');
    return tf.reshape(tf.matMul(tf.reshape(weights, [n * h * w, q]), centres), [n, h, w, 2]) as tf.Tensor4D;
  });
}
