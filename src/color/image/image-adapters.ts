/**
 * Adapters from the image forms people already have (ImageData, `ndarray`, tfjs tensors) to the one
 * {@link ImageLike} of the typed path, so every later step handles a single form.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NdArray } from 'ndarray';
import { InputError, describeValue } from '../../errors.js';
import { checkImage, type ImageLike } from './image.js';

/**
 * What a canvas gives: `ImageData` or any `{ data, width, height }` with RGBA bytes (0–255),
 * row-major, 4 per pixel.
 * @example const like: ImageDataLike = ctx.getImageData(0, 0, w, h);
 */
export interface ImageDataLike {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/**
 * Every image form the library accepts:
 * - {@link ImageLike} (used as is, after checks);
 * - {@link ImageDataLike} (RGBA bytes);
 * - `ndarray` of shape `[H, W, C]` or `[H, W]` (C = 1, 3 or 4), any strides and offset; dtype `uint8` /
 *   `uint8_clamped` hold 0–255, `float32` / `float64` hold 0–1;
 * - `tf.Tensor3D` `[H, W, C]` or `tf.Tensor4D` `[1, H, W, C]`: dtype `int32` holds 0–255 (as from
 *   `tf.browser.fromPixels`), `float32` holds 0–1.
 * @example const input: ImageInput = tf.browser.fromPixels(img);
 */
export type ImageInput = ImageLike | ImageDataLike | NdArray | tf.Tensor3D | tf.Tensor4D;

function isNdArray(x: object): x is NdArray {
  const o = x as Partial<NdArray>;
  return Array.isArray(o.shape) && Array.isArray(o.stride) && typeof o.offset === 'number' && 'data' in o;
}

function checkChannels(name: string, shape: readonly number[], channels: number): asserts channels is 1 | 3 | 4 {
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new InputError(name, 'channels (last dimension) 1, 3 or 4', `shape [${shape.join(', ')}]`);
  }
}

function fromTensor(t: tf.Tensor, name: string): ImageLike {
  if (t.rank !== 3 && !(t.rank === 4 && t.shape[0] === 1)) {
    throw new InputError(name, 'a tensor of shape [H, W, C] or [1, H, W, C]', `shape [${t.shape.join(', ')}]`);
  }
  const [height, width, channels] = t.shape.slice(-3);
  checkChannels(name, t.shape, channels);
  if (t.dtype === 'float32') {
    // Copied: the backend may reuse or free its own buffer once the tensor is disposed.
    const image: ImageLike = { data: new Float32Array(t.dataSync()), width, height, channels };
    checkImage(image, name);
    return image;
  }
  if (t.dtype === 'int32') {
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < 0 || v > 255) throw new InputError(name, 'int32 values in 0–255', `${v} at index ${i}`);
    }
    const image: ImageLike = { data: Uint8ClampedArray.from(values), width, height, channels };
    checkImage(image, name);
    return image;
  }
  throw new InputError(name, 'a tensor of dtype int32 (0–255) or float32 (0–1)', `dtype ${t.dtype}`);
}

function fromNdArray(x: NdArray, name: string): ImageLike {
  const { shape, stride, offset, dtype } = x;
  if (shape.length !== 2 && shape.length !== 3)
    throw new InputError(name, 'an ndarray of shape [H, W, C] or [H, W]', `shape [${shape.join(', ')}]`);
  const [height, width] = shape;
  const channels = shape.length === 3 ? shape[2] : 1;
  checkChannels(name, shape, channels);
  const bytes = dtype === 'uint8' || dtype === 'uint8_clamped';
  if (!bytes && dtype !== 'float32' && dtype !== 'float64') {
    throw new InputError(`${name}.dtype`, 'uint8, uint8_clamped (0–255), float32 or float64 (0–1)', String(dtype));
  }
  if (height === 0 || width === 0) throw new InputError(name, 'a non-empty image', `shape [${shape.join(', ')}]`);
  const src = x.data as Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;
  const n = height * width * channels;
  const [sy, sx] = stride;
  const sc = shape.length === 3 ? stride[2] : 1;
  const contiguous = sc === 1 && sx === channels && sy === width * channels;
  let data: Uint8Array | Uint8ClampedArray | Float32Array;
  if (contiguous && (bytes || dtype === 'float32')) {
    // Already in ImageLike order and type: a view, no copy.
    data = (src as Uint8Array | Uint8ClampedArray | Float32Array).subarray(offset, offset + n);
  } else {
    data = bytes ? new Uint8Array(n) : new Float32Array(n);
    for (let y = 0, i = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) {
        const base = offset + y * sy + xx * sx;
        for (let c = 0; c < channels; c++, i++) data[i] = src[base + c * sc];
      }
    }
  }
  const image: ImageLike = { data, width, height, channels };
  checkImage(image, name);
  return image;
}

/**
 * Bring any {@link ImageInput} to an {@link ImageLike}, checked (channel count, data length, finite
 * values, non-empty). Views are reused where the data is already in the right order and type; tensors
 * are read synchronously (`dataSync`) and copied.
 *
 * @param input  the image; see {@link ImageInput} for the forms and their value ranges.
 * @param name   argument name for errors. Default `'image'`.
 * @returns the image as `{ data, width, height, channels }`.
 * @throws InputError for an unknown form, a wrong shape or channel count, a data length that does not
 *   match, non-finite floats, out-of-range int32 values, or an empty image.
 * @example
 * const image = toImageLike(ctx.getImageData(0, 0, w, h));   // channels 4
 * const same = toImageLike(ndarray(bytes, [h, w, 4]));        // same pixels
 */
export function toImageLike(input: ImageInput, name = 'image'): ImageLike {
  if (typeof input !== 'object' || input === null)
    throw new InputError(name, 'an image (ImageLike, ImageData-like, ndarray or tf.Tensor)', describeValue(input));
  if (input instanceof tf.Tensor) return fromTensor(input, name);
  if (isNdArray(input)) return fromNdArray(input, name);
  if ('channels' in input) {
    checkImage(input, name);
    return input;
  }
  const { data, width, height } = input as ImageDataLike;
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) {
    throw new InputError(`${name}.data`, 'RGBA bytes (Uint8ClampedArray or Uint8Array)', describeValue(data));
  }
  const image: ImageLike = { data, width, height, channels: 4 };
  checkImage(image, name);
  return image;
}
