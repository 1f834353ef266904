import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildBaselineModel } from '../../src/models/baseline.js';
import { buildResNet18, type ResNet18Config } from '../../src/models/resnet18.js';
import { createRandom } from '../../src/random.js';
import { maxAbsDiff } from '../backends.js';

/** A 1/16-width trunk: widths 4, 8, 16, 32. */
const TINY_TRUNK: ResNet18Config = { inputChannels: 1, widthMultiplier: 1 / 16, seed: 5 };
/** Head widths 128, 128, 64, 64, 32 at 1/16: 8, 8, 4, 4, 2. */
const TINY_HEAD = { widthMultiplier: 1 / 16, seed: 9 } as const;

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

/** Mean softmax cross-entropy over all pixels, written here so the test does not depend on src/losses. */
function crossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
}

/**
 * 4 images 16×16 with a seeded texture, two bright and two dark; the target colour of every pixel
 * follows its image's brightness, so the net must read the input (a constant output cannot beat the mean).
 */
function brightDarkTask(): { x: tf.Tensor4D; bright: tf.Tensor4D } {
  const rng = createRandom(11);
  const n = 4;
  const size = 16;
  const l = new Float32Array(n * size * size);
  for (let i = 0; i < l.length; i++) {
    const image = Math.floor(i / (size * size));
    l[i] = (image % 2 === 0 ? 0.4 : -0.4) + 0.3 * (rng.next() - 0.5);
  }
  const x = tf.tensor4d(l, [n, size, size, 1]);
  const perImage = tf.tensor4d([1, 0, 1, 0], [n, 1, 1, 1]);
  return { x, bright: tf.tile(perImage, [1, size, size, 1]) as tf.Tensor4D };
}

function trainSteps(model: tfl.LayersModel, loss: () => tf.Scalar, steps: number, learningRate: number): { first: number; last: number } {
  const optimizer = tf.train.adam(learningRate);
  let first = NaN;
  let last = NaN;
  for (let step = 0; step < steps; step++) {
    const value = optimizer.minimize(loss, true) as tf.Scalar;
    last = value.dataSync()[0];
    if (step === 0) first = last;
    value.dispose();
  }
  optimizer.dispose();
  return { first, last };
}

describe('buildBaselineModel', () => {
  it('outputs ab or Q logits at the input size, for several sizes, stems and feature layers', () => {
    const cases: [ResNet18Config, string, number, number][] = [
      // ImageNet stem: stage 2 is 1/8 of the input, the transposed 4×4/2 conv makes it 1/4, then bilinear ×4.
      [{ inputSize: 32 }, 'stage2_block2_out', 32, 32],
      [{ inputSize: 64 }, 'stage3_block2_out', 64, 64],
      // Small stem: stage 2 is 1/2 of the input.
      [{ inputSize: 16, stem: 'small' }, 'stage2_block2_out', 16, 16],
      // Any size: the upsampling reads the input's size at run time.
      [{ inputSize: null, stem: 'small' }, 'stage2_block2_out', 24, 24],
      [{ inputSize: null }, 'stage3_block2_out', 48, 48],
    ];
    for (const [trunk, featureLayer, size, expected] of cases) {
      for (const output of ['ab', 'bins'] as const) {
        const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, ...trunk }, featureLayer, output, bins: 7 });
        const y = model.predict(tf.zeros([2, size, size, 1])) as tf.Tensor;
        expect(y.shape).toEqual([2, expected, expected, output === 'ab' ? 2 : 7]);
        if (output === 'ab') expect(Math.max(...Array.from(y.dataSync()).map(Math.abs))).toBeLessThan(1);
        y.dispose();
        model.dispose();
      }
    }
  });

  it('halves instead of doubling the resolution with firstConv "strided"', () => {
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: 32 }, firstConv: 'strided' });
    expect(model.getLayer('head_conv1').outputShape).toEqual([null, 2, 2, 8]);
    expect(model.outputs[0].shape).toEqual([null, 32, 32, 2]);
    model.dispose();
  });

  it('stays at the head resolution with upsample false (1/4 of the input for stage 2 and the ImageNet stem)', () => {
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: 32 }, output: 'bins', upsample: false });
    expect(model.outputs[0].shape).toEqual([null, 8, 8, 313]);
    expect(model.layers.map((l) => l.name)).not.toContain('upsample');
    model.dispose();
    expect(() => buildBaselineModel({ backbone: { ...TINY_TRUNK, inputSize: 32 }, upsample: 1 as unknown as boolean })).toThrow('upsample: expected one of true | false, received 1');
  });

  it('counts the head parameters as the arithmetic says (1/16 widths, Q = 313)', () => {
    const trunk = buildResNet18({ ...TINY_TRUNK, inputSize: 32, classes: 10 });
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: trunk, output: 'bins' });
    // Trunk to stage 2 (widths 4, 8; BN counts 4 numbers per channel):
    //   stem 7·7·1·4 + 16 = 212; stage 1: 2 × (2·3·3·4·4 + 2·16) = 640;
    //   stage 2: 3·3·4·8 + 3·3·8·8 + 1·1·4·8 + 3·32 = 992, block 2: 2·576 + 2·32 = 1216.
    const trunkParams = 212 + 640 + 992 + 1216;
    // Head (no conv bias, BN after each): 4·4·8·8 (transposed, in 8 → out 8) + 32; 3·3·8·8 + 32; 3·3·8·4 + 16;
    //   3·3·4·4 + 16; 3·3·4·2 + 8; final 1×1: (2 + 1)·313.
    const head = 1024 + 32 + (576 + 32) + (288 + 16) + (144 + 16) + (72 + 8) + 3 * 313;
    expect(model.countParams()).toBe(trunkParams + head);
    expect(model.countParams()).toBe(6207);
    trunk.dispose();
    model.dispose();
  });

  it('carries a pre-trained classifier trunk over: same layer names and weights, and the classifier stays independent', () => {
    const classifier = buildResNet18({ ...TINY_TRUNK, inputSize: 16, classes: 2, stem: 'small' });
    // Make the weights differ from any initialization: one SGD step on random data.
    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 4);
    const sgd = tf.train.sgd(0.1);
    sgd.minimize(() => tf.mean(tf.square(classifier.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: classifier, featureLayer: 'stage3_block2_out' });
    const trunkLayers = model.layers.filter((l) => /^(stem|stage)/.test(l.name));
    expect(trunkLayers.length).toBeGreaterThan(40);
    expect(trunkLayers.some((l) => l.name.startsWith('stage4'))).toBe(false);
    let compared = 0;
    for (const layer of trunkLayers) {
      const mine = layer.getWeights();
      const theirs = classifier.getLayer(layer.name).getWeights();
      expect(mine.length).toBe(theirs.length);
      mine.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(theirs[i].dataSync())));
      compared += mine.length;
    }
    // Weight tensors up to stage 3: stem 1 + 4 (BN: γ, β, mean, variance); a block 2 × (1 + 4), + 5 with a projection.
    expect(compared).toBe(5 + 2 * 10 + (15 + 10) + (15 + 10));
    // Training the colorization model must not move the classifier's weights.
    const before = Array.from(classifier.getLayer('stem_conv').getWeights()[0].dataSync());
    sgd.minimize(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    expect(Array.from(classifier.getLayer('stem_conv').getWeights()[0].dataSync())).toEqual(before);
    expect(Array.from(model.getLayer('stem_conv').getWeights()[0].dataSync())).not.toEqual(before);
    // The classifier can be disposed once the colorization model exists.
    classifier.dispose();
    tf.dispose(model.predict(x));
    sgd.dispose();
    x.dispose();
    model.dispose();
  });

  it('freezes the trunk: only head weights train, and trunk BatchNorm keeps and uses its moving statistics', async () => {
    const classifier = buildResNet18({ ...TINY_TRUNK, inputSize: 16, classes: 2, stem: 'small' });
    // Non-trivial moving statistics, so batch statistics would give visibly different features.
    const bn = classifier.getLayer('stage2_block1_bn1');
    tf.tidy(() => {
      const [gamma, beta] = bn.getWeights();
      bn.setWeights([gamma, beta, tf.fill([8], 0.3), tf.fill([8], 2)]);
    });
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: classifier, freezeBackbone: true });
    expect(model.trainableWeights.every((w) => w.originalName.startsWith('head_'))).toBe(true);
    // Head: 5 × (kernel, BN γ, BN β) + final kernel and bias.
    expect(model.trainableWeights.length).toBe(17);
    expect(classifier.trainableWeights.length).toBe(62);
    expect(model.getLayer('stage2_block1_bn1').getClassName()).toBe('FreezableBatchNormalization');

    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 6);
    const trunk = tfl.model({ inputs: model.inputs, outputs: model.getLayer('stage2_block2_out').output as tfl.SymbolicTensor });
    const inference = trunk.predict(x) as tf.Tensor;
    const training = trunk.apply(x, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(training.dataSync(), inference.dataSync())).toBe(0);
    const snapshot = (name: string) => model.getLayer(name).getWeights().map((w) => Array.from(w.dataSync()));
    const [kernel, stats, head] = [snapshot('stage2_block1_conv1'), snapshot('stage2_block1_bn1'), snapshot('head_conv2')];
    const sgd = tf.train.sgd(0.1);
    sgd.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, 0.5))) as tf.Scalar);
    expect(snapshot('stage2_block1_conv1')).toEqual(kernel);
    expect(snapshot('stage2_block1_bn1')).toEqual(stats);
    expect(snapshot('head_conv2')).not.toEqual(head);
    // The stock layer would have normalized with batch statistics: unfreezing restores that.
    model.getLayer('stage2_block1_bn1').trainable = true;
    const unfrozen = trunk.apply(x, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(unfrozen.dataSync(), inference.dataSync())).toBeGreaterThan(0.01);
    // Frozen BatchNorm survives save/load.
    model.getLayer('stage2_block1_bn1').trainable = false;
    const loaded = await roundTrip(model);
    expect(loaded.getLayer('stage2_block1_bn1').getClassName()).toBe('FreezableBatchNormalization');
    expect(loaded.getLayer('stage2_block1_bn1').trainable).toBe(false);
    tf.dispose([x, inference, training, unfrozen]);
    sgd.dispose();
    classifier.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('saves to memory and loads back with identical outputs, config and weight count', async () => {
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: null, stem: 'small' }, output: 'bins', bins: 5 });
    const loaded = await roundTrip(model);
    const x = tf.randomUniform([1, 20, 20, 1], -1, 1, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(a.shape).toEqual([1, 20, 20, 5]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(asJson(loaded.getConfig())).toEqual(asJson(model.getConfig()));
    expect(loaded.countParams()).toBe(model.countParams());
    expect(loaded.weights.length).toBe(model.weights.length);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it("learns a brightness-dependent colour with output 'ab' and MSE: loss falls below a quarter", () => {
    // The ImageNet stem keeps the maps small (stage 2 at 2×2): the cpu backend's filter gradients are slow.
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: 16 } });
    const { x, bright } = brightDarkTask();
    // ab / 110 = (+0.5, −0.3) on bright pixels, (−0.5, +0.3) on dark ones: mean zero.
    const target = tf.concat([tf.sub(bright, 0.5), tf.mul(tf.sub(bright, 0.5), -0.6)], -1);
    const loss = () => tf.mean(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar;
    const { first, last } = trainSteps(model, loss, 25, 0.01);
    expect(first).toBeGreaterThan(0.1);
    expect(last).toBeLessThan(0.25 * first);
    tf.dispose([x, bright, target]);
    model.dispose();
  });

  it("learns brightness-dependent bins with output 'bins' and softmax cross-entropy: loss falls below a quarter", () => {
    // Head at 1/8 width (final 4 channels): cross-entropy needs larger logit margins than MSE needs.
    const model = buildBaselineModel({ ...TINY_HEAD, widthMultiplier: 1 / 8, backbone: { ...TINY_TRUNK, inputSize: 16 }, output: 'bins', bins: 8 });
    const { x, bright } = brightDarkTask();
    // Bin 2 on bright pixels, bin 5 on dark ones.
    const labels = tf.oneHot(tf.cast(tf.add(tf.mul(tf.squeeze(bright, [3]), -3), 5), 'int32'), 8);
    const loss = () => crossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor);
    const { first, last } = trainSteps(model, loss, 25, 0.05);
    expect(first).toBeGreaterThan(1);
    expect(last).toBeLessThan(0.25 * first);
    tf.dispose([x, bright, labels]);
    model.dispose();
  });

  it('throws ConfigError naming the key, the valid choices and the value received', () => {
    const trunk = { ...TINY_TRUNK, inputSize: 32 };
    expect(() => buildBaselineModel({ backbone: trunk, featureLayer: 'stage5_block2_out' })).toThrow(ConfigError);
    expect(() => buildBaselineModel({ backbone: trunk, featureLayer: 'stage5_block2_out' })).toThrow(/featureLayer: expected one of input \| .*stage2_block2_out.*, received "stage5_block2_out"/);
    expect(() => buildBaselineModel({ backbone: trunk, featureLayer: 'pool' })).toThrow(/featureLayer: expected layers with one 4-D output.*pool with output shape \[null, 32\]/);
    expect(() => buildBaselineModel({ backbone: trunk, output: 'rgb' as 'ab' })).toThrow('output: expected one of ab | bins, received "rgb"');
    expect(() => buildBaselineModel({ backbone: trunk, abActivation: 'sigmoid' as 'tanh' })).toThrow('abActivation: expected one of tanh | linear');
    expect(() => buildBaselineModel({ backbone: trunk, headWidths: [8, 8] })).toThrow('headWidths: expected an array of 5 positive integers');
    expect(() => buildBaselineModel({ backbone: trunk, bins: 1 })).toThrow(/bins: expected an integer ≥ 2, received 1/);
    // 36 px: stem 18, pool 9, stage 2 → 5 px, and 36 is not a multiple of 5.
    expect(() => buildBaselineModel({ backbone: { ...TINY_TRUNK, inputSize: 36 } })).toThrow(/backbone.inputSize: expected a multiple of the feature map's size at stage2_block2_out \(5 px for 36 px\).*received 36/);
    expect(() => buildBaselineModel({ backbone: 'resnet' as unknown as ResNet18Config })).toThrow(/backbone: expected a tf.LayersModel or a ResNet18Config/);
  });

  it('leaks no tensor in building (also when the config is rejected late), predict or a training step', () => {
    const start = tf.memory().numTensors;
    expect(() => buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: 36 } })).toThrow(ConfigError);
    expect(tf.memory().numTensors).toBe(start);
    let before = tf.memory().numTensors;
    const model = buildBaselineModel({ ...TINY_HEAD, backbone: { ...TINY_TRUNK, inputSize: 16, stem: 'small' }, output: 'bins', bins: 4 });
    const built = tf.memory().numTensors - before;
    expect(built).toBe(model.weights.length);
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
  });
});
