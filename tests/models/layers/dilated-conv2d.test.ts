import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { registerKernels, unregisterKernels } from '../../../src/kernels/index.js';
import { DilatedConv2D, type DilatedConv2DImplementation } from '../../../src/models/layers/dilated-conv2d.js';
import { loadModelFiles } from '../../../src/node/files/model-files.js';
import { describeEachBackend, maxAbsDiff, TEST_BACKENDS } from '../../backends.js';
import { normalData, relativeError } from '../../kernels/kernel-test-helpers.js';
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

  test.each(['direct', 'split'] as const)('%s form: gradients of the input, kernel and bias equal central differences of the float64 reference', (implementation) => {
    // Loss L = Σ y ⊙ r with fixed random r. The layer is affine in each argument, so central
    // differences in float64 are exact up to rounding and make an independent reference.
    const xShape = [2, 5, 6, 3];
    const wShape = [3, 3, 3, 2];
    const x = tf.randomNormal(xShape, 0, 1, 'float32', 8);
    const kernel = tf.randomNormal(wShape, 0, 1, 'float32', 9);
    const bias = tf.tensor1d([0.3, -0.7]);
    const r = tf.randomNormal([2, 5, 6, 2], 0, 1, 'float32', 10);
    const { layer, model } = layerWith({ filters: 2, implementation }, xShape, kernel, bias);
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

/** One layer configuration and input shape for the direct-vs-split comparisons. */
interface FormCase {
  x: [number, number, number, number];
  filters: number;
  rate: number;
  activation: 'linear' | 'relu';
  kernelSize?: number;
  useBias?: boolean;
}

// Rates 1–4, odd (and one even) sizes, batch > 1, both activations, k = 1, 3, 5, with and without bias;
// the rate-4 cases have a dilated reach (9 px) wider than the map.
const FORM_CASES: FormCase[] = [
  { x: [2, 7, 9, 3], filters: 4, rate: 1, activation: 'relu' },
  { x: [2, 9, 7, 3], filters: 4, rate: 2, activation: 'linear' },
  { x: [2, 9, 7, 3], filters: 4, rate: 2, activation: 'relu' },
  { x: [3, 11, 5, 2], filters: 3, rate: 3, activation: 'relu' },
  { x: [2, 13, 11, 4], filters: 5, rate: 3, activation: 'linear' },
  { x: [2, 7, 5, 3], filters: 2, rate: 4, activation: 'relu' },
  { x: [2, 15, 9, 2], filters: 3, rate: 4, activation: 'linear' },
  { x: [2, 8, 6, 3], filters: 4, rate: 2, activation: 'relu', useBias: false },
  { x: [2, 11, 9, 2], filters: 3, rate: 2, activation: 'relu', kernelSize: 5 },
  { x: [3, 5, 7, 4], filters: 6, rate: 3, activation: 'linear', kernelSize: 1 },
];

function formLabel(c: FormCase): string {
  return `x ${c.x.join('×')}, k ${c.kernelSize ?? 3}, rate ${c.rate}, ${c.activation}${c.useBias === false ? ', no bias' : ''}`;
}

/** The values one comparison checks: forward output and the gradients of L = Σ y ⊙ r. */
interface FormResults {
  y: Float32Array;
  dx: Float32Array;
  dKernel: Float32Array;
  dBias: Float32Array | null;
}

/** Seeded inputs, identical on every backend. */
function formData(c: FormCase): { x: Float32Array; kernel: Float32Array; bias: Float32Array; r: Float32Array; kernelShape: number[] } {
  const k = c.kernelSize ?? 3;
  const kernelShape = [k, k, c.x[3], c.filters];
  return {
    x: normalData(c.x, 21),
    kernel: normalData(kernelShape, 22),
    bias: normalData([c.filters], 23),
    r: normalData([...c.x.slice(0, 3), c.filters], 24),
    kernelShape,
  };
}

/** Output and gradients of the layer in the given form, on the current backend. */
function layerResults(c: FormCase, implementation: DilatedConv2DImplementation): FormResults {
  const data = formData(c);
  const layer = new DilatedConv2D({ filters: c.filters, kernelSize: c.kernelSize, dilationRate: c.rate, activation: c.activation, useBias: c.useBias, implementation });
  const input = tfl.input({ shape: c.x.slice(1) });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  const useBias = c.useBias !== false;
  tf.tidy(() => layer.setWeights(useBias ? [tf.tensor(data.kernel, data.kernelShape), tf.tensor(data.bias)] : [tf.tensor(data.kernel, data.kernelShape)]));
  const x = tf.variable(tf.tensor(data.x, c.x));
  const r = tf.tensor(data.r, [...c.x.slice(0, 3), c.filters]);
  const variables = [x, ...layer.trainableWeights.map((w) => w.read() as tf.Variable)];
  const y = layer.apply(x) as tf.Tensor;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar, variables);
  const results = {
    y: y.dataSync() as Float32Array,
    dx: grads[variables[0].name].dataSync() as Float32Array,
    dKernel: grads[variables[1].name].dataSync() as Float32Array,
    dBias: useBias ? (grads[variables[2].name].dataSync() as Float32Array) : null,
  };
  tf.dispose([x, r, y, value, ...Object.values(grads)]);
  model.dispose();
  return results;
}

/**
 * The independent reference, on the cpu backend: a dilated k×k kernel is the undilated
 * ((k − 1)d + 1)² kernel with zeros between the taps, a plain 'same' conv2d whose gradients tfjs-core
 * has; the kernel gradient is that of the spread kernel at every d-th tap.
 */
async function zeroStuffedResults(c: FormCase): Promise<FormResults> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  const data = formData(c);
  const [k, , ci, co] = data.kernelShape;
  const d = c.rate;
  const spreadSize = (k - 1) * d + 1;
  const spread = new Float32Array(spreadSize * spreadSize * ci * co);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) spread.set(data.kernel.subarray((a * k + b) * ci * co, (a * k + b + 1) * ci * co), (a * d * spreadSize + b * d) * ci * co);
  const useBias = c.useBias !== false;
  const x = tf.variable(tf.tensor4d(data.x, c.x));
  const kernel = tf.variable(tf.tensor4d(spread, [spreadSize, spreadSize, ci, co]));
  const bias = tf.variable(tf.tensor1d(useBias ? data.bias : new Float32Array(co)));
  const r = tf.tensor(data.r, [...c.x.slice(0, 3), co]);
  const forward = (): tf.Tensor => {
    const z = tf.add(tf.conv2d(x, kernel, 1, 'same'), bias);
    return c.activation === 'relu' ? tf.relu(z) : z;
  };
  const y = forward();
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(), r)) as tf.Scalar, [x, kernel, bias]);
  const spreadGrad = grads[kernel.name].dataSync();
  const dKernel = new Float32Array(k * k * ci * co);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) dKernel.set(spreadGrad.subarray((a * d * spreadSize + b * d) * ci * co, (a * d * spreadSize + b * d + 1) * ci * co), (a * k + b) * ci * co);
  const results = {
    y: y.dataSync() as Float32Array,
    dx: grads[x.name].dataSync() as Float32Array,
    dKernel,
    dBias: useBias ? (grads[bias.name].dataSync() as Float32Array) : null,
  };
  tf.dispose([x, kernel, bias, r, y, value, ...Object.values(grads)]);
  await tf.setBackend(previous);
  return results;
}

/**
 * Run `fn` with tfjs's test-mode kernel leak check off. Needed for the split form on wasm with a bias and
 * no ReLU: under a gradient tape `tf.fused.conv2d` is a `tf.customGrad` op whose forward call saves its
 * tensors, which wasm copies (its Identity kernel copies data), and the check counts those copies as a
 * leak. They are freed after backprop; the tensor-count test below checks that for the direct form.
 */
function withoutLeakCheck<T>(fn: () => T): T {
  const previous = tf.env().getBool('IS_TEST');
  tf.env().set('IS_TEST', false);
  try {
    return fn();
  } finally {
    tf.env().set('IS_TEST', previous);
  }
}

function expectClose(got: FormResults, want: FormResults): void {
  expect(relativeError(got.y, want.y)).toBeLessThan(1e-4);
  expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-4);
  expect(relativeError(got.dKernel, want.dKernel)).toBeLessThan(1e-4);
  if (want.dBias != null) expect(relativeError(got.dBias!, want.dBias)).toBeLessThan(1e-4);
  else expect(got.dBias).toBeNull();
}

describe('DilatedConv2D direct and split forms', () => {
  // The split form's kernel gradient needs the library's Conv2DBackpropFilter on wasm; the direct form does not.
  beforeAll(() => {
    registerKernels({ backend: 'wasm' });
  });
  afterAll(async () => {
    unregisterKernels({ backend: 'wasm' });
    await tf.setBackend('cpu');
  });

  for (const backend of TEST_BACKENDS) {
    test.each(FORM_CASES.map((c) => [formLabel(c), c] as const))(
      `[${backend}] forward and input, kernel and bias gradients of both forms equal a zero-stuffed plain conv on cpu to 1e-4 relative: %s`,
      async (_, c) => {
        const want = await zeroStuffedResults(c);
        await tf.setBackend(backend);
        const direct = layerResults(c, 'direct');
        const split = withoutLeakCheck(() => layerResults(c, 'split'));
        expectClose(direct, want);
        expectClose(split, want);
        expectClose(direct, split);
      },
    );
  }

  test('[wasm] the direct form trains without any kernel replacement (its gradients are forward convolutions)', async () => {
    const c = FORM_CASES[2];
    const want = await zeroStuffedResults(c);
    unregisterKernels({ backend: 'wasm' });
    try {
      await tf.setBackend('wasm');
      expectClose(layerResults(c, 'direct'), want);
    } finally {
      registerKernels({ backend: 'wasm' });
    }
  });
});

describeEachBackend('DilatedConv2D direct form memory', () => {
  test('forward, a gradient and an SGD step leave the tensor count unchanged', () => {
    const input = tfl.input({ shape: [9, 7, 3] });
    const layer = new DilatedConv2D({ filters: 4, dilationRate: 3, activation: 'relu', seed: 2 });
    const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    const x = tf.randomNormal([2, 9, 7, 3], 0, 1, 'float32', 3);
    const r = tf.randomNormal([2, 9, 7, 4], 0, 1, 'float32', 4);
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar;
    const optimizer = tf.train.sgd(0.01);

    const before = tf.memory().numTensors;
    (layer.apply(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const { value, grads } = tf.variableGrads(loss, weights);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, r)))(x);
    dx.dispose();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.minimize(loss, false, weights);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);

    optimizer.dispose();
    tf.dispose([x, r]);
    model.dispose();
  });
});

describe('DilatedConv2D implementation option and saved models', () => {
  test('the default is direct, the option is saved, and a bad value throws a ConfigError', () => {
    expect(new DilatedConv2D({ filters: 2 }).implementation).toBe('direct');
    expect(new DilatedConv2D({ filters: 2, implementation: 'split' }).getConfig().implementation).toBe('split');
    const make = () => new DilatedConv2D({ filters: 2, implementation: 'atrous' as never });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow('implementation: expected one of direct | split, received "atrous"');
  });

  test('weights keep the Conv2D names and shapes in both forms', () => {
    for (const implementation of ['direct', 'split'] as const) {
      const layer = new DilatedConv2D({ filters: 6, name: 'd', implementation });
      const input = tfl.input({ shape: [10, 10, 4] });
      const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
      expect(layer.weights.map((w) => [w.originalName, w.shape])).toEqual([
        ['d/kernel', [3, 3, 4, 6]],
        ['d/bias', [6]],
      ]);
      model.dispose();
    }
  });

  test('a model saved before the option existed (no implementation key) loads as direct with the same weights and outputs', async () => {
    const input = tfl.input({ shape: [9, 9, 3] });
    const output = new DilatedConv2D({ filters: 4, dilationRate: 2, activation: 'relu', seed: 6, name: 'conv5_1', implementation: 'split' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    // What the layer wrote before the option existed: the same config without `implementation`.
    const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
    const layerConfig = topology.config.layers.find((l: { class_name: string }) => l.class_name === 'DilatedConv2D').config;
    expect(layerConfig.implementation).toBe('split');
    delete layerConfig.implementation;
    expect(Object.keys(layerConfig).sort()).toEqual(['activation', 'dilation_rate', 'filters', 'kernel_size', 'name', 'seed', 'trainable', 'use_bias']);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
    expect((loaded.getLayer('conv5_1') as DilatedConv2D).implementation).toBe('direct');
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 7);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(relativeError(b.dataSync(), a.dataSync())).toBeLessThan(1e-5);
    loaded.getWeights().forEach((w, i) => expect(maxAbsDiff(w.dataSync(), model.getWeights()[i].dataSync())).toBe(0));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  test('the previous bundled model (Zhang ECCV16, saved before the option) loads as direct and predicts as its split form does', async () => {
    // Its files as they shipped in models/default until the MobileNetV2 model replaced them.
    const model = await loadModelFiles('tests/fixtures/zhang-saved-model');
    const dilated = model.layers.filter((l): l is DilatedConv2D => l instanceof DilatedConv2D);
    expect(dilated.map((l) => l.implementation)).toEqual(Array(6).fill('direct'));
    const x = tf.randomUniform([2, 64, 64, 1], -0.5, 0.5, 'float32', 8);
    const direct = model.predict(x) as tf.Tensor;
    for (const layer of dilated) layer.implementation = 'split';
    const split = model.predict(x) as tf.Tensor;
    expect(relativeError(direct.dataSync(), split.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, direct, split]);
    model.dispose();
  });
});
