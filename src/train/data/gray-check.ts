/**
 * Telling gray photos from colour ones in a training set. Photo collections (Places365, ImageNet, scraped
 * folders) contain black-and-white pictures; as colour targets they teach a model that gray is a right
 * answer, so Nazeri, Ng and Ebrahimi (2018, "Image Colorization using Generative Adversarial Networks",
 * dataset preparation for Places365) leave them out of training.
 *
 * The test: an image is gray when at most 1 % of its pixels have a chroma `√(a² + b²)` of 4 Lab units or
 * more (its 99th-percentile chroma is below 4). A percentile, not the mean, because colour photos of
 * snow, fur or steel have a low mean chroma yet a few clearly coloured pixels. Measured on this project's
 * photos (2026-11-24): seven historical black-and-white scans, some faintly tinted, have a 99th-percentile
 * chroma of 0–3.6; the 2118 colour photos of the training set 4.6 and up (mean chroma as low as 0.6).
 */
import type { LabPlanes } from '../../color/image/image.js';

/**
 * Default chroma threshold of the gray test, Lab units: pixels at or above it count as coloured.
 * @example isGrayLab(lab, { threshold: GRAY_CHROMA_THRESHOLD })
 */
export const GRAY_CHROMA_THRESHOLD = 4;

/**
 * Default largest share of coloured pixels a gray image may have (1 %: JPEG ringing, dust, a stamp).
 * @example isGrayLab(lab, { fraction: GRAY_PIXEL_FRACTION })
 */
export const GRAY_PIXEL_FRACTION = 0.01;

/**
 * Options of {@link isGrayLab}.
 * @example
 * isGrayLab(imageToLab(image), { threshold: 6, fraction: 0.02 }); // a looser test for sepia scans
 */
export interface GrayTestOptions {
  /** Chroma at or above which a pixel is coloured, Lab units. Default {@link GRAY_CHROMA_THRESHOLD} (4). */
  threshold?: number;
  /** Largest share of coloured pixels of a gray image, in [0, 1). Default {@link GRAY_PIXEL_FRACTION} (0.01). */
  fraction?: number;
}

/**
 * Share of pixels whose chroma `√(a² + b²)` is at least `threshold` Lab units, in [0, 1].
 * @example colourfulFraction(imageToLab(image), 4); // 0 for a gray image
 */
export function colourfulFraction(lab: Pick<LabPlanes, 'a' | 'b'>, threshold = GRAY_CHROMA_THRESHOLD): number {
  const { a, b } = lab;
  const squared = threshold * threshold;
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] * a[i] + b[i] * b[i] >= squared) count++;
  return a.length === 0 ? 0 : count / a.length;
}

/**
 * True when the image is gray: at most `fraction` of its pixels reach `threshold` chroma.
 * @example if (isGrayLab(imageToLab(image))) skipped++;
 */
export function isGrayLab(lab: Pick<LabPlanes, 'a' | 'b'>, options: GrayTestOptions = {}): boolean {
  return (
    colourfulFraction(lab, options.threshold ?? GRAY_CHROMA_THRESHOLD) <= (options.fraction ?? GRAY_PIXEL_FRACTION)
  );
}
