/**
 * The conditional-GAN trainer of Nazeri, Ng, Ebrahimi 2018 ("Image Colorization Using Generative
 * Adversarial Networks", AMDO): per batch, `discriminatorSteps` discriminator updates on (gray, true ab)
 * vs (gray, generated ab) with one-sided label smoothing, then `generatorSteps` generator updates on
 * the adversarial loss + λ·L1 (or L2). Separate optimizers, learning rates and schedules; an optional
 * {@link CollapseGuard} restores the last healthy snapshot when training collapses.
 *
 * The generated ab the discriminator sees is computed once per batch (training mode) and held fixed
 * across its updates; the generator update runs the generator again. Its BatchNorm moving averages
 * therefore see each batch twice; batch statistics, which training uses, are unaffected.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  computeGanDiscriminatorLoss,
  computeGanGeneratorLoss,
  NAZERI_REAL_LABEL,
  NAZERI_RECONSTRUCTION_WEIGHT,
  type ReconstructionKind,
} from '../losses/nazeri-gan-loss.js';
import { InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import type { Batch, BatchSource } from './batch.js';
import { dispatchCallbacks } from './callbacks.js';
import type { CheckpointRecord } from './checkpoint/checkpoint-format.js';
import type { CheckpointStore } from './checkpoint/checkpoint-store.js';
import {
  computeDiscriminatorLossFloor,
  createCollapseGuard,
  type CollapseGuard,
  type CollapseGuardConfig,
} from './collapse-guard.js';
import { requireAbTarget } from './objectives-regression.js';
import { createOptimizer, type OptimizerConfig, type OptimizerPresetName } from './optimizer-presets.js';
import { readScalars, trainableVariables } from './training-step.js';
import {
  TrainingLoop,
  type FitOptions,
  type FitResult,
  type LearningRateSchedule,
  type LoopCore,
  type ResumeOptions,
  type ResumeResult,
  type TrainerLoopConfig,
} from './training-loop.js';
import { runValidationPass } from './validation-pass.js';

/**
 * Settings of {@link createGanTrainer}; defaults are Nazeri et al. 2018's.
 *
 * @example
 * const { generator, discriminator } = buildNazeriGan({ preset: 'cifar10', seed: 1 });
 * const config: GanTrainerConfig = { generator, discriminator, collapseGuard: { patience: 20 } };
 */
export interface GanTrainerConfig extends TrainerLoopConfig {
  /** `[N, S, S, 1]` normalized L → `[N, S, S, 2]` ab ÷ 110 (tanh). The caller keeps ownership. */
  generator: tfl.LayersModel;
  /** `[L, ab]` → patch logits. The caller keeps ownership. */
  discriminator: tfl.LayersModel;
  /** Generator optimizer: config, preset name or tfjs optimizer. Default `'nazeri2018'` (Adam 2e-4, β1 0.5). */
  generatorOptimizer?: OptimizerConfig | OptimizerPresetName | tf.Optimizer;
  /** Discriminator optimizer. Default `'nazeri2018'`. */
  discriminatorOptimizer?: OptimizerConfig | OptimizerPresetName | tf.Optimizer;
  /** Schedules per network. */
  schedules?: { generator?: LearningRateSchedule; discriminator?: LearningRateSchedule };
  /** Discriminator updates per batch; integer ≥ 1. Default 1. */
  discriminatorSteps?: number;
  /** Generator updates per batch; integer ≥ 1. Default 1. */
  generatorSteps?: number;
  /** Target of real pairs (one-sided label smoothing), in (0, 1]. Default 0.9. */
  realLabel?: number;
  /** λ of the reconstruction term, ≥ 0. Default 100. */
  lambda?: number;
  /** `'l1'` (default, the paper) or `'l2'`. */
  reconstruction?: ReconstructionKind;
  /** Collapse detection and recovery; off when absent. */
  collapseGuard?: CollapseGuardConfig;
}

/** A GAN trainer. `dispose()` frees the optimizers it built (not the networks). */
export interface GanTrainer {
  readonly generator: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  readonly generatorOptimizer: tf.Optimizer;
  readonly discriminatorOptimizer: tf.Optimizer;
  readonly loop: TrainingLoop;
  /** The guard, when configured. */
  readonly collapseGuard: CollapseGuard | undefined;
  fit(options: FitOptions): Promise<FitResult>;
  /** Validation: generator losses (`val_g_reconstruction`, …), `auc`, `psnr`. */
  evaluate(source: BatchSource, maxBatches?: number): Promise<{ [name: string]: number }>;
  resume(from: CheckpointStore | CheckpointRecord, options?: ResumeOptions): Promise<ResumeResult | undefined>;
  capture(): Promise<CheckpointRecord>;
  /** Generator output for a batch in inference mode, `[N, H, W, 2]` ab ÷ 110; caller owns it. */
  predictAb(batch: Batch): tf.Tensor4D;
  dispose(): void;
}

function buildOptimizer(
  key: string,
  given: GanTrainerConfig['generatorOptimizer'],
): { optimizer: tf.Optimizer; owned: boolean } {
  // tf.Optimizer's instanceof check reads a property of its operand, so rule out non-objects first.
  if (given !== null && typeof given === 'object' && given instanceof tf.Optimizer)
    return { optimizer: given, owned: false };
  if (given !== undefined && typeof given !== 'string' && (typeof given !== 'object' || given === null))
    throw new InputError(key, 'an optimizer config, preset name or tf.Optimizer', describeValue(given));
  return { optimizer: createOptimizer(given ?? 'nazeri2018'), owned: true };
}

/**
 * Create a GAN trainer.
 *
 * @throws ConfigError naming the key for a bad ratio, label, λ, reconstruction kind or guard setting.
 * @example
 * const trainer = createGanTrainer({ generator, discriminator, checkpoints: { store, everySteps: 1000 } });
 * await trainer.fit({ source, epochs: 200, validation: { source: val, everyEpochs: 1 } });
 */
export function createGanTrainer(config: GanTrainerConfig): GanTrainer {
  const { generator, discriminator } = config;
  for (const [key, model] of [
    ['config.generator', generator],
    ['config.discriminator', discriminator],
  ] as const) {
    if (typeof model?.apply !== 'function' || !Array.isArray(model?.trainableWeights))
      throw new InputError(key, 'a tf.LayersModel', describeValue(model));
  }
  const discriminatorSteps = config.discriminatorSteps ?? 1;
  const generatorSteps = config.generatorSteps ?? 1;
  checkConfigRange('discriminatorSteps', discriminatorSteps, 1, Infinity, { integer: true });
  checkConfigRange('generatorSteps', generatorSteps, 1, Infinity, { integer: true });
  const realLabel = config.realLabel ?? NAZERI_REAL_LABEL;
  checkConfigRange('realLabel', realLabel, 0, 1, { openLow: true });
  const lambda = config.lambda ?? NAZERI_RECONSTRUCTION_WEIGHT;
  checkConfigRange('lambda', lambda, 0, Infinity);
  const reconstruction = config.reconstruction ?? 'l1';
  checkConfigChoice('reconstruction', reconstruction, ['l1', 'l2']);
  const guard = config.collapseGuard === undefined ? undefined : createCollapseGuard(config.collapseGuard);
  const floor = computeDiscriminatorLossFloor(realLabel);

  const g = buildOptimizer('config.generatorOptimizer', config.generatorOptimizer);
  const d = buildOptimizer('config.discriminatorOptimizer', config.discriminatorOptimizer);
  // `snapshot` is the state the guard restores. With a metric rule, a new snapshot is first a
  // `candidate` and becomes the snapshot only when the next validation passes, so a restore never
  // lands on weights whose metric had already collapsed.
  let snapshot: CheckpointRecord | undefined;
  let snapshotStep = 0;
  let candidate: { record: CheckpointRecord; step: number } | undefined;

  const generatorLoss = (batch: Batch, training: boolean) => {
    const targetAb = requireAbTarget(batch.targets);
    const generated = generator.apply(batch.input, { training }) as tf.Tensor4D;
    const fakeLogits = discriminator.apply([batch.input, generated], { training }) as tf.Tensor;
    return {
      generated,
      ...computeGanGeneratorLoss({ fakeLogits, predictedAb: generated, targetAb }, { lambda, reconstruction }),
    };
  };

  const core: LoopCore = {
    kind: 'gan',
    models: { generator, discriminator },
    optimizers: { generator: g.optimizer, discriminator: d.optimizer },
    schedules: { generator: config.schedules?.generator, discriminator: config.schedules?.discriminator },
    primaryLoss: 'g_loss',
    async trainStep(batch) {
      const targetAb = requireAbTarget(batch.targets);
      const dVariables = trainableVariables(discriminator);
      const gVariables = trainableVariables(generator);
      const losses: { [name: string]: number } = {};
      // The generated ab is computed once per batch and held fixed for the discriminator updates
      // (no gradient flows into the generator from them).
      const fake = tf.tidy(() => generator.apply(batch.input, { training: true }) as tf.Tensor4D);
      try {
        for (let k = 0; k < discriminatorSteps; k += 1) {
          const parts: { [name: string]: tf.Scalar } = {};
          const total = d.optimizer.minimize(
            () => {
              const realLogits = discriminator.apply([batch.input, targetAb], { training: true }) as tf.Tensor;
              const fakeLogits = discriminator.apply([batch.input, fake], { training: true }) as tf.Tensor;
              const loss = computeGanDiscriminatorLoss(realLogits, fakeLogits, { realLabel });
              parts.d_real = tf.keep(loss.real as tf.Scalar);
              parts.d_fake = tf.keep(loss.fake as tf.Scalar);
              return loss.total as tf.Scalar;
            },
            true,
            dVariables,
          ) as tf.Scalar;
          Object.assign(losses, await readScalars({ d_loss: total, ...parts }));
        }
      } finally {
        fake.dispose();
      }
      for (let k = 0; k < generatorSteps; k += 1) {
        const parts: { [name: string]: tf.Scalar } = {};
        const total = g.optimizer.minimize(
          () => {
            const loss = generatorLoss(batch, true);
            parts.g_adversarial = tf.keep(loss.adversarial as tf.Scalar);
            parts.g_reconstruction = tf.keep(loss.reconstruction as tf.Scalar);
            const level = guard?.config.saturationLevel ?? 0.99;
            parts.g_saturation = tf.keep(
              tf.mean(tf.cast(tf.greater(tf.abs(loss.generated), level), 'float32')) as tf.Scalar,
            );
            return loss.total as tf.Scalar;
          },
          true,
          gVariables,
        ) as tf.Scalar;
        Object.assign(losses, await readScalars({ g_loss: total, ...parts }));
      }
      return losses;
    },
    evaluate(source, maxBatches) {
      return runValidationPass(source, maxBatches, async (batch, acc) => {
        const { scalars, generated } = tf.tidy(() => {
          const loss = generatorLoss(batch, false);
          return {
            scalars: {
              g_loss: loss.total as tf.Scalar,
              g_adversarial: loss.adversarial as tf.Scalar,
              g_reconstruction: loss.reconstruction as tf.Scalar,
            },
            generated: loss.generated,
          };
        });
        acc.addLosses(await readScalars(scalars), batch.size);
        try {
          acc.addColor(batch.input, generated, requireAbTarget(batch.targets));
        } finally {
          generated.dispose();
        }
      });
    },
    predictAb(batch) {
      return tf.tidy(() => generator.apply(batch.input, { training: false }) as tf.Tensor4D);
    },
    learningRateScale: () => guard?.learningRateScale ?? 1,
    extraState: () => ({ guard: guard?.state() ?? null, snapshotStep }),
    restoreExtraState(state) {
      const saved = state?.guard;
      if (
        guard !== undefined &&
        saved !== null &&
        saved !== undefined &&
        typeof saved === 'object' &&
        !Array.isArray(saved)
      )
        guard.restore(saved);
    },
    async afterStep(loop, losses) {
      if (guard === undefined) return;
      const reasons = guard.observeStep({
        discriminatorLoss: losses.d_loss,
        discriminatorLossFloor: floor,
        saturatedFraction: losses.g_saturation,
      });
      if (reasons.length > 0) return recover(loop, reasons);
      if (guard.healthy && loop.step % guard.config.snapshotEverySteps === 0) {
        const record = await loop.capture();
        if (guard.config.metric === null) setSnapshot(record, loop.step);
        else candidate = { record, step: loop.step };
      }
    },
    async afterValidation(loop, metrics) {
      if (guard === undefined) return;
      const reasons = guard.observeMetrics(metrics);
      if (reasons.length > 0) return recover(loop, reasons);
      if (candidate !== undefined) setSnapshot(candidate.record, candidate.step);
    },
  };

  function setSnapshot(record: CheckpointRecord, step: number): void {
    snapshot = record;
    snapshotStep = step;
    candidate = undefined;
  }

  async function recover(loop: TrainingLoop, reasons: string[]): Promise<void | 'stop'> {
    const active = guard as CollapseGuard;
    candidate = undefined;
    if (snapshot === undefined || active.restores >= active.config.maxRestores) return 'stop';
    await loop.restore(snapshot, false);
    const scale = active.recordRestore();
    await dispatchCallbacks([...(config.callbacks ?? []), ...currentCallbacks], 'onCollapse', {
      epoch: loop.epoch,
      step: loop.step,
      reasons,
      restoredStep: snapshotStep,
      learningRateScale: scale,
      count: active.restores,
    });
  }

  let currentCallbacks: NonNullable<FitOptions['callbacks']> = [];
  const loop = new TrainingLoop(core, config);

  return {
    generator,
    discriminator,
    generatorOptimizer: g.optimizer,
    discriminatorOptimizer: d.optimizer,
    loop,
    collapseGuard: guard,
    async fit(options) {
      currentCallbacks = options.callbacks ?? [];
      // The run's starting point is healthy by assumption: snapshot it so an early collapse has somewhere to go.
      if (guard !== undefined) setSnapshot(await loop.capture(), loop.step);
      try {
        return await loop.fit(options);
      } finally {
        currentCallbacks = [];
      }
    },
    evaluate: (source, maxBatches) => core.evaluate(source, maxBatches),
    resume: (from, options) => loop.resume(from, options),
    capture: () => loop.capture(),
    predictAb: (batch) => core.predictAb(batch),
    dispose() {
      if (g.owned) g.optimizer.dispose();
      if (d.owned) d.optimizer.dispose();
    },
  };
}
