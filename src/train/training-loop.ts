/**
 * The loop both trainers share: epochs of batches from a {@link BatchSource}, learning rates from the
 * schedules before every update, callbacks, validation, checkpoints, resume, and a clean stop on an
 * AbortSignal. A trainer plugs in its update (`trainStep`) and its evaluation; everything about *where*
 * a run is (epoch, batch, step, rates, smoothed loss, best metric) lives here and goes into checkpoints,
 * so a resumed run continues with the same next batch and the same learning rate.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import { disposeBatch, type Batch, type BatchSource } from './batch.js';
import { dispatchCallbacks, type SampleProducer, type TrainingCallbacks } from './callbacks.js';
import { captureCheckpoint, restoreCheckpoint } from './checkpoint/checkpoint.js';
import type { CheckpointManifest, CheckpointRecord } from './checkpoint/checkpoint-format.js';
import type { CheckpointInfo, CheckpointStore } from './checkpoint/checkpoint-store.js';
import type { JsonValue, MetricSchedule, StepSchedule } from './schedules/schedule-state.js';
import { getLearningRate, setLearningRate } from './schedules/set-learning-rate.js';

/**
 * A learning-rate schedule: driven by the step (step / exponential decay) or by a metric (plateau).
 * @example
 * const schedule: LearningRateSchedule = createReduceOnPlateau({ initialRate: 1e-3, factor: 0.5, patience: 3 });
 */
export type LearningRateSchedule = StepSchedule | MetricSchedule;

/**
 * When and where a trainer saves checkpoints.
 *
 * @example
 * const checkpoints: CheckpointPolicy = { store: createMemoryCheckpointStore(), everySteps: 500 };
 */
export interface CheckpointPolicy {
  /** Where checkpoints go (memory, IndexedDB, or Node files from `tfjs-colorization/node`). */
  store: CheckpointStore;
  /** Save every this many steps; integer ≥ 1. Default: only at the end (and on abort). */
  everySteps?: number;
  /** Save when `fit` ends normally. Default true. A run stopped by its AbortSignal always saves. */
  atEnd?: boolean;
}

/**
 * When to validate during `fit`.
 *
 * @example
 * const validation: ValidationSchedule = { source: valSource, everySteps: 200, maxBatches: 10 };
 */
export interface ValidationSchedule {
  /** A fixed, deterministic source (the same batches every time). */
  source: BatchSource;
  /** Validate every this many steps; integer ≥ 1. */
  everySteps?: number;
  /** Validate at the end of every this many epochs; integer ≥ 1. Default 1 when `everySteps` is absent. */
  everyEpochs?: number;
  /** Use at most this many batches of epoch 0 of the source; default all. */
  maxBatches?: number;
}

/**
 * Arguments of `fit`.
 *
 * @example
 * await trainer.fit({ source, epochs: 10, stepsPerEpoch: 500, validation: { source: val, everySteps: 250 }, signal });
 */
export interface FitOptions {
  /** Training batches. */
  source: BatchSource;
  /** Train until this many epochs are complete (a resumed run counts the epochs already done). */
  epochs: number;
  /** Batches per epoch (the first ones of each epoch); default all the source yields. */
  stepsPerEpoch?: number;
  /** Validation cadence and source. */
  validation?: ValidationSchedule;
  /** Stop cleanly: the current step finishes, a checkpoint is saved (when a store is set), `fit` resolves. */
  signal?: AbortSignal;
  /** Callbacks for this call, after the trainer's own. */
  callbacks?: TrainingCallbacks[];
}

/** What `fit` returns. */
export interface FitResult {
  /** Epoch in progress when the run stopped (= epochs completed). */
  epoch: number;
  /** Completed updates. */
  step: number;
  /** Why the run stopped. */
  stopReason: 'completed' | 'aborted' | 'collapse';
  /** Losses of the last step. */
  lastLosses: { [name: string]: number };
  /** Metrics of the last validation, if any. */
  lastMetrics?: { [name: string]: number };
  /** The last checkpoint saved by this call, if any. */
  lastCheckpoint?: CheckpointInfo;
}

/**
 * Settings shared by the trainers' configs.
 * @example
 * createSupervisedTrainer({
 *   model, objective, optimizer: 'zhang2016',
 *   checkpoints: { store, everySteps: 1000 }, callbacks: [progress],
 *   monitor: 'psnr', monitorMode: 'max',
 * });
 */
export interface TrainerLoopConfig {
  /** Checkpoint cadence and store. */
  checkpoints?: CheckpointPolicy;
  /** Callbacks for every `fit` call. */
  callbacks?: TrainingCallbacks[];
  /**
   * Metric a {@link MetricSchedule} follows and checkpoints record: a validation metric name
   * (`'val_loss'`, `'psnr'`, …) or `'smoothed_loss'` (exponential moving average of the training loss).
   * Default `'val_loss'`.
   */
  monitor?: string;
  /** Direction of `monitor`: `'min'` (default) or `'max'`. */
  monitorMode?: 'min' | 'max';
  /** With `monitor: 'smoothed_loss'`: update the metric schedule every this many steps. Default 100. */
  monitorEverySteps?: number;
  /** Factor of the training-loss moving average, in [0, 1). Default 0.98. */
  lossSmoothing?: number;
  /** Seeds or random-generator states to store in checkpoints (read at save time). */
  random?: { [name: string]: { state(): number } | number };
  /** Free JSON saved in every checkpoint's metadata (dataset, config, notes). */
  metadata?: { [key: string]: JsonValue };
}

/**
 * Options of a trainer's `resume`.
 *
 * @example
 * // The loss has plateaued: continue from the checkpoint with the schedule the trainer was built with now.
 * await trainer.resume(store, { schedules: 'keep' });
 */
export interface ResumeOptions {
  /**
   * `'restore'` (default): the learning-rate schedules come back from the checkpoint, so the run continues
   * exactly (same rate at the same step). `'keep'`: the schedules this trainer was built with stay as they
   * are and everything else (weights, optimizer moments, step, data position) is restored: a deliberate
   * rate change on a plateau (Nazeri et al. 2018 changed the rate when the loss plateaued). The run is
   * then no longer an exact continuation, and a stateful schedule (reduce-on-plateau) starts afresh.
   */
  schedules?: 'restore' | 'keep';
}

/** Result of a resume: where the run continues and what the checkpoint held. */
export interface ResumeResult {
  epoch: number;
  /** Index of the next batch in `epoch`. */
  startBatch: number;
  step: number;
  /** The restored manifest (`random` states, `metadata`, `bestMetric`). */
  manifest: CheckpointManifest;
}

/**
 * What a trainer plugs into the loop. Internal to the trainers.
 * @example
 * const loop = new TrainingLoop(core, { checkpoints: { store, everySteps: 500 } }); // core: a LoopCore for your own model
 * const result = await loop.fit({ source, epochs: 10 });
 */
export interface LoopCore extends SampleProducer {
  kind: string;
  models: { [name: string]: tfl.LayersModel };
  optimizers: { [name: string]: tf.Optimizer };
  schedules: { [optimizer: string]: LearningRateSchedule | undefined };
  /** Name of the loss the moving average follows. */
  primaryLoss: string;
  /** One update on one batch; returns its losses. */
  trainStep(batch: Batch): Promise<{ [name: string]: number }>;
  /** Metrics over a validation source. */
  evaluate(source: BatchSource, maxBatches?: number): Promise<{ [name: string]: number }>;
  /** Multiplier on every scheduled rate (the collapse guard's reductions); default 1. */
  learningRateScale?(): number;
  /** Extra JSON for checkpoints (guard state) and its restore. */
  extraState?(): { [key: string]: JsonValue };
  restoreExtraState?(state: { [key: string]: JsonValue } | undefined): void;
  /** Called after every step with its losses; may restore a snapshot (returns the event to report or 'stop'). */
  afterStep?(loop: TrainingLoop, losses: { [name: string]: number }): Promise<void | 'stop'>;
  /** Called after every validation. */
  afterValidation?(loop: TrainingLoop, metrics: { [name: string]: number }): Promise<void | 'stop'>;
}

function isStepSchedule(s: LearningRateSchedule): s is StepSchedule {
  return typeof (s as StepSchedule).rateAt === 'function';
}

function checkOptionalInteger(key: string, value: unknown, low: number): void {
  if (value !== undefined) checkConfigRange(key, value, low, Infinity, { integer: true });
}

/**
 * Validate the shared trainer settings.
 *
 * @throws ConfigError naming the key.
 * @example
 * checkTrainerLoopConfig({ monitor: 'psnr', monitorMode: 'max' });
 */
export function checkTrainerLoopConfig(config: TrainerLoopConfig): void {
  if (config.checkpoints !== undefined) {
    if (typeof config.checkpoints?.store?.save !== 'function')
      throw new ConfigError('checkpoints.store', 'a CheckpointStore', describeValue(config.checkpoints?.store));
    checkOptionalInteger('checkpoints.everySteps', config.checkpoints.everySteps, 1);
  }
  if (config.monitorMode !== undefined) checkConfigChoice('monitorMode', config.monitorMode, ['min', 'max']);
  checkOptionalInteger('monitorEverySteps', config.monitorEverySteps, 1);
  if (config.lossSmoothing !== undefined)
    checkConfigRange('lossSmoothing', config.lossSmoothing, 0, 1, { openHigh: true });
  if (config.monitor !== undefined && typeof config.monitor !== 'string')
    throw new ConfigError('monitor', 'a metric name', describeValue(config.monitor));
}

/**
 * The shared loop. Trainers create one and forward `fit`, `resume` and `capture` to it; it is exported
 * for people who write their own trainer around a custom `LoopCore`.
 *
 * @example
 * const loop = new TrainingLoop(core, { checkpoints: { store } });
 * await loop.resume(store);
 * await loop.fit({ source, epochs: 5 });
 */
export class TrainingLoop {
  /** Epoch in progress (= completed epochs). */
  epoch = 0;
  /** Batches of `epoch` already trained on. */
  nextBatch = 0;
  /** Completed updates. */
  step = 0;
  /** Best value of the monitored metric. */
  bestMetric: number | undefined;
  /** Last value of the monitored metric. */
  lastMonitored: number | undefined;
  private smoothed = 0;
  private smoothedCount = 0;
  private readonly baseRates: { [name: string]: number } = {};
  private resumed = false;

  constructor(
    readonly core: LoopCore,
    readonly config: TrainerLoopConfig,
  ) {
    checkTrainerLoopConfig(config);
    for (const [name, optimizer] of Object.entries(core.optimizers)) this.baseRates[name] = getLearningRate(optimizer);
  }

  private get monitor(): string {
    return this.config.monitor ?? 'val_loss';
  }

  private get monitorMode(): 'min' | 'max' {
    return this.config.monitorMode ?? 'min';
  }

  /** The bias-corrected moving average of the primary training loss (NaN before the first step). */
  get smoothedLoss(): number {
    const beta = this.config.lossSmoothing ?? 0.98;
    return this.smoothedCount === 0 ? NaN : this.smoothed / (1 - beta ** this.smoothedCount);
  }

  /** Rate of each optimizer for the update at the current step. */
  learningRates(): { [name: string]: number } {
    const scale = this.core.learningRateScale?.() ?? 1;
    const rates: { [name: string]: number } = {};
    for (const name of Object.keys(this.core.optimizers)) {
      const schedule = this.core.schedules[name];
      const base =
        schedule === undefined
          ? this.baseRates[name]
          : isStepSchedule(schedule)
            ? schedule.rateAt(this.step)
            : schedule.rate;
      rates[name] = base * scale;
    }
    return rates;
  }

  private applyLearningRates(): { [name: string]: number } {
    const rates = this.learningRates();
    for (const [name, rate] of Object.entries(rates)) setLearningRate(this.core.optimizers[name], rate);
    return rates;
  }

  private updateMetricSchedules(value: number): void {
    const seen = new Set<LearningRateSchedule>();
    for (const schedule of Object.values(this.core.schedules)) {
      if (schedule === undefined || isStepSchedule(schedule) || seen.has(schedule)) continue;
      seen.add(schedule);
      schedule.update(value);
    }
  }

  private noteMonitored(value: number): void {
    this.lastMonitored = value;
    if (Number.isNaN(value)) return;
    if (
      this.bestMetric === undefined ||
      (this.monitorMode === 'min' ? value < this.bestMetric : value > this.bestMetric)
    )
      this.bestMetric = value;
  }

  /** Capture the run into a checkpoint record (models, optimizers, schedules, position, guard state). */
  async capture(): Promise<CheckpointRecord> {
    const schedules: { [name: string]: LearningRateSchedule } = {};
    for (const [name, schedule] of Object.entries(this.core.schedules))
      if (schedule !== undefined) schedules[name] = schedule;
    const random: { [name: string]: number } = {};
    for (const [name, value] of Object.entries(this.config.random ?? {}))
      random[name] = typeof value === 'number' ? value : value.state();
    const metadata: { [key: string]: JsonValue } = {
      ...(this.config.metadata ?? {}),
      trainer: {
        kind: this.core.kind,
        nextBatch: this.nextBatch,
        smoothed: this.smoothed,
        smoothedCount: this.smoothedCount,
        lastMonitored: this.lastMonitored ?? null,
        extra: this.core.extraState?.() ?? null,
      },
    };
    return captureCheckpoint({
      models: this.core.models,
      optimizers: this.core.optimizers,
      epoch: this.epoch,
      step: this.step,
      schedules,
      random,
      ...(this.lastMonitored !== undefined &&
        !Number.isNaN(this.lastMonitored) && {
          metric: { name: this.monitor, value: this.lastMonitored, mode: this.monitorMode },
        }),
      ...(this.bestMetric !== undefined && { bestMetric: this.bestMetric }),
      metadata,
    });
  }

  /**
   * Put weights, optimizer state and schedules back from a record. With `position` true (resume) the
   * epoch, batch, step, smoothed loss and trainer extras are restored too; with false (collapse restore)
   * only the networks' state is, and the run keeps moving forward through the data. With `keepSchedules`
   * the schedules are left as they are.
   */
  async restore(record: CheckpointRecord, position: boolean, keepSchedules = false): Promise<ResumeResult> {
    const schedules: { [name: string]: LearningRateSchedule } = {};
    if (!keepSchedules)
      for (const [name, schedule] of Object.entries(this.core.schedules))
        if (schedule !== undefined) schedules[name] = schedule;
    const manifest = await restoreCheckpoint(record, {
      models: this.core.models,
      optimizers: this.core.optimizers,
      schedules,
    });
    const saved = manifest.metadata.trainer as { [key: string]: JsonValue } | undefined;
    if (position) {
      if (saved === undefined || typeof saved.nextBatch !== 'number') {
        throw new InputError(
          'record',
          'a checkpoint saved by a trainer (metadata.trainer.nextBatch)',
          describeValue(saved),
        );
      }
      if (saved.kind !== this.core.kind)
        throw new InputError(
          'record',
          `a checkpoint of a ${this.core.kind} trainer`,
          `one of a ${String(saved.kind)} trainer`,
        );
      this.epoch = manifest.epoch;
      this.step = manifest.step;
      this.nextBatch = saved.nextBatch;
      this.smoothed = saved.smoothed as number;
      this.smoothedCount = saved.smoothedCount as number;
      this.lastMonitored = saved.lastMonitored === null ? undefined : (saved.lastMonitored as number);
      this.bestMetric = manifest.bestMetric;
      this.core.restoreExtraState?.((saved.extra ?? undefined) as { [key: string]: JsonValue } | undefined);
      this.resumed = true;
    }
    return { epoch: this.epoch, startBatch: this.nextBatch, step: this.step, manifest };
  }

  /**
   * Continue from a store's latest checkpoint (or a given record).
   *
   * @param options  `schedules: 'keep'` leaves the learning-rate schedules as built (see {@link ResumeOptions}).
   * @returns where the run continues, or undefined when the store is empty.
   */
  async resume(
    from: CheckpointStore | CheckpointRecord,
    options: ResumeOptions = {},
  ): Promise<ResumeResult | undefined> {
    const keep = options.schedules ?? 'restore';
    if (keep !== 'restore' && keep !== 'keep')
      throw new InputError('options.schedules', "'restore' or 'keep'", describeValue(keep));
    const record = 'manifest' in from ? from : await from.loadLatest();
    if (record === undefined) return undefined;
    return this.restore(record, true, keep === 'keep');
  }

  private async save(
    reason: 'interval' | 'end' | 'abort',
    callbacks: readonly TrainingCallbacks[],
  ): Promise<CheckpointInfo | undefined> {
    const policy = this.config.checkpoints;
    if (policy === undefined) return undefined;
    const info = await policy.store.save(await this.capture());
    await dispatchCallbacks(callbacks, 'onCheckpoint', { epoch: this.epoch, step: this.step, info, reason });
    return info;
  }

  private async validate(
    validation: ValidationSchedule,
    callbacks: readonly TrainingCallbacks[],
  ): Promise<{ [name: string]: number }> {
    const metrics = await this.core.evaluate(validation.source, validation.maxBatches);
    if (this.monitor !== 'smoothed_loss' && typeof metrics[this.monitor] === 'number') {
      this.noteMonitored(metrics[this.monitor]);
      this.updateMetricSchedules(metrics[this.monitor]);
    }
    await dispatchCallbacks(callbacks, 'onValidation', { epoch: this.epoch, step: this.step, metrics });
    return metrics;
  }

  /** Run epochs until `options.epochs` are complete, the signal fires, or the collapse guard gives up. */
  async fit(options: FitOptions): Promise<FitResult> {
    const { source, epochs, stepsPerEpoch, validation, signal } = options;
    if (typeof source?.batches !== 'function')
      throw new InputError('options.source', 'a BatchSource', describeValue(source));
    checkConfigRange('epochs', epochs, 0, Infinity, { integer: true });
    checkOptionalInteger('stepsPerEpoch', stepsPerEpoch, 1);
    if (validation !== undefined) {
      if (typeof validation.source?.batches !== 'function')
        throw new InputError('options.validation.source', 'a BatchSource', describeValue(validation.source));
      checkOptionalInteger('validation.everySteps', validation.everySteps, 1);
      checkOptionalInteger('validation.everyEpochs', validation.everyEpochs, 1);
      checkOptionalInteger('validation.maxBatches', validation.maxBatches, 1);
    }
    const callbacks = [...(this.config.callbacks ?? []), ...(options.callbacks ?? [])];
    const policy = this.config.checkpoints;
    const validateEveryEpochs =
      validation === undefined
        ? undefined
        : (validation.everyEpochs ?? (validation.everySteps === undefined ? 1 : undefined));
    const perEpoch = stepsPerEpoch ?? source.batchesPerEpoch;
    const totalSteps =
      perEpoch === undefined ? undefined : Math.max(0, epochs * perEpoch - (this.epoch * perEpoch + this.nextBatch));
    const beta = this.config.lossSmoothing ?? 0.98;
    const monitorEvery = this.config.monitorEverySteps ?? 100;

    const result: FitResult = { epoch: this.epoch, step: this.step, stopReason: 'completed', lastLosses: {} };
    await dispatchCallbacks(callbacks, 'onTrainBegin', {
      epoch: this.epoch,
      step: this.step,
      epochs,
      ...(totalSteps !== undefined && { totalSteps }),
      resumed: this.resumed,
    });
    const started = now();
    let stepsThisRun = 0;
    let stop: FitResult['stopReason'] | undefined = signal?.aborted ? 'aborted' : undefined;

    while (stop === undefined && this.epoch < epochs) {
      const limit = stepsPerEpoch ?? Infinity;
      await dispatchCallbacks(callbacks, 'onEpochBegin', {
        epoch: this.epoch,
        step: this.step,
        startBatch: this.nextBatch,
      });
      const sums = new Map<string, number>();
      let counted = 0;
      // Opened lazily: a resumed epoch whose batches are all done asks the source for nothing.
      let iterator: AsyncIterator<Batch> | undefined;
      try {
        while (this.nextBatch < limit) {
          iterator ??= source.batches(this.epoch, { startBatch: this.nextBatch })[Symbol.asyncIterator]();
          const next = await iterator.next();
          if (next.done === true) break;
          const batch = next.value;
          try {
            const learningRates = this.applyLearningRates();
            const losses = await this.core.trainStep(batch);
            this.step += 1;
            // The batch's own index, not a count: a pipeline that drops an all-gray batch skips an index.
            this.nextBatch = batch.index + 1;
            stepsThisRun += 1;
            const primary = losses[this.core.primaryLoss];
            if (typeof primary === 'number' && Number.isFinite(primary)) {
              this.smoothed = beta * this.smoothed + (1 - beta) * primary;
              this.smoothedCount += 1;
            }
            for (const [name, value] of Object.entries(losses)) sums.set(name, (sums.get(name) ?? 0) + value);
            counted += 1;
            result.lastLosses = losses;
            const elapsed = (now() - started) / 1000;
            await dispatchCallbacks(callbacks, 'onBatchEnd', {
              epoch: this.epoch,
              step: this.step,
              batch: batch.index,
              size: batch.size,
              losses,
              learningRates,
              stepsPerSecond: elapsed > 0 ? stepsThisRun / elapsed : 0,
              trainer: this.core,
              data: batch,
            });
          } finally {
            disposeBatch(batch);
          }
          if ((await this.core.afterStep?.(this, result.lastLosses)) === 'stop') {
            stop = 'collapse';
            break;
          }
          if (this.monitor === 'smoothed_loss' && this.step % monitorEvery === 0) {
            this.noteMonitored(this.smoothedLoss);
            this.updateMetricSchedules(this.smoothedLoss);
          }
          if (validation?.everySteps !== undefined && this.step % validation.everySteps === 0) {
            result.lastMetrics = await this.validate(validation, callbacks);
            if ((await this.core.afterValidation?.(this, result.lastMetrics)) === 'stop') {
              stop = 'collapse';
              break;
            }
          }
          if (policy?.everySteps !== undefined && this.step % policy.everySteps === 0) {
            result.lastCheckpoint = (await this.save('interval', callbacks)) ?? result.lastCheckpoint;
          }
          if (signal?.aborted) {
            stop = 'aborted';
            break;
          }
        }
      } finally {
        await iterator?.return?.();
      }
      if (stop !== undefined) break;
      const losses: { [name: string]: number } = {};
      for (const [name, sum] of sums) losses[name] = sum / Math.max(1, counted);
      const finished = this.epoch;
      this.epoch += 1;
      this.nextBatch = 0;
      if (validateEveryEpochs !== undefined && this.epoch % validateEveryEpochs === 0 && validation !== undefined) {
        result.lastMetrics = await this.validate(validation, callbacks);
        if ((await this.core.afterValidation?.(this, result.lastMetrics)) === 'stop') stop = 'collapse';
      }
      await dispatchCallbacks(callbacks, 'onEpochEnd', { epoch: finished, step: this.step, losses });
      if (signal?.aborted && stop === undefined) stop = 'aborted';
    }

    result.stopReason = stop ?? 'completed';
    if (policy !== undefined && (result.stopReason !== 'completed' || (policy.atEnd ?? true))) {
      result.lastCheckpoint =
        (await this.save(result.stopReason === 'aborted' ? 'abort' : 'end', callbacks)) ?? result.lastCheckpoint;
    }
    result.epoch = this.epoch;
    result.step = this.step;
    await dispatchCallbacks(callbacks, 'onTrainEnd', {
      epoch: this.epoch,
      step: this.step,
      aborted: result.stopReason === 'aborted',
    });
    return result;
  }
}

function now(): number {
  return globalThis.performance?.now?.() ?? Date.now();
}
