import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ZHANG_GAMUT } from '../../../src/color/bins/gamut.js';
import { imageToLab } from '../../../src/color/image/image.js';
import { computeRebalanceWeights } from '../../../src/color/prior/rebalance.js';
import { smoothPrior } from '../../../src/color/prior/smooth-prior.js';
import { InputError } from '../../../src/errors.js';
import type { BatchSource } from '../../../src/train/batch.js';
import { createArraySource } from '../../../src/train/data/array-source.js';
import { createBatchPipeline } from '../../../src/train/data/batch-pipeline.js';
import { estimateRebalanceWeights } from '../../../src/train/data/prior-pass.js';
import { colourfulImages } from './test-images.js';

/** Nearest bin by brute force over the 313 centres (independent of the grid search of encodeHard). */
function nearestBin(a: number, b: number): number {
  let best = 0,
    bestD = Infinity;
  for (let q = 0; q < ZHANG_GAMUT.size; q++) {
    const d = (ZHANG_GAMUT.centres[2 * q] - a) ** 2 + (ZHANG_GAMUT.centres[2 * q + 1] - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = q;
    }
  }
  return best;
}

describe('estimateRebalanceWeights', () => {
  const images = colourfulImages(9, 6, 6);
  const exact = { resize: 'none', crop: 'centre', flip: false, inputSize: 6, batchSize: 4 } as const;

  it('measures the same hard-count prior as a direct count over the images, then smooths and rebalances it', async () => {
    const pipeline = createBatchPipeline(createArraySource(images), exact);
    const progress: number[] = [];
    const estimate = await estimateRebalanceWeights(pipeline, { onProgress: (p) => progress.push(p.pixels) });
    const counts = new Float64Array(313);
    for (const image of images) {
      const lab = imageToLab(image);
      // The pipeline stores ab / 110 in float32; the pass multiplies back by 110.
      for (let i = 0; i < lab.a.length; i++)
        counts[nearestBin(Math.fround(lab.a[i] / 110) * 110, Math.fround(lab.b[i] / 110) * 110)]++;
    }
    const direct = counts.map((c) => c / (images.length * 36));
    expect([...estimate.prior]).toEqual([...direct]);
    expect(estimate.pixels).toBe(9 * 36);
    expect(estimate.batches).toBe(3);
    expect(progress).toEqual([144, 288, 324]);
    expect([...estimate.smoothed]).toEqual([...smoothPrior(direct)]);
    expect([...estimate.weights]).toEqual([...computeRebalanceWeights(smoothPrior(direct))]);
    const expectation = estimate.smoothed.reduce((s, p, q) => s + p * estimate.weights[q], 0);
    expect(expectation).toBeCloseTo(1, 12);
    // The most frequent bin gets the smallest weight.
    const top = estimate.smoothed.indexOf(Math.max(...estimate.smoothed));
    expect(estimate.weights[top]).toBe(Math.min(...estimate.weights));
  });

  it('summing the soft-bin targets equals soft counting of the ab targets; maxBatches stops early', async () => {
    const soft = { counting: 'soft', neighbours: 5, sigma: 5 } as const;
    const fromAb = await estimateRebalanceWeights(createBatchPipeline(createArraySource(images), exact), soft);
    const fromBins = await estimateRebalanceWeights(
      createBatchPipeline(createArraySource(images), { ...exact, targets: ['bins'] }),
      soft,
    );
    let worst = 0;
    for (let q = 0; q < 313; q++) worst = Math.max(worst, Math.abs(fromAb.prior[q] - fromBins.prior[q]));
    expect(worst).toBeLessThan(1e-6);
    const partial = await estimateRebalanceWeights(createBatchPipeline(createArraySource(images), exact), {
      maxBatches: 2,
    });
    expect([partial.batches, partial.pixels]).toEqual([2, 8 * 36]);
  });

  it('disposes every batch it reads and refuses batches without ab or bins', async () => {
    const before = tf.memory().numTensors;
    await estimateRebalanceWeights(
      createBatchPipeline(createArraySource(images), { ...exact, targets: ['ab', 'bins'], batchSize: 2 }),
    );
    const labelsOnly = createBatchPipeline(createArraySource(images, { labels: images.map(() => 0) }), {
      ...exact,
      targets: ['labels'],
    });
    await expect(estimateRebalanceWeights(labelsOnly)).rejects.toThrow(InputError);
    const empty: BatchSource = { batches: async function* () {} };
    await expect(estimateRebalanceWeights(empty)).rejects.toThrow(/no pixels/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
