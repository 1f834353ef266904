import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildZhangModel, resolveZhangModelConfig } from '../../src/models/zhang-eccv16.js';
import { describeEachBackend, maxAbsDiff } from '../backends.js';
import { roundTripThroughMemory } from './layers/round-trip.js';

const TINY = { widthMultiplier: 1 / 16 } as const;

describe('buildZhangModel: shapes and names', () => {
  test.each([8, 16, 24, 32])('a %i px input gives logits at exactly a quarter of the size with 313 bins', (size) => {
    const model = buildZhangModel({ ...TINY, inputSize: size });
    const x = tf.randomUniform([2, size, size, 1], -0.5, 0.5);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, size / 4, size / 4, 313]);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('bins sets the number of output channels', () => {
    const model = buildZhangModel({ ...TINY, inputSize: 16, bins: 7 });
    expect(model.outputs[0].shape).toEqual([null, 4, 4, 7]);
    model.dispose();
  });

  test('layers carry the names of the authors’ network (conv1_1 … conv8_313, conv<b>_<last>norm)', () => {
    const model = buildZhangModel({ ...TINY, inputSize: 16 });
    const weighted = model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
    expect(weighted).toEqual([
      'conv1_1', 'conv1_2', 'conv1_2norm',
      'conv2_1', 'conv2_2', 'conv2_2norm',
      'conv3_1', 'conv3_2', 'conv3_3', 'conv3_3norm',
      'conv4_1', 'conv4_2', 'conv4_3', 'conv4_3norm',
      'conv5_1', 'conv5_2', 'conv5_3', 'conv5_3norm',
      'conv6_1', 'conv6_2', 'conv6_3', 'conv6_3norm',
      'conv7_1', 'conv7_2', 'conv7_3', 'conv7_3norm',
      'conv8_1', 'conv8_2', 'conv8_3', 'conv8_313',
    ]);
    expect(model.getLayer('conv5_1').getClassName()).toBe('DilatedConv2D');
    expect(model.getLayer('conv8_1').getClassName()).toBe('Conv2DTranspose');
    model.dispose();
  });
});

describe('buildZhangModel: parameter counts', () => {
  test('full width has 32,235,385 trainable parameters and 4,992 BatchNorm moving statistics, as the port', () => {
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
    const trainableByHand =
      conv(3, 1, 64) + conv(3, 64, 64) + // block 1: 640 + 36,928
      conv(3, 64, 128) + conv(3, 128, 128) + // block 2: 73,856 + 147,584
      conv(3, 128, 256) + 2 * conv(3, 256, 256) + // block 3: 295,168 + 2 × 590,080
      conv(3, 256, 512) + 2 * conv(3, 512, 512) + // block 4: 1,180,160 + 2 × 2,359,808
      9 * conv(3, 512, 512) + // blocks 5, 6, 7: 9 × 2,359,808
      conv(4, 512, 256) + // conv8_1 transposed: 512·256·16 + 256 = 2,097,408
      2 * conv(3, 256, 256) + // conv8_2, conv8_3
      conv(1, 256, 313) + // conv8_313: 80,441
      2 * (64 + 128 + 256 + 4 * 512); // BatchNorm gamma + beta: 4,992
    expect(trainableByHand).toBe(32_235_385);

    const model = buildZhangModel();
    const size = (ws: tfl.LayerVariable[]) => ws.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
    expect(size(model.trainableWeights)).toBe(32_235_385);
    expect(size(model.nonTrainableWeights)).toBe(4_992); // moving mean + variance of 2,496 channels
    expect(model.countParams()).toBe(32_235_385 + 4_992);
    model.dispose();
  });

  test('width 1/4 scales every hidden channel count (16 … 128) and keeps 313 bins', () => {
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
    const byHand =
      conv(3, 1, 16) + conv(3, 16, 16) + conv(3, 16, 32) + conv(3, 32, 32) +
      conv(3, 32, 64) + 2 * conv(3, 64, 64) + conv(3, 64, 128) + 11 * conv(3, 128, 128) +
      conv(4, 128, 64) + 2 * conv(3, 64, 64) + conv(1, 64, 313) +
      4 * (16 + 32 + 64 + 4 * 128); // BatchNorm gamma, beta, moving mean, moving variance
    const model = buildZhangModel({ inputSize: 32, widthMultiplier: 0.25 });
    expect(model.countParams()).toBe(byHand);
    model.dispose();
  });
});

describeEachBackend('buildZhangModel: the PyTorch port’s weights map one to one', () => {
  const dir = new URL('../fixtures/zhang_eccv16/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as {
    widthMultiplier: number;
    inputSize: number;
    inputShape: number[];
    logitsShape: number[];
    weights: { layer: string; weight: string; shape: number[]; offset: number }[];
  };
  const floats = (name: string) => {
    const bytes = readFileSync(new URL(name, dir));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };

  test('PyTorch weights loaded by layer name reproduce the port’s logits (stride-2 padding, dilation on 3×3 maps, 4×4 transposed conv)', () => {
    const model = buildZhangModel({ inputSize: manifest.inputSize, widthMultiplier: manifest.widthMultiplier });
    const all = floats('weights.bin');
    const byLayer = new Map<string, tf.Tensor[]>();
    for (const w of manifest.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const list = byLayer.get(w.layer) ?? [];
      list.push(tf.tensor(all.subarray(w.offset, w.offset + count), w.shape));
      byLayer.set(w.layer, list);
    }
    for (const [layer, weights] of byLayer) model.getLayer(layer).setWeights(weights);
    expect(byLayer.size).toBe(30);

    const x = tf.tensor4d(floats('input.bin'), manifest.inputShape as [number, number, number, number]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual(manifest.logitsShape);
    const expected = floats('logits.bin');
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(2e-5);
    tf.dispose([x, y, ...[...byLayer.values()].flat()]);
    model.dispose();
  });
});

describe('buildZhangModel: save and load', () => {
  test('a model saved to memory loads with the same config, weight count and outputs', async () => {
    const model = buildZhangModel({ ...TINY, inputSize: 24, seed: 3 });
    const { loaded } = await roundTripThroughMemory(model);
    expect(loaded.countParams()).toBe(model.countParams());
    expect(loaded.getConfig()).toEqual(model.getConfig());
    const x = tf.randomUniform([2, 24, 24, 1], -0.5, 0.5, 'float32', 1);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  test('the same seed gives the same initial weights, another seed different ones', () => {
    const [m1, m2, m3] = [1, 1, 2].map((seed) => buildZhangModel({ ...TINY, inputSize: 16, seed }));
    const w = (m: tfl.LayersModel, layer: string) => m.getLayer(layer).getWeights()[0].dataSync();
    for (const layer of ['conv1_1', 'conv5_2', 'conv8_1', 'conv8_313']) {
      expect(maxAbsDiff(w(m1, layer), w(m2, layer))).toBe(0);
      expect(maxAbsDiff(w(m1, layer), w(m3, layer))).toBeGreaterThan(0);
    }
    [m1, m2, m3].forEach((m) => m.dispose());
  });
});

describe('buildZhangModel: training', () => {
  const models: tfl.LayersModel[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  test('a few Adam steps on 4 tiny images cut the cross-entropy below half and leak no tensors', () => {
    const model = buildZhangModel({ inputSize: 16, widthMultiplier: 1 / 32, seed: 7 });
    const STEPS = 15;
    models.push(model);
    const N = 4;
    // Learnable but random: each output cell's bin is one of 4 bins chosen by its input patch's mean.
    const x = tf.randomUniform([N, 16, 16, 1], -0.5, 0.5, 'float32', 11) as tf.Tensor4D;
    const bins = tf.tidy(() => {
      const patchMean = tf.avgPool(x, 4, 4, 'valid'); // [6, 4, 4, 1]
      const level = tf.clipByValue(tf.floor(tf.add(tf.mul(patchMean, 16), 2)), 0, 3);
      return tf.oneHot(tf.cast(tf.reshape(tf.add(tf.mul(level, 50), 20), [N, 4, 4]), 'int32'), 313);
    });
    const optimizer = tf.train.adam(0.01);
    // Mean per-pixel cross-entropy, written out: tf.losses.softmaxCrossEntropy trips tfjs's own leak check in test mode.
    const loss = () => tf.neg(tf.mean(tf.sum(tf.mul(bins, tf.logSoftmax(model.apply(x, { training: true }) as tf.Tensor)), -1))) as tf.Scalar;
    const first = optimizer.minimize(loss, true)!;
    const lossBefore = first.dataSync()[0];
    first.dispose();
    const before = tf.memory().numTensors; // Adam's slots exist after the first step
    let lossAfter = lossBefore;
    for (let step = 0; step < STEPS; step++) {
      const value = optimizer.minimize(loss, true)!;
      lossAfter = value.dataSync()[0];
      value.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(lossAfter).toBeLessThan(0.5 * lossBefore);
    optimizer.dispose();
    tf.dispose([x, bins]);
  });

  test('predict leaves no tensor behind and does not dispose its input', () => {
    const model = buildZhangModel({ ...TINY, inputSize: 16 });
    models.push(model);
    const x = tf.zeros([1, 16, 16, 1]);
    const before = tf.memory().numTensors;
    const y = model.predict(x) as tf.Tensor;
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });
});

describe('resolveZhangModelConfig: typed errors', () => {
  test('defaults are the paper’s: 256 px, full width, 313 bins', () => {
    expect(resolveZhangModelConfig()).toEqual({ inputSize: 256, widthMultiplier: 1, bins: 313, seed: undefined, name: 'zhang_eccv16' });
  });

  test.each([
    [{ inputSize: 100 }, 'inputSize: expected a positive multiple of 8 (8, 16, …, 256, …), received 100'],
    [{ inputSize: 0 }, 'inputSize: expected an integer ≥ 8, received 0'],
    [{ widthMultiplier: 0 }, 'widthMultiplier: expected a number in (0, 4], received 0'],
    [{ widthMultiplier: -0.5 }, 'widthMultiplier: expected a number in (0, 4], received -0.5'],
    [{ bins: 2.5 }, 'bins: expected an integer ≥ 1, received 2.5'],
    [{ width: 0.5 }, 'width: expected a known key: one of inputSize | widthMultiplier | bins | seed | name, received an unknown key'],
  ])('%j is rejected with a ConfigError naming the key and the valid choices', (config, message) => {
    const call = () => buildZhangModel(config as never);
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(message);
  });
});
