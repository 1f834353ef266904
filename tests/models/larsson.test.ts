import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildLarssonModel } from '../../src/models/larsson.js';
import { buildResNet18 } from '../../src/models/resnet18.js';
import { createRandom } from '../../src/random.js';

/** A 1/16-width ResNet-18 on lightness: widths 4, 8, 16, 32. */
function tinyResNet(inputSize: number | null, stem: 'imagenet' | 'small' = 'small'): tfl.LayersModel {
  return buildResNet18({ inputChannels: 1, inputSize, classes: 3, widthMultiplier: 1 / 16, stem, seed: 2 });
}

/** A backbone that is not a ResNet: three 3×3 convs, the last two strided (channels 3, 5, 6). */
function plainConvNet(inputSize: number | null): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize, inputSize, 1], name: 'gray' });
  const c1 = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as tfl.SymbolicTensor;
  const c2 = tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c2' }).apply(c1) as tfl.SymbolicTensor;
  const c3 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c3' }).apply(c2) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(c3) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: pooled, name: 'plain' });
}

function asJson(config: unknown): string {
  return JSON.stringify(config, (_, v: unknown) => (v === undefined ? null : v));
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('buildLarssonModel', () => {
  it('outputs [N, H/stride, W/stride, 2 | Q] for several sizes, strides and backbones', () => {
    const resnet = tinyResNet(null);
    const plain = plainConvNet(null);
    const cases: [tfl.LayersModel, string[], number, number, 'ab' | 'bins'][] = [
      [resnet, ['stage1_block2_out', 'stage2_block2_out', 'stage3_block2_out'], 4, 32, 'ab'],
      [resnet, ['stage2_block2_out'], 1, 16, 'bins'],
      [resnet, ['stem_relu', 'stage4_block2_out'], 2, 24, 'ab'],
      [plain, ['c1', 'c2', 'c3'], 4, 16, 'bins'],
      [plain, ['c3'], 1, 20, 'ab'],
    ];
    for (const [backbone, layerNames, outputStride, size, output] of cases) {
      const model = buildLarssonModel({ backbone, layerNames, outputStride, output, bins: 6, hiddenWidths: [8], seed: 1 });
      const y = model.predict(tf.zeros([2, size, size, 1])) as tf.Tensor;
      expect(y.shape).toEqual([2, size / outputStride, size / outputStride, output === 'ab' ? 2 : 6]);
      y.dispose();
      model.dispose();
    }
    const fixed = buildLarssonModel({ backbone: tinyResNet(32), layerNames: ['stage3_block2_out'] });
    expect(fixed.outputs[0].shape).toEqual([null, 8, 8, 2]);
    fixed.dispose();
    resnet.dispose();
    plain.dispose();
  });

  it('builds the hypercolumn from the upsampled layer outputs and the input itself', () => {
    const backbone = plainConvNet(8);
    const model = buildLarssonModel({ backbone, layerNames: ['c1', 'c2'], outputStride: 1, hiddenWidths: [4] });
    const hypercolumn = tfl.model({ inputs: model.inputs, outputs: model.getLayer('hypercolumn').output as tfl.SymbolicTensor });
    const taps = tfl.model({ inputs: backbone.inputs, outputs: [backbone.getLayer('c1').output, backbone.getLayer('c2').output] as tfl.SymbolicTensor[] });
    const x = tf.randomUniform([1, 8, 8, 1], -1, 1, 'float32', 5);
    const got = hypercolumn.predict(x) as tf.Tensor;
    const [c1, c2] = taps.predict(x) as tf.Tensor4D[];
    // Reference from the backbone itself (cpu kernels): c1 is at full size, c2 (4×4) resized with half-pixel centres.
    const expected = tf.concat([c1, tf.image.resizeBilinear(c2, [8, 8], false, true), x], -1);
    expect(got.shape).toEqual([1, 8, 8, 3 + 5 + 1]);
    const diff = tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0];
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([x, got, c1, c2, expected]);
    model.dispose();
    backbone.dispose();
  });

  it('counts parameters as the arithmetic says', () => {
    const backbone = plainConvNet(16);
    const model = buildLarssonModel({ backbone, layerNames: ['c2', 'c3'], hiddenWidths: [16, 8], output: 'bins', bins: 313 });
    // Backbone up to c3: (3·3·1 + 1)·3 + (3·3·3 + 1)·5 + (3·3·5 + 1)·6 = 30 + 140 + 276 = 446.
    // Hypercolumn: 5 + 6 + 1 (input) = 12 channels. Per pixel: (12 + 1)·16 + (16 + 1)·8 + (8 + 1)·313.
    expect(model.countParams()).toBe(446 + 13 * 16 + 17 * 8 + 9 * 313);
    expect(model.countParams()).toBe(3607);
    const noInput = buildLarssonModel({ backbone, layerNames: ['c2', 'c3'], hiddenWidths: [], includeInput: false });
    expect(noInput.countParams()).toBe(446 + (11 + 1) * 2);
    model.dispose();
    noInput.dispose();
    backbone.dispose();
  });

  it('copies the backbone weights and leaves the backbone usable; freezeBackbone trains only the per-pixel layers', () => {
    const backbone = tinyResNet(16);
    const model = buildLarssonModel({ backbone, layerNames: ['stage1_block2_out', 'stage2_block2_out'], freezeBackbone: true, hiddenWidths: [4] });
    const mine = model.getLayer('stage2_block1_conv2').getWeights()[0].dataSync();
    expect(Array.from(mine)).toEqual(Array.from(backbone.getLayer('stage2_block1_conv2').getWeights()[0].dataSync()));
    expect(model.trainableWeights.map((w) => w.originalName)).toEqual(['pixel_fc1/kernel', 'pixel_fc1/bias', 'head_out/kernel', 'head_out/bias']);
    expect(backbone.trainableWeights.length).toBe(62);
    model.dispose();
    const y = backbone.predict(tf.zeros([1, 16, 16, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 3]);
    y.dispose();
    backbone.dispose();
  });

  it('saves to memory and loads back with identical outputs, config and weight count', async () => {
    const backbone = tinyResNet(null);
    const model = buildLarssonModel({ backbone, layerNames: ['stage1_block2_out', 'stage3_block2_out'], outputStride: 2, output: 'bins', bins: 7, hiddenWidths: [8] });
    const loaded = await roundTrip(model);
    const x = tf.randomUniform([1, 24, 24, 1], -1, 1, 'float32', 8);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(a.shape).toEqual([1, 12, 12, 7]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(asJson(loaded.getConfig())).toEqual(asJson(model.getConfig()));
    expect(loaded.countParams()).toBe(model.countParams());
    expect(loaded.weights.length).toBe(model.weights.length);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
    backbone.dispose();
  });

  it("learns a brightness-dependent colour with output 'ab' and MSE: loss falls below a quarter", () => {
    const backbone = tinyResNet(16, 'imagenet');
    const model = buildLarssonModel({ backbone, layerNames: ['stem_relu', 'stage2_block2_out'], hiddenWidths: [16], seed: 4 });
    const rng = createRandom(12);
    const n = 4;
    const size = 16;
    const l = new Float32Array(n * size * size).map((_, i) => (Math.floor(i / (size * size)) % 2 === 0 ? 0.4 : -0.4) + 0.3 * (rng.next() - 0.5));
    const x = tf.tensor4d(l, [n, size, size, 1]);
    // ab / 110 = ±(0.5, −0.3) by image brightness, at the 4×4 output grid: mean zero, so the net must read the input.
    const sign = tf.tensor4d([1, -1, 1, -1], [n, 1, 1, 1]);
    const target = tf.tile(tf.mul(sign, tf.tensor4d([0.5, -0.3], [1, 1, 1, 2])), [1, 4, 4, 1]);
    const optimizer = tf.train.adam(0.02);
    const loss = () => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar;
    let first = NaN;
    let last = NaN;
    for (let step = 0; step < 25; step++) {
      const value = optimizer.minimize(loss, true) as tf.Scalar;
      last = value.dataSync()[0];
      if (step === 0) first = last;
      value.dispose();
    }
    expect(first).toBeGreaterThan(0.1);
    expect(last).toBeLessThan(0.25 * first);
    optimizer.dispose();
    tf.dispose([x, sign, target]);
    model.dispose();
    backbone.dispose();
  });

  it('throws ConfigError naming the key, the valid choices and the value received', () => {
    const backbone = plainConvNet(16);
    const base = { backbone, layerNames: ['c2'] };
    expect(() => buildLarssonModel({ ...base, layerNames: ['c4'] })).toThrow(ConfigError);
    expect(() => buildLarssonModel({ ...base, layerNames: ['c2', 'c4'] })).toThrow('layerNames: expected one of gray | c1 | c2 | c3 | gap, received "c4"');
    expect(() => buildLarssonModel({ ...base, layerNames: ['gap'] })).toThrow('layerNames: expected layers with one 4-D output [N, H, W, C], received gap with output shape [null, 6]');
    expect(() => buildLarssonModel({ ...base, layerNames: [] })).toThrow('layerNames: expected a non-empty array of layer names');
    // 16 px is not divisible by 3.
    expect(() => buildLarssonModel({ ...base, outputStride: 3 })).toThrow("outputStride: expected a divisor of the backbone's input height 16, received 3");
    expect(() => buildLarssonModel({ ...base, output: 'hue-chroma' as 'ab' })).toThrow('output: expected one of ab | bins, received "hue-chroma"');
    expect(() => buildLarssonModel({ ...base, hiddenWidths: [0] })).toThrow(/hiddenWidths\[0\]: expected an integer ≥ 1/);
    expect(() => buildLarssonModel({ ...base, includeInput: 'yes' as unknown as boolean })).toThrow('includeInput: expected one of true | false, received "yes"');
    expect(() => buildLarssonModel({ ...base, backbone: {} as tfl.LayersModel })).toThrow('backbone: expected a tf.LayersModel, received object (Object)');
    backbone.dispose();
  });

  it('leaks no tensor in building, predict or a training step', () => {
    const backbone = tinyResNet(16);
    let before = tf.memory().numTensors;
    const model = buildLarssonModel({ backbone, layerNames: ['stage1_block2_out', 'stage2_block2_out'], hiddenWidths: [4], output: 'bins', bins: 5 });
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 2);
    const sgd = tf.train.sgd(0.01);
    before = tf.memory().numTensors;
    tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBe(before);
    sgd.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    x.dispose();
    model.dispose();
    backbone.dispose();
  });
});
