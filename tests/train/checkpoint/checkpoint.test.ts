import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { captureCheckpoint, loadCheckpointModel, restoreCheckpoint } from '../../../src/train/checkpoint/checkpoint.js';
import { CheckpointError, verifyCheckpointRecord } from '../../../src/train/checkpoint/checkpoint-format.js';
import { createMemoryCheckpointStore } from '../../../src/train/checkpoint/checkpoint-memory-store.js';
import { InputError } from '../../../src/errors.js';
import { createRandom } from '../../../src/random.js';

function buildNet(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({ units: 5, inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
  );
  model.add(tfl.layers.activation({ activation: 'tanh' }));
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }));
  return model;
}

const xs = () =>
  tf.tensor2d([
    [0.1, -0.2, 0.3],
    [0.5, 0.4, -0.6],
    [-0.7, 0.8, 0.9],
    [0.2, 0.1, -0.1],
  ]);
const ys = () =>
  tf.tensor2d([
    [1, 0],
    [0, 1],
    [0.5, -0.5],
    [-1, 1],
  ]);

function trainStep(model: tfl.LayersModel, optimizer: tf.Optimizer): void {
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    const x = xs();
    const y = ys();
    optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as tf.Tensor) as tf.Scalar, false, varList);
  });
}

async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array));
}

async function optimizerState(optimizer: tf.Optimizer): Promise<Float32Array[]> {
  const weights = await optimizer.getWeights();
  const values = await Promise.all(weights.map(async (w) => Float32Array.from(await w.tensor.data())));
  weights[0].tensor.dispose();
  return values;
}

describe('resuming from a checkpoint', () => {
  it('resuming Adam from a checkpoint gives exactly the weights and moments of the uninterrupted run', async () => {
    const original = buildNet(1);
    const adam = tf.train.adam(0.01);
    trainStep(original, adam);
    trainStep(original, adam);
    const record = await captureCheckpoint({ models: { net: original }, optimizers: { net: adam }, epoch: 1, step: 2 });
    trainStep(original, adam);

    const resumed = buildNet(99);
    const freshAdam = tf.train.adam(0.01);
    const manifest = await restoreCheckpoint(record, { models: { net: resumed }, optimizers: { net: freshAdam } });
    expect(manifest.step).toBe(2);
    expect(freshAdam.iterations).toBe(2);
    trainStep(resumed, freshAdam);

    const [a, b] = [await weightsOf(original), await weightsOf(resumed)];
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w)));
    const [ma, mb] = [await optimizerState(adam), await optimizerState(freshAdam)];
    expect(ma.length).toBe(1 + 2 * original.trainableWeights.length);
    ma.forEach((m, i) => expect(Array.from(mb[i])).toEqual(Array.from(m)));
    for (const m of [original, resumed]) m.dispose();
    adam.dispose();
    freshAdam.dispose();
  });
});

describe('captureCheckpoint / restoreCheckpoint', () => {
  it('restores identical weights (including batch-norm moving statistics) and a model rebuilt from the topology predicts the same', async () => {
    const model = buildNet(5);
    // Give the moving statistics values that differ from their initial 0 and 1.
    model.layers[1].setWeights(model.layers[1].getWeights().map((w, i) => tf.fill(w.shape, 0.25 * (i + 1))));
    const record = await captureCheckpoint({ models: { net: model } });
    const target = buildNet(77);
    await restoreCheckpoint(record, { models: { net: target } });
    const [a, b] = [await weightsOf(model), await weightsOf(target)];
    a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w)));

    const rebuilt = await loadCheckpointModel(record, 'net');
    const x = xs();
    const [p, q] = [model.predict(x) as tf.Tensor, rebuilt.predict(x) as tf.Tensor];
    expect(Array.from(await q.data())).toEqual(Array.from(await p.data()));
    tf.dispose([x, p, q]);
    for (const m of [model, target, rebuilt]) m.dispose();
  });

  it('saves schedule states, random states, metrics and metadata and hands them back on restore', async () => {
    const model = buildNet(2);
    const rng = createRandom(1234);
    rng.next();
    const state = { kind: 'reduce-on-plateau', rate: 0.001, best: 0.5 };
    const record = await captureCheckpoint({
      models: { net: model },
      epoch: 4,
      step: 40,
      schedules: { lr: { state: () => state } },
      random: { shuffle: rng.state() },
      metric: { name: 'val_loss', value: 0.5, mode: 'min' },
      bestMetric: 0.5,
      metadata: { dataset: 'cifar10', widths: [1, 2] },
    });
    let restored: unknown;
    const manifest = await restoreCheckpoint(record, { schedules: { lr: { restore: (s) => (restored = s) } } });
    expect(restored).toEqual(state);
    expect(manifest.epoch).toBe(4);
    expect(manifest.metric).toEqual({ name: 'val_loss', value: 0.5, mode: 'min' });
    expect(manifest.bestMetric).toBe(0.5);
    expect(manifest.metadata).toEqual({ dataset: 'cifar10', widths: [1, 2] });
    const continued = createRandom(manifest.random.shuffle);
    expect(continued.next()).toBe(rng.next());
    model.dispose();
  });

  it('capture and restore leave no tensors behind', async () => {
    const model = buildNet(3);
    const adam = tf.train.adam(0.01);
    trainStep(model, adam);
    const target = buildNet(4);
    const targetAdam = tf.train.adam(0.01);
    trainStep(target, targetAdam); // so restore must free the old moments
    const before = tf.memory().numTensors;
    const record = await captureCheckpoint({ models: { net: model }, optimizers: { net: adam } });
    expect(tf.memory().numTensors).toBe(before);
    await restoreCheckpoint(record, { models: { net: target }, optimizers: { net: targetAdam } });
    expect(tf.memory().numTensors).toBe(before);
    for (const m of [model, target]) m.dispose();
    adam.dispose();
    targetAdam.dispose();
  });

  it('rejects a damaged part, an unknown target name, a model of another shape and another optimizer class', async () => {
    const model = buildNet(6);
    const adam = tf.train.adam(0.01);
    trainStep(model, adam);
    const record = await captureCheckpoint({ models: { net: model }, optimizers: { net: adam } });
    const damaged = { ...record, parts: { ...record.parts, 'model-net': record.parts['model-net'].slice() } };
    damaged.parts['model-net'][7] ^= 1;
    expect(() => verifyCheckpointRecord(damaged)).toThrow(CheckpointError);
    await expect(restoreCheckpoint(damaged, { models: { net: model } })).rejects.toThrow(/CRC-32/);
    await expect(restoreCheckpoint(record, { models: { other: model } })).rejects.toThrow(InputError);
    const wide = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 7, inputShape: [3] }),
        tfl.layers.batchNormalization(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    await expect(restoreCheckpoint(record, { models: { net: wide } })).rejects.toThrow(/shape/);
    await expect(restoreCheckpoint(record, { optimizers: { net: tf.train.sgd(0.1) } })).rejects.toThrow(/Adam/);
    await expect(captureCheckpoint({ models: { '../evil': model } })).rejects.toThrow(InputError);
    await expect(
      captureCheckpoint({ models: { net: model }, optimizers: { net: tf.train.adamax(0.1, 0.9, 0.999) } }),
    ).rejects.toThrow(/Adamax/);
    model.dispose();
    wide.dispose();
    adam.dispose();
  });

  it('round-trips through the memory store with the same bytes', async () => {
    const model = buildNet(8);
    const store = createMemoryCheckpointStore();
    const record = await captureCheckpoint({ models: { net: model }, step: 3 });
    const info = await store.save(record);
    const loaded = await store.load(info.id);
    expect(loaded.id).toBe(info.id);
    expect(Array.from(loaded.parts['model-net'])).toEqual(Array.from(record.parts['model-net']));
    expect(loaded.manifest).toEqual(record.manifest);
    model.dispose();
  });
});
