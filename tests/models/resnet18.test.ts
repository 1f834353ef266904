import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { RESNET18_FEATURE_LAYERS, buildResNet18, resnet18StageOutput } from '../../src/models/resnet18.js';
import { createRandom } from '../../src/random.js';

const TINY = { widthMultiplier: 1 / 16, seed: 7 } as const;
const STEPS = 20;

/** Spatial sizes (height) of the stem and the four stage outputs for one input. */
function featureSizes(model: tfl.LayersModel, size: number): number[] {
  const probe = tfl.model({ inputs: model.inputs, outputs: RESNET18_FEATURE_LAYERS.map((n) => model.getLayer(n).output as tfl.SymbolicTensor) });
  const outs = probe.predict(tf.zeros([1, size, size, model.inputs[0].shape[3] as number])) as tf.Tensor[];
  const sizes = outs.map((t) => t.shape[1] as number);
  tf.dispose(outs);
  return sizes;
}

/** Mean softmax cross-entropy over the batch, written here so the test does not depend on src/losses. */
function crossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
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

/** 8 images 16×16, class 0 bright in the top half, class 1 bright in the bottom half, plus noise. */
function twoClassImages(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const rng = createRandom(3);
  const n = 8;
  const size = 16;
  const data = new Float32Array(n * size * size);
  const labels = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    labels[i * 2 + cls] = 1;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const bright = (r < size / 2) === (cls === 0);
        data[(i * size + r) * size + c] = (bright ? 0.5 : -0.5) + 0.2 * (rng.next() - 0.5);
      }
    }
  }
  return { x: tf.tensor4d(data, [n, size, size, 1]), y: tf.tensor2d(labels, [n, 2]) };
}

describe('buildResNet18', () => {
  it('has 11,689,512 trainable parameters at full width (torchvision) and 11,699,112 counted by tfjs', () => {
    const model = buildResNet18({ inputSize: null });
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout; // no bias: BN follows
    const bn = (c: number) => 2 * c; // scale + offset (trainable)
    const block = (cin: number, cout: number) =>
      conv(3, cin, cout) + bn(cout) + conv(3, cout, cout) + bn(cout) + (cin !== cout ? conv(1, cin, cout) + bn(cout) : 0);
    const stem = conv(7, 3, 64) + bn(64); // 9,408 + 128
    const stages =
      block(64, 64) + block(64, 64) + block(64, 128) + block(128, 128) + block(128, 256) + block(256, 256) + block(256, 512) + block(512, 512);
    const fc = 512 * 1000 + 1000;
    const trainable = stem + stages + fc;
    expect(trainable).toBe(11_689_512);
    // BN channels: stem 64; stage 1: 4 × 64; stage 2: 5 × 128; stage 3: 5 × 256; stage 4: 5 × 512 → 4,800.
    const bnChannels = 64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512;
    const trainableCount = model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
    expect(trainableCount).toBe(11_689_512);
    expect(model.countParams()).toBe(trainable + 2 * bnChannels);
    expect(model.countParams()).toBe(11_699_112);
    model.dispose();
  });

  it('counts the parameters of a 1/16-width, 1-channel, small-stem net as the arithmetic says', () => {
    const model = buildResNet18({ ...TINY, inputChannels: 1, inputSize: 16, classes: 2, stem: 'small' });
    // widths 4, 8, 16, 32. conv = k·k·in·out; BN = 4 per channel (scale, offset, moving mean, moving var).
    const stem = 3 * 3 * 1 * 4 + 4 * 4; // 52
    const stage1 = 2 * (2 * (3 * 3 * 4 * 4) + 2 * 16); // 2 × (288 + 32) = 640
    const stage2 = 3 * 3 * 4 * 8 + 3 * 3 * 8 * 8 + 1 * 1 * 4 * 8 + 3 * 4 * 8 + (2 * 3 * 3 * 8 * 8 + 2 * 4 * 8); // 992 + 1216 = 2208
    const stage3 = 3 * 3 * 8 * 16 + 3 * 3 * 16 * 16 + 8 * 16 + 3 * 4 * 16 + (2 * 3 * 3 * 16 * 16 + 2 * 4 * 16); // 3776 + 4736 = 8512
    const stage4 = 3 * 3 * 16 * 32 + 3 * 3 * 32 * 32 + 16 * 32 + 3 * 4 * 32 + (2 * 3 * 3 * 32 * 32 + 2 * 4 * 32); // 14,720 + 18,688 = 33,408
    const fc = 32 * 2 + 2;
    expect(model.countParams()).toBe(stem + stage1 + stage2 + stage3 + stage4 + fc);
    expect(model.countParams()).toBe(44_886);
    model.dispose();
  });

  it('maps inputs to [N, classes] logits and halves the feature maps as torchvision does, for several sizes', () => {
    const imagenet = buildResNet18({ ...TINY, inputSize: null, classes: 5 });
    // ImageNet stem: conv /2 then pool /2, then stages 2–4 /2 each; odd sizes round up (PyTorch's floor((n + 2p − k)/s) + 1).
    expect(featureSizes(imagenet, 64)).toEqual([32, 16, 8, 4, 2]);
    expect(featureSizes(imagenet, 33)).toEqual([17, 9, 5, 3, 2]);
    const small = buildResNet18({ ...TINY, inputChannels: 1, inputSize: null, classes: 5, stem: 'small' });
    expect(featureSizes(small, 32)).toEqual([32, 32, 16, 8, 4]);
    expect(featureSizes(small, 20)).toEqual([20, 20, 10, 5, 3]);
    for (const size of [16, 24]) {
      const y = small.predict(tf.zeros([3, size, size, 1])) as tf.Tensor;
      expect(y.shape).toEqual([3, 5]);
      y.dispose();
    }
    imagenet.dispose();
    small.dispose();
  });

  it('pads the strided stem conv symmetrically like PyTorch: a centre-tap kernel reads pixel (2i, 2j)', () => {
    const model = buildResNet18({ ...TINY, inputChannels: 1, inputSize: 8, classes: 2 });
    const conv = model.getLayer('stem_conv');
    const kernel = conv.getWeights()[0] as tf.Tensor4D;
    const centre = tf.buffer(kernel.shape, 'float32');
    for (let o = 0; o < kernel.shape[3]; o++) centre.set(1, 3, 3, 0, o);
    conv.setWeights([centre.toTensor()]);
    const probe = tfl.model({ inputs: model.inputs, outputs: conv.output as tfl.SymbolicTensor });
    const x = tf.tensor4d(Array.from({ length: 64 }, (_, i) => i), [1, 8, 8, 1]);
    const y = probe.predict(x) as tf.Tensor;
    const got = Array.from(y.dataSync()).filter((_, i) => i % kernel.shape[3] === 0);
    // torch padding 3 on every side: output (i, j) is centred on input (2i, 2j); TF 'same' would centre on (2i+1, 2j+1).
    expect(got).toEqual([0, 2, 4, 6, 16, 18, 20, 22, 32, 34, 36, 38, 48, 50, 52, 54]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('names its layers stably so heads can tap them', () => {
    const model = buildResNet18({ ...TINY, inputSize: 32 });
    const names = model.layers.map((l) => l.name);
    for (const name of ['stem_conv', 'stem_bn', 'stem_relu', 'stem_pool', 'stage1_block1_conv1', 'stage2_block1_conv1', 'stage2_block1_proj_conv', 'stage4_block2_out', 'pool', 'fc']) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain('stage1_block1_proj_conv');
    expect(resnet18StageOutput(3)).toBe('stage3_block2_out');
    expect(() => resnet18StageOutput(5 as 1)).toThrow(InputError);
    model.dispose();
  });

  it('saves to memory and loads back with identical outputs, config and weight count', async () => {
    const model = buildResNet18({ ...TINY, inputChannels: 1, inputSize: 16, classes: 3, stem: 'small' });
    const loaded = await roundTrip(model);
    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 1);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // Compared as saved JSON, where an unset option (undefined) comes back as null.
    expect(asJson(loaded.getConfig())).toEqual(asJson(model.getConfig()));
    expect(loaded.countParams()).toBe(model.countParams());
    expect(loaded.weights.length).toBe(model.weights.length);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('learns two visibly different classes of 8 tiny images: cross-entropy falls below a quarter', () => {
    // The ImageNet stem shrinks 16 px to 4 px at once: the cpu backend's conv gradients are slow.
    const model = buildResNet18({ ...TINY, inputChannels: 1, inputSize: 16, classes: 2 });
    const { x, y } = twoClassImages();
    const optimizer = tf.train.adam(0.01);
    const loss = (training: boolean) => crossEntropy(y, model.apply(x, { training }) as tf.Tensor);
    const before = tf.tidy(() => loss(true).dataSync()[0]);
    let after = before;
    for (let step = 0; step < STEPS; step++) {
      const value = optimizer.minimize(() => loss(true), true) as tf.Scalar;
      after = value.dataSync()[0];
      value.dispose();
    }
    expect(before).toBeGreaterThan(0.4);
    expect(after).toBeLessThan(0.25 * before);
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('throws ConfigError naming the key, the valid choices and the value received', () => {
    expect(() => buildResNet18({ stem: 'tiny' as 'small' })).toThrow(ConfigError);
    expect(() => buildResNet18({ stem: 'tiny' as 'small' })).toThrow('stem: expected one of imagenet | small, received "tiny"');
    expect(() => buildResNet18({ widthMultiplier: 0 })).toThrow('widthMultiplier');
    expect(() => buildResNet18({ inputChannels: 2.5 })).toThrow(/inputChannels: expected an integer/);
    expect(() => buildResNet18({ classes: 0 })).toThrow(ConfigError);
  });

  it('leaks no tensor in predict or in a training step', () => {
    const model = buildResNet18({ ...TINY, inputChannels: 1, inputSize: 16, classes: 2, stem: 'small' });
    const x = tf.randomUniform([2, 16, 16, 1], -1, 1, 'float32', 2);
    const labels = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
    const optimizer = tf.train.sgd(0.01);
    let before = tf.memory().numTensors;
    tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBe(before);
    before = tf.memory().numTensors;
    optimizer.minimize(() => crossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor));
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([x, labels]);
    model.dispose();
  });
});
