import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { BatchEndEvent } from '../../src/train/callbacks.js';
import { createMemoryCheckpointStore } from '../../src/train/checkpoint/checkpoint-memory-store.js';
import { createGanTrainer } from '../../src/train/gan-trainer.js';
import { createExponentialDecay } from '../../src/train/schedules/exponential-decay.js';
import { buildTinyGan, createTinySource, makeTinyData } from './trainer-fixtures.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function iterations(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { iterations: number }).iterations;
}

describe('GAN trainer (Nazeri et al. 2018)', () => {
  it('lowers the L1 reconstruction loss on a tiny set and logs D and G parts that add up', async () => {
    const gan = buildTinyGan(1);
    const trainer = createGanTrainer({
      ...gan,
      generatorOptimizer: { kind: 'adam', learningRate: 0.01, beta1: 0.5 },
      discriminatorOptimizer: 'nazeri2018',
      lambda: 100,
    });
    const events: BatchEndEvent[] = [];
    await trainer.fit({
      source: createTinySource(makeTinyData(8), { batchSize: 8, shuffleSeed: 2 }),
      epochs: 20,
      callbacks: [{ onBatchEnd: (e) => void events.push(e) }],
    });
    const recon = events.map((e) => e.losses.g_reconstruction);
    expect(mean(recon.slice(-3))).toBeLessThan(0.5 * mean(recon.slice(0, 2)));
    for (const { losses } of events) {
      expect(Object.keys(losses).sort()).toEqual([
        'd_fake',
        'd_loss',
        'd_real',
        'g_adversarial',
        'g_loss',
        'g_reconstruction',
        'g_saturation',
      ]);
      expect(losses.d_loss).toBeCloseTo(losses.d_real + losses.d_fake, 5);
      expect(losses.g_loss).toBeCloseTo(losses.g_adversarial + 100 * losses.g_reconstruction, 3);
      expect(losses.g_saturation).toBeGreaterThanOrEqual(0);
      expect(losses.g_saturation).toBeLessThanOrEqual(1);
    }
    // One-sided label smoothing at 0.9: the real part can never go below H(0.9) = 0.325 nats.
    expect(Math.min(...events.map((e) => e.losses.d_real))).toBeGreaterThan(0.325);
    expect(events[0].learningRates).toEqual({ generator: 0.01, discriminator: 2e-4 });
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
  });

  it('runs discriminatorSteps D updates and generatorSteps G updates per batch with separate schedules', async () => {
    const gan = buildTinyGan(2);
    const trainer = createGanTrainer({
      ...gan,
      discriminatorSteps: 3,
      generatorSteps: 2,
      schedules: { discriminator: createExponentialDecay({ initialRate: 1e-3, decayRate: 0.5, decaySteps: 1 }) },
    });
    const rates: number[] = [];
    await trainer.fit({
      source: createTinySource(makeTinyData(12), { batchSize: 4 }),
      epochs: 1,
      callbacks: [{ onBatchEnd: (e) => void rates.push(e.learningRates.discriminator) }],
    });
    expect(iterations(trainer.discriminatorOptimizer)).toBe(9);
    expect(iterations(trainer.generatorOptimizer)).toBe(6);
    expect(rates).toEqual([1e-3, 5e-4, 2.5e-4]);
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
  });

  it('resumes both networks and both optimizers exactly: identical D and G losses after K steps + restore', async () => {
    const data = makeTinyData(12);
    const source = () => createTinySource(data, { batchSize: 4, shuffleSeed: 5 });
    const make = (seed: number) => {
      const gan = buildTinyGan(seed);
      return {
        gan,
        trainer: createGanTrainer({
          ...gan,
          generatorOptimizer: { kind: 'adam', learningRate: 2e-3, beta1: 0.5 },
          discriminatorOptimizer: { kind: 'adam', learningRate: 1e-3, beta1: 0.5 },
        }),
      };
    };
    const straight = make(1);
    const reference: BatchEndEvent[] = [];
    await straight.trainer.fit({
      source: source(),
      epochs: 2,
      callbacks: [{ onBatchEnd: (e) => void reference.push(e) }],
    });

    const store = createMemoryCheckpointStore();
    const first = make(1);
    const controller = new AbortController();
    await first.trainer.fit({
      source: source(),
      epochs: 2,
      signal: controller.signal,
      callbacks: [{ onBatchEnd: (e) => void (e.step === 4 && controller.abort()) }],
    });
    await store.save(await first.trainer.capture());

    const second = make(42);
    expect(await second.trainer.resume(store)).toMatchObject({ epoch: 1, startBatch: 1, step: 4 });
    const after: BatchEndEvent[] = [];
    await second.trainer.fit({ source: source(), epochs: 2, callbacks: [{ onBatchEnd: (e) => void after.push(e) }] });
    expect(after.map((e) => e.losses)).toEqual(reference.slice(4).map((e) => e.losses));
    for (const t of [straight, first, second]) {
      t.trainer.dispose();
      t.gan.generator.dispose();
      t.gan.discriminator.dispose();
    }
  });

  it('is leak-free over many steps with validation (numTensors flat after the first step)', async () => {
    const start = tf.memory().numTensors;
    const gan = buildTinyGan(3);
    const data = makeTinyData(8);
    const trainer = createGanTrainer({ ...gan, discriminatorSteps: 2, collapseGuard: { snapshotEverySteps: 3 } });
    const counts: number[] = [];
    const result = await trainer.fit({
      source: createTinySource(data, { batchSize: 4 }),
      epochs: 8,
      validation: { source: createTinySource(data, { batchSize: 8 }), everySteps: 5 },
      callbacks: [{ onEpochBegin: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(result.lastMetrics).toHaveProperty('val_g_reconstruction');
    expect(result.lastMetrics).toHaveProperty('psnr');
    expect(result.lastMetrics).toHaveProperty('auc');
    expect(new Set(counts.slice(1)).size).toBe(1);
    trainer.dispose();
    gan.generator.dispose();
    gan.discriminator.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects a bad ratio, label or reconstruction kind with ConfigError', () => {
    const gan = buildTinyGan(4);
    expect(() => createGanTrainer({ ...gan, discriminatorSteps: 0 })).toThrow(ConfigError);
    expect(() => createGanTrainer({ ...gan, realLabel: 1.5 })).toThrow(/realLabel/);
    expect(() => createGanTrainer({ ...gan, reconstruction: 'l3' as never })).toThrow(/reconstruction/);
    gan.generator.dispose();
    gan.discriminator.dispose();
  });
});
