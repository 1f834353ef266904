/**
 * The contract between data pipelines and trainers: a pipeline yields {@link Batch}es; a trainer consumes them.
 * Deterministic: the batches of an epoch depend only on the pipeline's seed and the epoch number, so a
 * resumed run can ask for `batches(epoch, { startBatch })` and get exactly the batches an uninterrupted run got.
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Training targets a pipeline can produce, each optional (the pipeline is configured with the kinds wanted).
 * @example
 * const batch: Batch = { input, targets: { ab: tf.zeros([1, 64, 64, 2]) as tf.Tensor4D }, size: 1, epoch: 0, index: 0 };
 */
export interface BatchTargets {
  /** `[N, h, w, 2]` ab divided by `AB_SCALE` (110), in about [−1, 1]. */
  ab?: tf.Tensor4D;
  /** `[N, h, w, Q]` soft encoding over the gamut's Q bins (rows sum to 1). */
  bins?: tf.Tensor4D;
  /** `[N]` int32 class labels. */
  labels?: tf.Tensor1D;
}

/** One batch. The consumer owns the tensors and must dispose them (see {@link disposeBatch}). */
export interface Batch {
  /** `[N, H, W, 1]` lightness normalized as `(L − 50) / 100`. */
  input: tf.Tensor4D;
  targets: BatchTargets;
  /** Number of examples N. */
  size: number;
  /** Epoch and index of this batch within the epoch (for resume and logging). */
  epoch: number;
  index: number;
}

/** Where an epoch starts: a resumed run skips the batches it already trained on. */
export interface BatchStart {
  startBatch?: number;
}

/**
 * A deterministic, re-iterable source of batches.
 * @example
 * const source: BatchSource = createBatchPipeline(photos, { batchSize: 16, inputSize: 64, targets: ['ab'] });
 * for await (const batch of source.batches(0)) disposeBatch(batch);
 */
export interface BatchSource {
  /** Batches per epoch, when known in advance. */
  readonly batchesPerEpoch?: number;
  /** The batches of `epoch` (0-based), in order, starting at `startBatch`. */
  batches(epoch: number, start?: BatchStart): AsyncIterable<Batch>;
}

/**
 * Dispose every tensor of a batch.
 * @example
 * for await (const batch of pipeline.batches(epoch)) {
 *   try { await step(batch); } finally { disposeBatch(batch); }
 * }
 */
export function disposeBatch(batch: Batch): void {
  batch.input.dispose();
  batch.targets.ab?.dispose();
  batch.targets.bins?.dispose();
  batch.targets.labels?.dispose();
}
