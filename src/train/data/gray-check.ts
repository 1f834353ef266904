/**
 * Telling gray photos from colour ones in a training set. Photo collections (Places365, ImageNet, scraped
 * folders) contain black-and-white pictures; as colour targets they teach a model that gray is a right
 * answer, so Nazeri, Ng and Ebrahimi (2018, "Image Colorization using Generative Adversarial Networks",
 * dataset preparation for Places365) leave them out of training. Here an image counts as gray when its
 * mean chroma `√(a² + b²)` is below a threshold in Lab units.
 */
import type { LabPlanes } from '../../color/image.js';

/**
 * Default gray threshold: mean chroma below 2 Lab units. About one just-noticeable difference
 * (ΔE*ab ≈ 2.3; Sharma, *Digital Color Imaging Handbook*, 2003), so JPEG noise on a gray photo
 * stays below it while sepia or faintly tinted photos (mean chroma ≳ 5) stay in the set.
 * @example isGrayLab(lab, GRAY_CHROMA_THRESHOLD)
 */
export const GRAY_CHROMA_THRESHOLD = 2;

/**
 * Mean chroma `√(a² + b²)` over all pixels, Lab units.
 * @example meanChroma(imageToLab(image)); // 0 for a gray image
 */
export function meanChroma(lab: Pick<LabPlanes, 'a' | 'b'>): number {
  const { a, b } = lab;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.sqrt(a[i] * a[i] + b[i] * b[i]);
  return a.length === 0 ? 0 : sum / a.length;
}

/**
 * True when the image's mean chroma is below `threshold` (see {@link GRAY_CHROMA_THRESHOLD}).
 * @example if (isGrayLab(imageToLab(image))) skipped++;
 */
export function isGrayLab(lab: Pick<LabPlanes, 'a' | 'b'>, threshold = GRAY_CHROMA_THRESHOLD): boolean {
  return meanChroma(lab) < threshold;
}
