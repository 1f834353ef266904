/**
 * The contract between where training images come from (arrays, CIFAR-10 files, a folder of photos) and
 * the batch pipeline: random access by index, so an epoch's order is a permutation of indices chosen by
 * the pipeline's seed and a resumed run can jump straight to any batch without reading what came before.
 */
import type { ImageLike } from '../../color/image/image.js';
import { InputError, describeValue } from '../../errors.js';

/** One raw training example: an image as decoded (any size; RGB uint8 for photos) and its class label, if any. */
export interface RawExample {
  /** The pixels; any {@link ImageLike} (channels 1 gives a gray example). */
  image: ImageLike;
  /** Integer class label in `[0, classNames.length)` when the source has labels. */
  label?: number;
}

/**
 * A finite, indexable collection of raw examples. Reading may be lazy and asynchronous (files are
 * decoded on demand), and must be repeatable: `read(i)` gives the same pixels every time.
 *
 * @example
 * const source: ExampleSource = createArraySource(images, { labels });
 * const first = await source.read(0);
 */
export interface ExampleSource {
  /** Number of examples; valid indices are `0 … size − 1`. */
  readonly size: number;
  /** Names of the classes the labels index, when the source has labels. */
  readonly classNames?: readonly string[];
  /**
   * The example at `index`, or `undefined` when it cannot be read (a broken file): the source has
   * already reported why through its own callback, and the pipeline skips it and counts it.
   */
  read(index: number): RawExample | undefined | Promise<RawExample | undefined>;
}

/**
 * Throw {@link InputError} unless `index` is an integer in `[0, size)`; for writing sources.
 * @example
 * read(index) { checkExampleIndex(index, this.size); return { image: images[index] }; }
 */
export function checkExampleIndex(index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new InputError('index', `an integer in [0, ${size})`, describeValue(index));
  }
}

/**
 * Check a label list against the number of examples: integers ≥ 0, one per example, and below
 * `classCount` when that is known; throws {@link InputError} naming `name` (and the index) otherwise.
 * @example
 * checkLabels('options.labels', labels, images.length, classNames.length);
 */
export function checkLabels(name: string, labels: ArrayLike<number>, count: number, classCount?: number): void {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new InputError(name, 'an array of integer labels', describeValue(labels));
  }
  if (labels.length !== count) throw new InputError(name, `${count} labels (one per example)`, `${labels.length}`);
  const limit = classCount ?? Infinity;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new InputError(
        `${name}[${i}]`,
        classCount === undefined ? 'an integer ≥ 0' : `an integer in [0, ${classCount})`,
        describeValue(v),
      );
    }
  }
}
