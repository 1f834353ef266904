import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import type { BatchEndEvent } from '../../src/train/callbacks.js';
import { createMemoryCheckpointStore } from '../../src/train/checkpoint/checkpoint-memory-store.js';
import { createBinsObjective } from '../../src/train/objectives-bins.js';
import { createRegressionObjective } from '../../src/train/objectives-regression.js';
import { createReduceOnPlateau } from '../../src/train/schedules/reduce-on-plateau.js';
import { createStepDecay } from '../../src/train/schedules/step-decay.js';
import { getLearningRate } from '../../src/train/schedules/set-learning-rate.js';
import { createSupervisedTrainer } from '../../src/train/supervised-trainer.js';
import { disposeBatch, type BatchSource } from '../../src/train/batch.js';
import { buildTinyAbModel, buildTinyBinsModel, createTinySource, makeTinyData } from './trainer-fixtures.js';

describe('supervised trainer: loop behaviour', () => {
  it('is leak-free: numTensors stays flat from the first step on, with validation and checkpoints, and returns to the start after dispose', async () => {
    const start = tf.memory().numTensors;
    const model = buildTinyBinsModel();
    const data = makeTinyData(8);
    const trainer = createSupervisedTrainer({
      model,
      objective: createBinsObjective({ classWeights: tf.ones([313]) as tf.Tensor1D }),
      optimizer: 'zhang2016',
      checkpoints: { store: createMemoryCheckpointStore(), everySteps: 5 },
    });
    const counts: number[] = [];
    await trainer.fit({
      source: createTinySource(data, { batchSize: 4, targets: ['ab', 'bins'], binsSize: 2 }),
      epochs: 10,
      validation: {
        source: createTinySource(data, { batchSize: 4, targets: ['ab', 'bins'], binsSize: 2 }),
        everySteps: 4,
      },
      // Counted after the batch is disposed: onEpochBegin of the next epoch sees only long-lived tensors.
      callbacks: [{ onEpochBegin: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(counts.length).toBe(10);
    // The first step creates Adam's moments; from then on nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
    model.dispose();
    // The classWeights tensor given to the objective is the only thing left: the caller owns it.
    expect(tf.memory().numTensors).toBe(start + 1);
  });

  it('applies a step-decay schedule per step and reports the rate used for each update', async () => {
    const model = buildTinyAbModel();
    const schedule = createStepDecay({ initialRate: 0.01, factor: 0.5, stepSize: 2 });
    const trainer = createSupervisedTrainer({ model, objective: createRegressionObjective(), schedule });
    const rates: number[] = [];
    await trainer.fit({
      source: createTinySource(makeTinyData(20), { batchSize: 4 }),
      epochs: 1,
      callbacks: [{ onBatchEnd: (e) => void rates.push(e.learningRates.model) }],
    });
    expect(rates).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025]);
    expect(getLearningRate(trainer.optimizer)).toBe(0.0025);
    trainer.dispose();
    model.dispose();
  });

  it('reduces on plateau of the smoothed training loss every N steps', async () => {
    const model = buildTinyAbModel();
    // An absolute threshold of 100 makes every evaluation after the first a non-improvement.
    const schedule = createReduceOnPlateau({
      initialRate: 0.01,
      factor: 0.5,
      patience: 0,
      threshold: 100,
      thresholdMode: 'abs',
    });
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      schedule,
      monitor: 'smoothed_loss',
      monitorEverySteps: 2,
    });
    const rates: number[] = [];
    await trainer.fit({
      source: createTinySource(makeTinyData(24), { batchSize: 4 }),
      epochs: 1,
      callbacks: [{ onBatchEnd: (e) => void rates.push(e.learningRates.model) }],
    });
    // Evaluations after steps 2 (best set), 4 (reduce), 6 (reduce).
    expect(rates).toEqual([0.01, 0.01, 0.01, 0.01, 0.005, 0.005]);
    expect(schedule.rate).toBe(0.0025);
    expect(trainer.loop.smoothedLoss).toBeGreaterThan(0);
    trainer.dispose();
    model.dispose();
  });

  it('reduces on plateau of a validation metric and records it as the checkpoint metric', async () => {
    const model = buildTinyAbModel();
    const schedule = createReduceOnPlateau({
      initialRate: 0.01,
      factor: 0.1,
      patience: 0,
      threshold: 100,
      thresholdMode: 'abs',
    });
    const store = createMemoryCheckpointStore();
    const data = makeTinyData(8);
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      schedule,
      monitor: 'val_loss',
      checkpoints: { store },
    });
    const result = await trainer.fit({
      source: createTinySource(data, { batchSize: 4 }),
      epochs: 2,
      validation: { source: createTinySource(data, { batchSize: 8 }), everySteps: 1 },
    });
    expect(schedule.rate).toBeCloseTo(0.01 * 0.1 ** 3, 12);
    const latest = (await store.loadLatest())!;
    expect(latest.manifest.metric).toEqual({ name: 'val_loss', value: result.lastMetrics!.val_loss, mode: 'min' });
    expect(latest.manifest.bestMetric).toBeLessThanOrEqual(result.lastMetrics!.val_loss);
    trainer.dispose();
    model.dispose();
  });

  it('adds the coupled L2 weight decay ½·wd·Σ‖kernel‖² to the loss and reports it as a part', async () => {
    const model = buildTinyAbModel();
    const kernels = model.trainableWeights
      .filter((w) => w.shape.length >= 2)
      .map((w) => Array.from(w.read().dataSync() as Float32Array));
    const expected = 0.5 * 0.1 * kernels.reduce((s, k) => s + k.reduce((a, v) => a + v * v, 0), 0);
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      optimizer: { kind: 'adam', learningRate: 1e-3, weightDecay: 0.1 },
    });
    let first: BatchEndEvent | undefined;
    await trainer.fit({
      source: createTinySource(makeTinyData(4), { batchSize: 4 }),
      epochs: 1,
      callbacks: [{ onBatchEnd: (e) => void (first ??= e) }],
    });
    expect(first!.losses.weight_decay).toBeCloseTo(expected, 5);
    expect(first!.losses.loss).toBeCloseTo(first!.losses.regression + first!.losses.weight_decay, 6);
    trainer.dispose();
    model.dispose();
  });

  it('rejects bad configs and inputs with typed errors naming the key', async () => {
    const model = buildTinyAbModel();
    const objective = createRegressionObjective();
    expect(() => createSupervisedTrainer({ model, objective, optimizer: { kind: 'rmsprop' } as never })).toThrow(
      ConfigError,
    );
    expect(() => createSupervisedTrainer({ model, objective, optimizer: { kind: 'adam', learningRate: -1 } })).toThrow(
      /learningRate/,
    );
    expect(() => createSupervisedTrainer({ model: {} as never, objective })).toThrow(InputError);
    expect(() => createSupervisedTrainer({ model, objective, checkpoints: { store: {} as never } })).toThrow(
      /checkpoints.store/,
    );
    expect(() => createRegressionObjective({ loss: 'l3' as never })).toThrow(ConfigError);
    const trainer = createSupervisedTrainer({ model, objective });
    const source = createTinySource(makeTinyData(4), { batchSize: 4 });
    await expect(trainer.fit({ source, epochs: 1.5 })).rejects.toThrow(/epochs/);
    await expect(
      trainer.fit({ source: createTinySource(makeTinyData(4), { targets: ['labels'] }), epochs: 1 }),
    ).rejects.toThrow(/batch.targets.ab/);
    trainer.dispose();
    model.dispose();
  });

  it('resumes after the last trained batch when the source skipped a batch index (a dropped all-gray batch)', async () => {
    const inner = createTinySource(makeTinyData(16), { batchSize: 4 });
    const skipping: BatchSource = {
      batchesPerEpoch: 4,
      async *batches(epoch, start) {
        for await (const batch of inner.batches(epoch, start)) {
          if (batch.index === 1) disposeBatch(batch);
          else yield batch;
        }
      },
    };
    const store = createMemoryCheckpointStore();
    const model = buildTinyAbModel();
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective({ loss: 'mse' }),
      checkpoints: { store, everySteps: 1 },
    });
    const controller = new AbortController();
    const seen: number[] = [];
    await trainer.fit({
      source: skipping,
      epochs: 1,
      signal: controller.signal,
      callbacks: [
        {
          onBatchEnd: (e) => {
            seen.push(e.batch);
            if (e.batch === 2) controller.abort();
          },
        },
      ],
    });
    expect(seen).toEqual([0, 2]);
    const model2 = buildTinyAbModel(8, 11);
    const resumed = createSupervisedTrainer({ model: model2, objective: createRegressionObjective({ loss: 'mse' }) });
    const position = await resumed.resume(store);
    expect(position?.startBatch).toBe(3);
    const after: number[] = [];
    await resumed.fit({ source: skipping, epochs: 1, callbacks: [{ onBatchEnd: (e) => void after.push(e.batch) }] });
    expect(after).toEqual([3]);
    for (const t of [trainer, resumed]) t.dispose();
    model.dispose();
    model2.dispose();
  });
});
