import { describe, expect, it } from 'vitest';
import { dispatchCallbacks, type TrainingCallbacks } from '../../src/train/callbacks.js';
import { createMemoryCheckpointStore } from '../../src/train/checkpoint/checkpoint-memory-store.js';
import { createRegressionObjective } from '../../src/train/objectives-regression.js';
import { createSupervisedTrainer } from '../../src/train/supervised-trainer.js';
import { buildTinyAbModel, createTinySource, makeTinyData } from './trainer-fixtures.js';

describe('training callbacks', () => {
  it('fire in the documented order: begin, per epoch (batches, validation, checkpoint), epoch end, end', async () => {
    const model = buildTinyAbModel();
    const log: string[] = [];
    const recorder: TrainingCallbacks = {
      onTrainBegin: (e) => void log.push(`begin ${e.epoch}/${e.epochs} total=${e.totalSteps} resumed=${e.resumed}`),
      onEpochBegin: (e) => void log.push(`epoch ${e.epoch} from ${e.startBatch}`),
      onBatchEnd: (e) => void log.push(`batch ${e.epoch}:${e.batch} step ${e.step}`),
      onValidation: (e) => void log.push(`validation step ${e.step}`),
      onCheckpoint: (e) => void log.push(`checkpoint step ${e.step} ${e.reason}`),
      onEpochEnd: (e) => void log.push(`epoch end ${e.epoch}`),
      onTrainEnd: (e) => void log.push(`end step ${e.step} aborted=${e.aborted}`),
    };
    const data = makeTinyData(8);
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      checkpoints: { store: createMemoryCheckpointStore(), everySteps: 2 },
      callbacks: [recorder],
    });
    await trainer.fit({
      source: createTinySource(data, { batchSize: 4 }),
      epochs: 2,
      validation: { source: createTinySource(data, { batchSize: 8 }), everySteps: 3 },
    });
    expect(log).toEqual([
      'begin 0/2 total=4 resumed=false',
      'epoch 0 from 0',
      'batch 0:0 step 1',
      'batch 0:1 step 2',
      'checkpoint step 2 interval',
      'epoch end 0',
      'epoch 1 from 0',
      'batch 1:0 step 3',
      'validation step 3',
      'batch 1:1 step 4',
      'checkpoint step 4 interval',
      'epoch end 1',
      'checkpoint step 4 end',
      'end step 4 aborted=false',
    ]);
    trainer.dispose();
    model.dispose();
  });

  it('batch events carry losses, rates, a positive step rate, the batch and the trainer; fit callbacks run after config ones', async () => {
    const model = buildTinyAbModel();
    const order: string[] = [];
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective({ loss: 'l1' }),
      optimizer: { kind: 'sgd', learningRate: 0.05 },
      callbacks: [{ onBatchEnd: () => void order.push('config') }],
    });
    let seen = false;
    await trainer.fit({
      source: createTinySource(makeTinyData(4), { batchSize: 4 }),
      epochs: 1,
      callbacks: [
        {
          async onBatchEnd(e) {
            order.push('fit');
            expect(Object.keys(e.losses).sort()).toEqual(['loss', 'regression']);
            expect(e.losses.loss).toBe(e.losses.regression);
            expect(e.learningRates).toEqual({ model: 0.05 });
            expect(e.stepsPerSecond).toBeGreaterThan(0);
            expect(e.size).toBe(4);
            const ab = e.trainer.predictAb(e.data);
            expect(ab.shape).toEqual([4, 8, 8, 2]);
            ab.dispose();
            seen = true;
          },
        },
      ],
    });
    expect(seen).toBe(true);
    expect(order).toEqual(['config', 'fit']);
    trainer.dispose();
    model.dispose();
  });

  it('validation without everySteps runs at the end of every epoch, before onEpochEnd', async () => {
    const model = buildTinyAbModel();
    const log: string[] = [];
    const data = makeTinyData(8);
    const trainer = createSupervisedTrainer({ model, objective: createRegressionObjective() });
    await trainer.fit({
      source: createTinySource(data, { batchSize: 4 }),
      epochs: 2,
      validation: { source: createTinySource(data, { batchSize: 8 }) },
      callbacks: [
        {
          onValidation: (e) => void log.push(`validation ${e.step} ${Object.keys(e.metrics).sort().join(',')}`),
          onEpochEnd: (e) => void log.push(`epoch end ${e.epoch}`),
        },
      ],
    });
    expect(log).toEqual([
      'validation 2 auc,psnr,val_loss,val_regression',
      'epoch end 0',
      'validation 4 auc,psnr,val_loss,val_regression',
      'epoch end 1',
    ]);
    trainer.dispose();
    model.dispose();
  });

  it('dispatchCallbacks awaits each async hook before the next one', async () => {
    const log: string[] = [];
    const slow: TrainingCallbacks = {
      onEpochEnd: async () => {
        await new Promise((r) => setTimeout(r, 10));
        log.push('slow');
      },
    };
    const fast: TrainingCallbacks = { onEpochEnd: () => void log.push('fast') };
    await dispatchCallbacks([slow, {}, fast], 'onEpochEnd', { epoch: 0, step: 1, losses: {} });
    expect(log).toEqual(['slow', 'fast']);
  });
});
