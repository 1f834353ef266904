import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColorizationError } from '../../../src/errors.js';
import { readCifar10Folder } from '../../../src/node/files/cifar10-files.js';
import { makeCifarRecords } from '../../train/data/cifar10-records.js';

describe('readCifar10Folder', () => {
  it('reads the five training files in order, or the test file, with class names from batches.meta.txt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-colorization-cifar-'));
    for (let i = 1; i <= 5; i++) await writeFile(join(dir, `data_batch_${i}.bin`), makeCifarRecords([i, i + 1]));
    await writeFile(join(dir, 'test_batch.bin'), makeCifarRecords([9, 8, 7]));
    await writeFile(join(dir, 'batches.meta.txt'), 'a0\na1\na2\na3\na4\na5\na6\na7\na8\na9\n\n');
    const train = await readCifar10Folder(dir);
    expect(train.size).toBe(10);
    expect(train.classNames).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    const labels = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await train.read(i))!.label));
    expect(labels).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    const test = await readCifar10Folder(dir, { split: 'test' });
    expect(test.size).toBe(3);
    expect((await test.read(2))!.label).toBe(7);
    await rm(join(dir, 'data_batch_3.bin'));
    await expect(readCifar10Folder(dir)).rejects.toThrow(ColorizationError);
    await expect(readCifar10Folder(dir)).rejects.toThrow(/data_batch_3\.bin/);
    await rm(dir, { recursive: true, force: true });
  });
});
