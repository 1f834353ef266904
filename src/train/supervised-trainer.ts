/**
 * The supervised trainer: one model, one objective, one optimizer. Covers the regression models (ab),
 * Zhang et al. 2016's classification over bins, Iizuka et al. 2016's joint colour + class loss and plain
 * classification (ResNet-18 pre-training), with schedules, validation, checkpoints and exact resume from
 * the shared {@link TrainingLoop}.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError, describeValue } from '../errors.js';
import type { Batch, BatchSource } from './batch.js';
import type { CheckpointRecord } from './checkpoint/checkpoint-format.js';
import type { CheckpointStore } from './checkpoint/checkpoint-store.js';
import type { ObjectiveLoss, TrainingObjective } from './objectives.js';
import {
  createOptimizer,
  resolveOptimizerConfig,
  type OptimizerConfig,
  type OptimizerPresetName,
} from './optimizer-presets.js';
import { setLearningRate } from './schedules/set-learning-rate.js';
import { computeWeightDecay, readScalars, trainableVariables } from './training-step.js';
import { runValidationPass } from './validation-pass.js';
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

/**
 * Settings of {@link createSupervisedTrainer}.
 *
 * @example
 * const config: SupervisedTrainerConfig = {
 *   model, objective: createRegressionObjective({ loss: 'l1' }),
 *   optimizer: { kind: 'adam', learningRate: 1e-3 },
 *   schedule: createStepDecay({ initialRate: 1e-3, factor: 0.5, stepSize: 10_000 }),
 *   checkpoints: { store, everySteps: 1000 },
 * };
 */
export interface SupervisedTrainerConfig extends TrainerLoopConfig {
  /** The network; trained in place. The caller keeps ownership. */
  model: tfl.LayersModel;
  /** What to minimize (see `createRegressionObjective`, `createBinsObjective`, `createJointObjective`, `createLabelsObjective`). */
  objective: TrainingObjective;
  /**
   * An optimizer config or preset name (`'zhang2016'`, `'iizuka2016'`, `'nazeri2018'`; the trainer
   * builds and owns the optimizer), or a tfjs optimizer (the caller owns it).
   * Default `{ kind: 'adam', learningRate: 1e-3 }` (no paper preset is assumed: pick one explicitly).
   */
  optimizer?: OptimizerConfig | OptimizerPresetName | tf.Optimizer;
  /** Coupled L2 weight decay on kernels (overrides the config's `weightDecay`); ≥ 0. */
  weightDecay?: number;
  /** Learning-rate schedule; its rate replaces the optimizer's. */
  schedule?: LearningRateSchedule;
}

/** A supervised trainer. `dispose()` frees the optimizer it built (not the model). */
export interface SupervisedTrainer {
  readonly model: tfl.LayersModel;
  readonly objective: TrainingObjective;
  readonly optimizer: tf.Optimizer;
  /** The loop state (epoch, next batch, step, best metric). */
  readonly loop: TrainingLoop;
  /** Train; see {@link FitOptions}. */
  fit(options: FitOptions): Promise<FitResult>;
  /**
   * One update on one batch outside `fit` (rate from the schedule at the current step). Advances the step
   * count but not the data position, runs no callbacks; the caller keeps and disposes the batch.
   */
  trainOnBatch(batch: Batch): Promise<{ [name: string]: number }>;
  /** Validation metrics over a source (inference mode; at most `maxBatches` batches of epoch 0). */
  evaluate(source: BatchSource, maxBatches?: number): Promise<{ [name: string]: number }>;
  /** Continue from a store's latest checkpoint or a record; undefined if the store is empty. */
  resume(from: CheckpointStore | CheckpointRecord, options?: ResumeOptions): Promise<ResumeResult | undefined>;
  /** The run as a checkpoint record (for a store of your choice). */
  capture(): Promise<CheckpointRecord>;
  /** Predicted ab ÷ 110 at the batch's input size, inference mode; caller owns it. */
  predictAb(batch: Batch): tf.Tensor4D;
  dispose(): void;
}

function resolveOptimizer(config: SupervisedTrainerConfig): {
  optimizer: tf.Optimizer;
  owned: boolean;
  weightDecay: number;
} {
  const given = config.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  if (typeof given === 'object' && given !== null && given instanceof tf.Optimizer) {
    return { optimizer: given, owned: false, weightDecay: config.weightDecay ?? 0 };
  }
  const resolved = resolveOptimizerConfig(given);
  return { optimizer: createOptimizer(resolved), owned: true, weightDecay: config.weightDecay ?? resolved.weightDecay };
}

/**
 * Create a supervised trainer.
 *
 * @param config  see {@link SupervisedTrainerConfig}.
 * @throws ConfigError for a bad optimizer, weight decay or loop setting; InputError for a missing model/objective.
 * @example
 * const trainer = createSupervisedTrainer({
 *   model: buildZhangModel({ inputSize: 64, widthMultiplier: 0.25 }),
 *   objective: createBinsObjective({ classWeights }),
 *   optimizer: 'zhang2016',
 *   checkpoints: { store: createMemoryCheckpointStore(), everySteps: 500 },
 * });
 * await trainer.resume(store);               // no-op on an empty store
 * await trainer.fit({ source, epochs: 20, validation: { source: val, everySteps: 1000 } });
 */
export function createSupervisedTrainer(config: SupervisedTrainerConfig): SupervisedTrainer {
  const { model, objective } = config;
  if (typeof model?.apply !== 'function' || !Array.isArray(model?.trainableWeights))
    throw new InputError('config.model', 'a tf.LayersModel', describeValue(model));
  if (typeof objective?.computeLoss !== 'function')
    throw new InputError('config.objective', 'a TrainingObjective', describeValue(objective));
  if (config.weightDecay !== undefined && !(typeof config.weightDecay === 'number' && config.weightDecay >= 0)) {
    throw new ConfigError('weightDecay', 'a number ≥ 0', describeValue(config.weightDecay));
  }
  const { optimizer, owned, weightDecay } = resolveOptimizer(config);

  const lossesFor = (outputs: tf.Tensor | tf.Tensor[], batch: Batch): ObjectiveLoss =>
    objective.computeLoss(outputs, batch.targets);

  const core: LoopCore = {
    kind: 'supervised',
    models: { model },
    optimizers: { model: optimizer },
    schedules: { model: config.schedule },
    primaryLoss: 'loss',
    async trainStep(batch) {
      const variables = trainableVariables(model);
      const parts: { [name: string]: tf.Scalar } = {};
      const total = optimizer.minimize(
        () => {
          const outputs = model.apply(objective.modelInputs(batch), { training: true }) as tf.Tensor | tf.Tensor[];
          const loss = lossesFor(outputs, batch);
          for (const [name, part] of Object.entries(loss.parts)) parts[name] = tf.keep(part);
          if (weightDecay === 0) return loss.total;
          const decay = computeWeightDecay(variables, weightDecay);
          parts.weight_decay = tf.keep(decay);
          return tf.add(loss.total, decay) as tf.Scalar;
        },
        true,
        variables,
      ) as tf.Scalar;
      return readScalars({ loss: total, ...parts });
    },
    evaluate(source, maxBatches) {
      return runValidationPass(source, maxBatches, async (batch, acc) => {
        const { scalars, ab, classes } = tf.tidy(() => {
          const outputs = model.apply(objective.modelInputs(batch), { training: false }) as tf.Tensor | tf.Tensor[];
          const loss = lossesFor(outputs, batch);
          const size: [number, number] = [batch.input.shape[1], batch.input.shape[2]];
          return {
            scalars: { loss: loss.total, ...loss.parts },
            ab:
              objective.predictAb !== undefined && batch.targets.ab !== undefined
                ? objective.predictAb(outputs, size)
                : undefined,
            classes:
              objective.predictClasses !== undefined && batch.targets.labels !== undefined
                ? objective.predictClasses(outputs)
                : undefined,
          };
        });
        acc.addLosses(await readScalars(scalars), batch.size);
        if (ab !== undefined) {
          try {
            acc.addColor(batch.input, ab, batch.targets.ab as tf.Tensor4D);
          } finally {
            ab.dispose();
          }
        }
        if (classes !== undefined) {
          try {
            acc.addClasses(classes, batch.targets.labels as tf.Tensor1D);
          } finally {
            classes.dispose();
          }
        }
      });
    },
    predictAb(batch) {
      const predict = objective.predictAb;
      if (predict === undefined)
        throw new InputError('objective', 'an objective that predicts ab (not labels)', objective.name);
      return tf.tidy(() => {
        const outputs = model.apply(objective.modelInputs(batch), { training: false }) as tf.Tensor | tf.Tensor[];
        return predict(outputs, [batch.input.shape[1], batch.input.shape[2]]);
      });
    },
  };
  const loop = new TrainingLoop(core, config);

  return {
    model,
    objective,
    optimizer,
    loop,
    fit: (options) => loop.fit(options),
    async trainOnBatch(batch) {
      setLearningRate(optimizer, loop.learningRates().model);
      const losses = await core.trainStep(batch);
      loop.step += 1;
      return losses;
    },
    evaluate: (source, maxBatches) => core.evaluate(source, maxBatches),
    resume: (from, options) => loop.resume(from, options),
    capture: () => loop.capture(),
    predictAb: (batch) => core.predictAb(batch),
    dispose() {
      if (owned) optimizer.dispose();
    },
  };
}
