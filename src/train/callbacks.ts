/**
 * Training callbacks: what a trainer reports while it runs (losses, step, rate, validation, checkpoints,
 * collapse events), as plain numbers, so progress displays, loggers and sample writers need no tensors.
 * Progress comes as events, never as printed text (the Node progress bar is one consumer).
 *
 * Order within one step: `onBatchEnd` → `onValidation` (when due) → `onCheckpoint` (when due).
 * Per epoch: `onEpochBegin` → batches → `onEpochEnd`. Per run: `onTrainBegin` first, `onTrainEnd` last.
 * A callback may be async; the trainer awaits it before going on.
 */
import type { Batch } from './batch.js';
import type { CheckpointInfo } from './checkpoint/checkpoint-store.js';

/** Where a run is. */
export interface TrainingPosition {
  /** 0-based epoch in progress. */
  epoch: number;
  /** Completed updates (global step) after this event. */
  step: number;
}

/** Sent once before the first batch. */
export interface TrainBeginEvent extends TrainingPosition {
  /** Epoch at which the run stops (exclusive). */
  epochs: number;
  /** Batches the run will train on in total, when known (from `stepsPerEpoch` or the source). */
  totalSteps?: number;
  /** True when the run continues a checkpoint. */
  resumed: boolean;
}

/** Sent at the start of every epoch. */
export interface EpochBeginEvent extends TrainingPosition {
  /** Index of the first batch trained on in this epoch (> 0 after a resume). */
  startBatch: number;
}

/** Sent after every trained batch. */
export interface BatchEndEvent extends TrainingPosition {
  /** Index of the batch within its epoch. */
  batch: number;
  /** Examples in the batch. */
  size: number;
  /** Losses of this step by name (`loss` is the total; GAN: `d_loss`, `g_loss` and parts). */
  losses: { [name: string]: number };
  /** Learning rate of every optimizer by name, as used for this step. */
  learningRates: { [name: string]: number };
  /** Steps per second over the run so far (this run, not counting the steps before a resume). */
  stepsPerSecond: number;
  /** The trainer (for sample writers: `trainer.predictAb(batch)`). */
  trainer: SampleProducer;
  /** The batch just trained on. Its tensors are disposed after the callbacks return. */
  data: Batch;
}

/** Sent after every validation pass. */
export interface ValidationEvent extends TrainingPosition {
  /** Metric values by name (`val_loss`, `val_<part>`, `psnr`, `auc`, `accuracy`, …). */
  metrics: { [name: string]: number };
}

/** Sent after every checkpoint save. */
export interface CheckpointEvent extends TrainingPosition {
  info: CheckpointInfo;
  /** Why it was saved. */
  reason: 'interval' | 'end' | 'abort';
}

/** Sent at the end of every epoch that ran to its end (not after an abort). */
export interface EpochEndEvent extends TrainingPosition {
  /** Mean of each loss over the epoch's batches trained in this run. */
  losses: { [name: string]: number };
}

/** Sent when the GAN collapse guard restored a checkpoint. */
export interface CollapseEvent extends TrainingPosition {
  /** The rules that fired (`'discriminator-loss'`, `'saturation'`, `'metric'`). */
  reasons: string[];
  /** Step of the snapshot that was restored. */
  restoredStep: number;
  /** Learning-rate multiplier now applied on top of the schedules (product of all reductions). */
  learningRateScale: number;
  /** How many collapses this run has had, including this one. */
  count: number;
}

/** Sent once at the end (normal end or abort). */
export interface TrainEndEvent extends TrainingPosition {
  /** True when the run stopped because its AbortSignal fired. */
  aborted: boolean;
}

/**
 * Anything that can colorize a batch for a sample sheet.
 * @example
 * const producer: SampleProducer = { predictAb: (batch) => tf.tidy(() => model.predict(batch.input) as tf.Tensor4D) };
 */
export interface SampleProducer {
  /**
   * Predicted ab of a batch, `[N, H, W, 2]` divided by `AB_SCALE` at the batch's input size, in
   * inference mode. The caller owns the result.
   */
  predictAb(batch: Batch): import('@tensorflow/tfjs-core').Tensor4D;
}

/**
 * Hooks a trainer calls; every one optional, sync or async.
 *
 * @example
 * const log: TrainingCallbacks = { onBatchEnd: (e) => console.log(e.step, e.losses.loss) };
 */
export interface TrainingCallbacks {
  onTrainBegin?(event: TrainBeginEvent): void | Promise<void>;
  onEpochBegin?(event: EpochBeginEvent): void | Promise<void>;
  onBatchEnd?(event: BatchEndEvent): void | Promise<void>;
  onValidation?(event: ValidationEvent): void | Promise<void>;
  onCheckpoint?(event: CheckpointEvent): void | Promise<void>;
  onEpochEnd?(event: EpochEndEvent): void | Promise<void>;
  onCollapse?(event: CollapseEvent): void | Promise<void>;
  onTrainEnd?(event: TrainEndEvent): void | Promise<void>;
}

/** Event type of each hook. */
export interface TrainingEventMap {
  onTrainBegin: TrainBeginEvent;
  onEpochBegin: EpochBeginEvent;
  onBatchEnd: BatchEndEvent;
  onValidation: ValidationEvent;
  onCheckpoint: CheckpointEvent;
  onEpochEnd: EpochEndEvent;
  onCollapse: CollapseEvent;
  onTrainEnd: TrainEndEvent;
}

/**
 * Call one hook on every callback object, in list order, awaiting each.
 *
 * @example
 * await dispatchCallbacks([progress, samples], 'onBatchEnd', event);
 */
export async function dispatchCallbacks<K extends keyof TrainingEventMap>(
  callbacks: readonly TrainingCallbacks[],
  hook: K,
  event: TrainingEventMap[K],
): Promise<void> {
  for (const callback of callbacks) {
    const fn = callback[hook] as ((e: TrainingEventMap[K]) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.call(callback, event);
  }
}
