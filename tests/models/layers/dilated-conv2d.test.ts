import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { DilatedConv2D } from '../../../src/models/layers/dilated-conv2d.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';
import { roundTripThroughMemory } from './round-trip.js';

/**
 * Plain float64 dilated 'same' convolution, straight from the definition
 * y[n,i,j,o] = b[o] + Σ x[n, i + d(p − r), j + d(q − r), c] · w[p, q, c, o], r = (k − 1) / 2, zeros outside.
 */
function dilatedConvReference(x: Float64Array, xShape: number[], w: Float64Array, wShape: number[], bias: Float64Array, d: number): Float64Array {
  const [n, h, wd, c] = xShape;
  const [k, , , o] = wShape;
  const r = (k - 1) / 2;
  const y = new Float64Array(n * h * wd * o);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let f = 0; f < o; f++) {
          let s = bias[f];
          for (let p = 0; p < k; p++) {
            const ii = i + d * (p - r);
            if (ii < 0 || ii >= h) continue;
            for (let q = 0; q < k; q++) {
              const jj = j + d * (q - r);
              if (jj < 0 || jj >= wd) continue;
              for (let ch = 0; ch < c; ch++) s += x[((b * h + ii) * wd + jj) * c + ch] * w[((p * k + q) * c + ch) * o + f];
            }
          }
          y[((b * h + i) * wd + j) * o + f] = s;
        }
  return y;
}

/** A one-layer model holding the layer with the given weights; `layer.apply` works on concrete tensors. */
function layerWith(args: ConstructorParameters<typeof DilatedConv2D>[0], xShape: number[], kernel: tf.Tensor, bias: tf.Tensor): { layer: DilatedConv2D; model: tfl.LayersModel } {
  const layer = new DilatedConv2D(args);
  const input = tfl.input({ shape: xShape.slice(1) });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  layer.setWeights([kernel, bias]);
  return { layer, model };
}

describeEachBackend('DilatedConv2D forward', () => {
  test.each([
    [[2, 8, 8, 3], 2],
    [[1, 5, 7, 2], 2], // sizes not divisible by the rate: padded and cropped
    [[1, 9, 6, 2], 3],
    [[1, 3, 3, 4], 2], // Zhang conv5 at a 24 px input
  ])('input %j with rate %i equals tf.conv2d with dilations', (xShape, d) => {
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
    const kernel = tf.randomNormal([3, 3, xShape[3], 4], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([4], 0, 1, 'float32', 3);
    const { layer, model } = layerWith({ filters: 4, dilationRate: d }, xShape, kernel, bias);
    const y = layer.apply(x) as tf.Tensor;
    const expected = tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same', 'NHWC', d), bias);
    expect(y.shape).toEqual([...xShape.slice(0, 3), 4]);
    expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, kernel, bias, y, expected]);
    model.dispose();
  });

  test('relu activation clips the dilated result at zero', () => {
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 4);
    const kernel = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 5);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const { layer, model } = layerWith({ filters: 3, activation: 'relu' }, x.shape, kernel, bias);
    const y = layer.apply(x) as tf.Tensor;
    const expected = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same', 'NHWC', 2), bias));
    expect(maxAbsDiff(y.dataSync(), expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, kernel, bias, y, expected]);
    model.dispose();
  });
});

describe('DilatedConv2D gradients', () => {
  test('the tfjs forward equals a float64 reference written from the definition', () => {
    const xShape = [2, 5, 6, 3];
    const wShape = [3, 3, 3, 2];
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 6);
    const kernel = tf.randomNormal(wShape, 0, 1, 'float32', 7);
    const bias = tf.tensor1d([0.5, -0.25]);
    const { layer, model } = layerWith({ filters: 2 }, xShape, kernel, bias);
    const y = layer.apply(x) as tf.Tensor;
    const ref = dilatedConvReference(Float64Array.from(x.dataSync()), xShape, Float64Array.from(kernel.dataSync()), wShape, Float64Array.from(bias.dataSync()), 2);
    expect(maxAbsDiff(y.dataSync(), ref)).toBeLessThan(1e-4);
    tf.dispose([x, kernel, bias, y]);
    model.dispose();
  });

  test('gradients of the input, kernel and bias equal central differences of the float64 reference', () => {
    // Loss L = Σ y ⊙ r with fixed random r. The layer is affine in each argument, so central
    // differences in float64 are exact up to rounding and make an independent reference.
    const xShape = [2, 5, 6, 3];
    const wShape = [3, 3, 3, 2];
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 8);
    const kernel = tf.randomNormal(wShape, 0, 1, 'float32', 9);
    const bias = tf.tensor1d([0.3, -0.7]);
    const r = tf.randomNormal([2, 5, 6, 2], 0, 1, 'float32', 10);
    const { layer, model } = layerWith({ filters: 2 }, xShape, kernel, bias);
    const [kernelVar, biasVar] = layer.trainableWeights;
    const [kernelVariable, biasVariable] = [kernelVar.read() as tf.Variable, biasVar.read() as tf.Variable];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar, [kernelVariable, biasVariable]);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r)))(x);

    const x64 = Float64Array.from(x.dataSync());
    const w64 = Float64Array.from(kernel.dataSync());
    const b64 = Float64Array.from(bias.dataSync());
    const r64 = Float64Array.from(r.dataSync());
    const lossOf = (xv: Float64Array, wv: Float64Array, bv: Float64Array) => dilatedConvReference(xv, xShape, wv, wShape, bv, 2).reduce((s, v, i) => s + v * r64[i], 0);
    const numerical = (target: Float64Array, evaluate: () => number) =>
      Float64Array.from(target, (_, i) => {
        const saved = target[i];
        target[i] = saved + 0.5;
        const up = evaluate();
        target[i] = saved - 0.5;
        const down = evaluate();
        target[i] = saved;
        return up - down;
      });
    const evaluate = () => lossOf(x64, w64, b64);
    expect(Math.abs(value.dataSync()[0] - evaluate())).toBeLessThan(1e-3);
    expect(maxAbsDiff(grads[kernelVariable.name].dataSync(), numerical(w64, evaluate))).toBeLessThan(1e-3);
    expect(maxAbsDiff(grads[biasVariable.name].dataSync(), numerical(b64, evaluate))).toBeLessThan(1e-3);
    expect(maxAbsDiff(dx.dataSync(), numerical(x64, evaluate))).toBeLessThan(1e-3);
    tf.dispose([x, kernel, bias, r, value, dx, ...Object.values(grads)]);
    model.dispose();
  });

  test('a model with only a dilated layer learns a dilated target filter (loss falls below 1 %)', () => {
    const target = tf.randomNormal([3, 3, 2, 2], 0, 1, 'float32', 12) as tf.Tensor4D;
    const x = tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 13) as tf.Tensor4D;
    const y = tf.conv2d(x, target, 1, 'same', 'NHWC', 2);
    const input = tfl.input({ shape: [8, 8, 2] });
    const model = tfl.model({ inputs: input, outputs: new DilatedConv2D({ filters: 2, seed: 1 }).apply(input) as tfl.SymbolicTensor });
    const optimizer = tf.train.adam(0.05);
    const loss = () => tf.mean(tf.square(tf.sub(model.apply(x) as tf.Tensor, y))) as tf.Scalar;
    const losses: number[] = [];
    for (let step = 0; step < 150; step++) {
      const v = optimizer.minimize(loss, true)!;
      losses.push(v.dataSync()[0]);
      v.dispose();
    }
    expect(losses[losses.length - 1]).toBeLessThan(0.01 * losses[0]);
    tf.dispose([target, x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

describe('DilatedConv2D serialization and config', () => {
  test('a model holding the layer saves to memory and loads with the same config, weights and outputs', async () => {
    const input = tfl.input({ shape: [7, 7, 3] });
    const output = new DilatedConv2D({ filters: 5, dilationRate: 3, activation: 'relu', seed: 4, name: 'dil' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const { loaded } = await roundTripThroughMemory(model);
    const layer = loaded.getLayer('dil');
    expect(layer).toBeInstanceOf(DilatedConv2D);
    expect(layer.getConfig()).toEqual(model.getLayer('dil').getConfig());
    expect(loaded.countParams()).toBe(3 * 3 * 3 * 5 + 5);
    const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 5);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  test('weights are named and shaped like a Conv2D layer’s (kernel [k, k, in, out], bias [out])', () => {
    const layer = new DilatedConv2D({ filters: 6, kernelSize: 5, name: 'd' });
    const input = tfl.input({ shape: [10, 10, 4] });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
      ['d/kernel', [5, 5, 4, 6]],
      ['d/bias', [6]],
    ]);
    model.dispose();
  });

  test('apply leaves no tensor behind and keeps its input', () => {
    const layer = new DilatedConv2D({ filters: 2 });
    const input = tfl.input({ shape: [5, 5, 2] });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    const x = tf.ones([1, 5, 5, 2]);
    const before = tf.memory().numTensors;
    (layer.apply(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
    model.dispose();
  });

  test.each([
    [{ filters: 0 }, 'filters: expected an integer ≥ 1, received 0'],
    [{ filters: 2, kernelSize: 4 }, 'kernelSize: expected an odd integer (1, 3, 5, …), received 4'],
    [{ filters: 2, dilationRate: 0 }, 'dilationRate: expected an integer ≥ 1, received 0'],
    [{ filters: 2, activation: 'tanh' }, 'activation: expected one of linear | relu, received "tanh"'],
  ])('bad arguments %j throw a ConfigError naming the valid choices', (args, message) => {
    const make = () => new DilatedConv2D(args as never);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});
