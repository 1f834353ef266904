/**
 * The one image form of the typed path, its checks, and the step from pixels to full-size Lab planes
 * (the colorizer converts the photo to Lab at full size and keeps its L to rebuild the result; docs/colorize.md, "What happens to a picture").
 */
import { InputError } from '../../errors.js';
import { grayToLightness, rgbToLab, type PixelData } from '../lab/lab.js';

/**
 * A decoded image on the typed path: row-major, channels interleaved (HWC).
 * `data` is `Uint8Array | Uint8ClampedArray` with values 0–255 or `Float32Array` with values 0–1;
 * `channels` is 1 (gray), 3 (RGB) or 4 (RGBA, alpha ignored by colour conversion).
 * @example
 * const image: ImageLike = { data: new Uint8Array(w * h), width: w, height: h, channels: 1 };
 */
export interface ImageLike {
  data: PixelData;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/**
 * Full-size CIE Lab planes of an image, one float32 value per pixel each (row-major).
 * `lightness` is L in [0, 100]; `a` and `b` in Lab units. For gray input `a` and `b` are zero.
 * @example
 * const { lightness, width, height } = imageToLab(image);
 */
export interface LabPlanes {
  width: number;
  height: number;
  lightness: Float32Array;
  a: Float32Array;
  b: Float32Array;
}

/**
 * Throw {@link InputError} unless `image` is a valid {@link ImageLike}: positive integer size, channels
 * 1, 3 or 4, a supported typed array whose length is width × height × channels, and (float data) only
 * finite values.
 *
 * @param image  the image to check.
 * @param name   the argument name used in the error. Default `'image'`.
 * @example
 * checkImage({ data: new Uint8Array(6), width: 2, height: 1, channels: 3 }); // passes
 */
export function checkImage(image: ImageLike, name = 'image'): void {
  if (typeof image !== 'object' || image === null) throw new InputError(name, 'an image object', String(image));
  const { data, width, height, channels } = image;
  for (const [key, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(`${name}.${key}`, 'a positive integer', String(v));
  }
  if (channels !== 1 && channels !== 3 && channels !== 4)
    throw new InputError(`${name}.channels`, 'channels 1, 3 or 4', `channels ${String(channels)}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    throw new InputError(
      `${name}.data`,
      'a Uint8Array, Uint8ClampedArray (0–255) or Float32Array (0–1)',
      String((data as object)?.constructor?.name ?? data),
    );
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new InputError(
      `${name}.data`,
      `length ${expected} (${width} × ${height} × ${channels})`,
      `length ${data.length}`,
    );
  }
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v - v !== 0) throw new InputError(`${name}.data`, 'finite values', `${v} at index ${i}`);
    }
  }
}

/**
 * Convert an image to full-size Lab planes (D65, 2° observer, as scikit-image `rgb2lab`). Colour input is
 * converted whole; gray input (channels 1) gives L = the lightness of that gray and a = b = 0.
 *
 * @param image  an {@link ImageLike}; checked with {@link checkImage}.
 * @param out    optional float32 buffer of exactly 3 × width × height: the planes are views into it
 *   (L, then a, then b), so a large photo needs no other allocation.
 * @returns {@link LabPlanes}; the three planes share one buffer.
 * @example
 * const lab = imageToLab({ data: imageData.data, width: 640, height: 480, channels: 4 });
 * lab.lightness; // Float32Array(640 * 480), L in [0, 100]
 */
export function imageToLab(image: ImageLike, out?: Float32Array): LabPlanes {
  checkImage(image);
  const { width, height, channels, data } = image;
  const n = width * height;
  if (out !== undefined && out.length !== 3 * n)
    throw new InputError('out', `a Float32Array of length ${3 * n}`, `length ${out.length}`);
  const buffer = out ?? new Float32Array(3 * n);
  if (channels === 1) {
    grayToLightness(data, buffer.subarray(0, n));
    buffer.fill(0, n);
  } else {
    rgbToLab(data, { channels, outLayout: 'planar', out: buffer });
  }
  return { width, height, lightness: buffer.subarray(0, n), a: buffer.subarray(n, 2 * n), b: buffer.subarray(2 * n) };
}
