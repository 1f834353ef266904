import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { computeMultinomialCrossEntropy } from '../../src/losses/multinomial-cross-entropy.js';
import { buildHypercolumnColorizer, buildHypercolumnFeatures, buildHypercolumnHead } from '../../src/models/hypercolumn-colorizer.js';

const TAPS = ['s4', 's8', 's16', 's32'];

/**
 * A small MobileNetV2-shaped RGB backbone: zero padding + strided first conv (as TensorFlow's SAME at
 * stride 2 is built), BatchNorm, feature maps at strides 4, 8, 16, 32 and a wider last conv.
 */
function tinyBackbone(seed = 3): tfl.LayersModel {
  const rgb = tfl.input({ shape: [null, null, 3], name: 'rgb' });
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  let x = tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'pad' }).apply(rgb) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, kernelInitializer: init(), name: 'stem' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'stem_bn', movingMeanInitializer: tfl.initializers.constant({ value: 0.1 }) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ maxValue: 6, name: 'stem_relu' }).apply(x) as tfl.SymbolicTensor;
  const widths = [3, 5, 6, 7];
  widths.forEach((filters, i) => {
    x = tfl.layers.conv2d({ filters, kernelSize: 3, strides: i === 0 ? 2 : 2, padding: 'same', activation: 'relu', kernelInitializer: init(), name: TAPS[i] }).apply(x) as tfl.SymbolicTensor;
  });
  const last = tfl.layers.conv2d({ filters: 9, kernelSize: 1, activation: 'relu', kernelInitializer: init(), name: 'last' }).apply(x) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(last) as tfl.SymbolicTensor;
  const classes = tfl.layers.dense({ units: 3, name: 'classes' }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: rgb, outputs: classes, name: 'tiny' });
}

function hintPlanes(n: number, size: number): [tf.Tensor4D, tf.Tensor4D] {
  const mask = tf.buffer([n, size, size, 1]);
  const ab = tf.buffer([n, size, size, 2]);
  mask.set(1, 0, 3, 5, 0);
  ab.set(0.4, 0, 3, 5, 0);
  ab.set(-0.2, 0, 3, 5, 1);
  return [ab.toTensor() as tf.Tensor4D, mask.toTensor() as tf.Tensor4D];
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('buildHypercolumnColorizer', () => {
  it('takes lightness, hint_ab and hint_mask in that order and outputs [N, H/4, W/4, 313] logits at several sizes', () => {
    const backbone = tinyBackbone();
    const model = buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8, seed: 1 });
    expect(model.inputs.map((i) => i.name.replace(/\/.*$/, ''))).toEqual(['lightness', 'hint_ab', 'hint_mask']);
    expect(model.inputs.map((i) => i.shape)).toEqual([[null, null, null, 1], [null, null, null, 2], [null, null, null, 1]]);
    for (const size of [32, 64, 96]) {
      const [ab, mask] = hintPlanes(2, size);
      const y = model.predict([tf.zeros([2, size, size, 1]), ab, mask]) as tf.Tensor;
      expect(y.shape).toEqual([2, size / 4, size / 4, 313]);
      tf.dispose([y, ab, mask]);
    }
    model.dispose();
    backbone.dispose();
  });

  it('feeds the backbone exactly what 2·lightness replicated to RGB would give (the replication folded into the first conv)', () => {
    const backbone = tinyBackbone();
    const features = buildHypercolumnFeatures({ backbone, tapNames: TAPS, globalName: 'last' });
    const view = tfl.model({ inputs: backbone.inputs, outputs: [...TAPS, 'last'].map((n) => backbone.getLayer(n).output as tfl.SymbolicTensor) });
    const lightness = tf.randomUniform([2, 64, 64, 1], -0.5, 0.5, 'float32', 7) as tf.Tensor4D;
    const rgb = tf.tile(tf.mul(lightness, 2), [1, 1, 1, 3]);
    const ours = features.predict(lightness) as tf.Tensor[];
    const reference = view.predict(rgb) as tf.Tensor[];
    expect(ours.map((t) => t.shape)).toEqual([[2, 16, 16, 3], [2, 8, 8, 5], [2, 4, 4, 6], [2, 2, 2, 7], [2, 9]]);
    const pooled = tf.mean(reference[4], [1, 2]);
    const pairs: [tf.Tensor, tf.Tensor][] = [[ours[0], reference[0]], [ours[1], reference[1]], [ours[2], reference[2]], [ours[3], reference[3]], [ours[4], pooled]];
    for (const [a, b] of pairs) {
      const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      const scale = tf.max(tf.abs(b)).dataSync()[0];
      expect(scale).toBeGreaterThan(1e-3);
      expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
    }
    tf.dispose([lightness, rgb, ...ours, ...reference, pooled]);
    features.dispose();
    backbone.dispose();
  });

  it('freezes every backbone weight: only the head trains', () => {
    const backbone = tinyBackbone();
    const model = buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8 });
    const trainable = model.trainableWeights.map((w) => w.originalName.split('/')[0]);
    expect(trainable.length).toBeGreaterThan(0);
    expect(trainable.every((name) => name.startsWith('hc_') || name === 'logits')).toBe(true);
    expect(model.nonTrainableWeights.some((w) => w.originalName.startsWith('stem_bn/'))).toBe(true);
    model.dispose();
    backbone.dispose();
  });

  it('gives the same logits as its head run on the cached features, once the head weights are copied', () => {
    const backbone = tinyBackbone();
    const features = buildHypercolumnFeatures({ backbone, tapNames: TAPS, globalName: 'last' });
    const head = buildHypercolumnHead({ tapChannels: [3, 5, 6, 7], globalChannels: 9, width: 8, seed: 5 });
    const model = buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8, head, seed: 99 });
    const lightness = tf.randomUniform([1, 64, 64, 1], -0.5, 0.5, 'float32', 3) as tf.Tensor4D;
    const [ab, mask] = hintPlanes(1, 64);
    const cached = features.predict(lightness) as tf.Tensor[];
    const viaHead = head.predict([...cached, lightness, ab, mask]) as tf.Tensor;
    const whole = model.predict([lightness, ab, mask]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(viaHead, whole))).dataSync()[0]).toBeLessThan(1e-4);
    // A hint changes the output near it and nowhere else far away? At least it changes the output.
    const noHint = model.predict([lightness, tf.zerosLike(ab), tf.zerosLike(mask)]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(noHint, whole))).dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([lightness, ab, mask, ...cached, viaHead, whole, noHint]);
    for (const m of [model, head, features, backbone]) m.dispose();
  });

  it('survives a save and load round trip with the same output', async () => {
    const backbone = tinyBackbone();
    const model = buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8, seed: 2 });
    const reloaded = await roundTrip(model);
    const inputs = [tf.randomUniform([1, 32, 32, 1], -0.5, 0.5, 'float32', 1), ...hintPlanes(1, 32)];
    const a = model.predict(inputs) as tf.Tensor;
    const b = reloaded.predict(inputs) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([...inputs, a, b]);
    for (const m of [model, reloaded, backbone]) m.dispose();
  });

  it('leaves no tensor behind: build, predict and dispose', () => {
    const backbone = tinyBackbone();
    const before = tf.memory().numTensors;
    const features = buildHypercolumnFeatures({ backbone, tapNames: TAPS, globalName: 'last' });
    const head = buildHypercolumnHead({ tapChannels: [3, 5, 6, 7], globalChannels: 9, width: 8 });
    const model = buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8, head });
    const inputs = [tf.zeros([1, 32, 32, 1]), ...hintPlanes(1, 32)];
    tf.dispose(model.predict(inputs) as tf.Tensor);
    tf.dispose(features.predict(inputs[0]) as tf.Tensor[]);
    tf.dispose(inputs);
    for (const m of [model, head, features]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    backbone.dispose();
  });

  it('throws ConfigError naming the key for an unknown tap, a bad width and a head that does not fit', () => {
    const backbone = tinyBackbone();
    expect(() => buildHypercolumnColorizer({ backbone, tapNames: ['s4', 'nope'] })).toThrow(/tapNames: expected names of the backbone's layers/);
    expect(() => buildHypercolumnColorizer({ backbone, tapNames: TAPS, width: 0 })).toThrow(ConfigError);
    expect(() => buildHypercolumnColorizer({ backbone, tapNames: [] })).toThrow(/tapNames/);
    const head = buildHypercolumnHead({ tapChannels: [3, 5, 6, 7], globalChannels: 9, width: 16 });
    expect(() => buildHypercolumnColorizer({ backbone, tapNames: TAPS, globalName: 'last', width: 8, head })).toThrow(/head: expected a head with layer/);
    expect(() => buildHypercolumnHead({ tapChannels: [], globalChannels: 0 })).toThrow(/tapChannels/);
    // Unknown keys are refused as by every builder (a misspelt key is never ignored).
    expect(() => buildHypercolumnHead({ tapChannels: [3], globalChannels: 0, widht: 8 } as never)).toThrow(/^widht: expected a known key/);
    expect(() => buildHypercolumnColorizer({ backbone, tapNames: TAPS, stride: 4 } as never)).toThrow(/^stride: expected a known key/);
    expect(() => buildHypercolumnFeatures({ backbone, tapNames: TAPS, head } as never)).toThrow(/^head: expected a known key/);
    head.dispose();
    backbone.dispose();
  });
});

describe('buildHypercolumnHead', () => {
  it('learns to fit fixed features: the rebalanced cross-entropy falls below half its start in 60 Adam steps', () => {
    const head = buildHypercolumnHead({ tapChannels: [3, 5], globalChannels: 4, width: 16, convs: 1, bins: 8, seed: 4 });
    const taps = [tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1), tf.randomNormal([2, 2, 2, 5], 0, 1, 'float32', 2)];
    const global = tf.randomNormal([2, 4], 0, 1, 'float32', 3);
    const lightness = tf.randomUniform([2, 16, 16, 1], -0.5, 0.5, 'float32', 4);
    const [ab, mask] = hintPlanes(2, 16);
    // Targets: a fixed, spatially varying bin per output pixel (one-hot).
    const labels = tf.tidy(() => tf.cast(tf.oneHot(tf.reshape(tf.cast(tf.mod(tf.range(0, 2 * 4 * 4, 1, 'int32'), 8), 'int32'), [2, 4, 4]) as tf.Tensor3D, 8), 'float32')) as tf.Tensor4D;
    const classWeights = [1, 2, 0.5, 1, 1, 1.5, 1, 1];
    const optimizer = tf.train.adam(0.01);
    const loss = () => computeMultinomialCrossEntropy(head.apply([...taps, global, lightness, ab, mask]) as tf.Tensor4D, labels, { classWeights }) as tf.Scalar;
    const before = tf.memory().numTensors;
    const first = tf.tidy(() => loss().dataSync()[0]);
    for (let i = 0; i < 60; i++) tf.dispose(optimizer.minimize(loss, true, head.trainableWeights.map((w) => w.read() as tf.Variable)) ?? []);
    const last = tf.tidy(() => loss().dataSync()[0]);
    expect(last).toBeLessThan(0.5 * first);
    optimizer.dispose();
    tf.dispose([...taps, global, lightness, ab, mask, labels]);
    // Adam's moments are the only tensors the loop keeps, and the optimizer's dispose frees them.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    head.dispose();
  });
});
