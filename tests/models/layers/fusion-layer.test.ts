import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { ConfigError, InputError } from '../../../src/errors.js';
import { FusionLayer } from '../../../src/models/layers/fusion-layer.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';
import { roundTripThroughMemory } from './round-trip.js';

/**
 * Eq. 1 of Iizuka et al. 2016 written literally: tile the global vector over the map, concatenate
 * [global ; mid] per location, multiply by W, add b, apply σ.
 */
function fusionReference(mid: tf.Tensor4D, global: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const [n, h, w] = mid.shape;
  const tiled = tf.tile(tf.reshape(global, [n, 1, 1, -1]), [1, h, w, 1]);
  const joined = tf.concat([tiled, mid], 3);
  const flat = tf.reshape(joined, [n * h * w, -1]);
  return activation(tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [n, h, w, -1]));
}

/** A two-input model holding one fusion layer with spatial size left open. */
function fusionModel(args: ConstructorParameters<typeof FusionLayer>[0], localChannels: number, globalChannels: number) {
  const layer = new FusionLayer(args);
  const mid = tfl.input({ shape: [null, null, localChannels] });
  const global = tfl.input({ shape: [globalChannels] });
  const model = tfl.model({ inputs: [mid, global], outputs: layer.apply([mid, global]) as tfl.SymbolicTensor });
  return { layer, model };
}

describeEachBackend('FusionLayer forward', () => {
  test.each([
    ['relu', tf.relu],
    ['sigmoid', tf.sigmoid],
    ['linear', (t: tf.Tensor) => t],
  ] as const)('with %s it equals σ(b + W [global ; mid]) at every location (paper eq. 1)', (activation, sigma) => {
    const { layer, model } = fusionModel({ units: 5, activation }, 3, 4);
    const kernel = tf.randomNormal([4 + 3, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
    const bias = tf.randomNormal([5], 0, 1, 'float32', 2) as tf.Tensor1D;
    layer.setWeights([kernel, bias]);
    const mid = tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const global = tf.randomNormal([2, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
    const y = model.predict([mid, global]) as tf.Tensor;
    const expected = fusionReference(mid, global, kernel, bias, sigma);
    expect(y.shape).toEqual([2, 3, 4, 5]);
    expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
    tf.dispose([kernel, bias, mid, global, y, expected]);
    model.dispose();
  });
});

describe('FusionLayer', () => {
  test('one built layer fuses maps of different sizes (any spatial size)', () => {
    const { model } = fusionModel({ units: 4, seed: 1 }, 2, 3);
    const global = tf.randomNormal([1, 3]);
    for (const [h, w] of [[1, 1], [5, 7], [16, 8]]) {
      const mid = tf.randomNormal([1, h, w, 2]);
      const y = model.predict([mid, global]) as tf.Tensor;
      expect(y.shape).toEqual([1, h, w, 4]);
      tf.dispose([mid, y]);
    }
    global.dispose();
    model.dispose();
  });

  test('gradients of kernel, bias and both inputs equal those of the literal tile-and-concatenate form', () => {
    const { layer, model } = fusionModel({ units: 3, activation: 'sigmoid', seed: 2 }, 2, 4);
    const [kernelVariable, biasVariable] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const mid = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const global = tf.randomNormal([2, 4], 0, 1, 'float32', 6) as tf.Tensor2D;
    const r = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 7);
    const viaReference = (m: tf.Tensor, g: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(fusionReference(m as tf.Tensor4D, g as tf.Tensor2D, k as tf.Tensor2D, b as tf.Tensor1D, tf.sigmoid), r));
    const kernel = kernelVariable.clone();
    const bias = biasVariable.clone();
    const expected = tf.grads(viaReference)([mid, global, kernel, bias]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply([mid, global]) as tf.Tensor, r)) as tf.Scalar, [kernelVariable, biasVariable]);
    const inputGrads = tf.grads((m: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(layer.apply([m, g]) as tf.Tensor, r)))([mid, global]);
    expect(maxAbsDiff(inputGrads[0].dataSync(), expected[0].dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(inputGrads[1].dataSync(), expected[1].dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(grads[kernelVariable.name].dataSync(), expected[2].dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(grads[biasVariable.name].dataSync(), expected[3].dataSync())).toBeLessThan(1e-5);
    tf.dispose([mid, global, r, kernel, bias, ...expected, ...inputGrads, ...Object.values(grads)]);
    model.dispose();
  });

  test('weights are kernel [G + C, units] and bias [units]', () => {
    const { layer, model } = fusionModel({ units: 7, name: 'fusion' }, 5, 3);
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ['fusion/kernel', [3 + 5, 7]],
      ['fusion/bias', [7]],
    ]);
    model.dispose();
  });

  test('a model holding the layer saves to memory and loads with the same config, weights and outputs', async () => {
    const { model } = fusionModel({ units: 6, activation: 'sigmoid', seed: 9, name: 'fusion' }, 4, 3);
    const { loaded } = await roundTripThroughMemory(model);
    expect(loaded.getLayer('fusion')).toBeInstanceOf(FusionLayer);
    expect(loaded.getLayer('fusion').getConfig()).toEqual(model.getLayer('fusion').getConfig());
    expect(loaded.countParams()).toBe((3 + 4) * 6 + 6);
    const mid = tf.randomNormal([2, 5, 3, 4]);
    const global = tf.randomNormal([2, 3]);
    const [a, b] = [model.predict([mid, global]) as tf.Tensor, loaded.predict([mid, global]) as tf.Tensor];
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([mid, global, a, b]);
    model.dispose();
    loaded.dispose();
  });

  test('apply leaves no tensor behind and keeps its inputs', () => {
    const { model } = fusionModel({ units: 2 }, 2, 2);
    const mid = tf.ones([1, 4, 4, 2]);
    const global = tf.ones([1, 2]);
    const before = tf.memory().numTensors;
    (model.predict([mid, global]) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(mid.isDisposed || global.isDisposed).toBe(false);
    tf.dispose([mid, global]);
    model.dispose();
  });

  test('different batch sizes of map and vector throw an InputError', () => {
    const { layer, model } = fusionModel({ units: 2, name: 'fusion' }, 2, 2);
    const mid = tf.ones([2, 4, 4, 2]);
    const global = tf.ones([3, 2]);
    expect(() => layer.apply([mid, global])).toThrow(InputError);
    expect(() => layer.apply([mid, global])).toThrow('fusion inputs: expected the same batch size N for map and vector');
    tf.dispose([mid, global]);
    model.dispose();
  });

  test('a vector input of the wrong rank is refused when the layer is applied', () => {
    const layer = new FusionLayer({ units: 2 });
    expect(() => layer.apply([tfl.input({ shape: [4, 4, 2] }), tfl.input({ shape: [4, 2] })])).toThrow(/expected ndim=2, found ndim=3/);
  });

  test.each([
    [{ units: 0 }, 'units: expected an integer ≥ 1, received 0'],
    [{ units: 2, activation: 'tanh' }, 'activation: expected one of relu | sigmoid | linear, received "tanh"'],
  ])('bad arguments %j throw a ConfigError naming the valid choices', (args, message) => {
    const make = () => new FusionLayer(args as never);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});
