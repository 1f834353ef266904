import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { computeAbsoluteError } from '../../src/losses/ab-regression.js';
import { computeGanDiscriminatorLoss, computeGanGeneratorLoss } from '../../src/losses/nazeri-gan-loss.js';
import { buildNazeriDiscriminator } from '../../src/models/nazeri-discriminator.js';
import { buildNazeriGan } from '../../src/models/nazeri-gan.js';
import { buildNazeriGenerator } from '../../src/models/nazeri-generator.js';
import { NAZERI_PRESET_TABLES } from '../../src/models/nazeri-presets.js';
import { maxAbsDiff } from '../backends.js';

// A narrow U-Net for the tests that run the networks on the cpu backend: 16×16, two halvings.
const TINY_GENERATOR = { inputSize: 16, encoderChannels: [8, 16, 32], decoderChannels: [16, 8], dropoutBlocks: 0 };
const TINY_DISCRIMINATOR = { inputSize: 16, channels: [8, 16] };

const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout; // kernel + bias
const bn = (c: number): number => 4 * c; // γ, β (trainable) + moving mean, moving variance

describe('Nazeri generator and discriminator: architecture', () => {
  it('presets follow the released layer tables (stride-1 first encoder layer, dropout only in cifar10)', () => {
    expect(NAZERI_PRESET_TABLES.cifar10).toEqual({
      inputSize: 32,
      encoderChannels: [64, 128, 256, 512, 512],
      decoderChannels: [512, 256, 128, 64],
      dropoutBlocks: 2,
      discriminatorChannels: [64, 128, 256, 512],
    });
    expect(NAZERI_PRESET_TABLES.places365.encoderChannels).toEqual([64, 64, 128, 256, 512, 512, 512, 512]);
    expect(NAZERI_PRESET_TABLES.places365.decoderChannels).toEqual([512, 512, 512, 256, 128, 64, 64]);
    expect(NAZERI_PRESET_TABLES.places365.dropoutBlocks).toBe(0);
  });

  it('cifar10 generator has 16,659,586 parameters (16,654,722 trainable), summed by hand from the table', () => {
    // encoder: 1→64 (s1), 64→128, 128→256, 256→512, 512→512, each conv + BN
    const encoder = conv(4, 1, 64) + bn(64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) + conv(4, 256, 512) + bn(512) + conv(4, 512, 512) + bn(512);
    // decoder inputs grow by the concatenated skip: 512 → 512; (512+512) → 256; (256+256) → 128; (128+128) → 64
    const decoder = conv(4, 512, 512) + bn(512) + conv(4, 1024, 256) + bn(256) + conv(4, 512, 128) + bn(128) + conv(4, 256, 64) + bn(64);
    const output = conv(1, 64 + 64, 2);
    expect(encoder + decoder + output).toBe(16_659_586);
    const g = buildNazeriGenerator({ preset: 'cifar10' });
    expect(g.countParams()).toBe(16_659_586);
    expect(g.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0)).toBe(16_659_586 - (64 + 128 + 256 + 512 + 512 + 512 + 256 + 128 + 64) * 2);
    expect(g.outputs[0].shape).toEqual([null, 32, 32, 2]);
    g.dispose();
  });

  it('places365 generator has 42,032,898 parameters, summed by hand from the table', () => {
    const encoder =
      conv(4, 1, 64) + bn(64) + conv(4, 64, 64) + bn(64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) +
      conv(4, 256, 512) + bn(512) + conv(4, 512, 512) + bn(512) + conv(4, 512, 512) + bn(512) + conv(4, 512, 512) + bn(512);
    // decoder j meets encoder layer 6 − j: inputs 512, 1024, 1024, 1024, 512, 256, 128
    const decoder =
      conv(4, 512, 512) + bn(512) + conv(4, 1024, 512) + bn(512) + conv(4, 1024, 512) + bn(512) + conv(4, 1024, 256) + bn(256) +
      conv(4, 512, 128) + bn(128) + conv(4, 256, 64) + bn(64) + conv(4, 128, 64) + bn(64);
    const output = conv(1, 64 + 64, 2);
    expect(encoder + decoder + output).toBe(42_032_898);
    const g = buildNazeriGenerator({ preset: 'places365' });
    expect(g.countParams()).toBe(42_032_898);
    expect(g.outputs[0].shape).toEqual([null, 256, 256, 2]);
    g.dispose();
  });

  it('discriminator has 2,768,321 parameters for both presets; patch logits 4×4 (cifar10) and 32×32 (places365)', () => {
    // (1 + 2) → 64 (no BN), 64 → 128, 128 → 256, 256 → 512 (s1), 512 → 1 logit
    const expected = conv(4, 3, 64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) + conv(4, 256, 512) + bn(512) + conv(4, 512, 1);
    expect(expected).toBe(2_768_321);
    for (const [preset, side] of [['cifar10', 4], ['places365', 32]] as const) {
      const d = buildNazeriDiscriminator({ preset });
      expect(d.countParams()).toBe(expected);
      expect(d.outputs[0].shape).toEqual([null, side, side, 1]);
      d.dispose();
    }
  });

  it('output shapes follow the input size: generator S×S×2, discriminator S/2^(k−1) patches', () => {
    for (const inputSize of [8, 16, 24]) {
      const g = buildNazeriGenerator({ ...TINY_GENERATOR, inputSize, seed: 1 });
      const d = buildNazeriDiscriminator({ ...TINY_DISCRIMINATOR, inputSize, seed: 2 });
      const l = tf.zeros([2, inputSize, inputSize, 1]);
      const ab = g.predict(l) as tf.Tensor;
      const logits = d.predict([l, ab]) as tf.Tensor;
      expect(ab.shape).toEqual([2, inputSize, inputSize, 2]);
      expect(logits.shape).toEqual([2, inputSize / 2, inputSize / 2, 1]);
      const values = ab.dataSync();
      expect(values.every((v) => v > -1 && v < 1)).toBe(true); // tanh
      tf.dispose([l, ab, logits]);
      g.dispose();
      d.dispose();
    }
    const big = buildNazeriGenerator({ preset: 'cifar10', inputSize: 64 });
    expect(big.outputs[0].shape).toEqual([null, 64, 64, 2]);
    big.dispose();
  });

  it('has stable layer names, BatchNorm on every encoder layer (paper) or not on the first (pix2pix), dropout in the first cifar10 blocks', () => {
    const g = buildNazeriGenerator({ ...TINY_GENERATOR, dropoutBlocks: 1 });
    expect(g.name).toBe('nazeri_generator');
    expect(g.layers.map((l) => l.name)).toEqual([
      'gen_lightness',
      'gen_conv0', 'gen_bn0', 'gen_lrelu0',
      'gen_conv1', 'gen_bn1', 'gen_lrelu1',
      'gen_conv2', 'gen_bn2', 'gen_lrelu2',
      'gen_deconv0', 'gen_deconv_bn0', 'gen_relu0', 'gen_dropout0', 'gen_concat0',
      'gen_deconv1', 'gen_deconv_bn1', 'gen_relu1', 'gen_concat1',
      'gen_ab',
    ]);
    g.dispose();
    const pix2pix = buildNazeriGenerator({ ...TINY_GENERATOR, firstEncoderBatchNorm: false });
    expect(pix2pix.layers.some((l) => l.name === 'gen_bn0')).toBe(false);
    expect(pix2pix.layers.some((l) => l.name === 'gen_bn1')).toBe(true);
    pix2pix.dispose();
    const cifar = buildNazeriGenerator({ preset: 'cifar10' });
    expect(cifar.layers.filter((l) => l.name.startsWith('gen_dropout')).map((l) => l.name)).toEqual(['gen_dropout0', 'gen_dropout1']);
    cifar.dispose();
    const d = buildNazeriDiscriminator(TINY_DISCRIMINATOR);
    expect(d.name).toBe('nazeri_discriminator');
    expect(d.layers.map((l) => l.name)).toEqual(['dis_lightness', 'dis_ab', 'dis_concat', 'dis_conv0', 'dis_lrelu0', 'dis_conv1', 'dis_bn1', 'dis_lrelu1', 'dis_logits']);
    d.dispose();
  });

  it('rejects unknown presets, sizes not divisible by 2^depth and mismatched tables with ConfigErrors naming the key', () => {
    expect(() => buildNazeriGenerator({ preset: 'imagenet' as never })).toThrow(/preset: expected one of cifar10 \| places365, received "imagenet"/);
    expect(() => buildNazeriDiscriminator({ preset: 'imagenet' as never })).toThrow(ConfigError);
    expect(() => buildNazeriGenerator({ preset: 'cifar10', inputSize: 40 })).toThrow(/inputSize: expected a multiple of 16 \(2\^4, one halving per stride-2 layer\): 16, 32, 64, 128, …, received 40/);
    expect(() => buildNazeriDiscriminator({ inputSize: 12 })).toThrow(/inputSize: expected a multiple of 8/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, decoderChannels: [16] })).toThrow(/decoderChannels: expected 2 entries/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, encoderChannels: [8, 0, 32] })).toThrow(/encoderChannels\[1\]: expected an integer ≥ 1, received 0/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, dropoutBlocks: 3 })).toThrow(/dropoutBlocks: expected an integer in \[0, 2\], received 3/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, dropoutRate: 1 })).toThrow(/dropoutRate/);
    expect(() => buildNazeriGan({ preset: 'cifar10', discriminator: { channels: [64, -1] } })).toThrow(/discriminator\.channels\[1\]: expected an integer ≥ 1, received -1/);
  });
});

describe('Nazeri GAN: serialization, leaks and learning (cpu)', () => {
  const images = 4;
  const size = 16;
  // Four 16×16 lightness images (normalized L in [−0.5, 0.5]) with ab a fixed smooth function of L,
  // so a colourization exists for the generator to learn.
  const lightness = tf.tidy(() => {
    const data = new Float32Array(images * size * size);
    for (let n = 0; n < images; n++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          data[(n * size + y) * size + x] = 0.5 * Math.sin((x * (n + 1)) / 5 + (y * (4 - n)) / 7);
        }
      }
    }
    return tf.tensor4d(data, [images, size, size, 1]);
  });
  const targetAb = tf.tidy(() => tf.concat([tf.mul(lightness, 0.8), tf.sub(tf.mul(tf.square(lightness), 1.6), 0.2)], -1) as tf.Tensor4D);
  afterAll(() => tf.dispose([lightness, targetAb]));

  async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return tfl.loadLayersModel(tf.io.fromMemory(saved!));
  }

  it('save to memory → load gives identical outputs, topology, and weights (generator and discriminator)', async () => {
    const g = buildNazeriGenerator({ ...TINY_GENERATOR, dropoutBlocks: 1, seed: 3 });
    const d = buildNazeriDiscriminator({ ...TINY_DISCRIMINATOR, seed: 4 });
    const g2 = await roundTrip(g);
    const d2 = await roundTrip(d);
    for (const [a, b] of [[g, g2], [d, d2]]) {
      expect(JSON.stringify(b.toJSON(null, false))).toBe(JSON.stringify(a.toJSON(null, false)));
      expect(b.countParams()).toBe(a.countParams());
      expect(b.getWeights().length).toBe(a.getWeights().length);
    }
    const ab = g.predict(lightness) as tf.Tensor;
    const ab2 = g2.predict(lightness) as tf.Tensor;
    expect(maxAbsDiff(ab.dataSync(), ab2.dataSync())).toBe(0);
    const logits = d.predict([lightness, targetAb]) as tf.Tensor;
    const logits2 = d2.predict([lightness, targetAb]) as tf.Tensor;
    expect(maxAbsDiff(logits.dataSync(), logits2.dataSync())).toBe(0);
    tf.dispose([ab, ab2, logits, logits2]);
    [g, g2, d, d2].forEach((m) => m.dispose());
  });

  it('the same seed builds the same weights', () => {
    const a = buildNazeriGan({ generator: TINY_GENERATOR, discriminator: TINY_DISCRIMINATOR, inputSize: size, seed: 7 });
    const b = buildNazeriGan({ generator: TINY_GENERATOR, discriminator: TINY_DISCRIMINATOR, inputSize: size, seed: 7 });
    const wa = a.generator.getWeights().concat(a.discriminator.getWeights());
    const wb = b.generator.getWeights().concat(b.discriminator.getWeights());
    expect(wa.every((w, i) => maxAbsDiff(w.dataSync(), wb[i].dataSync()) === 0)).toBe(true);
    [a, b].forEach(({ generator, discriminator }) => (generator.dispose(), discriminator.dispose()));
  });

  it('ten Adam steps (discriminator, then generator with adversarial + 100·L1) cut the L1 error by more than half, leak-free', () => {
    // Narrower still than TINY_GENERATOR: the cpu backend's Conv2DBackpropFilter dominates a step.
    const { generator, discriminator } = buildNazeriGan({
      inputSize: size,
      generator: { encoderChannels: [4, 8, 16], decoderChannels: [8, 4], dropoutBlocks: 0 },
      discriminator: { channels: [4, 8] },
      seed: 11,
    });
    const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    // The released code trains the discriminator at a tenth of the generator's rate.
    const gOptimizer = tf.train.adam(1e-2, 0.5);
    const dOptimizer = tf.train.adam(1e-3, 0.5);
    const l1 = (): number =>
      tf.tidy(() => computeAbsoluteError(generator.apply(lightness, { training: true }) as tf.Tensor4D, targetAb).dataSync()[0]);

    const step = (): void => {
      const dCost = dOptimizer.minimize(() => {
        const generated = generator.apply(lightness, { training: true }) as tf.Tensor4D;
        const real = discriminator.apply([lightness, targetAb], { training: true }) as tf.Tensor4D;
        const fake = discriminator.apply([lightness, generated], { training: true }) as tf.Tensor4D;
        return computeGanDiscriminatorLoss(real, fake).total;
      }, true, dVars);
      const gCost = gOptimizer.minimize(() => {
        const generated = generator.apply(lightness, { training: true }) as tf.Tensor4D;
        const fakeLogits = discriminator.apply([lightness, generated], { training: true }) as tf.Tensor4D;
        return computeGanGeneratorLoss({ fakeLogits, predictedAb: generated, targetAb }).total;
      }, true, gVars);
      tf.dispose([dCost!, gCost!]);
    };

    const before = l1();
    step(); // the first step creates Adam's moment variables
    const tensorsAfterFirstStep = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    for (let i = 0; i < 8; i++) step();
    const after = l1();
    expect(after).toBeLessThan(0.5 * before);

    const predictBefore = tf.memory().numTensors;
    (generator.predict(lightness) as tf.Tensor).dispose();
    (discriminator.predict([lightness, targetAb]) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(predictBefore);
    gOptimizer.dispose();
    dOptimizer.dispose();
    generator.dispose();
    discriminator.dispose();
    console.info(`Nazeri GAN learning test: L1 ${before.toFixed(4)} → ${after.toFixed(4)} (ratio ${(after / before).toFixed(3)}) after 10 steps`);
  });
});
