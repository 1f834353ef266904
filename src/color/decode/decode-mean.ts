/**
 * Mean decoding: the expected ab under the predicted distribution, i.e. the annealed mean at T = 1
 * (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, §3.3, Fig. 3 column "Mean").
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeAnnealedMeanUnchecked } from './decode-annealed-mean.js';
import { resolveDecodeConfig, type DecodeConfig } from './decode-config.js';

/**
 * Mean of the bin centres under the distribution (spatially smooth but desaturated, §3.3).
 *
 * @param dist  `[N, H, W, Q]` logits (default) or probabilities.
 * @param config  `{ gamut = ZHANG_GAMUT, input = 'logits' }`; `temperature` is ignored (always 1).
 * @returns `[N, H, W, 2]` ab in Lab units. Caller owns it.
 * @example
 * const ab = decodeMean(probs, { input: 'probabilities' });
 */
export function decodeMean(dist: tf.Tensor4D, config: Omit<DecodeConfig, 'temperature'> = {}): tf.Tensor4D {
  const { gamut, input } = resolveDecodeConfig(dist, { gamut: config.gamut, input: config.input }, 1);
  return decodeAnnealedMeanUnchecked(dist, gamut, input, 1);
}
