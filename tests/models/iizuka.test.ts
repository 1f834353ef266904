import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildIizukaModel, resolveIizukaModelConfig } from '../../src/models/iizuka.js';
import { FusionLayer } from '../../src/models/layers/fusion-layer.js';
import { maxAbsDiff } from '../backends.js';
import { roundTripThroughMemory } from './layers/round-trip.js';

const TINY = { globalInputSize: 32, widthMultiplier: 1 / 16, numClasses: 5 } as const;
const sizeOf = (ws: tfl.LayerVariable[]) => ws.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);

describe('buildIizukaModel: shapes', () => {
  test('one model takes local inputs of several sizes, unlike its global size, and returns ab at the local size', () => {
    const model = buildIizukaModel({ ...TINY, seed: 1 });
    const global = tf.randomUniform([2, 32, 32, 1], -0.5, 0.5);
    for (const [h, w] of [[16, 16], [32, 32], [48, 24], [8, 64]]) {
      const local = tf.randomUniform([2, h, w, 1], -0.5, 0.5);
      const [ab, logits] = model.predict([global, local]) as tf.Tensor[];
      expect(ab.shape).toEqual([2, h, w, 2]);
      expect(logits.shape).toEqual([2, 5]);
      const values = ab.dataSync();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      tf.dispose([local, ab, logits]);
    }
    global.dispose();
    model.dispose();
  });

  test('the wasm backend gives the cpu backend’s outputs (inference with BatchNorm and the fusion layer)', async () => {
    const model = buildIizukaModel({ ...TINY, seed: 2 });
    const weights = model.getWeights().map((w) => ({ values: w.dataSync().slice(), shape: w.shape }));
    const globalValues = tf.tidy(() => tf.randomUniform([2, 32, 32, 1], -0.5, 0.5, 'float32', 3).dataSync());
    const localValues = tf.tidy(() => tf.randomUniform([2, 24, 16, 1], -0.5, 0.5, 'float32', 4).dataSync());
    const run = (m: tfl.LayersModel) =>
      tf.tidy(() => (m.predict([tf.tensor4d(globalValues, [2, 32, 32, 1]), tf.tensor4d(localValues, [2, 24, 16, 1])]) as tf.Tensor[]).map((t) => t.dataSync().slice()));
    const onCpu = run(model);
    model.dispose();
    try {
      // A separate copy on wasm, filled from plain arrays, so no tensor crosses backends.
      await tf.setBackend('wasm');
      const copy = buildIizukaModel(TINY);
      const tensors = weights.map((w) => tf.tensor(w.values, w.shape));
      copy.setWeights(tensors);
      const onWasm = run(copy);
      expect(maxAbsDiff(onWasm[0], onCpu[0])).toBeLessThan(1e-5);
      expect(maxAbsDiff(onWasm[1], onCpu[1])).toBeLessThan(1e-4);
      tf.dispose(tensors);
      copy.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });

  test('symbolic shapes: open local size by default, fixed when localInputSize is set', () => {
    const open = buildIizukaModel(TINY);
    expect(open.inputs.map((i) => i.shape)).toEqual([[null, 32, 32, 1], [null, null, null, 1]]);
    expect(open.outputs.map((o) => o.shape)).toEqual([[null, null, null, 2], [null, 5]]);
    const fixed = buildIizukaModel({ ...TINY, localInputSize: 40 });
    expect(fixed.outputs[0].shape).toEqual([null, 40, 40, 2]);
    open.dispose();
    fixed.dispose();
  });

  test('the low-level network is one set of layers used by both the global and the local path', () => {
    const model = buildIizukaModel(TINY);
    for (let i = 1; i <= 6; i++) expect(model.getLayer(`low_conv${i}`).inboundNodes.length).toBe(2);
    expect(model.getLayer('mid_conv1').inboundNodes.length).toBe(1);
    expect(model.getLayer('fusion')).toBeInstanceOf(FusionLayer);
    expect(model.outputNames).toEqual(['ab', 'class_logits']);
    model.dispose();
  });
});

describe('buildIizukaModel: parameter counts', () => {
  const conv = (cin: number, cout: number) => 9 * cin * cout + cout;
  const fc = (cin: number, cout: number) => cin * cout + cout;

  test('full width (224 px global, 205 classes) has 42,362,735 trainable and 8,896 moving-statistic parameters', () => {
    const lowLevel = conv(1, 64) + conv(64, 128) + conv(128, 128) + conv(128, 256) + conv(256, 256) + conv(256, 512); // 2,287,488
    const midLevel = conv(512, 512) + conv(512, 256); // 3,539,712
    const globalConvs = 4 * conv(512, 512); // 9,439,232
    const globalFcs = fc(7 * 7 * 512, 1024) + fc(1024, 512) + fc(512, 256); // 26,347,264
    const fusion = fc(256 + 256, 256); // 131,328
    const colorization = conv(256, 128) + conv(128, 64) + conv(64, 64) + conv(64, 32) + conv(32, 2); // 424,802
    const classification = fc(512, 256) + fc(256, 205); // 184,013
    const bnChannels = (64 + 128 + 128 + 256 + 256 + 512) + (512 + 256) + 4 * 512 + (128 + 64 + 64 + 32); // 4,448
    const trainable = lowLevel + midLevel + globalConvs + globalFcs + fusion + colorization + classification + 2 * bnChannels;
    expect(trainable).toBe(42_362_735);

    const model = buildIizukaModel();
    expect(sizeOf(model.trainableWeights)).toBe(42_362_735);
    expect(sizeOf(model.nonTrainableWeights)).toBe(2 * bnChannels);
    expect(model.countParams()).toBe(42_362_735 + 8_896);
    model.dispose();
  });

  test('width 1/8 with a 64 px global input and no BatchNorm scales every hidden count', () => {
    const byHand =
      conv(1, 8) + conv(8, 16) + conv(16, 16) + conv(16, 32) + conv(32, 32) + conv(32, 64) + // low-level
      conv(64, 64) + conv(64, 32) + // mid-level
      4 * conv(64, 64) + fc(2 * 2 * 64, 128) + fc(128, 64) + fc(64, 32) + // global: 64 px → 2×2
      fc(32 + 32, 32) + // fusion
      conv(32, 16) + conv(16, 8) + conv(8, 8) + conv(8, 4) + conv(4, 2) + // colorization
      fc(64, 32) + fc(32, 10); // classification
    const model = buildIizukaModel({ globalInputSize: 64, widthMultiplier: 1 / 8, numClasses: 10, batchNorm: false });
    expect(model.countParams()).toBe(byHand);
    expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    model.dispose();
  });
});

describe('buildIizukaModel: save and load', () => {
  test('a model saved to memory loads with the same config, weight count and both outputs', async () => {
    const model = buildIizukaModel({ ...TINY, seed: 4 });
    const { loaded } = await roundTripThroughMemory(model);
    expect(loaded.countParams()).toBe(model.countParams());
    expect(loaded.getConfig()).toEqual(model.getConfig());
    const global = tf.randomUniform([2, 32, 32, 1], -0.5, 0.5, 'float32', 1);
    const local = tf.randomUniform([2, 24, 40, 1], -0.5, 0.5, 'float32', 2);
    const a = model.predict([global, local]) as tf.Tensor[];
    const b = loaded.predict([global, local]) as tf.Tensor[];
    expect(maxAbsDiff(a[0].dataSync(), b[0].dataSync())).toBe(0);
    expect(maxAbsDiff(a[1].dataSync(), b[1].dataSync())).toBe(0);
    tf.dispose([global, local, ...a, ...b]);
    model.dispose();
    loaded.dispose();
  });

  test('the same seed gives the same initial weights, another seed different ones', () => {
    const [m1, m2, m3] = [5, 5, 6].map((seed) => buildIizukaModel({ ...TINY, seed }));
    const w = (m: tfl.LayersModel, layer: string) => m.getLayer(layer).getWeights()[0].dataSync();
    for (const layer of ['low_conv1', 'global_fc1', 'fusion', 'color_output', 'class_logits']) {
      expect(maxAbsDiff(w(m1, layer), w(m2, layer))).toBe(0);
      expect(maxAbsDiff(w(m1, layer), w(m3, layer))).toBeGreaterThan(0);
    }
    [m1, m2, m3].forEach((m) => m.dispose());
  });
});

describe('buildIizukaModel: training', () => {
  test('a few Adam steps on 4 tiny images cut both the colour MSE and the class cross-entropy below half, leaking nothing', () => {
    const model = buildIizukaModel({ globalInputSize: 32, widthMultiplier: 1 / 32, numClasses: 3, seed: 8 });
    // Smooth random lightness (4×4 blocks) with chrominance an affine function of it, and fixed labels.
    const local = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.randomUniform([4, 4, 4, 1], -0.5, 0.5, 'float32', 3), [16, 16])) as tf.Tensor4D;
    const global = tf.image.resizeBilinear(local, [32, 32]);
    const target = tf.tidy(() => tf.concat([tf.add(tf.mul(local, 0.3), 0.85), tf.sub(0.15, tf.mul(local, 0.3))], 3));
    const labels = tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
    const parts = () => {
      const [ab, logits] = model.apply([global, local], { training: true }) as tf.Tensor[];
      const mse = tf.mean(tf.square(tf.sub(ab, target)));
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)));
      return [mse, ce];
    };
    const measure = () => tf.tidy(() => parts().map((t) => t.dataSync()[0]));
    const optimizer = tf.train.adam(0.02);
    const loss = () => tf.addN(parts()) as tf.Scalar;
    const [mseBefore, ceBefore] = measure();
    optimizer.minimize(loss); // creates Adam's slots
    const before = tf.memory().numTensors;
    for (let step = 0; step < 9; step++) optimizer.minimize(loss);
    expect(tf.memory().numTensors).toBe(before);
    const [mseAfter, ceAfter] = measure();
    expect(mseAfter).toBeLessThan(0.5 * mseBefore);
    expect(ceAfter).toBeLessThan(0.5 * ceBefore);
    optimizer.dispose();
    tf.dispose([local, global, target, labels]);
    model.dispose();
  });

  test('predict leaves no tensor behind and does not dispose its inputs', () => {
    const model = buildIizukaModel(TINY);
    const global = tf.zeros([1, 32, 32, 1]);
    const local = tf.zeros([1, 16, 24, 1]);
    const before = tf.memory().numTensors;
    tf.dispose(model.predict([global, local]) as tf.Tensor[]);
    expect(tf.memory().numTensors).toBe(before);
    expect(global.isDisposed || local.isDisposed).toBe(false);
    tf.dispose([global, local]);
    model.dispose();
  });
});

describe('resolveIizukaModelConfig: typed errors', () => {
  test('defaults are the paper’s: 224 px global input, full width, 205 classes, BatchNorm, any local size', () => {
    expect(resolveIizukaModelConfig()).toEqual({
      globalInputSize: 224,
      localInputSize: null,
      widthMultiplier: 1,
      numClasses: 205,
      batchNorm: true,
      seed: undefined,
      name: 'iizuka2016',
    });
  });

  test.each([
    [{ globalInputSize: 100 }, 'globalInputSize: expected a positive multiple of 32 (32, 64, …, 224, …), received 100'],
    [{ globalInputSize: 16 }, 'globalInputSize: expected an integer ≥ 32, received 16'],
    [{ localInputSize: 12 }, 'localInputSize: expected null (any size) or a positive multiple of 8 (8, 16, …, 224, …), received 12'],
    [{ widthMultiplier: 0 }, 'widthMultiplier: expected a number in (0, 4], received 0'],
    [{ numClasses: 0 }, 'numClasses: expected an integer ≥ 1, received 0'],
    [{ batchNorm: 'yes' }, 'batchNorm: expected one of true | false, received "yes"'],
    [{ inputSize: 64 }, 'inputSize: expected a known key: one of globalInputSize | localInputSize | widthMultiplier | numClasses | batchNorm | seed | name, received an unknown key'],
  ])('%j is rejected with a ConfigError naming the key and the valid choices', (config, message) => {
    const call = () => buildIizukaModel(config as never);
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(message);
  });
});
