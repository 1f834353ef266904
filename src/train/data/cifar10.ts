/**
 * CIFAR-10 in its binary distribution ("CIFAR-10 binary version", Krizhevsky 2009, *Learning Multiple
 * Layers of Features from Tiny Images*, and the dataset page): files `data_batch_1.bin` … `data_batch_5.bin`
 * (10 000 records each) and `test_batch.bin`, plus `batches.meta.txt` with one class name per line.
 * A record is 3073 bytes: the label (0–9), then the 1024 red, 1024 green and 1024 blue values of a
 * 32 × 32 image, each plane row-major. The parser turns planes into interleaved RGB pixels (HWC).
 * Universal: works on bytes; reading the files is `readCifar10Folder` in the Node entry.
 */
import type { ImageLike } from '../../color/image/image.js';
import { InputError, describeValue } from '../../errors.js';
import { checkExampleIndex, type ExampleSource, type RawExample } from './example-source.js';

/** Side of a CIFAR-10 image in pixels. @example const image = new Uint8Array(CIFAR10_SIDE * CIFAR10_SIDE * 3); // one photo, interleaved RGB */
export const CIFAR10_SIDE = 32;

/** Bytes per record: one label byte and 3 × 32 × 32 pixel bytes. @example const records = fileBytes.length / CIFAR10_RECORD_BYTES; // 10 000 in data_batch_1.bin */
export const CIFAR10_RECORD_BYTES = 1 + 3 * CIFAR10_SIDE * CIFAR10_SIDE;

/** Bytes of one de-planarized RGB image. */
const IMAGE_BYTES = 3 * CIFAR10_SIDE * CIFAR10_SIDE;

/**
 * The ten class names in label order, as in the distribution's `batches.meta.txt`.
 * @example const name = CIFAR10_CLASS_NAMES[labels[i]]; // 'cat' for label 3
 */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/** Parsed CIFAR-10 records: `count` images of 32 × 32 RGB, interleaved, and their labels. */
export interface Cifar10Records {
  count: number;
  /** `count × 32 × 32 × 3` bytes, image after image, pixels row-major, RGB interleaved. */
  pixels: Uint8Array;
  /** `count` labels in 0–9. */
  labels: Uint8Array;
}

/**
 * Parse the records of one or more CIFAR-10 binary batch files.
 *
 * @param bytes  the content of a file such as `data_batch_1.bin`; its length must be a multiple of 3073.
 * @returns {@link Cifar10Records} with the planes interleaved to RGB.
 * @throws InputError when the length is not a whole number of records or a label is above 9.
 * @example
 * const { pixels, labels, count } = parseCifar10Batch(new Uint8Array(await file.arrayBuffer()));
 */
export function parseCifar10Batch(bytes: Uint8Array): Cifar10Records {
  const count = countRecords('bytes', bytes);
  const pixels = new Uint8Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  writeRecords('bytes', bytes, pixels, labels, 0);
  return { count, pixels, labels };
}

function countRecords(name: string, bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array))
    throw new InputError(name, 'a Uint8Array with CIFAR-10 records', describeValue(bytes));
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new InputError(
      name,
      `a non-zero multiple of ${CIFAR10_RECORD_BYTES} bytes (CIFAR-10 records)`,
      `${bytes.length} bytes`,
    );
  }
  return bytes.length / CIFAR10_RECORD_BYTES;
}

/** De-planarize the records of `bytes` into `pixels` / `labels` from record `first` on. */
function writeRecords(name: string, bytes: Uint8Array, pixels: Uint8Array, labels: Uint8Array, first: number): void {
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = bytes[base];
    if (label >= CIFAR10_CLASS_NAMES.length)
      throw new InputError(`${name} (record ${r})`, 'a label byte in 0–9', String(label));
    labels[first + r] = label;
    const red = base + 1,
      green = red + plane,
      blue = green + plane;
    const out = (first + r) * IMAGE_BYTES;
    for (let p = 0; p < plane; p++) {
      pixels[out + 3 * p] = bytes[red + p];
      pixels[out + 3 * p + 1] = bytes[green + p];
      pixels[out + 3 * p + 2] = bytes[blue + p];
    }
  }
}

/**
 * Class names from the text of `batches.meta.txt`: one per non-empty line, surrounding spaces trimmed.
 * @example parseCifar10ClassNames('airplane\nautomobile\n…\n'); // ['airplane', 'automobile', …]
 */
export function parseCifar10ClassNames(text: string): string[] {
  if (typeof text !== 'string') throw new InputError('text', 'the text of batches.meta.txt', describeValue(text));
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/**
 * Options of {@link createCifar10Source}.
 * @example
 * const source = createCifar10Source(batchFiles, { classNames: parseCifar10ClassNames(metaText) });
 */
export interface Cifar10SourceOptions {
  /** Class names; default {@link CIFAR10_CLASS_NAMES}. Pass `parseCifar10ClassNames(metaText)` to use the file's. */
  classNames?: readonly string[];
}

/**
 * An {@link ExampleSource} over CIFAR-10 binary batches, in file order then record order (50 000 examples
 * for the five training files). Every example is a 32 × 32 RGB uint8 image with its label; images are
 * views into one parsed buffer (about 3 KB each, 150 MB for the whole training set).
 *
 * @param batches  contents of one or more batch files (e.g. `data_batch_1.bin` … `data_batch_5.bin`).
 * @example
 * const train = createCifar10Source([b1, b2, b3, b4, b5]);
 * const test = createCifar10Source([testBatch]);
 */
export function createCifar10Source(batches: readonly Uint8Array[], options: Cifar10SourceOptions = {}): ExampleSource {
  if (!Array.isArray(batches) || batches.length === 0)
    throw new InputError('batches', 'a non-empty array of CIFAR-10 batch file contents', describeValue(batches));
  // Written straight into one buffer: no second copy of the 150 MB training set while loading.
  const counts = batches.map((b, i) => countRecords(`batches[${i}]`, b));
  const size = counts.reduce((n, c) => n + c, 0);
  const pixels = new Uint8Array(size * IMAGE_BYTES);
  const labels = new Uint8Array(size);
  let at = 0;
  batches.forEach((b, i) => {
    writeRecords(`batches[${i}]`, b, pixels, labels, at);
    at += counts[i];
  });
  const classNames = options.classNames ?? CIFAR10_CLASS_NAMES;
  if (!Array.isArray(classNames) || classNames.length < 10) {
    throw new InputError('options.classNames', 'at least 10 class names', describeValue(classNames));
  }
  return {
    size,
    classNames,
    read(index: number): RawExample {
      checkExampleIndex(index, size);
      const image: ImageLike = {
        data: pixels.subarray(index * IMAGE_BYTES, (index + 1) * IMAGE_BYTES),
        width: CIFAR10_SIDE,
        height: CIFAR10_SIDE,
        channels: 3,
      };
      return { image, label: labels[index] };
    },
  };
}
