import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkLossWeights, reduceLoss } from '../../src/losses/reduction.js';

describe('reduceLoss', () => {
  const loss = tf.tensor2d([
    [1, 2],
    [3, 6],
  ]);

  it("'mean' averages all elements and 'sum' adds them", () => {
    expect(reduceLoss(loss, 'mean').dataSync()[0]).toBeCloseTo(3, 6);
    expect(reduceLoss(loss, 'sum').dataSync()[0]).toBeCloseTo(12, 6);
  });

  it("'none' returns a new tensor shaped as the loss, so disposing it leaves the input alive", () => {
    const out = reduceLoss(loss, 'none');
    expect(out).not.toBe(loss);
    expect(out.shape).toEqual([2, 2]);
    out.dispose();
    expect(Array.from(loss.dataSync())).toEqual([1, 2, 3, 6]);
  });

  it('a weighted mean is the plain mean of weight × loss (not divided by the weight sum)', () => {
    // rows weighted 2 and 0.5: (2·1 + 2·2 + 0.5·3 + 0.5·6) / 4 = 10.5 / 4
    const w = tf.tensor2d([[2], [0.5]]);
    expect(reduceLoss(loss, 'mean', w).dataSync()[0]).toBeCloseTo(2.625, 6);
    expect(reduceLoss(loss, 'sum', w).dataSync()[0]).toBeCloseTo(10.5, 6);
    expect(Array.from(reduceLoss(loss, 'none', w).dataSync())).toEqual([2, 4, 1.5, 3]);
  });

  it('leaves no tensor behind', () => {
    const w = tf.tensor2d([[2, 1]]);
    const before = tf.memory().numTensors;
    for (const r of ['mean', 'sum', 'none'] as const) reduceLoss(loss, r, w).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown reduction and weights that do not broadcast, naming the argument', () => {
    expect(() => reduceLoss(loss, 'avg' as never)).toThrow(
      /reduction: expected one of 'mean' \| 'sum' \| 'none', received "avg"/,
    );
    expect(() => checkLossWeights('options.weights', tf.zeros([2, 3]), [2, 2])).toThrow(InputError);
    expect(() => checkLossWeights('options.weights', tf.zeros([2]), [2, 2])).toThrow(
      /options\.weights: expected shape \[2, 2\]/,
    );
  });
});
