import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR10_RECORD_BYTES,
  createCifar10Source,
  parseCifar10Batch,
  parseCifar10ClassNames,
} from '../../../src/train/data/cifar10.js';
import { makeCifarRecords } from './cifar10-records.js';

describe('CIFAR-10 binary records', () => {
  it('parse labels and de-planarize R, G, B into interleaved row-major pixels', () => {
    const records = parseCifar10Batch(makeCifarRecords([6, 9, 0]));
    expect(records.count).toBe(3);
    expect([...records.labels]).toEqual([6, 9, 0]);
    for (const [r, x, y] of [
      [0, 0, 0],
      [1, 5, 2],
      [2, 31, 31],
      [2, 17, 4],
    ]) {
      const p = r * 3072 + 3 * (y * 32 + x);
      expect([records.pixels[p], records.pixels[p + 1], records.pixels[p + 2]]).toEqual([
        (x + r) % 256,
        (y * 3) % 256,
        (x * y + 7 * r) % 256,
      ]);
    }
  });

  it('refuse a length that is not whole records and labels above 9', () => {
    expect(CIFAR10_RECORD_BYTES).toBe(3073);
    expect(() => parseCifar10Batch(new Uint8Array(3072))).toThrow(InputError);
    expect(() => parseCifar10Batch(new Uint8Array(0))).toThrow(/multiple of 3073/);
    const bad = makeCifarRecords([1, 2]);
    bad[3073] = 10;
    expect(() => parseCifar10Batch(bad)).toThrow(/record 1/);
  });

  it('class names come from batches.meta.txt lines, blank lines ignored', () => {
    expect(parseCifar10ClassNames('airplane\r\nautomobile\n\n  bird \n')).toEqual(['airplane', 'automobile', 'bird']);
    expect(CIFAR10_CLASS_NAMES).toHaveLength(10);
    expect(CIFAR10_CLASS_NAMES[0]).toBe('airplane');
    expect(CIFAR10_CLASS_NAMES[9]).toBe('truck');
  });

  it('a source over several batch files reads in file then record order, 32 × 32 RGB with labels', async () => {
    const source = createCifar10Source([makeCifarRecords([3, 4]), makeCifarRecords([5])]);
    expect(source.size).toBe(3);
    expect(source.classNames).toEqual(CIFAR10_CLASS_NAMES);
    const third = await source.read(2);
    expect(third!.label).toBe(5);
    expect([third!.image.width, third!.image.height, third!.image.channels]).toEqual([32, 32, 3]);
    // Third example is record 0 of the second file: pixel (2, 1) has R = 2, G = 3, B = 2.
    expect([...third!.image.data.subarray(3 * 34, 3 * 34 + 3)]).toEqual([2, 3, 2]);
    expect(() => source.read(3)).toThrow(InputError);
    expect(() => createCifar10Source([makeCifarRecords([1]), new Uint8Array(5)])).toThrow(/batches\[1\]/);
  });
});
