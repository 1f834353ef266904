import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createHintObjective } from '../../src/hints/hint-objective.js';
import { simulateHints } from '../../src/hints/simulate-hints.js';
import { createRandom } from '../../src/random.js';
import type { Batch, BatchSource } from '../../src/train/batch.js';
import { createSupervisedTrainer } from '../../src/train/supervised-trainer.js';

const SIDE = 8;

/**
 * Generated pictures whose colour cannot be guessed from lightness: each example is one flat random ab
 * (|a|, |b| ≤ 0.5 in ab ÷ 110) over random lightness noise. Without points the best guess is gray; a point
 * reveals the colour, so a network that learned to use hints copies it.
 */
function flatColourBatch(n: number, seed: number, epoch = 0, index = 0): Batch {
  const rng = createRandom(seed);
  const lightness = new Float32Array(n * SIDE * SIDE);
  const ab = new Float32Array(n * SIDE * SIDE * 2);
  for (let e = 0; e < n; e++) {
    const a = rng.next() - 0.5,
      b = rng.next() - 0.5;
    for (let p = 0; p < SIDE * SIDE; p++) {
      const i = e * SIDE * SIDE + p;
      lightness[i] = rng.next() - 0.5;
      ab[2 * i] = a;
      ab[2 * i + 1] = b;
    }
  }
  return {
    input: tf.tensor4d(lightness, [n, SIDE, SIDE, 1]),
    targets: { ab: tf.tensor4d(ab, [n, SIDE, SIDE, 2]) },
    size: n,
    epoch,
    index,
  };
}

function generatedSource(batches: number, batchSize: number): BatchSource {
  return {
    batchesPerEpoch: batches,
    async *batches(epoch, start) {
      for (let index = start?.startBatch ?? 0; index < batches; index++)
        yield flatColourBatch(batchSize, 1000 * epoch + index + 1, epoch, index);
    },
  };
}

/**
 * A tiny hint-capable network: [lightness, hint_ab, hint_mask] and a 3×3 convolution of them (8 filters, ReLU)
 * → ab through a 1×1 convolution and tanh.
 */
function tinyHintNetwork(): tfl.LayersModel {
  const lightness = tfl.input({ shape: [SIDE, SIDE, 1] });
  const hintAb = tfl.input({ shape: [SIDE, SIDE, 2] });
  const hintMask = tfl.input({ shape: [SIDE, SIDE, 1] });
  const joined = tfl.layers.concatenate().apply([lightness, hintAb, hintMask]) as tfl.SymbolicTensor;
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const hidden = tfl.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) })
    .apply(joined) as tfl.SymbolicTensor;
  const x = tfl.layers.concatenate().apply([joined, hidden]) as tfl.SymbolicTensor;
  const ab = tfl.layers
    .conv2d({ filters: 2, kernelSize: 1, activation: 'tanh', kernelInitializer: init(3) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [lightness, hintAb, hintMask], outputs: ab });
}

/** Mean absolute ab error (÷ 110) at the hinted pixels, with a fixed number of simulated points. */
function errorAtHints(model: tfl.LayersModel, batch: Batch, points: number): number {
  return tf.tidy(() => {
    const { hintAb, hintMask } = simulateHints(batch.targets.ab!, { points, seed: 99, patchSizes: [1] });
    const predicted = model.predict([batch.input, hintAb, hintMask]) as tf.Tensor4D;
    const where = points === 0 ? tf.onesLike(hintMask) : hintMask;
    const error = tf.mul(tf.abs(tf.sub(predicted, batch.targets.ab!)), where);
    return tf.div(tf.sum(error), tf.mul(tf.sum(where), 2)).dataSync()[0];
  });
}

describe('createHintObjective: the hint training recipe', () => {
  it('a tiny hint-capable network learns to copy simulated points (error at the points falls to under a third)', async () => {
    const model = tinyHintNetwork();
    const held = flatColourBatch(64, 424242);
    const before = errorAtHints(model, held, 4);
    const trainer = createSupervisedTrainer({
      model,
      objective: createHintObjective({ seed: 5, hints: { patchSizes: [1, 2, 3] } }),
      optimizer: { kind: 'adam', learningRate: 0.1 },
    });
    const tensorsBefore = tf.memory().numTensors;
    await trainer.fit({ source: generatedSource(25, 8), epochs: 3 });
    const after = errorAtHints(model, held, 4);
    const afterGray = errorAtHints(model, held, 0);
    // The values a point reveals are copied: the error at the points falls to under a third of the start, and
    // is far below the error of the same network without points (where only a gray guess is possible).
    expect(after).toBeLessThan(before / 3);
    expect(after).toBeLessThan(afterGray / 3);
    expect(afterGray).toBeGreaterThan(0.15); // without points the colour stays unknown (a uniform guess misses by 0.25 on average)
    trainer.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
    tf.dispose([held.input, held.targets.ab!]);
    model.dispose();
  });

  it('feeds [lightness, hintAb, hintMask], the same points for the same batch (resume-exact), others for another batch', () => {
    const objective = createHintObjective({ seed: 3 });
    expect(objective.name).toBe('hints-huber');
    const batch = flatColourBatch(4, 7, 2, 5);
    const read = (b: Batch): number[] =>
      tf.tidy(() => {
        const inputs = objective.modelInputs(b) as tf.Tensor[];
        expect(inputs).toHaveLength(3);
        expect(inputs[0]).toBe(b.input);
        expect(inputs[1].shape).toEqual([4, SIDE, SIDE, 2]);
        expect(inputs[2].shape).toEqual([4, SIDE, SIDE, 1]);
        return [...inputs[1].dataSync(), ...inputs[2].dataSync()];
      });
    const before = tf.memory().numTensors;
    const first = read(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(read(batch)).toEqual(first);
    expect(read({ ...batch, index: 6 })).not.toEqual(first);
    tf.dispose([batch.input, batch.targets.ab!]);
  });

  it("uses the paper's smooth-L1 with δ = 1 Lab unit: quadratic below 1/110, linear above (hand-computed)", () => {
    const objective = createHintObjective();
    const target = tf.zeros([1, 1, 2, 2]) as tf.Tensor4D;
    // Errors 0.5/110 (quadratic: 0.5 · e²) and 3/110 (linear: δ · (|e| − δ/2)), per element, then the mean.
    const predicted = tf.tensor4d([0.5 / 110, 0.5 / 110, 3 / 110, 3 / 110], [1, 1, 2, 2]);
    const { total, parts } = objective.computeLoss(predicted, { ab: target });
    const d = 1 / 110;
    const expected = (2 * 0.5 * (0.5 * d) ** 2 + 2 * d * (3 * d - d / 2)) / 4;
    expect(total.dataSync()[0]).toBeCloseTo(expected, 9);
    tf.dispose([target, predicted, total, ...Object.values(parts)]);
  });

  it('rejects bad settings with ConfigError', () => {
    expect(() => createHintObjective({ seed: 1.5 })).toThrow(ConfigError);
    expect(() => createHintObjective({ loss: 'l3' as 'l1' })).toThrow(/loss/);
    expect(() => createHintObjective({ huberDelta: 0 })).toThrow(/huberDelta/);
  });
});
