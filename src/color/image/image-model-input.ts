/**
 * From full-size Lab planes to the tensors a colorization model trains and runs on: the normalized
 * lightness input and the normalized ab target (Zhang et al. 2016, ECCV, §2: the model sees L and
 * predicts ab; normalization as in their released code).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../errors.js';
import { AB_SCALE, LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../lab/constants.js';
import type { LabPlanes } from './image.js';
import { resizePlane } from './image-resample.js';

/** A model's input size: one number for a square, or `{ height, width }`. @example const size: ModelSize = { height: 224, width: 320 }; */
export type ModelSize = number | { height: number; width: number };

/** Options of {@link lightnessToInput} and {@link abToTarget}. @example lightnessToInput(lab, 256, { antialias: false }); */
export interface ModelInputOptions {
  /** Box-average before bilinear when shrinking by 2× or more (see `image-resample.ts`). Default true. */
  antialias?: boolean;
}

function sizeOf(size: ModelSize): { height: number; width: number } {
  const { height, width } = typeof size === 'number' ? { height: size, width: size } : (size ?? {});
  for (const [key, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new InputError(`size.${key}`, 'a positive integer', String(v));
  }
  return { height: height as number, width: width as number };
}

function checkPlane(name: string, plane: Float32Array, lab: { width: number; height: number }): void {
  if (!Number.isInteger(lab.width) || !Number.isInteger(lab.height) || lab.width <= 0 || lab.height <= 0) {
    throw new InputError('lab', 'a positive integer width and height', `${lab.width} × ${lab.height}`);
  }
  if (!(plane instanceof Float32Array) || plane.length !== lab.width * lab.height) {
    throw new InputError(
      `lab.${name}`,
      `a Float32Array of length ${lab.width * lab.height} (${lab.width} × ${lab.height})`,
      plane instanceof Float32Array ? `length ${plane.length}` : String(plane),
    );
  }
}

/**
 * The model input: lightness resized to the model's size and normalized to `(L − 50) / 100`.
 *
 * @param lab   full-size planes (only `lightness`, `width`, `height` are read), e.g. from `imageToLab`.
 * @param size  model input size; default 256 (Zhang et al. 2016).
 * @param options  `antialias` (default true): box pre-filter for downscales of 2× or more, then bilinear
 *   with half-pixel centres.
 * @returns `[1, height, width, 1]` float32, values in [−0.5, 0.5]. Caller owns it.
 * @example
 * const input = lightnessToInput(imageToLab(image), 256);
 * const logits = model.predict(input) as tf.Tensor4D;
 */
export function lightnessToInput(
  lab: Pick<LabPlanes, 'lightness' | 'width' | 'height'>,
  size: ModelSize = 256,
  options: ModelInputOptions = {},
): tf.Tensor4D {
  checkPlane('lightness', lab.lightness, lab);
  const { height, width } = sizeOf(size);
  const resized = resizePlane(lab.lightness, lab.width, lab.height, width, height, { antialias: options.antialias });
  for (let i = 0; i < resized.length; i++) resized[i] = (resized[i] - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE;
  return tf.tensor4d(resized, [1, height, width, 1]);
}

/**
 * The regression target: ab resized to the given size and divided by 110.
 *
 * @param lab   full-size planes (`a`, `b`, `width`, `height` are read).
 * @param size  target size (e.g. the model's output size); default 256.
 * @param options  `antialias` as in {@link lightnessToInput}.
 * @returns `[1, height, width, 2]` float32 (channel 0 = a/110, 1 = b/110), about [−1, 1]. Caller owns it.
 * @example
 * const target = abToTarget(imageToLab(image), 64);  // Zhang's output is 1/4 of the 256 input
 */
export function abToTarget(
  lab: Pick<LabPlanes, 'a' | 'b' | 'width' | 'height'>,
  size: ModelSize = 256,
  options: ModelInputOptions = {},
): tf.Tensor4D {
  checkPlane('a', lab.a, lab);
  checkPlane('b', lab.b, lab);
  const { height, width } = sizeOf(size);
  const n = lab.width * lab.height;
  const ab = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    ab[2 * i] = lab.a[i] / AB_SCALE;
    ab[2 * i + 1] = lab.b[i] / AB_SCALE;
  }
  const resized = resizePlane(ab, lab.width, lab.height, width, height, { channels: 2, antialias: options.antialias });
  return tf.tensor4d(resized, [1, height, width, 2]);
}
