import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { Batch, BatchSource } from '../../src/train/batch.js';
import type { BatchEndEvent, CollapseEvent } from '../../src/train/callbacks.js';
import { computeDiscriminatorLossFloor, createCollapseGuard } from '../../src/train/collapse-guard.js';
import { createGanTrainer } from '../../src/train/gan-trainer.js';
import { buildTinyGan, createTinySource, makeTinyData } from './trainer-fixtures.js';

const healthy = { discriminatorLoss: 1.2, discriminatorLossFloor: 0.325, saturatedFraction: 0 };

describe('collapse guard rules', () => {
  it('the discriminator-loss floor is H(real) + H(fake): 0.3251 nats for one-sided smoothing at 0.9, 0 without smoothing', () => {
    expect(computeDiscriminatorLossFloor(0.9)).toBeCloseTo(-(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)), 12);
    expect(computeDiscriminatorLossFloor(0.9)).toBeCloseTo(0.3251, 4);
    expect(computeDiscriminatorLossFloor(1)).toBe(0);
    expect(computeDiscriminatorLossFloor(0.9, 0.1)).toBeCloseTo(2 * 0.3251, 4);
  });

  it('fires the D-loss rule only after `patience` consecutive steps near the floor; a healthy step resets the count', () => {
    const guard = createCollapseGuard({ patience: 3, discriminatorLossMargin: 0.02, saturatedFraction: null });
    const low = { ...healthy, discriminatorLoss: 0.335 };
    expect(guard.observeStep(low)).toEqual([]);
    expect(guard.observeStep(low)).toEqual([]);
    expect(guard.healthy).toBe(false);
    expect(guard.observeStep(healthy)).toEqual([]);
    expect(guard.healthy).toBe(true);
    expect(guard.observeStep(low)).toEqual([]);
    expect(guard.observeStep(low)).toEqual([]);
    expect(guard.observeStep(low)).toEqual(['discriminator-loss']);
  });

  it('fires the saturation rule when more than the set fraction of outputs is saturated for `patience` steps', () => {
    const guard = createCollapseGuard({ patience: 2, saturatedFraction: 0.5, discriminatorLossMargin: null });
    expect(guard.observeStep({ ...healthy, saturatedFraction: 0.5 })).toEqual([]); // not more than 0.5
    expect(guard.observeStep({ ...healthy, saturatedFraction: 0.9 })).toEqual([]);
    expect(guard.observeStep({ ...healthy, saturatedFraction: 0.9 })).toEqual(['saturation']);
  });

  it('fires the metric rule when the metric falls from its best by more than the margin', () => {
    const guard = createCollapseGuard({ metric: { name: 'psnr', mode: 'max', margin: 2 } });
    expect(guard.observeMetrics({ psnr: 20 })).toEqual([]);
    expect(guard.observeMetrics({ psnr: 23 })).toEqual([]);
    expect(guard.observeMetrics({ psnr: 21.5 })).toEqual([]); // fell 1.5 from 23
    expect(guard.observeMetrics({ loss: 1 })).toEqual([]); // metric absent
    expect(guard.observeMetrics({ psnr: 20.9 })).toEqual(['metric']);
  });

  it('multiplies the learning-rate scale at each restore and round-trips its state as JSON', () => {
    const guard = createCollapseGuard({ learningRateFactor: 0.5, metric: { name: 'auc', mode: 'max', margin: 0.1 } });
    guard.observeMetrics({ auc: 0.8 });
    expect(guard.recordRestore()).toBe(0.5);
    expect(guard.recordRestore()).toBe(0.25);
    const copy = createCollapseGuard({ learningRateFactor: 0.5, metric: { name: 'auc', mode: 'max', margin: 0.1 } });
    copy.restore(JSON.parse(JSON.stringify(guard.state())));
    expect(copy.learningRateScale).toBe(0.25);
    expect(copy.restores).toBe(2);
    expect(copy.observeMetrics({ auc: 0.65 })).toEqual(['metric']);
  });

  it('rejects bad settings with ConfigError naming the key', () => {
    expect(() => createCollapseGuard({ patience: 0 })).toThrow(ConfigError);
    expect(() => createCollapseGuard({ learningRateFactor: 2 })).toThrow(/learningRateFactor/);
    expect(() => createCollapseGuard({ metric: { name: 'psnr', mode: 'up' as never, margin: 1 } })).toThrow(
      /metric.mode/,
    );
  });
});

/** Weights of a model as plain arrays. */
function readWeights(model: { weights: { read(): tf.Tensor }[] }): number[][] {
  return model.weights.map((w) => Array.from(w.read().dataSync()));
}

describe('collapse guard in the GAN trainer', () => {
  it('a hugely inflated generator rate saturates the tanh output; the guard restores the snapshot, lowers the rates and training goes on', async () => {
    const gan = buildTinyGan(6);
    const initial = readWeights(gan.generator);
    const trainer = createGanTrainer({
      ...gan,
      generatorOptimizer: { kind: 'adam', learningRate: 5 },
      discriminatorOptimizer: { kind: 'adam', learningRate: 1e-3, beta1: 0.5 },
      collapseGuard: {
        patience: 2,
        saturatedFraction: 0.5,
        discriminatorLossMargin: null,
        snapshotEverySteps: 1000,
        learningRateFactor: 0.01,
        maxRestores: 3,
      },
    });
    const collapses: CollapseEvent[] = [];
    const restoredWeights: number[][][] = [];
    const batches: BatchEndEvent[] = [];
    const result = await trainer.fit({
      source: createTinySource(makeTinyData(8), { batchSize: 4 }),
      epochs: 4,
      callbacks: [
        {
          onBatchEnd: (e) => void batches.push(e),
          onCollapse: (e) => {
            collapses.push(e);
            restoredWeights.push(readWeights(gan.generator));
          },
        },
      ],
    });
    expect(collapses.length).toBeGreaterThanOrEqual(1);
    expect(collapses[0].reasons).toContain('saturation');
    expect(collapses[0].restoredStep).toBe(0);
    expect(collapses[0].learningRateScale).toBe(0.01);
    // Restored: the generator holds exactly the weights of the snapshot (step 0 = the initial weights).
    expect(restoredWeights[0]).toEqual(initial);
    // Saturated before the collapse was detected.
    const before = batches.filter((b) => b.step <= collapses[0].step);
    expect(before[before.length - 1].losses.g_saturation).toBeGreaterThan(0.5);
    // Training continued after the restore, at the lowered rate.
    const afterwards = batches.filter((b) => b.step > collapses[0].step);
    expect(afterwards.length).toBeGreaterThan(0);
    expect(afterwards[0].learningRates.generator).toBeCloseTo(5 * 0.01, 12);
    expect(afterwards[0].learningRates.discriminator).toBeCloseTo(1e-3 * 0.01, 12);
    expect(result.step).toBe(8);
    // The reduction survives a checkpoint: a fresh trainer resumed from it trains at the lowered rates.
    const record = await trainer.capture();
    const fresh = buildTinyGan(6);
    const resumed = createGanTrainer({
      ...fresh,
      generatorOptimizer: { kind: 'adam', learningRate: 5 },
      discriminatorOptimizer: { kind: 'adam', learningRate: 1e-3, beta1: 0.5 },
      collapseGuard: { saturatedFraction: null, discriminatorLossMargin: null },
    });
    await resumed.resume(record);
    expect(resumed.collapseGuard!.restores).toBe(collapses.length);
    expect(resumed.loop.learningRates().generator).toBeCloseTo(5 * 0.01 ** collapses.length, 12);
    resumed.dispose();
    fresh.generator.dispose();
    fresh.discriminator.dispose();
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
  });

  it('a validation metric that falls by more than the margin (injected by corrupting the validation targets) triggers a restore', async () => {
    const gan = buildTinyGan(7);
    const data = makeTinyData(4);
    const clean = createTinySource(data, { batchSize: 4 });
    let evaluations = 0;
    // From the second validation on, the truth is a saturated ab of (110, 110) everywhere: PSNR drops sharply.
    const tampered: BatchSource = {
      batchesPerEpoch: 1,
      async *batches(epoch, start) {
        evaluations += 1;
        for await (const batch of clean.batches(epoch, start)) {
          if (evaluations < 2) {
            yield batch;
            continue;
          }
          const ab = batch.targets.ab!;
          const flipped: Batch = { ...batch, targets: { ab: tf.onesLike(ab) } };
          ab.dispose();
          yield flipped;
        }
      },
    };
    const trainer = createGanTrainer({
      ...gan,
      collapseGuard: {
        metric: { name: 'psnr', mode: 'max', margin: 1 },
        discriminatorLossMargin: null,
        saturatedFraction: null,
        snapshotEverySteps: 1,
      },
    });
    const collapses: CollapseEvent[] = [];
    const result = await trainer.fit({
      source: createTinySource(data, { batchSize: 4 }),
      epochs: 3,
      validation: { source: tampered, everySteps: 1 },
      callbacks: [{ onCollapse: (e) => void collapses.push(e) }],
    });
    expect(collapses[0]).toMatchObject({
      reasons: ['metric'],
      step: 2,
      restoredStep: 1,
      learningRateScale: 0.5,
      count: 1,
    });
    expect(result.step).toBe(3);
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
  });

  it('stops the run after maxRestores collapses', async () => {
    const gan = buildTinyGan(8);
    const trainer = createGanTrainer({
      ...gan,
      generatorOptimizer: { kind: 'sgd', learningRate: 1e-6 },
      // Every step counts as "D near its floor" with an enormous margin, so the guard fires every step.
      collapseGuard: { patience: 1, discriminatorLossMargin: 1e9, saturatedFraction: null, maxRestores: 2 },
    });
    const collapses: CollapseEvent[] = [];
    const result = await trainer.fit({
      source: createTinySource(makeTinyData(8), { batchSize: 2 }),
      epochs: 2,
      callbacks: [{ onCollapse: (e) => void collapses.push(e) }],
    });
    expect(collapses.map((c) => c.count)).toEqual([1, 2]);
    expect(collapses[0].reasons).toEqual(['discriminator-loss']);
    expect(result.stopReason).toBe('collapse');
    expect(result.step).toBe(3);
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
  });
});
