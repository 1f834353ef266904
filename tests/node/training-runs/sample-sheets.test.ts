import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readImageFile } from '../../../src/node/files/image-files.js';
import { buildSampleRows, createSampleSheetCallback } from '../../../src/node/training-runs/sample-sheets.js';
import type { Batch } from '../../../src/train/batch.js';
import { createRegressionObjective } from '../../../src/train/objectives-regression.js';
import { createSupervisedTrainer } from '../../../src/train/supervised-trainer.js';
import { buildTinyAbModel, createTinySource, makeTinyData } from '../../train/trainer-fixtures.js';

async function firstBatch(): Promise<Batch> {
  const it = createTinySource(makeTinyData(2), { batchSize: 2 }).batches(0)[Symbol.asyncIterator]();
  return (await it.next()).value as Batch;
}

describe('sample sheets', () => {
  it('rows are gray | prediction | truth: gray is L/100, zero ab gives neutral RGB, and nothing leaks', async () => {
    const batch = await firstBatch();
    const zero = tf.zeros([2, 8, 8, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const rows = buildSampleRows(batch, zero);
    expect(tf.memory().numTensors).toBe(before);
    expect(rows).toHaveLength(2);
    expect(rows[0].map((c) => c.channels)).toEqual([1, 3, 3]);
    const l = batch.input.dataSync();
    expect(rows[1][0].data[5]).toBeCloseTo((l[64 + 5] * 100 + 50) / 100, 6);
    const p = rows[1][1].data;
    for (let i = 0; i < 64; i += 1) {
      expect(Math.abs(p[3 * i] - p[3 * i + 1])).toBeLessThan(1e-3);
      expect(Math.abs(p[3 * i + 2] - p[3 * i + 1])).toBeLessThan(1e-3);
    }
    // The truth column has colour: a and b of the fixture are not zero.
    const t = rows[0][2].data;
    expect(Math.abs(t[0] - t[1]) + Math.abs(t[2] - t[1])).toBeGreaterThan(0.01);
    expect(() => buildSampleRows(batch, tf.zeros([1, 8, 8, 2]) as tf.Tensor4D)).toThrow(InputError);
    tf.dispose([zero, batch.input, batch.targets.ab!]);
  });

  it('writes a sheet every N steps (and not twice at the end) that decodes to the expected size', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'samples-'));
    try {
      const batch = await firstBatch();
      const samples = createSampleSheetCallback({ directory, batch, everySteps: 2, cellHeight: 16, titles: [] });
      const model = buildTinyAbModel();
      const before = tf.memory().numTensors;
      const trainer = createSupervisedTrainer({ model, objective: createRegressionObjective(), callbacks: [samples] });
      await trainer.fit({ source: createTinySource(makeTinyData(16), { batchSize: 4 }), epochs: 1 });
      expect(samples.written).toEqual([
        join(directory, 'samples-step-00000002.png'),
        join(directory, 'samples-step-00000004.png'),
      ]);
      const image = await readImageFile(samples.written[1]);
      // 3 columns of 16 px and 2 rows of 16 px, with 4 px gaps around and between cells.
      expect([image.width, image.height]).toEqual([4 + 3 * 20, 4 + 2 * 20]);
      trainer.dispose();
      // The optimizer's state is freed by dispose; sheet writing left nothing behind.
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      tf.dispose([batch.input, batch.targets.ab!]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
