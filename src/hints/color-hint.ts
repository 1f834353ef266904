/**
 * What a user gives to guide a colorization (Zhang et al. 2017, "Real-Time User-Guided Image Colorization with
 * Learned Deep Priors"): colour points at places in the photo, or a hint image that paints colours where
 * the user knows them.
 */
import type { ImageInput } from '../color/image/image-adapters.js';

/**
 * A hint's colour: `'#rrggbb'` (sRGB hex, case-insensitive), an `[r, g, b]` triple of sRGB values 0–255, or
 * CIE Lab chroma `{ a, b }` (each in [−128, 128]). Only the chroma counts: the photo keeps its own lightness.
 * @example
 * const colors: HintColor[] = ['#3a6ea5', [58, 110, 165], { a: -2, b: -32 }];
 */
export type HintColor = string | readonly [number, number, number] | { readonly a: number; readonly b: number };

/**
 * One colour point: the pixel `(x, y)` of the photo, in its own pixels (0 ≤ x < width, 0 ≤ y < height;
 * fractions allowed), should have the chroma of `color`.
 * @example
 * const hint: ColorHint = { x: 120, y: 48, color: '#3a6ea5' };   // the dress was blue
 */
export interface ColorHint {
  readonly x: number;
  readonly y: number;
  readonly color: HintColor;
}

/**
 * Hints painted as an image, the alternative to a list of points: `image` has the photo's size and holds the
 * hint colours (RGB or RGBA); `mask` (gray, the photo's size) marks hinted pixels with values ≥ 128 (≥ 0.5 for
 * floats). Without `mask`, an RGBA `image` marks them by alpha ≥ 128 (a transparent canvas painted with a
 * brush), and an RGB or gray image is refused.
 * @example
 * const hints: HintImage = { image: context.getImageData(0, 0, width, height) };   // painted strokes, alpha marks them
 */
export interface HintImage {
  readonly image: ImageInput;
  readonly mask?: ImageInput;
}

/**
 * The `hints` of a `colorize` call: a list of {@link ColorHint} points or a {@link HintImage}.
 * @example
 * await colorizer.colorize(photo, { hints: [{ x: 120, y: 48, color: '#3a6ea5' }] });
 */
export type ColorHints = readonly ColorHint[] | HintImage;

/**
 * Most points one colorization takes (and fewer when the model's input has fewer pixels). The paper's
 * evaluation goes up to a few hundred points; beyond that a painted {@link HintImage} is the better form.
 * @example
 * if (points.length > MAX_HINT_POINTS) points = points.slice(0, MAX_HINT_POINTS);
 */
export const MAX_HINT_POINTS = 512;
