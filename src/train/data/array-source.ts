/**
 * Sources over examples already in memory: a list of images (any form `toImageLike` accepts) or one
 * `ndarray` of shape `[N, H, W, C]`. Nothing is copied up front; each read adapts one image.
 */
import type { NdArray } from 'ndarray';
import { toImageLike, type ImageInput } from '../../color/image/image-adapters.js';
import { InputError, describeValue } from '../../errors.js';
import { checkExampleIndex, checkLabels, type ExampleSource, type RawExample } from './example-source.js';

/**
 * Options of {@link createArraySource} and {@link createNdarraySource}.
 * @example
 * const source = createArraySource([catImage, dogImage], { labels: [0, 1], classNames: ['cat', 'dog'] });
 */
export interface ArraySourceOptions {
  /** One integer class label per image. Default: no labels. */
  labels?: ArrayLike<number>;
  /** Names of the classes; when given, every label must be below its length. */
  classNames?: readonly string[];
}

function checkClassNames(classNames: readonly string[] | undefined): void {
  if (classNames !== undefined && (!Array.isArray(classNames) || classNames.some((c) => typeof c !== 'string'))) {
    throw new InputError('options.classNames', 'an array of strings', describeValue(classNames));
  }
}

/**
 * An {@link ExampleSource} over images held in memory.
 *
 * @param images  a list of images: {@link ImageLike}, ImageData-like, `ndarray` `[H, W, C]` or tensors
 *   (see `ImageInput` in `src/color`); uint8 values 0–255 or float values 0–1. Each is checked when read.
 * @param options `labels` (one integer per image), `classNames`.
 * @returns a source whose `read(i)` returns `{ image: toImageLike(images[i]), label: labels?.[i] }`.
 * @throws InputError on a non-array `images` or on labels that do not match.
 * @example
 * const source = createArraySource([redImage, blueImage], { labels: [0, 1], classNames: ['red', 'blue'] });
 */
export function createArraySource(images: readonly ImageInput[], options: ArraySourceOptions = {}): ExampleSource {
  if (!Array.isArray(images)) throw new InputError('images', 'an array of images', describeValue(images));
  const { labels, classNames } = options;
  checkClassNames(classNames);
  if (labels !== undefined) checkLabels('options.labels', labels, images.length, classNames?.length);
  const size = images.length;
  return {
    size,
    classNames,
    read(index: number): RawExample {
      checkExampleIndex(index, size);
      const image = toImageLike(images[index], `images[${index}]`);
      return labels === undefined ? { image } : { image, label: labels[index] };
    },
  };
}

/**
 * An {@link ExampleSource} over one `ndarray` holding N images, shape `[N, H, W, C]` (C = 1, 3 or 4; any
 * strides), dtype uint8 (0–255) or float32/float64 (0–1). Each read picks one image as a view.
 *
 * @param array   `[N, H, W, C]` ndarray.
 * @param options `labels`, `classNames` as in {@link createArraySource}.
 * @throws InputError unless `array` is a rank-4 ndarray.
 * @example
 * const source = createNdarraySource(ndarray(bytes, [1000, 32, 32, 3]), { labels });
 */
export function createNdarraySource(array: NdArray, options: ArraySourceOptions = {}): ExampleSource {
  if (
    array === null ||
    typeof array !== 'object' ||
    !Array.isArray(array.shape) ||
    typeof array.pick !== 'function' ||
    array.shape.length !== 4
  ) {
    throw new InputError(
      'array',
      'an ndarray of shape [N, H, W, C]',
      array && Array.isArray(array.shape) ? `shape [${array.shape.join(', ')}]` : describeValue(array),
    );
  }
  const { labels, classNames } = options;
  checkClassNames(classNames);
  const size = array.shape[0];
  if (labels !== undefined) checkLabels('options.labels', labels, size, classNames?.length);
  return {
    size,
    classNames,
    read(index: number): RawExample {
      checkExampleIndex(index, size);
      const image = toImageLike(array.pick(index, null, null, null), `array[${index}]`);
      return labels === undefined ? { image } : { image, label: labels[index] };
    },
  };
}
