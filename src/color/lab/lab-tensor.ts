/**
 * sRGB ↔ CIE Lab (D65, 2° observer) as differentiable tensor ops, for use inside training graphs
 * (losses in Lab, colour-space layers). Same formulas and constants as the typed path in `lab.ts` and
 * scikit-image 0.19 `rgb2lab` / `lab2rgb`, including the clipping of out-of-gamut Lab.
 *
 * Gradients: branches are chosen with a `tf.step` mask (comparison ops have no gradient in tfjs, so a
 * `tf.where(tf.greater(…))` graph cannot be differentiated), and each power branch is evaluated on an
 * argument clamped to its own domain, so the discarded branch is finite and contributes exactly 0.
 * Clipped outputs (RGB outside [0, 1], Z < 0) have zero gradient, as clipping does.
 *
 * References: IEC 61966-2-1:1999 (sRGB), CIE 15:2004 §8.2.1 (CIELAB).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../errors.js';
import {
  D65_WHITE,
  LAB_EPSILON,
  LAB_INVERSE_THRESHOLD,
  LAB_LINEAR_SLOPE,
  LAB_OFFSET,
  LINEAR_RGB_FROM_XYZ,
  SRGB_DECODE_THRESHOLD,
  SRGB_ENCODE_THRESHOLD,
  SRGB_GAMMA,
  SRGB_LINEAR_SLOPE,
  SRGB_OFFSET,
  XYZ_FROM_LINEAR_RGB,
} from './constants.js';

function checkLastAxis(name: string, x: tf.Tensor): void {
  if (!(x instanceof tf.Tensor)) throw new InputError(name, 'a tf.Tensor of shape [..., 3]', String(x));
  if (x.rank < 1 || x.shape[x.rank - 1] !== 3)
    throw new InputError(name, 'a tensor of shape [..., 3]', `shape [${x.shape.join(', ')}]`);
  if (x.dtype !== 'float32') throw new InputError(name, 'dtype float32', `dtype ${x.dtype}`);
}

/** `above` where `x > threshold`, else `below`; differentiable in both branches (see the file comment). */
function piecewise(x: tf.Tensor, threshold: number, above: tf.Tensor, below: tf.Tensor): tf.Tensor {
  const mask = tf.step(tf.sub(x, threshold));
  return tf.add(tf.mul(mask, above), tf.mul(tf.sub(1, mask), below));
}

/** `x[..., 3] · Mᵀ` for a row-major 3×3 `M`, i.e. each pixel vector multiplied by M. */
function applyMatrix(x: tf.Tensor, m: readonly (readonly number[])[]): tf.Tensor {
  const mt = tf.tensor2d([0, 1, 2].map((c) => m.map((row) => row[c])));
  return tf.reshape(tf.matMul(tf.reshape(x, [-1, 3]), mt), x.shape);
}

/**
 * sRGB in [0, 1] → CIE Lab, differentiable; matches {@link rgbToLab} and skimage `rgb2lab`.
 *
 * @param rgb01  float32 `[..., 3]` sRGB, nominally in [0, 1] (values outside are converted by the same
 *   formulas, without clipping, like skimage).
 * @returns float32 `[..., 3]` Lab: L in [0, 100], a and b about [−128, 128]. Caller owns it.
 * @example
 * const lab = rgbToLabTensor(tf.div(tf.tensor4d(pixels, [1, h, w, 3]), 255));
 */
export function rgbToLabTensor<T extends tf.Tensor>(rgb01: T): T {
  checkLastAxis('rgb01', rgb01);
  return tf.tidy(() => {
    // sRGB decoding (IEC 61966-2-1 §4.2); the power branch sees only arguments where it is selected.
    const power = tf.pow(
      tf.div(tf.add(tf.maximum(rgb01, SRGB_DECODE_THRESHOLD), SRGB_OFFSET), 1 + SRGB_OFFSET),
      SRGB_GAMMA,
    );
    const linear = piecewise(rgb01, SRGB_DECODE_THRESHOLD, power, tf.div(rgb01, SRGB_LINEAR_SLOPE));
    const whiteScaled = XYZ_FROM_LINEAR_RGB.map((row, i) => row.map((v) => v / D65_WHITE[i]));
    const t = applyMatrix(linear, whiteScaled);
    // CIELAB f (CIE 15:2004 §8.2.1), with skimage's rounded threshold and slope.
    const cube = tf.pow(tf.maximum(t, LAB_EPSILON), 1 / 3);
    const f = piecewise(t, LAB_EPSILON, cube, tf.add(tf.mul(t, LAB_LINEAR_SLOPE), LAB_OFFSET));
    // [L, a, b] = [fx, fy, fz] · K + [−16, 0, 0]: L = 116 fy − 16, a = 500 (fx − fy), b = 200 (fy − fz).
    const k = tf.tensor2d([
      [0, 500, 0],
      [116, -500, 200],
      [0, 0, -200],
    ]);
    return tf.reshape(tf.add(tf.matMul(tf.reshape(f, [-1, 3]), k), tf.tensor1d([-16, 0, 0])), rgb01.shape) as T;
  });
}

/**
 * CIE Lab → sRGB in [0, 1], differentiable; matches {@link labToRgb} (float32 format) and skimage
 * `lab2rgb`: Z below 0 is set to 0 and RGB is clipped to [0, 1].
 *
 * @param lab  float32 `[..., 3]` Lab (L in [0, 100], a and b in Lab units, not normalized).
 * @returns float32 `[..., 3]` sRGB in [0, 1]. Caller owns it.
 * @example
 * const rgb01 = labToRgbTensor(tf.concat([lFull, abUp], -1));
 */
export function labToRgbTensor<T extends tf.Tensor>(lab: T): T {
  checkLastAxis('lab', lab);
  return tf.tidy(() => {
    const [l, a, b] = tf.split(lab, 3, -1);
    const fy = tf.div(tf.add(l, 16), 116);
    const fx = tf.add(tf.div(a, 500), fy);
    // skimage lab2xyz sets Z < 0 (no real colour) to 0.
    const fz = tf.relu(tf.sub(fy, tf.div(b, 200)));
    const f = tf.concat([fx, fy, fz], -1);
    const cubed = tf.pow(tf.maximum(f, LAB_INVERSE_THRESHOLD), 3);
    const t = piecewise(f, LAB_INVERSE_THRESHOLD, cubed, tf.div(tf.sub(f, LAB_OFFSET), LAB_LINEAR_SLOPE));
    const xyz = tf.mul(t, tf.tensor1d([...D65_WHITE]));
    const linear = applyMatrix(xyz, LINEAR_RGB_FROM_XYZ);
    // sRGB encoding (IEC 61966-2-1 §5.2), then skimage's clip to [0, 1].
    const power = tf.sub(
      tf.mul(tf.pow(tf.maximum(linear, SRGB_ENCODE_THRESHOLD), 1 / SRGB_GAMMA), 1 + SRGB_OFFSET),
      SRGB_OFFSET,
    );
    const encoded = piecewise(linear, SRGB_ENCODE_THRESHOLD, power, tf.mul(linear, SRGB_LINEAR_SLOPE));
    return tf.clipByValue(encoded, 0, 1) as T;
  });
}
