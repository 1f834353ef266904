import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildSiggraph17Model, resolveSiggraph17ModelConfig } from '../../src/models/siggraph17.js';

describe('buildSiggraph17Model', () => {
  test('three inputs (lightness, hint_ab, hint_mask) give ab at full size and 529 class logits at a quarter', () => {
    const model = buildSiggraph17Model({ inputSize: 16, widthMultiplier: 1 / 16, seed: 1 });
    expect(model.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['lightness', [null, 16, 16, 1]],
      ['hint_ab', [null, 16, 16, 2]],
      ['hint_mask', [null, 16, 16, 1]],
    ]);
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 16, 16, 2], [null, 4, 4, 529]]);
    const before = tf.memory().numTensors;
    const [ab] = tf.tidy(() => {
      const outs = model.predict([tf.randomUniform([1, 16, 16, 1], -0.5, 0.5), tf.zeros([1, 16, 16, 2]), tf.zeros([1, 16, 16, 1])]) as tf.Tensor[];
      return [outs[0].dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    // tanh: ab / 110 stays inside (−1, 1).
    expect(Math.max(...Array.from(ab).map(Math.abs))).toBeLessThan(1);
    model.dispose();
  });

  test('the mask is centred inside the model: a mask of m with centre c equals a mask of m − c with centre 0', () => {
    const a = buildSiggraph17Model({ inputSize: 16, widthMultiplier: 1 / 16, seed: 5 });
    const b = buildSiggraph17Model({ inputSize: 16, widthMultiplier: 1 / 16, seed: 6, maskCentre: 0 });
    b.setWeights(a.getWeights());
    const l = tf.randomUniform([1, 16, 16, 1], -0.5, 0.5, 'float32', 1);
    const hint = tf.randomUniform([1, 16, 16, 2], -0.3, 0.3, 'float32', 2);
    const mask = tf.cast(tf.greater(tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 3), 0.7), 'float32');
    const ya = (a.predict([l, hint, mask]) as tf.Tensor[])[0];
    const yb = (b.predict([l, hint, tf.sub(mask, 0.5)]) as tf.Tensor[])[0];
    expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([l, hint, mask, ya, yb]);
    a.dispose();
    b.dispose();
  });

  test('options are validated and unknown keys refused with ConfigError naming the key', () => {
    expect(resolveSiggraph17ModelConfig({})).toEqual({ inputSize: 256, widthMultiplier: 1, classes: 529, maskCentre: 0.5, seed: undefined, name: 'zhang_siggraph17' });
    expect(() => resolveSiggraph17ModelConfig({ inputSize: 20 })).toThrow(/inputSize: expected a positive multiple of 8/);
    expect(() => resolveSiggraph17ModelConfig({ widthMultiplier: 0 })).toThrow(ConfigError);
    expect(() => resolveSiggraph17ModelConfig({ classes: 1.5 })).toThrow(/classes/);
    expect(() => resolveSiggraph17ModelConfig({ inputsize: 64 } as never)).toThrow(/inputsize: expected a known key/);
  });
});
