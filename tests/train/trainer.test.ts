import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildIizukaModel } from '../../src/models/iizuka.js';
import { buildZhangModel } from '../../src/models/zhang-eccv16.js';
import { buildResNet18 } from '../../src/models/resnet18.js';
import { createBinsObjective } from '../../src/train/objectives-bins.js';
import { createJointObjective } from '../../src/train/objectives-joint.js';
import { createLabelsObjective } from '../../src/train/objectives-labels.js';
import { createRegressionObjective } from '../../src/train/objectives-regression.js';
import { createSupervisedTrainer } from '../../src/train/supervised-trainer.js';
import { getLearningRate } from '../../src/train/schedules/set-learning-rate.js';
import type { BatchEndEvent } from '../../src/train/callbacks.js';
import {
  buildTinyAbModel,
  buildTinyBinsModel,
  buildTinyJointModel,
  createTinySource,
  makeTinyData,
} from './trainer-fixtures.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function lossesOf(fn: (record: (e: BatchEndEvent) => void) => Promise<unknown>, key = 'loss'): Promise<number[]> {
  const losses: number[] = [];
  await fn((e) => losses.push(e.losses[key]));
  return losses;
}

describe('supervised trainer: learning', () => {
  it('regression (MSE) halves the loss on a tiny set', async () => {
    const model = buildTinyAbModel();
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective({ loss: 'mse' }),
      optimizer: { kind: 'adam', learningRate: 0.01 },
    });
    const source = createTinySource(makeTinyData(16), { batchSize: 8, shuffleSeed: 1 });
    const losses = await lossesOf((record) => trainer.fit({ source, epochs: 15, callbacks: [{ onBatchEnd: record }] }));
    expect(losses).toHaveLength(30);
    expect(mean(losses.slice(-4))).toBeLessThan(0.5 * mean(losses.slice(0, 2)));
    trainer.dispose();
    model.dispose();
  });

  it('classification over bins with rebalancing weights lowers the cross-entropy and reports AuC and PSNR', async () => {
    const model = buildTinyBinsModel();
    const weights = Array.from({ length: 313 }, (_, q) => 0.5 + (q % 3) / 2);
    const trainer = createSupervisedTrainer({
      model,
      objective: createBinsObjective({ classWeights: weights }),
      optimizer: { kind: 'adam', learningRate: 0.02 },
    });
    const data = makeTinyData(8);
    const source = createTinySource(data, { batchSize: 4, targets: ['ab', 'bins'], binsSize: 2 });
    const losses = await lossesOf((record) => trainer.fit({ source, epochs: 10, callbacks: [{ onBatchEnd: record }] }));
    expect(mean(losses.slice(-2))).toBeLessThan(0.6 * mean(losses.slice(0, 2)));
    const metrics = await trainer.evaluate(
      createTinySource(data, { batchSize: 4, targets: ['ab', 'bins'], binsSize: 2 }),
    );
    expect(Object.keys(metrics).sort()).toEqual(['auc', 'psnr', 'val_cross_entropy', 'val_loss']);
    expect(metrics.auc).toBeGreaterThan(0);
    expect(metrics.auc).toBeLessThanOrEqual(1);
    expect(metrics.psnr).toBeGreaterThan(10);
    trainer.dispose();
    model.dispose();
  });

  it('joint objective (colour MSE + α·CE) trains a two-input, two-output model and reports accuracy', async () => {
    const model = buildTinyJointModel();
    const objective = createJointObjective({ globalInputSize: 4, alpha: 1 });
    const trainer = createSupervisedTrainer({ model, objective, optimizer: { kind: 'adam', learningRate: 0.02 } });
    const data = makeTinyData(12);
    const source = createTinySource(data, { batchSize: 12, targets: ['ab', 'labels'] });
    const losses = await lossesOf((record) => trainer.fit({ source, epochs: 25, callbacks: [{ onBatchEnd: record }] }));
    expect(mean(losses.slice(-2))).toBeLessThan(0.5 * losses[0]);
    const metrics = await trainer.evaluate(createTinySource(data, { batchSize: 6, targets: ['ab', 'labels'] }));
    expect(metrics.val_loss).toBeCloseTo(metrics.val_color + metrics.val_classification, 5);
    expect(metrics.accuracy).toBeGreaterThan(0.5);
    trainer.dispose();
    model.dispose();
  });

  it('joint objective drives the real Iizuka builder (global input resized from the batch, sigmoid ab)', async () => {
    const model = buildIizukaModel({
      globalInputSize: 32,
      localInputSize: 8,
      widthMultiplier: 1 / 16,
      numClasses: 3,
      seed: 2,
    });
    const trainer = createSupervisedTrainer({
      model,
      objective: createJointObjective({ globalInputSize: 32 }),
      optimizer: 'iizuka2016',
    });
    const source = createTinySource(makeTinyData(4), { batchSize: 4, targets: ['ab', 'labels'] });
    const result = await trainer.fit({ source, epochs: 1 });
    expect(result.step).toBe(1);
    const { loss, color, classification } = result.lastLosses;
    expect(loss).toBeCloseTo(color + classification / 300, 5);
    const batch = (await source.batches(0)[Symbol.asyncIterator]().next()).value;
    const ab = trainer.predictAb(batch);
    expect(ab.shape).toEqual([4, 8, 8, 2]);
    expect(Math.max(...(await tf.abs(ab).data()))).toBeLessThanOrEqual(1);
    tf.dispose([ab, batch.input, batch.targets.ab!, batch.targets.labels!]);
    trainer.dispose();
    model.dispose();
  });

  it('bins objective drives the real Zhang builder with the zhang2016 preset (targets pooled to the 1/4-size logits, weight decay as a part)', async () => {
    const model = buildZhangModel({ inputSize: 16, widthMultiplier: 1 / 32, seed: 1 });
    const trainer = createSupervisedTrainer({ model, objective: createBinsObjective(), optimizer: 'zhang2016' });
    const result = await trainer.fit({
      source: createTinySource(makeTinyData(2, 16), { batchSize: 2, targets: ['bins', 'ab'] }),
      epochs: 2,
    });
    const { loss, cross_entropy, weight_decay } = result.lastLosses;
    expect(weight_decay).toBeGreaterThan(0);
    expect(loss).toBeCloseTo(cross_entropy + weight_decay, 5);
    expect(getLearningRate(trainer.optimizer)).toBe(3e-5);
    trainer.dispose();
    model.dispose();
  });

  it('plain classification (ResNet-18 pre-training) lowers the cross-entropy', async () => {
    const model = buildResNet18({
      inputChannels: 1,
      inputSize: 8,
      classes: 3,
      stem: 'small',
      widthMultiplier: 1 / 16,
      seed: 4,
    });
    const trainer = createSupervisedTrainer({
      model,
      objective: createLabelsObjective(),
      optimizer: { kind: 'adam', learningRate: 0.02 },
    });
    const source = createTinySource(makeTinyData(12), { batchSize: 12, targets: ['labels'] });
    const losses = await lossesOf((record) => trainer.fit({ source, epochs: 6, callbacks: [{ onBatchEnd: record }] }));
    expect(mean(losses.slice(-2))).toBeLessThan(0.5 * losses[0]);
    trainer.dispose();
    model.dispose();
  });
});
