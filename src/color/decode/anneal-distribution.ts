/**
 * The annealed distribution over ab bins, f_T(z) ∝ exp(log z / T) (Zhang, Isola, Efros, "Colorful Image
 * Colorization", ECCV 2016, eq. 5), shared by the decoders and the sampler.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resolveDecodeConfig, type DecodeConfig, type DistributionInput } from './decode-config.js';

/** Smallest probability taken into the log, so zero bins give a finite score (their weight stays ~0). */
const MIN_PROBABILITY = 1e-30;

/**
 * Re-weight a distribution over bins with temperature T: softmax(z / T) for logits z, softmax(log p / T)
 * for probabilities p. Computed in log space so small T does not underflow (eq. 5 of Zhang et al. 2016).
 *
 * @param dist  `[N, H, W, Q]` logits or probabilities (see `config.input`).
 * @param config  `{ gamut = ZHANG_GAMUT, input = 'logits', temperature = DEFAULT_TEMPERATURE }`.
 * @returns `[N, H, W, Q]` probabilities summing to 1 over the last axis. Caller owns it.
 * @throws InputError on a wrong rank or last dimension; ConfigError on a bad `input` or `temperature`.
 * @example
 * const sharp = annealDistribution(logits, { temperature: 0.2 });
 */
export function annealDistribution(dist: tf.Tensor4D, config: DecodeConfig = {}): tf.Tensor4D {
  const { input, temperature } = resolveDecodeConfig(dist, config);
  return annealDistributionUnchecked(dist, input, temperature);
}

/** The core of {@link annealDistribution}, for callers that validated their options already. Internal. */
export function annealDistributionUnchecked(
  dist: tf.Tensor4D,
  input: DistributionInput,
  temperature: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const scores = input === 'logits' ? dist : tf.log(tf.maximum(dist, MIN_PROBABILITY));
    return tf.softmax(tf.div(scores, temperature)) as tf.Tensor4D;
  });
}
