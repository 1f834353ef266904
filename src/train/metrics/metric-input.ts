/**
 * Reading metric inputs: tensors (any backend, read with `dataSync`, nothing created, inputs not disposed)
 * or typed images `{ data, width, height, channels }`, into flat arrays with their layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../../errors.js';

/**
 * Pixel data of a typed image: uint8 values in [0, 255], or floats.
 * @example
 * const data: MetricPixelData = new Float32Array(4 * 4 * 3); // floats in [0, 1] (dataRange 1)
 */
export type MetricPixelData = Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;

/**
 * One image on the typed path, interleaved channels (HWC), like `ImageData` or the library's image type.
 *
 * @example
 * const image: MetricImage = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4, channels: 3 };
 */
export interface MetricImage {
  data: MetricPixelData;
  width: number;
  height: number;
  channels: number;
}

/**
 * An image input: a `[H, W, C]` or `[N, H, W, C]` tensor, or one typed image.
 * @example
 * computePsnr(predictedRgb, { data: truth, width: 64, height: 64, channels: 3 }); // a tensor and a typed image
 */
export type MetricImageInput = tf.Tensor | MetricImage;

/** Flat view of an image input. */
export interface ImageBatch {
  data: ArrayLike<number>;
  count: number;
  height: number;
  width: number;
  channels: number;
  /** True for uint8 data (typed `Uint8Array`/`Uint8ClampedArray`, or an int32 tensor): values in [0, 255]. */
  integer: boolean;
}

/** Read an image input; `channels` lists the channel counts accepted. */
export function readImageBatch(name: string, input: MetricImageInput, channels: readonly number[]): ImageBatch {
  let batch: ImageBatch;
  if (input instanceof tf.Tensor) {
    if (input.rank !== 3 && input.rank !== 4)
      throw new InputError(name, 'a tensor [H, W, C] or [N, H, W, C]', `shape [${input.shape.join(', ')}]`);
    const shape = input.rank === 3 ? [1, ...input.shape] : input.shape;
    if (input.dtype !== 'float32' && input.dtype !== 'int32')
      throw new InputError(name, 'a float32 or int32 tensor', `dtype ${input.dtype}`);
    batch = {
      data: input.dataSync() as ArrayLike<number>,
      count: shape[0],
      height: shape[1],
      width: shape[2],
      channels: shape[3],
      integer: input.dtype === 'int32',
    };
  } else {
    const image = input as MetricImage | null;
    const data = image?.data;
    const known =
      data instanceof Uint8Array ||
      data instanceof Uint8ClampedArray ||
      data instanceof Float32Array ||
      data instanceof Float64Array;
    if (!known)
      throw new InputError(
        name,
        'a tensor or { data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array, width, height, channels }',
        describeValue(input),
      );
    const { width, height } = image as MetricImage;
    const c = (image as MetricImage).channels;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      !Number.isInteger(c) ||
      width < 1 ||
      height < 1 ||
      c < 1 ||
      data.length !== width * height * c
    ) {
      throw new InputError(
        name,
        'data.length = width × height × channels',
        `length ${data.length} for ${width}×${height}×${c}`,
      );
    }
    batch = {
      data,
      count: 1,
      height,
      width,
      channels: c,
      integer: data instanceof Uint8Array || data instanceof Uint8ClampedArray,
    };
  }
  if (!channels.includes(batch.channels))
    throw new InputError(`${name}.channels`, channels.join(' or '), String(batch.channels));
  return batch;
}

/** Throw unless two batches have the same layout. */
export function assertSameLayout(nameA: string, a: ImageBatch, nameB: string, b: ImageBatch): void {
  if (a.count !== b.count || a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new InputError(
      nameB,
      `the layout of ${nameA} (${a.count}×${a.height}×${a.width}×${a.channels})`,
      `${b.count}×${b.height}×${b.width}×${b.channels}`,
    );
  }
}

/** Read flat numbers from a tensor or an array-like (for ab pairs and weights). */
export function readFlat(name: string, input: tf.Tensor | ArrayLike<number>): ArrayLike<number> {
  if (input instanceof tf.Tensor) {
    if (input.dtype !== 'float32' && input.dtype !== 'int32')
      throw new InputError(name, 'a float32 or int32 tensor', `dtype ${input.dtype}`);
    return input.dataSync() as ArrayLike<number>;
  }
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<number>).length !== 'number') {
    throw new InputError(name, 'a tensor or an array of numbers', describeValue(input));
  }
  return input;
}

/**
 * The data range implied by an input when none is given: 255 for uint8 data, 1 for floats.
 * An explicit range must be > 0.
 */
export function resolveDataRange(name: string, batch: ImageBatch, dataRange: number | undefined): number {
  if (dataRange === undefined) return batch.integer ? 255 : 1;
  if (typeof dataRange !== 'number' || !(dataRange > 0) || !Number.isFinite(dataRange))
    throw new InputError(name, 'a finite number > 0', describeValue(dataRange));
  return dataRange;
}
