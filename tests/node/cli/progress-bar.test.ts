import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { createProgressBar, formatDuration } from '../../../src/node/cli/progress-bar.js';
import type { TrainingCallbacks } from '../../../src/train/callbacks.js';
import { createRegressionObjective } from '../../../src/train/objectives-regression.js';
import { createSupervisedTrainer } from '../../../src/train/supervised-trainer.js';
import { buildTinyAbModel, createTinySource, makeTinyData } from '../../train/trainer-fixtures.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => void writes.push(s) } };
}

/** Drive the hooks by hand with a fake clock that advances 500 ms per step (2 steps/s). */
async function drive(
  bar: TrainingCallbacks,
  clock: { t: number },
  steps: number,
  total: number | undefined,
): Promise<void> {
  await bar.onTrainBegin?.({
    epoch: 0,
    step: 0,
    epochs: 2,
    ...(total !== undefined && { totalSteps: total }),
    resumed: false,
  });
  for (let s = 1; s <= steps; s += 1) {
    clock.t += 500;
    await bar.onBatchEnd?.({
      epoch: s > 5 ? 1 : 0,
      step: s,
      batch: (s - 1) % 5,
      size: 4,
      losses: { loss: 1 / s, extra: 2 },
      learningRates: {},
      stepsPerSecond: 0,
      trainer: {} as never,
      data: {} as never,
    });
  }
  await bar.onTrainEnd?.({ epoch: 2, step: steps, aborted: false });
}

describe('progress bar', () => {
  it('non-TTY: prints a line every N steps and at the end, with bar, rate, ETA and the chosen losses', async () => {
    const { writes, stream } = fakeStream(false);
    const clock = { t: 1000 };
    await drive(
      createProgressBar({ stream, everySteps: 4, width: 10, losses: ['loss'], now: () => clock.t }),
      clock,
      10,
      10,
    );
    expect(writes).toEqual([
      'epoch 1/2  [####......] 4/10  2.00 steps/s  ETA 3s  loss 0.2500\n',
      'epoch 2/2  [########..] 8/10  2.00 steps/s  ETA 1s  loss 0.1250\n',
      'epoch 2/2  [##########] 10/10  2.00 steps/s  ETA 0s  loss 0.1000\n',
    ]);
  });

  it('non-TTY without a known total shows the step count and no ETA; validation and collapse get their own lines', async () => {
    const { writes, stream } = fakeStream(false);
    const clock = { t: 0 };
    const bar = createProgressBar({ stream, everySteps: 2, now: () => clock.t });
    await drive(bar, clock, 2, undefined);
    await bar.onValidation?.({ epoch: 0, step: 2, metrics: { val_loss: 0.5, psnr: 23.456 } });
    await bar.onCollapse?.({
      epoch: 0,
      step: 2,
      reasons: ['saturation'],
      restoredStep: 0,
      learningRateScale: 0.5,
      count: 1,
    });
    expect(writes).toEqual([
      'epoch 1/2  step 2  2.00 steps/s  loss 0.5000 extra 2.000\n',
      'validation at step 2: val_loss 0.5000 psnr 23.46\n',
      'collapse at step 2 (saturation): restored step 0, learning rates ×0.5\n',
    ]);
  });

  it('TTY: redraws one line with carriage return and clear-to-end, and ends with a newline', async () => {
    const { writes, stream } = fakeStream(true);
    const clock = { t: 0 };
    await drive(createProgressBar({ stream, width: 4, losses: [], now: () => clock.t }), clock, 2, 4);
    expect(writes).toEqual([
      '\repoch 1/2  [#...] 1/4  2.00 steps/s  ETA 2s\x1b[K',
      '\repoch 1/2  [##..] 2/4  2.00 steps/s  ETA 1s\x1b[K',
      '\n',
    ]);
  });

  it('can be turned off, and rejects bad settings', async () => {
    expect(createProgressBar({ enabled: false })).toEqual({});
    expect(() => createProgressBar({ everySteps: 0, stream: fakeStream(false).stream })).toThrow(ConfigError);
    expect(() => createProgressBar({ stream: {} as never })).toThrow(/stream/);
  });

  it('formats durations as h/m/s', () => {
    expect(formatDuration(7)).toBe('7s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(Infinity)).toBe('?');
  });

  it('works as a trainer callback: one line per N steps of a real run', async () => {
    const { writes, stream } = fakeStream(false);
    const model = buildTinyAbModel();
    const trainer = createSupervisedTrainer({
      model,
      objective: createRegressionObjective(),
      callbacks: [createProgressBar({ stream, everySteps: 2, losses: ['loss'] })],
    });
    await trainer.fit({ source: createTinySource(makeTinyData(16), { batchSize: 4 }), epochs: 1 });
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/^epoch 1\/1  \[#{24}\] 4\/4  [\d.]+ steps\/s  ETA 0s  loss [\d.]+\n$/);
    trainer.dispose();
    model.dispose();
  });
});
