// Tiny in-memory batch sources and models for the trainer tests (cpu backend, 8×8 images, a few channels).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { encodeSoft } from '../../src/color/bins/encode-soft.js';
import { ZHANG_GAMUT } from '../../src/color/bins/gamut.js';
import { createRandom, shuffledIndices } from '../../src/random.js';
import type { Batch, BatchSource } from '../../src/train/batch.js';
import { buildNazeriGan, type NazeriGan } from '../../src/models/nazeri-gan.js';

export interface TinyData {
  /** [E, S, S] normalized lightness. */
  lightness: Float32Array;
  /** [E, S, S, 2] ab ÷ 110: a smooth function of L and position, so a small conv net can learn it. */
  ab: Float32Array;
  /** [E] labels in [0, classes). */
  labels: Int32Array;
  count: number;
  size: number;
}

/** Deterministic examples: the label sets the lightness level and the colour direction, so local L predicts ab. */
export function makeTinyData(count: number, size = 8, seed = 1, classes = 3): TinyData {
  const rng = createRandom(seed);
  const lightness = new Float32Array(count * size * size);
  const ab = new Float32Array(count * size * size * 2);
  const labels = new Int32Array(count);
  for (let e = 0; e < count; e += 1) {
    const label = e % classes;
    labels[e] = label;
    const angle = (2 * Math.PI * label) / classes;
    const phase = rng.next();
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const p = e * size * size + y * size + x;
        const l = 0.15 * Math.sin((x + y) / 3 + 6 * phase) + 0.3 * (label - 1) + 0.05 * (rng.next() - 0.5);
        lightness[p] = l;
        const strength = 0.3 + (0.4 * (l + 0.5) * (label + 1)) / classes;
        ab[2 * p] = strength * Math.cos(angle);
        ab[2 * p + 1] = strength * Math.sin(angle);
      }
    }
  }
  return { lightness, ab, labels, count, size };
}

export interface TinySourceOptions {
  batchSize?: number;
  /** Shuffle per epoch with this seed; fixed order when absent. */
  shuffleSeed?: number;
  /** Targets to build. */
  targets?: ('ab' | 'bins' | 'labels')[];
  /** Spatial size of bins targets (defaults to the image size). */
  binsSize?: number;
}

/** A deterministic BatchSource over tiny data: epoch e's order depends only on (seed, e). */
export function createTinySource(data: TinyData, options: TinySourceOptions = {}): BatchSource & { opened: number } {
  const batchSize = options.batchSize ?? 4;
  const targets = options.targets ?? ['ab'];
  const { size } = data;
  const perEpoch = Math.ceil(data.count / batchSize);
  const source = {
    batchesPerEpoch: perEpoch,
    opened: 0,
    async *batches(epoch: number, start: { startBatch?: number } = {}): AsyncGenerator<Batch> {
      source.opened += 1;
      const order =
        options.shuffleSeed === undefined
          ? Int32Array.from({ length: data.count }, (_, i) => i)
          : shuffledIndices(data.count, createRandom(options.shuffleSeed + 7919 * epoch));
      for (let b = start.startBatch ?? 0; b < perEpoch; b += 1) {
        const ids = Array.from(order.slice(b * batchSize, Math.min(data.count, (b + 1) * batchSize)));
        const n = ids.length;
        const l = new Float32Array(n * size * size);
        const ab = new Float32Array(n * size * size * 2);
        ids.forEach((id, i) => {
          l.set(data.lightness.subarray(id * size * size, (id + 1) * size * size), i * size * size);
          ab.set(data.ab.subarray(id * size * size * 2, (id + 1) * size * size * 2), i * size * size * 2);
        });
        const batch: Batch = { input: tf.tensor4d(l, [n, size, size, 1]), targets: {}, size: n, epoch, index: b };
        if (targets.includes('ab')) batch.targets.ab = tf.tensor4d(ab, [n, size, size, 2]);
        if (targets.includes('labels'))
          batch.targets.labels = tf.tensor1d(
            ids.map((id) => data.labels[id]),
            'int32',
          );
        if (targets.includes('bins')) {
          const s = options.binsSize ?? size;
          const step = size / s;
          const pairs = new Float32Array(n * s * s * 2);
          for (let i = 0; i < n; i += 1) {
            for (let y = 0; y < s; y += 1) {
              for (let x = 0; x < s; x += 1) {
                const src = (i * size * size + y * step * size + x * step) * 2;
                const dst = (i * s * s + y * s + x) * 2;
                pairs[dst] = ab[src] * 110;
                pairs[dst + 1] = ab[src + 1] * 110;
              }
            }
          }
          batch.targets.bins = tf.tensor4d(encodeSoft(pairs), [n, s, s, ZHANG_GAMUT.size]);
        }
        yield batch;
      }
    },
  };
  return source;
}

/** Two 3×3 convs: L → ab (tanh). No BatchNorm, no dropout, seeded. */
export function buildTinyAbModel(size = 8, seed = 3): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 1] });
  const h = tfl.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers
    .conv2d({
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** L → 313-bin logits at a quarter of the size (like Zhang's output), via a stride-4 conv. */
export function buildTinyBinsModel(size = 8, seed = 5): tfl.LayersModel {
  const input = tfl.input({ shape: [size, size, 1] });
  const h = tfl.layers
    .conv2d({
      filters: 8,
      kernelSize: 4,
      strides: 4,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers
    .conv2d({
      filters: ZHANG_GAMUT.size,
      kernelSize: 1,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/**
 * Iizuka-shaped in miniature: inputs [global L (g×g), local L (S×S)] → [sigmoid ab (S×S×2), class logits].
 * The real builder is slow on the cpu backend (≈1.5 s per step at its smallest), so learning tests use this.
 */
export function buildTinyJointModel(size = 8, globalSize = 4, classes = 3, seed = 7): tfl.LayersModel {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed + k });
  const globalInput = tfl.input({ shape: [globalSize, globalSize, 1] });
  const localInput = tfl.input({ shape: [size, size, 1] });
  const g = tfl.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(0) })
    .apply(globalInput) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(g) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: classes, kernelInitializer: init(1) }).apply(pooled) as tfl.SymbolicTensor;
  const h = tfl.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) })
    .apply(localInput) as tfl.SymbolicTensor;
  const ab = tfl.layers
    .conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: init(3) })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [globalInput, localInput], outputs: [ab, logits] });
}

/** The smallest Nazeri pair: 8×8 input, encoder [4, 8], decoder [4], discriminator [4, 8], no dropout. */
export function buildTinyGan(seed = 1): NazeriGan {
  return buildNazeriGan({
    preset: 'cifar10',
    inputSize: 8,
    generator: { encoderChannels: [4, 8], decoderChannels: [4], dropoutBlocks: 0 },
    discriminator: { channels: [4, 8] },
    seed,
  });
}
