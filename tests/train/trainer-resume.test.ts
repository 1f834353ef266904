import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type { BatchSource } from '../../src/train/batch.js';
import type { BatchEndEvent } from '../../src/train/callbacks.js';
import { createMemoryCheckpointStore } from '../../src/train/checkpoint/checkpoint-memory-store.js';
import { createRegressionObjective } from '../../src/train/objectives-regression.js';
import { createStepDecay } from '../../src/train/schedules/step-decay.js';
import { getLearningRate } from '../../src/train/schedules/set-learning-rate.js';
import { createSupervisedTrainer } from '../../src/train/supervised-trainer.js';
import { createTinySource, makeTinyData } from './trainer-fixtures.js';

/** conv → BatchNorm → ReLU → conv tanh: BatchNorm's moving statistics must come back too. */
function buildModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed }) })
    .apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .conv2d({
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: x });
}

/** Records every (epoch, startBatch) a trainer asks for. */
function recordingSource(source: BatchSource, calls: [number, number][]): BatchSource {
  return {
    batchesPerEpoch: source.batchesPerEpoch,
    batches(epoch, start = {}) {
      calls.push([epoch, start.startBatch ?? 0]);
      return source.batches(epoch, start);
    },
  };
}

function makeTrainer(seed: number, store = createMemoryCheckpointStore()) {
  const model = buildModel(seed);
  const schedule = createStepDecay({ initialRate: 0.02, factor: 0.5, stepSize: 3 });
  const trainer = createSupervisedTrainer({
    model,
    objective: createRegressionObjective({ loss: 'huber', huberDelta: 0.1 }),
    optimizer: { kind: 'adam', learningRate: 0.02, beta1: 0.9, beta2: 0.99 },
    weightDecay: 1e-3,
    schedule,
    checkpoints: { store },
  });
  return { model, trainer, store };
}

describe('supervised trainer: checkpoints and resume', () => {
  it('K steps + abort + resume into fresh objects gives bit-identical losses and rates to an uninterrupted run', async () => {
    const data = makeTinyData(16);
    const source = () => createTinySource(data, { batchSize: 4, shuffleSeed: 11 }); // 4 batches per epoch
    const stopAt = 6; // mid-epoch 1: the resumed run must start at batch 2 of epoch 1

    const straight = makeTrainer(3);
    const reference: BatchEndEvent[] = [];
    await straight.trainer.fit({
      source: source(),
      epochs: 3,
      stepsPerEpoch: 4,
      callbacks: [{ onBatchEnd: (e) => void reference.push({ ...e }) }],
    });
    expect(reference).toHaveLength(12);

    const first = makeTrainer(3);
    const controller = new AbortController();
    const events: string[] = [];
    const result = await first.trainer.fit({
      source: source(),
      epochs: 3,
      stepsPerEpoch: 4,
      signal: controller.signal,
      callbacks: [
        {
          onBatchEnd: (e) => void (e.step === stopAt && controller.abort()),
          onCheckpoint: (e) => void events.push(e.reason),
          onTrainEnd: (e) => void events.push(`end ${e.aborted}`),
        },
      ],
    });
    expect(result.stopReason).toBe('aborted');
    expect(result.step).toBe(stopAt);
    expect(events).toEqual(['abort', 'end true']);

    // Fresh model (other initial weights) and fresh optimizer: everything must come from the checkpoint.
    const second = makeTrainer(99, first.store);
    const resumed = await second.trainer.resume(first.store);
    expect(resumed).toMatchObject({ epoch: 1, startBatch: 2, step: stopAt });
    const calls: [number, number][] = [];
    const after: BatchEndEvent[] = [];
    await second.trainer.fit({
      source: recordingSource(source(), calls),
      epochs: 3,
      stepsPerEpoch: 4,
      callbacks: [{ onBatchEnd: (e) => void after.push({ ...e }) }],
    });
    expect(calls).toEqual([
      [1, 2],
      [2, 0],
    ]);
    expect(after.map((e) => e.step)).toEqual([7, 8, 9, 10, 11, 12]);
    // Exact equality: same float32 weights, Adam moments and β-powers from the checkpoint, same batches,
    // same ops on the deterministic cpu backend, so every bit of every loss repeats.
    for (let i = 0; i < after.length; i += 1) {
      expect(after[i].losses).toEqual(reference[stopAt + i].losses);
      expect(after[i].learningRates).toEqual(reference[stopAt + i].learningRates);
    }
    expect(getLearningRate(second.trainer.optimizer)).toBe(getLearningRate(straight.trainer.optimizer));

    for (const t of [straight, first, second]) {
      t.trainer.dispose();
      t.model.dispose();
    }
  });

  it("schedules: 'keep' restores weights, moments and position but leaves the schedule as built; 'restore' brings the saved one back", async () => {
    const data = makeTinyData(16);
    const source = () => createTinySource(data, { batchSize: 4, shuffleSeed: 11 });
    const first = makeTrainer(3); // rate 0.02 halved every 3 steps
    await first.trainer.fit({ source: source(), epochs: 1, stepsPerEpoch: 4 });
    const saved = first.model.getWeights().map((w) => w.dataSync().slice());
    const record = await first.store.loadLatest();
    if (record === undefined) throw new Error('no checkpoint saved');

    // Each resumed trainer checkpoints into a store of its own, so both resume from the same record.
    const build = (store = createMemoryCheckpointStore()) => {
      const model = buildModel(99);
      const schedule = createStepDecay({ initialRate: 1e-3, factor: 0.5, stepSize: 100 }); // the lowered rate
      const trainer = createSupervisedTrainer({
        model,
        objective: createRegressionObjective({ loss: 'huber', huberDelta: 0.1 }),
        optimizer: { kind: 'adam', learningRate: 0.02, beta1: 0.9, beta2: 0.99 },
        weightDecay: 1e-3,
        schedule,
        checkpoints: { store },
      });
      return { model, trainer, schedule };
    };
    const kept = build();
    expect(await kept.trainer.resume(record, { schedules: 'keep' })).toMatchObject({
      epoch: 1,
      startBatch: 0,
      step: 4,
    });
    kept.model.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(saved[i]));
    expect(kept.schedule.state()).toMatchObject({ initialRate: 1e-3, stepSize: 100 });
    const keptRates: number[] = [];
    await kept.trainer.fit({
      source: source(),
      epochs: 2,
      stepsPerEpoch: 4,
      callbacks: [{ onBatchEnd: (e) => void keptRates.push(e.learningRates.model) }],
    });
    expect(keptRates).toEqual([1e-3, 1e-3, 1e-3, 1e-3]);

    const restored = build();
    await restored.trainer.resume(record);
    expect(restored.schedule.state()).toMatchObject({ initialRate: 0.02, stepSize: 3 });
    const restoredRates: number[] = [];
    await restored.trainer.fit({
      source: source(),
      epochs: 2,
      stepsPerEpoch: 4,
      callbacks: [{ onBatchEnd: (e) => void restoredRates.push(e.learningRates.model) }],
    });
    expect(restoredRates).toEqual([0.01, 0.01, 0.005, 0.005]); // steps 5–8 of the saved schedule

    await expect(restored.trainer.resume(record, { schedules: 'fresh' as 'keep' })).rejects.toThrow(
      /options\.schedules.*'restore' or 'keep'/,
    );
    for (const t of [first, kept, restored]) {
      t.trainer.dispose();
      t.model.dispose();
    }
  });

  it('resume from an empty store is a no-op and a checkpoint of another trainer kind is refused', async () => {
    const { model, trainer } = makeTrainer(3);
    expect(await trainer.resume(createMemoryCheckpointStore())).toBeUndefined();
    const record = await trainer.capture();
    (record.manifest.metadata.trainer as { kind: string }).kind = 'gan';
    await expect(trainer.resume(record)).rejects.toThrow(/supervised trainer/);
    trainer.dispose();
    model.dispose();
  });

  it('saves every N steps and at the end with epoch, step, next batch and schedule state', async () => {
    const store = createMemoryCheckpointStore({ keepLast: 10 });
    const model = buildModel(3);
    const schedule = createStepDecay({ initialRate: 0.01, factor: 0.5, stepSize: 2 });
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      schedule,
      checkpoints: { store, everySteps: 3 },
      random: { shuffle: 1234 },
    });
    await trainer.fit({ source: createTinySource(makeTinyData(8), { batchSize: 4 }), epochs: 2 });
    const infos = await store.list();
    expect(infos.map((i) => [i.epoch, i.step])).toEqual([
      [1, 3],
      [2, 4],
    ]);
    const latest = (await store.loadLatest())!;
    expect(latest.manifest.metadata.trainer).toMatchObject({ kind: 'supervised', nextBatch: 0 });
    expect(latest.manifest.schedules.model).toEqual(schedule.state());
    expect(latest.manifest.random).toEqual({ shuffle: 1234 });
    expect(Object.keys(latest.manifest.optimizers)).toEqual(['model']);
    const mid = await store.load(infos[0].id);
    expect(mid.manifest.metadata.trainer).toMatchObject({ nextBatch: 1 });
    trainer.dispose();
    model.dispose();
  });
});
