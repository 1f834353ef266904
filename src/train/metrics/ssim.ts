/**
 * Structural similarity of RGB images (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment:
 * from error visibility to structural similarity", IEEE TIP 13(4), eq. 13 with the §III-B settings):
 * local means, variances and covariance under an 11×11 Gaussian window of σ = 1.5, K1 = 0.01, K2 = 0.03,
 * population (not sample) covariance; SSIM averaged over the pixels whose window lies inside the image,
 * then over the three channels, then over the images of a batch.
 *
 * This matches `skimage.metrics.structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, channel_axis=-1, data_range=R)` (checked against scikit-image 0.19 in the
 * tests): its Gaussian is truncated at 3.5σ (radius 5, so 11×11) and it crops 5 pixels of border, so
 * only windows fully inside the image count and no border padding enters the result.
 */
import { InputError } from '../../errors.js';
import { assertSameLayout, readImageBatch, resolveDataRange, type MetricImageInput } from './metric-input.js';

/**
 * Settings of {@link computeSsim}.
 *
 * @example
 * const config: SsimConfig = { dataRange: 1 };
 */
export interface SsimConfig {
  /** R in C1 = (K1·R)², C2 = (K2·R)²: 255 for uint8 RGB, 1 for float RGB in [0, 1]. Default: 255 for uint8 data, else 1. */
  dataRange?: number;
}

const SIGMA = 1.5;
const RADIUS = 5; // int(3.5 · σ + 0.5), scipy's truncation as used by scikit-image
const K1 = 0.01;
const K2 = 0.03;

const WINDOW: Float64Array = (() => {
  const w = new Float64Array(2 * RADIUS + 1);
  let total = 0;
  for (let i = -RADIUS; i <= RADIUS; i++) total += w[i + RADIUS] = Math.exp((-0.5 * i * i) / (SIGMA * SIGMA));
  for (let i = 0; i < w.length; i++) w[i] /= total;
  return w;
})();

/** Mean SSIM of one channel plane (stride `channels` in `data`, starting at `offset`). */
function planeSsim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  offset: number,
  channels: number,
  height: number,
  width: number,
  c1: number,
  c2: number,
): number {
  const innerW = width - 2 * RADIUS;
  const innerH = height - 2 * RADIUS;
  // Horizontal pass over every row, only for columns whose window is inside the image: 5 moment maps.
  const rowMoments = Array.from({ length: 5 }, () => new Float64Array(height * innerW));
  const [hx, hy, hxx, hyy, hxy] = rowMoments;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < innerW; c++) {
      let sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0;
      for (let k = 0; k <= 2 * RADIUS; k++) {
        const i = offset + (r * width + c + k) * channels;
        const a = x[i];
        const b = y[i];
        const g = WINDOW[k];
        sx += g * a;
        sy += g * b;
        sxx += g * a * a;
        syy += g * b * b;
        sxy += g * a * b;
      }
      const o = r * innerW + c;
      hx[o] = sx;
      hy[o] = sy;
      hxx[o] = sxx;
      hyy[o] = syy;
      hxy[o] = sxy;
    }
  }
  let total = 0;
  for (let r = 0; r < innerH; r++) {
    for (let c = 0; c < innerW; c++) {
      let ux = 0,
        uy = 0,
        uxx = 0,
        uyy = 0,
        uxy = 0;
      for (let k = 0; k <= 2 * RADIUS; k++) {
        const o = (r + k) * innerW + c;
        const g = WINDOW[k];
        ux += g * hx[o];
        uy += g * hy[o];
        uxx += g * hxx[o];
        uyy += g * hyy[o];
        uxy += g * hxy[o];
      }
      const vx = uxx - ux * ux;
      const vy = uyy - uy * uy;
      const vxy = uxy - ux * uy;
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
  }
  return total / (innerH * innerW);
}

/**
 * Mean SSIM between predicted and ground-truth RGB (see the file comment for the exact definition).
 * Images must be at least 11×11. Computed in float64; reads tensors without creating any; inputs are not disposed.
 *
 * @param predicted  `[H, W, 3]` / `[N, H, W, 3]` tensor or a typed image; uint8 [0, 255] or float [0, 1] (see `dataRange`).
 * @param target  the ground truth, same layout.
 * @returns SSIM in [−1, 1]; 1 for identical images. For a batch, the mean over images.
 * @example
 * computeSsim(colorized, original); // uint8: data range 255
 */
export function computeSsim(predicted: MetricImageInput, target: MetricImageInput, config: SsimConfig = {}): number {
  const p = readImageBatch('predicted', predicted, [3]);
  const t = readImageBatch('target', target, [3]);
  assertSameLayout('predicted', p, 'target', t);
  if (p.height < 2 * RADIUS + 1 || p.width < 2 * RADIUS + 1) {
    throw new InputError(
      'predicted',
      `images of at least ${2 * RADIUS + 1}×${2 * RADIUS + 1} pixels (the Gaussian window)`,
      `${p.height}×${p.width}`,
    );
  }
  const range = resolveDataRange('config.dataRange', t, config.dataRange);
  const c1 = (K1 * range) ** 2;
  const c2 = (K2 * range) ** 2;
  const perImage = p.height * p.width * 3;
  let sum = 0;
  for (let n = 0; n < p.count; n++) {
    let channelSum = 0;
    for (let ch = 0; ch < 3; ch++)
      channelSum += planeSsim(p.data, t.data, n * perImage + ch, 3, p.height, p.width, c1, c2);
    sum += channelSum / 3;
  }
  return sum / p.count;
}
