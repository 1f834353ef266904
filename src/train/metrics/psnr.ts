/**
 * Peak signal-to-noise ratio of RGB images: `PSNR = 10 · log10(R² / MSE)` with R the data range and the MSE
 * taken over every pixel and channel of one image (the definition of `skimage.metrics.peak_signal_noise_ratio`;
 * used for colorization by e.g. Nazeri et al. 2018 and Larsson et al. 2016 §4).
 */
import { readImageBatch, assertSameLayout, resolveDataRange, type MetricImageInput } from './metric-input.js';

/**
 * Settings of {@link computePsnr}.
 *
 * @example
 * const config: PsnrConfig = { dataRange: 255 };
 */
export interface PsnrConfig {
  /** R: 255 for uint8 RGB in [0, 255], 1 for float RGB in [0, 1]. Default: 255 for uint8 data (typed uint8 or int32 tensors), else 1. */
  dataRange?: number;
}

/**
 * PSNR in dB between predicted and ground-truth RGB, averaged over the images of a batch (each image's PSNR
 * computed on its own, then the mean). Identical images give `Infinity`, as in scikit-image.
 * Computed in float64; reads tensors without creating any; inputs are not disposed.
 *
 * @param predicted  `[H, W, 3]` / `[N, H, W, 3]` tensor or a typed image; uint8 [0, 255] or float [0, 1] (see `dataRange`).
 * @param target  the ground truth, same layout.
 * @example
 * computePsnr(colorized, original); // uint8 images: data range 255
 * computePsnr(rgb01Prediction, rgb01Target, { dataRange: 1 });
 */
export function computePsnr(predicted: MetricImageInput, target: MetricImageInput, config: PsnrConfig = {}): number {
  const p = readImageBatch('predicted', predicted, [3]);
  const t = readImageBatch('target', target, [3]);
  assertSameLayout('predicted', p, 'target', t);
  const range = resolveDataRange('config.dataRange', t, config.dataRange);
  const perImage = p.height * p.width * 3;
  let sum = 0;
  for (let n = 0; n < p.count; n++) {
    let squared = 0;
    for (let i = n * perImage; i < (n + 1) * perImage; i++) {
      const d = p.data[i] - t.data[i];
      squared += d * d;
    }
    sum += 10 * Math.log10((range * range) / (squared / perImage));
  }
  return sum / p.count;
}
