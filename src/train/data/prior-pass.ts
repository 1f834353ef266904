/**
 * The prior-estimation pass before a rebalanced classification run: stream a batch source once, measure
 * the empirical distribution of its ab values over the gamut's bins, smooth it and turn it into per-bin
 * class-rebalancing weights (Zhang, Isola, Efros 2016, "Colorful Image Colorization", ECCV, §2.2 and
 * eq. 3–4; they measured the prior on ImageNet — `ZHANG_PRIOR` — and a new data set deserves its own).
 */
import { AB_SCALE } from '../../color/lab/constants.js';
import { ZHANG_GAMUT } from '../../color/bins/gamut.js';
import { createAbPriorAccumulator, type AbPriorConfig } from '../../color/prior/prior.js';
import { computeRebalanceWeights } from '../../color/prior/rebalance.js';
import { smoothPrior } from '../../color/prior/smooth-prior.js';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import { disposeBatch, type BatchSource } from '../batch.js';

/**
 * Options of {@link estimateRebalanceWeights}.
 * @example
 * const { weights } = await estimateRebalanceWeights(priorPass, { maxBatches: 200, smoothingSigma: 5, lambda: 0.5 });
 */
export interface PriorPassConfig extends AbPriorConfig {
  /** Epoch of the source to read (its order and augmentation). Default 0. */
  epoch?: number;
  /** Stop after this many batches (integer ≥ 1). Default: the whole epoch. */
  maxBatches?: number;
  /** σ of the Gaussian smoothing, Lab units. Default 5 (§2.2). */
  smoothingSigma?: number;
  /** λ, the uniform share mixed into the prior before inverting. Default 0.5 (§2.2). */
  lambda?: number;
  /** Called after each batch with the batches and pixels counted so far. */
  onProgress?: (progress: { batches: number; pixels: number }) => void;
}

/** Result of the prior pass. */
export interface PriorEstimate {
  /** Empirical prior p over the Q bins (sums to 1). */
  prior: Float64Array;
  /** Smoothed prior p̃ (sums to 1). */
  smoothed: Float64Array;
  /** Rebalancing weights w, E_p̃[w] = 1: pass `tf.tensor1d(weights, 'float32')` as the loss's `classWeights`. */
  weights: Float64Array;
  /** Batches and pixels counted. */
  batches: number;
  pixels: number;
}

/**
 * Stream a {@link BatchSource} into the empirical ab prior, smooth it and derive the rebalancing weights.
 * Uses `targets.ab` when the batches have it (pixels counted per `counting`: nearest bin or soft k bins),
 * otherwise sums `targets.bins` (the pipeline's own soft encoding). Every batch read is disposed.
 *
 * @param source  e.g. a `createBatchPipeline(…, { targets: ['ab'], targetSize })` — the targets' resolution
 *   is the one the loss will see, so measure there.
 * @param config  `{ epoch = 0, maxBatches, gamut = ZHANG_GAMUT, counting = 'hard', neighbours = 5, sigma = 5,
 *   smoothingSigma = 5, lambda = 0.5, onProgress }`.
 * @returns {@link PriorEstimate}.
 * @throws InputError when a batch has neither `ab` nor `bins` targets, bins of another size than the gamut,
 *   or no pixels were seen; ConfigError on a bad option.
 * @example
 * const { weights } = await estimateRebalanceWeights(pipeline, { maxBatches: 200 });
 * const classWeights = tf.tensor1d(weights, 'float32');
 * const loss = computeMultinomialCrossEntropy(logits, batch.targets.bins!, { classWeights });
 */
export async function estimateRebalanceWeights(
  source: BatchSource,
  config: PriorPassConfig = {},
): Promise<PriorEstimate> {
  if (source === null || typeof source !== 'object' || typeof source.batches !== 'function') {
    throw new InputError('source', 'a BatchSource ({ batches(epoch) })', describeValue(source));
  }
  const { epoch = 0, maxBatches = Infinity, smoothingSigma = 5, lambda = 0.5, onProgress, ...priorConfig } = config;
  checkConfigRange('epoch', epoch, 0, Infinity, { integer: true });
  if (maxBatches !== Infinity) checkConfigRange('maxBatches', maxBatches, 1, Infinity, { integer: true });
  checkConfigRange('smoothingSigma', smoothingSigma, 0, Infinity, { openLow: true, openHigh: true });
  checkConfigRange('lambda', lambda, 0, 1);
  const gamut = priorConfig.gamut ?? ZHANG_GAMUT;
  const accumulator = createAbPriorAccumulator(priorConfig);
  const binTotals = new Float64Array(gamut.size);
  let binPixels = 0;
  let batches = 0;

  for await (const batch of source.batches(epoch)) {
    try {
      const { ab, bins } = batch.targets;
      if (ab !== undefined) {
        const values = (await ab.data()) as Float32Array;
        const lab = new Float32Array(values.length);
        for (let i = 0; i < values.length; i++) lab[i] = values[i] * AB_SCALE;
        accumulator.add(lab);
      } else if (bins !== undefined) {
        const q = bins.shape[3];
        if (q !== gamut.size)
          throw new InputError(
            'batch.targets.bins',
            `${gamut.size} bins (the gamut's size)`,
            `shape [${bins.shape.join(', ')}]`,
          );
        const values = (await bins.data()) as Float32Array;
        for (let i = 0; i < values.length; i++) binTotals[i % q] += values[i];
        binPixels += values.length / q;
      } else {
        throw new InputError('batch.targets', "an 'ab' or 'bins' target", 'neither');
      }
    } finally {
      disposeBatch(batch);
    }
    batches++;
    onProgress?.({ batches, pixels: accumulator.pixels + binPixels });
    if (batches >= maxBatches) break;
  }

  const pixels = accumulator.pixels + binPixels;
  if (pixels === 0) throw new InputError('source', 'at least one batch with pixels', `no pixels in epoch ${epoch}`);
  let prior: Float64Array;
  if (binPixels === 0) {
    prior = accumulator.result();
  } else {
    // Mixed sources are unusual but harmless: ab pixels go through the accumulator, bin rows are added as they are.
    const counts = accumulator.counts();
    for (let q = 0; q < gamut.size; q++) counts[q] += binTotals[q];
    const total = counts.reduce((s, v) => s + v, 0);
    prior = counts.map((v) => v / total);
  }
  const smoothed = smoothPrior(prior, { gamut, sigma: smoothingSigma });
  const weights = computeRebalanceWeights(smoothed, { lambda });
  return { prior, smoothed, weights, batches, pixels };
}
