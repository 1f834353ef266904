/**
 * Colourfulness of Hasler & Süsstrunk 2003 ("Measuring colourfulness in natural images", Proc. SPIE 5007,
 * §3, eq. for M^(3)): with opponent channels rg = R − G and yb = (R + G)/2 − B over the pixels of an image,
 *   M = σ_rgyb + 0.3 · μ_rgyb,  σ_rgyb = √(σ_rg² + σ_yb²),  μ_rgyb = √(μ_rg² + μ_yb²),
 * σ and μ the (population) standard deviation and mean. RGB is on the 0–255 scale the paper uses, so
 * float images in [0, 1] are scaled by 255 first. Colorization papers report it to show how vivid the
 * colours are (a gray image scores 0).
 */
import { readImageBatch, resolveDataRange, type MetricImageInput } from './metric-input.js';

/**
 * Settings of {@link computeColorfulness}.
 *
 * @example
 * const config: ColorfulnessConfig = { dataRange: 1 };
 */
export interface ColorfulnessConfig {
  /** Range of the input: 255 for uint8 RGB, 1 for float RGB in [0, 1]. Default: 255 for uint8 data, else 1. */
  dataRange?: number;
}

/**
 * Colourfulness M of Hasler & Süsstrunk 2003 (see the file comment), on the 0–255 scale, averaged over the
 * images of a batch. Computed in float64; reads tensors without creating any; inputs are not disposed.
 *
 * @param image  `[H, W, 3]` / `[N, H, W, 3]` tensor or a typed RGB image.
 * @returns M ≥ 0 (0 for a gray image; the paper's "highly colourful" class starts near 109).
 * @example
 * computeColorfulness(colorizedUint8); // e.g. 35.2
 */
export function computeColorfulness(image: MetricImageInput, config: ColorfulnessConfig = {}): number {
  const batch = readImageBatch('image', image, [3]);
  const scale = 255 / resolveDataRange('config.dataRange', batch, config.dataRange);
  const pixels = batch.height * batch.width;
  let sum = 0;
  for (let n = 0; n < batch.count; n++) {
    let sRg = 0,
      sYb = 0,
      sRg2 = 0,
      sYb2 = 0;
    for (let i = n * pixels; i < (n + 1) * pixels; i++) {
      const r = batch.data[3 * i] * scale;
      const g = batch.data[3 * i + 1] * scale;
      const b = batch.data[3 * i + 2] * scale;
      const rg = r - g;
      const yb = 0.5 * (r + g) - b;
      sRg += rg;
      sYb += yb;
      sRg2 += rg * rg;
      sYb2 += yb * yb;
    }
    const mRg = sRg / pixels;
    const mYb = sYb / pixels;
    // Variances clamped at 0: float cancellation can leave −1e−12 for a flat image.
    const vRg = Math.max(0, sRg2 / pixels - mRg * mRg);
    const vYb = Math.max(0, sYb2 / pixels - mYb * mYb);
    sum += Math.sqrt(vRg + vYb) + 0.3 * Math.sqrt(mRg * mRg + mYb * mYb);
  }
  return sum / batch.count;
}
