import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import type { Batch } from '../../src/train/batch.js';
import { createBinsObjective } from '../../src/train/objectives-bins.js';
import { createJointObjective } from '../../src/train/objectives-joint.js';
import { createLabelsObjective } from '../../src/train/objectives-labels.js';
import { createRegressionObjective } from '../../src/train/objectives-regression.js';

const num = (t: tf.Tensor): number => t.dataSync()[0];

function batchOf(input: number[], ab?: number[], labels?: number[]): Batch {
  const n = labels?.length ?? 1;
  const side = Math.sqrt(input.length / n);
  return {
    input: tf.tensor4d(input, [n, side, side, 1]),
    targets: {
      ...(ab && { ab: tf.tensor4d(ab, [n, side, side, 2]) }),
      ...(labels && { labels: tf.tensor1d(labels, 'int32') }),
    },
    size: n,
    epoch: 0,
    index: 0,
  };
}

describe('training objectives', () => {
  it('regression: MSE, L1 and Huber of hand-computed values; "unit" range maps ab/110 to (ab/110 + 1)/2', () => {
    const batch = batchOf([0, 0, 0, 0], [0.2, -0.2, 0, 0, 0.5, 0.5, -1, 1]);
    const prediction = tf.tensor4d([0, 0, 0, 0, 0.5, 0.5, -1, 0], [1, 2, 2, 2]);
    // Differences: 0.2, −0.2, 0, 0, 0, 0, 0, 1.
    const mse = createRegressionObjective({ loss: 'mse' }).computeLoss(prediction, batch.targets);
    expect(num(mse.total)).toBeCloseTo((0.04 + 0.04 + 1) / 8, 6);
    expect(num(mse.parts.regression)).toBeCloseTo(num(mse.total), 7);
    expect(num(createRegressionObjective({ loss: 'l1' }).computeLoss(prediction, batch.targets).total)).toBeCloseTo(
      1.4 / 8,
      6,
    );
    // Huber δ = 0.5: 0.5·0.2² twice, and 0.5·(1 − 0.25) for the 1.
    expect(
      num(createRegressionObjective({ loss: 'huber', huberDelta: 0.5 }).computeLoss(prediction, batch.targets).total),
    ).toBeCloseTo((0.02 + 0.02 + 0.375) / 8, 6);
    const unit = createRegressionObjective({ outputRange: 'unit' });
    const sigmoidPrediction = tf.tensor4d([0.6, 0.4, 0.5, 0.5, 0.75, 0.75, 0, 1], [1, 2, 2, 2]); // exactly the target in unit range
    expect(num(unit.computeLoss(sigmoidPrediction, batch.targets).total)).toBeCloseTo(0, 7);
    expect(Array.from(unit.predictAb!(sigmoidPrediction, [2, 2]).dataSync())).toEqual(
      Array.from(batch.targets.ab!.dataSync()).map((v) => expect.closeTo(v, 6)),
    );
    expect(() => createRegressionObjective().computeLoss(prediction, {})).toThrow(/batch.targets.ab/);
    expect(() => createRegressionObjective({ huberDelta: 0 })).toThrow(ConfigError);
  });

  it('regression resizes the target to a smaller output (bilinear, half-pixel: a 2×2 average here)', () => {
    const ab = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const batch = batchOf([0, 0, 0, 0], ab);
    const prediction = tf.tensor4d([0.4, 0.5], [1, 1, 1, 2]);
    expect(num(createRegressionObjective().computeLoss(prediction, batch.targets).total)).toBeCloseTo(0, 6);
  });

  it('bins: cross-entropy with weights equals the hand value; a target 4× larger is average-pooled to the logits', () => {
    // 3 bins (a custom set is fine for the loss), logits 1×1; target pooled from 2×2 one-hots.
    const logits = tf.tensor4d([0, Math.log(2), 0], [1, 1, 1, 3]);
    const bins = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0], [1, 2, 2, 3]); // pooled: [0.25, 0.75, 0]
    const logSoftmax = [Math.log(1 / 4), Math.log(2 / 4), Math.log(1 / 4)];
    const { total } = createBinsObjective().computeLoss(logits, { bins });
    expect(num(total)).toBeCloseTo(-(0.25 * logSoftmax[0] + 0.75 * logSoftmax[1]), 6);
    const weighted = createBinsObjective({ classWeights: [2, 3, 5] }).computeLoss(logits, { bins });
    // Rebalancing weight of the pooled target's most likely bin (bin 1): 3.
    expect(num(weighted.total)).toBeCloseTo(3 * num(total), 5);
    expect(() =>
      createBinsObjective().computeLoss(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, {
        bins: tf.zeros([1, 3, 3, 3]) as tf.Tensor4D,
      }),
    ).toThrow(InputError);
  });

  it('joint: modelInputs are [lightness resized to the global size, lightness]; loss = colour MSE (unit range) + α·CE', () => {
    const batch = batchOf(new Array(16).fill(0.25), new Array(32).fill(0), [1]);
    const objective = createJointObjective({ globalInputSize: 2, alpha: 0.5 });
    const inputs = objective.modelInputs(batch) as tf.Tensor[];
    expect(inputs.map((t) => t.shape)).toEqual([
      [1, 2, 2, 1],
      [1, 4, 4, 1],
    ]);
    const ab = tf.fill([1, 4, 4, 2], 0.5) as tf.Tensor4D; // unit 0.5 = ab 0: no colour error
    const logits = tf.tensor2d([[0, 0]]);
    const loss = objective.computeLoss([ab, logits], batch.targets);
    expect(num(loss.parts.color)).toBeCloseTo(0, 7);
    expect(num(loss.parts.classification)).toBeCloseTo(Math.log(2), 6);
    expect(num(loss.total)).toBeCloseTo(0.5 * Math.log(2), 6);
    expect(() => objective.computeLoss(ab, batch.targets)).toThrow(/two-output/);
    expect(() => objective.computeLoss([ab, logits], { ab: batch.targets.ab })).toThrow(/labels/);
  });

  it('labels: CE of class logits; lightness-rgb repeats L to 3 channels', () => {
    const batch = batchOf([0.1, 0.2, 0.3, 0.4], undefined, [0]);
    const objective = createLabelsObjective({ input: 'lightness-rgb' });
    expect((objective.modelInputs(batch) as tf.Tensor).shape).toEqual([1, 2, 2, 3]);
    expect(num(objective.computeLoss(tf.tensor2d([[Math.log(3), 0, 0]]), batch.targets).total)).toBeCloseTo(
      -Math.log(3 / 5),
      6,
    );
    expect(objective.predictAb).toBeUndefined();
  });
});
