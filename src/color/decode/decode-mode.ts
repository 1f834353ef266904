/**
 * Mode decoding: the centre of the most likely bin per pixel (Zhang, Isola, Efros, "Colorful Image
 * Colorization", ECCV 2016, §3.3, Fig. 3 column "Mode"; the annealed mean's limit T → 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AbGamut } from '../bins/gamut.js';
import { resolveDecodeConfig, type DecodeConfig } from './decode-config.js';

/**
 * Centre of the argmax bin for every pixel: vibrant but can be spatially inconsistent (§3.3).
 *
 * @param dist  `[N, H, W, Q]` logits or probabilities (the argmax is the same for both).
 * @param config  `{ gamut = ZHANG_GAMUT, input = 'logits' }`; `temperature` is ignored.
 * @returns `[N, H, W, 2]` ab in Lab units, each pair a bin centre. Caller owns it.
 * @example
 * const ab = decodeMode(logits);
 */
export function decodeMode(dist: tf.Tensor4D, config: Omit<DecodeConfig, 'temperature'> = {}): tf.Tensor4D {
  const { gamut } = resolveDecodeConfig(dist, { gamut: config.gamut, input: config.input }, 1);
  return decodeModeUnchecked(dist, gamut);
}

/** The core of {@link decodeMode}, for callers that validated their options already. Internal. */
export function decodeModeUnchecked(dist: tf.Tensor4D, gamut: AbGamut): tf.Tensor4D {
  const [n, h, w, q] = dist.shape;
  return tf.tidy(() => {
    const centres = tf.tensor2d(gamut.centres, [q, 2], 'float32');
    const best = tf.argMax(tf.reshape(dist, [n * h * w, q]), 1);
    return tf.reshape(tf.gather(centres, best), [n, h, w, 2]) as tf.Tensor4D;
  });
}
