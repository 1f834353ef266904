/**
 * One validation pass over a batch source, shared by the trainers: epoch 0 (so every pass sees the same
 * batches), at most `maxBatches` of them, each disposed after use, pooled by a {@link ValidationAccumulator}.
 * The trainers differ only in what one batch adds to the pool.
 */
import { disposeBatch, type Batch, type BatchSource } from './batch.js';
import { createValidationAccumulator, type ValidationAccumulator } from './validation-metrics.js';

/**
 * Run `addBatch` on each batch of epoch 0 of `source`, then return the pooled metrics.
 *
 * @param source  the validation batches; the pass disposes each batch after `addBatch` settles, also when it throws.
 * @param maxBatches  stop after this many batches; undefined runs the whole epoch.
 * @param addBatch  adds one batch's losses and predictions to `acc`; must not dispose the batch.
 * @returns the accumulator's result: `val_<loss>` per loss, `auc`, `psnr`, `accuracy`, as present.
 * @example
 * const metrics = await runValidationPass(valSource, 10, async (batch, acc) => acc.addLosses(await lossesOf(batch), batch.size));
 */
export async function runValidationPass(
  source: BatchSource,
  maxBatches: number | undefined,
  addBatch: (batch: Batch, acc: ValidationAccumulator) => Promise<void>,
): Promise<{ [name: string]: number }> {
  const acc = createValidationAccumulator();
  let seen = 0;
  for await (const batch of source.batches(0)) {
    try {
      await addBatch(batch, acc);
    } finally {
      disposeBatch(batch);
    }
    seen += 1;
    if (maxBatches !== undefined && seen >= maxBatches) break;
  }
  return acc.result();
}
