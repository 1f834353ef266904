import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAbsoluteError } from '../../src/losses/ab-regression.js';
import { computeGanDiscriminatorLoss, computeGanGeneratorLoss } from '../../src/losses/nazeri-gan-loss.js';
import { buildNazeriDiscriminator } from '../../src/models/nazeri-discriminator.js';
import { buildNazeriGan } from '../../src/models/nazeri-gan.js';
import { buildNazeriGenerator } from '../../src/models/nazeri-generator.js';
import { maxAbsDiff } from '../backends.js';

// Narrow networks for the tests that run on the cpu backend: 16×16, two halvings.
const TINY_GENERATOR = { inputSize: 16, encoderChannels: [8, 16, 32], decoderChannels: [16, 8], dropoutBlocks: 0 };
const TINY_DISCRIMINATOR = { inputSize: 16, channels: [8, 16] };

const SMALL_GAN = { inputSize: 16, generator: { encoderChannels: [4, 8, 16], decoderChannels: [8, 4] }, discriminator: { channels: [4, 8] } };

describe('buildNazeriGan: serialization, leaks and learning (cpu)', () => {
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

  it("prefixes the sub-network's key in ConfigErrors and leaks no weights when the second network fails", () => {
    const before = tf.memory().numTensors;
    // the generator is built (and must be disposed again) before the discriminator's config fails
    expect(() => buildNazeriGan({ preset: 'cifar10', discriminator: { channels: [64, -1] } })).toThrow(/discriminator\.channels\[1\]: expected an integer ≥ 1, received -1/);
    expect(() => buildNazeriGan({ ...SMALL_GAN, discriminator: { channels: [4, 0] } })).toThrow(/discriminator\.channels\[1\]: expected an integer ≥ 1, received 0/);
    expect(() => buildNazeriGan({ ...SMALL_GAN, generator: { ...SMALL_GAN.generator, decoderChannels: [4] } })).toThrow(/generator\.decoderChannels: expected 2 entries/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inference on the wasm backend matches the cpu backend (generator and discriminator)', async () => {
    const { generator, discriminator } = buildNazeriGan({ ...SMALL_GAN, seed: 5 });
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const ab = generator.predict(lightness) as tf.Tensor;
        const logits = discriminator.predict([lightness, ab]) as tf.Tensor;
        return [ab.dataSync() as Float32Array, logits.dataSync() as Float32Array];
      });
    const [abCpu, logitsCpu] = run();
    await tf.setBackend('wasm');
    try {
      const [abWasm, logitsWasm] = run();
      // measured ≈ 1.2e-7 (one float32 ulp at 1): summation order differs between the backends' kernels
      expect(maxAbsDiff(abWasm, abCpu)).toBeLessThan(1e-6);
      expect(maxAbsDiff(logitsWasm, logitsCpu)).toBeLessThan(1e-6);
    } finally {
      await tf.setBackend('cpu');
    }
    generator.dispose();
    discriminator.dispose();
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
