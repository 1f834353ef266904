/**
 * Pixel accuracy of Nazeri, Ng & Ebrahimi 2018 ("Image colorization using generative adversarial networks",
 * AMDO 2018, experimental results): the fraction of pixels whose colour matches the ground truth, a pixel
 * matching when every channel differs from it by at most a threshold (2 % of the channel's range).
 *
 * The exact rule follows the authors' released code (ImagingLab/Colorizing-with-GANs, `pixelwise_accuracy`):
 * in **CIE Lab** units, each value rounded to an integer first (round half to even, like `tf.round`), then
 * |ΔL| ≤ p % of 100 and |Δa|, |Δb| ≤ p % of 220 (a and b span [−110, 110]); with p = 2: 2 and 4.4.
 * Given ab only (2 channels), L is taken to match — the usual case when the model keeps the input lightness.
 */
import { checkConfigRange } from '../../validate.js';
import { ConfigError, describeValue } from '../../errors.js';
import { assertSameLayout, readImageBatch, type MetricImageInput } from './metric-input.js';

/**
 * Settings of {@link computePixelAccuracy}.
 *
 * @example
 * const config: PixelAccuracyConfig = { thresholdPercent: 2 };
 */
export interface PixelAccuracyConfig {
  /** Threshold as a percentage of each channel's range (L: 100, a and b: 220); > 0. Default 2 (Nazeri et al. 2018). */
  thresholdPercent?: number;
  /** Round values to integers before comparing, as the released code does. Default true. */
  round?: boolean;
}

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round sends x.5 up; tf.round (and numpy) send it to the even neighbour.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Fraction of pixels within the Nazeri et al. 2018 threshold in every channel (see the file comment),
 * pooled over all pixels of the batch. Reads tensors without creating any; inputs are not disposed.
 *
 * @param predicted  Lab (`[…, 3]`, L in [0, 100]) or ab (`[…, 2]`) in Lab units: tensor `[H, W, C]` / `[N, H, W, C]` or typed image.
 * @param target  the ground truth, same layout.
 * @returns accuracy in [0, 1].
 * @example
 * computePixelAccuracy(predictedLab, targetLab); // 2 % threshold: |ΔL| ≤ 2, |Δa|, |Δb| ≤ 4.4
 */
export function computePixelAccuracy(
  predicted: MetricImageInput,
  target: MetricImageInput,
  config: PixelAccuracyConfig = {},
): number {
  const percent = config.thresholdPercent ?? 2;
  checkConfigRange('thresholdPercent', percent, 0, 100, { openLow: true });
  const round = config.round ?? true;
  if (typeof round !== 'boolean') throw new ConfigError('round', 'true or false', describeValue(round));
  const p = readImageBatch('predicted', predicted, [2, 3]);
  const t = readImageBatch('target', target, [2, 3]);
  assertSameLayout('predicted', p, 'target', t);
  const c = p.channels;
  const limits = c === 3 ? [percent, 2.2 * percent, 2.2 * percent] : [2.2 * percent, 2.2 * percent];
  const value = round ? roundHalfEven : (v: number) => v;
  const pixels = p.count * p.height * p.width;
  let matching = 0;
  for (let i = 0; i < pixels; i++) {
    let ok = true;
    for (let k = 0; k < c && ok; k++) ok = Math.abs(value(p.data[i * c + k]) - value(t.data[i * c + k])) <= limits[k];
    if (ok) matching += 1;
  }
  return matching / pixels;
}
