/**
 * The last step of colorization: join a low-resolution ab prediction with the full-resolution lightness
 * of the input and convert to RGB (Zhang et al. 2016, ECCV, §2 and Fig. 2: the prediction is upsampled
 * and concatenated with the input L). Only this step and the Lab conversion touch full-size pixels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../errors.js';
import { assertFinite } from '../../validate.js';
import type { ImageLike, LabPlanes } from './image.js';
import { resizePlane } from './image-resample.js';
import { labPlanesToRgb } from '../lab/lab.js';

/** ab on the typed path: row-major, interleaved `[a, b]` per pixel, in Lab units (not divided by 110). @example const ab: AbImage = { data, width: 64, height: 64 }; */
export interface AbImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Options of {@link recombineLab}. @example recombineLab(lab, ab, { channels: 4, returnLab: true }); */
export interface RecombineOptions {
  /** Output channels: 3 (RGB) or 4 (RGBA, alpha 255, ready for `ImageData`). Default 3. */
  channels?: 3 | 4;
  /** Also return the full-size Lab planes that were converted. Default false. */
  returnLab?: boolean;
  /** Buffer of exactly width × height × channels bytes for the RGB result. */
  out?: Uint8ClampedArray;
}

/** Result of {@link recombineLab}. @example const { image, lab } = recombineLab(planes, ab, { returnLab: true }); */
export interface RecombinedImage {
  /** Full-size RGB(A), `Uint8ClampedArray` 0–255. */
  image: ImageLike & { data: Uint8ClampedArray };
  /** With `returnLab`: `lightness` is the very array passed in (so L is bit-identical), `a`, `b` the upsampled ab. */
  lab?: LabPlanes;
}

function abFromTensor(ab: tf.Tensor): AbImage {
  const ok =
    ab.dtype === 'float32' &&
    ((ab.rank === 4 && ab.shape[0] === 1 && ab.shape[3] === 2) || (ab.rank === 3 && ab.shape[2] === 2));
  if (!ok)
    throw new InputError(
      'ab',
      'a float32 tensor of shape [1, h, w, 2] or [h, w, 2]',
      `${ab.dtype} tensor of shape [${ab.shape.join(', ')}]`,
    );
  const [height, width] = ab.shape.slice(-3, -1);
  return { data: ab.dataSync() as Float32Array, width, height };
}

/**
 * Combine full-resolution lightness with a low-resolution ab prediction into a full-resolution RGB image.
 * ab is upsampled bilinearly with half-pixel centres (edge pixels clamped), joined with L unchanged, and
 * converted by `labPlanesToRgb` (scikit-image `lab2rgb` semantics: Z < 0 → 0, RGB clipped, then rounded to
 * 0–255). So the output's lightness equals the input's up to gamut clipping and uint8 rounding.
 *
 * @param lightness  full-size L: `{ lightness, width, height }`, e.g. the planes from `imageToLab`.
 * @param ab  the prediction in Lab units (multiply a model's ab/110 output by `AB_SCALE` first): a float32
 *   tensor `[1, h, w, 2]` or `[h, w, 2]` (read with `dataSync`; on GPU backends prefer `await ab.data()`
 *   and pass an {@link AbImage}), or an {@link AbImage}. Any h, w: usually smaller than the image.
 * @param options  output `channels` (3 | 4, default 3), `returnLab`, optional `out` buffer.
 * @returns the RGB image and, on request, the Lab planes. Does not dispose `ab`.
 * @example
 * const lab = imageToLab(toImageLike(photo));
 * const ab = tf.tidy(() => tf.mul(model.predict(lightnessToInput(lab)) as tf.Tensor4D, AB_SCALE));
 * const { image } = recombineLab(lab, ab, { channels: 4 });
 * ab.dispose();
 */
export function recombineLab(
  lightness: Pick<LabPlanes, 'lightness' | 'width' | 'height'>,
  ab: tf.Tensor | AbImage,
  options: RecombineOptions = {},
): RecombinedImage {
  const { width, height } = lightness;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InputError('lightness', 'a positive integer width and height', `${width} × ${height}`);
  }
  const n = width * height;
  const L = lightness.lightness;
  if (!(L instanceof Float32Array) || L.length !== n) {
    throw new InputError(
      'lightness.lightness',
      `a Float32Array of length ${n} (${width} × ${height})`,
      L instanceof Float32Array ? `length ${L.length}` : String(L),
    );
  }
  const low = ab instanceof tf.Tensor ? abFromTensor(ab) : ab;
  if (
    !(low.data instanceof Float32Array) ||
    !Number.isInteger(low.width) ||
    !Number.isInteger(low.height) ||
    low.width <= 0 ||
    low.height <= 0
  ) {
    throw new InputError(
      'ab',
      'an AbImage { data: Float32Array, width, height } with positive size',
      `${String(low.width)} × ${String(low.height)}`,
    );
  }
  if (low.data.length !== 2 * low.width * low.height) {
    throw new InputError(
      'ab.data',
      `length ${2 * low.width * low.height} (${low.width} × ${low.height} × 2)`,
      `length ${low.data.length}`,
    );
  }
  assertFinite('ab', low.data);
  // Split the small low-resolution ab first, so the full-size a and b planes are written once each.
  const m = low.width * low.height;
  const aLow = new Float32Array(m),
    bLow = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    aLow[i] = low.data[2 * i];
    bLow[i] = low.data[2 * i + 1];
  }
  const a = resizePlane(aLow, low.width, low.height, width, height, { antialias: false });
  const b = resizePlane(bLow, low.width, low.height, width, height, { antialias: false });
  const channels = options.channels ?? 3;
  const rgb = labPlanesToRgb(L, a, b, { channels, out: options.out });
  const result: RecombinedImage = { image: { data: rgb, width, height, channels } };
  if (options.returnLab) result.lab = { width, height, lightness: L, a, b };
  return result;
}
