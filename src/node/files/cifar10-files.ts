/**
 * CIFAR-10 from its binary distribution on disk (the folder `cifar-10-batches-bin` of
 * `cifar-10-binary.tar.gz`): `data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`, `batches.meta.txt`.
 * Reads the files and hands the bytes to the universal parser in `src/train/data/cifar10.ts`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ColorizationError } from '../../errors.js';
import { checkConfigChoice } from '../../validate.js';
import { createCifar10Source, parseCifar10ClassNames } from '../../train/data/cifar10.js';
import type { ExampleSource } from '../../train/data/example-source.js';

/** Which files to read: the five training batches (50 000 images) or the test batch (10 000). */
export type Cifar10Split = 'train' | 'test';

/**
 * File names of each split, in the order their records are numbered.
 * @example
 * CIFAR10_FILES.train.length; // 5 files of 10 000 records each
 */
export const CIFAR10_FILES: Readonly<Record<Cifar10Split, readonly string[]>> = Object.freeze({
  train: Object.freeze([
    'data_batch_1.bin',
    'data_batch_2.bin',
    'data_batch_3.bin',
    'data_batch_4.bin',
    'data_batch_5.bin',
  ]),
  test: Object.freeze(['test_batch.bin']),
});

/**
 * Options of {@link readCifar10Folder}.
 * @example
 * const test = await readCifar10Folder('data/cifar-10-batches-bin', { split: 'test' });
 */
export interface Cifar10FolderOptions {
  /** `'train'` (default) or `'test'`. */
  split?: Cifar10Split;
}

/**
 * Read a CIFAR-10 split from a folder in the official binary layout. Class names come from
 * `batches.meta.txt` when the folder has it, else the standard ten.
 *
 * @param dir  the folder holding the `.bin` files.
 * @returns an {@link ExampleSource} of 32 × 32 RGB uint8 images with labels 0–9.
 * @throws ColorizationError naming the file when a batch file cannot be read; InputError from the parser
 *   when a file is not whole records.
 * @example
 * const train = await readCifar10Folder('data/cifar-10-batches-bin');
 * const pipeline = createBatchPipeline(train, { inputSize: 32, batchSize: 128 });
 */
export async function readCifar10Folder(dir: string, options: Cifar10FolderOptions = {}): Promise<ExampleSource> {
  const split = options.split ?? 'train';
  checkConfigChoice('split', split, ['train', 'test'] as const);
  const batches = await Promise.all(
    CIFAR10_FILES[split].map(async (name) => {
      const path = join(dir, name);
      try {
        const bytes = await readFile(path);
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
      } catch (e) {
        throw new ColorizationError(
          `${path}: cannot read CIFAR-10 batch file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }),
  );
  let classNames: string[] | undefined;
  try {
    classNames = parseCifar10ClassNames(await readFile(join(dir, 'batches.meta.txt'), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return createCifar10Source(batches, { classNames });
}
