/**
 * Fitting a picture of any size and aspect ratio to a model's fixed input, and mapping the prediction
 * back. Two ways:
 * - `'squash'` (default): resize to the input size, ignoring aspect ratio. Every input pixel of the model
 *   shows the picture, the whole receptive field sees content, and it is what the reference pipelines do
 *   (Zhang et al.'s demo resizes to 256 × 256; Iizuka et al. 2016, §3.2, rescale to 224 × 224 for the
 *   global features). Convolutional colorizers are trained on rescaled crops and tolerate the anisotropic
 *   scale; colour is predicted per region, and the prediction is stretched back exactly.
 * - `'letterbox'`: keep the aspect ratio and pad with the edge pixels. A 3:2 photo then leaves a third of
 *   the model's input to padding, so the picture is seen at 2/3 of the resolution, next to a flat band the
 *   model never saw in training. Offered for pictures with extreme aspect ratios (panoramas), where a
 *   squash would distort shapes beyond recognition.
 */
import { LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../color/lab/constants.js';
import type { LabPlanes } from '../color/image/image.js';
import type { AbImage } from '../color/image/image-recombine.js';
import { resizePlane } from '../color/image/image-resample.js';
import type { PixelBox, PixelSize } from '../color/image/pixel-geometry.js';

/** How a picture is fitted to the model's input (see the file comment). @example const fit: FitMode = 'letterbox'; */
export type FitMode = 'squash' | 'letterbox';

/** Every {@link FitMode}. @example const fit = FIT_MODES.find((m) => m === params.get('fit')) ?? 'squash'; */
export const FIT_MODES: readonly FitMode[] = Object.freeze(['squash', 'letterbox']);

/**
 * Letterboxed content starts and ends on multiples of this many input pixels, so that for models whose
 * output is 1/1, 1/2, 1/4 or 1/8 of the input the content is a whole number of output pixels.
 */
const LETTERBOX_ALIGN = 8;

/**
 * The model input made from a picture's lightness.
 * @example const { data, size, content } = fitLightness(lab, { height: 256, width: 256 }, 'squash');
 */
export interface FittedLightness {
  /** Normalized lightness `(L − 50) / 100`, `size.height × size.width`, row-major. */
  data: Float32Array;
  size: PixelSize;
  /** Where the picture lies in the model input (the whole input for `'squash'`). */
  content: PixelBox;
}

function alignedExtent(extent: number, available: number): number {
  if (available <= LETTERBOX_ALIGN) return available;
  const aligned = Math.round(extent / LETTERBOX_ALIGN) * LETTERBOX_ALIGN;
  return Math.min(available, Math.max(LETTERBOX_ALIGN, aligned));
}

/**
 * Resize a picture's lightness to a model's input size and normalize it.
 *
 * @param lab   full-size `{ lightness, width, height }`, L in [0, 100].
 * @param size  the model's input size.
 * @param fit   `'squash'` or `'letterbox'` (edge padding, content aligned to 8 input pixels).
 * @returns the normalized input and the content box.
 * @example
 * const fitted = fitLightness(imageToLab(image), { height: 256, width: 256 }, 'letterbox');
 */
export function fitLightness(
  lab: Pick<LabPlanes, 'lightness' | 'width' | 'height'>,
  size: PixelSize,
  fit: FitMode,
): FittedLightness {
  const { width: inW, height: inH } = size;
  let content: PixelBox = { x: 0, y: 0, width: inW, height: inH };
  if (fit === 'letterbox') {
    const scale = Math.min(inW / lab.width, inH / lab.height);
    const width = alignedExtent(lab.width * scale, inW);
    const height = alignedExtent(lab.height * scale, inH);
    const x = Math.floor((inW - width) / (2 * LETTERBOX_ALIGN)) * LETTERBOX_ALIGN;
    const y = Math.floor((inH - height) / (2 * LETTERBOX_ALIGN)) * LETTERBOX_ALIGN;
    content = { x, y, width, height };
  }
  const resized = resizePlane(lab.lightness, lab.width, lab.height, content.width, content.height);
  const data = new Float32Array(inW * inH);
  for (let y = 0; y < inH; y++) {
    // Edge padding: rows and columns outside the content repeat the nearest content pixel.
    const sy = Math.min(Math.max(y - content.y, 0), content.height - 1);
    for (let x = 0; x < inW; x++) {
      const sx = Math.min(Math.max(x - content.x, 0), content.width - 1);
      data[y * inW + x] = (resized[sy * content.width + sx] - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE;
    }
  }
  return { data, size: { height: inH, width: inW }, content };
}

/**
 * The part of a prediction that covers the picture: `ab` is at the model's output size, which may be a
 * fraction of its input size; the content box is scaled to it and rounded to whole output pixels.
 *
 * @param ab  the prediction over the whole model input, Lab units, interleaved.
 * @param fitted  what {@link fitLightness} returned for that prediction's input.
 * @returns `ab` itself for a full-input content box, else a cropped copy.
 * @example
 * const abPicture = cropToContent({ data, width: 64, height: 64 }, fitted);
 */
export function cropToContent(ab: AbImage, fitted: Pick<FittedLightness, 'size' | 'content'>): AbImage {
  const { size, content } = fitted;
  if (content.width === size.width && content.height === size.height) return ab;
  const rx = ab.width / size.width,
    ry = ab.height / size.height;
  const x0 = Math.min(ab.width - 1, Math.round(content.x * rx));
  const y0 = Math.min(ab.height - 1, Math.round(content.y * ry));
  const width = Math.max(1, Math.min(ab.width - x0, Math.round(content.width * rx)));
  const height = Math.max(1, Math.min(ab.height - y0, Math.round(content.height * ry)));
  const data = new Float32Array(2 * width * height);
  for (let y = 0; y < height; y++) {
    const from = 2 * ((y0 + y) * ab.width + x0);
    data.set(ab.data.subarray(from, from + 2 * width), 2 * y * width);
  }
  return { data, width, height };
}
