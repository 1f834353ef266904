/**
 * The AuC metric of Zhang et al. 2016 (ECCV, §3.1, Table 1 "AuC"): the fraction of pixels whose predicted ab
 * lies within Euclidean distance t of the ground truth, for every threshold t = 0, 1, …, 150, and the area
 * under that cumulative curve normalized to [0, 1]. The class-rebalanced variant weights each pixel by the
 * rebalancing weight of its ground-truth colour bin (Zhang §2.3, eq. 3–4), so rare colours count as much as
 * common ones.
 *
 * Definitions used here (the paper gives the idea, not the arithmetic):
 * - a pixel is within t when its distance d ≤ t (so t = 0 counts exact matches);
 * - the area is the trapezoid rule over the 151 integer thresholds, divided by 150.
 * Pixels are pooled over all images given (an accumulator pools over batches), as the paper pools the test set.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import { readFlat } from './metric-input.js';

/**
 * ab pairs: a tensor whose last dimension is 2 (`[N, H, W, 2]`, `[P, 2]`, …) or interleaved numbers `a0, b0, a1, b1, …`.
 * @example
 * const ab: AbInput = new Float32Array([12, -30, 0, 0]); // two pixels: (12, −30) and (0, 0)
 */
export type AbInput = tf.Tensor | ArrayLike<number>;

/**
 * Per-pixel weights for the rebalanced AuC: either one weight per pixel (same pixel order as the ab input),
 * or the weights of the colour bins and a function giving the bin of a ground-truth ab value
 * (for Zhang's 313 bins: the rebalancing weights and the hard encoder of `src/color`).
 *
 * @example
 * const weights: AbPixelWeights = { binWeights: rebalanceWeights, binIndex: (a, b) => nearestBin(a, b) };
 */
export type AbPixelWeights =
  | { pixelWeights: tf.Tensor | ArrayLike<number> }
  | { binWeights: ArrayLike<number>; binIndex: (a: number, b: number) => number };

/** Result of the AuC metric. */
export interface AbAucResult {
  /** Normalized area under the curve, in [0, 1]. */
  auc: number;
  /** `curve[t]` = weighted fraction of pixels with ab error ≤ t, for t = 0 … maxThreshold. */
  curve: Float64Array;
  /** Pixels counted. */
  pixels: number;
}

/**
 * Settings of the AuC metric.
 *
 * @example
 * const config: AbAucConfig = { maxThreshold: 150 };
 */
export interface AbAucConfig {
  /** Largest threshold, in ab units; an integer ≥ 1. Default 150 (Zhang et al. 2016). */
  maxThreshold?: number;
}

/** Pools pixels over several batches and gives the AuC of all of them. */
export interface AbAucAccumulator {
  /**
   * Add a batch: predicted and ground-truth ab in Lab units (not divided by 110), same layout;
   * optional weights for the rebalanced variant (use them for every batch or for none).
   */
  add(predicted: AbInput, target: AbInput, weights?: AbPixelWeights): void;
  /** The AuC and curve of every pixel added so far. */
  result(): AbAucResult;
}

/**
 * Create an accumulator for the AuC of Zhang et al. 2016 §3.1 over many batches (see the file comment).
 * Each pixel's error goes into an integer histogram, so memory does not grow with the number of pixels.
 *
 * @example
 * const acc = createAbAucAccumulator();
 * for (const { predictedAb, targetAb } of batches) acc.add(predictedAb, targetAb);
 * const { auc, curve } = acc.result();
 */
export function createAbAucAccumulator(config: AbAucConfig = {}): AbAucAccumulator {
  const maxThreshold = config.maxThreshold ?? 150;
  checkConfigRange('maxThreshold', maxThreshold, 1, Infinity, { integer: true });
  // histogram[k] holds the weight of pixels with ceil(d) = k (k ≤ maxThreshold); d ≤ t ⇔ ceil(d) ≤ t for integer t.
  const histogram = new Float64Array(maxThreshold + 1);
  let totalWeight = 0;
  let pixels = 0;
  let weighted: boolean | undefined;

  return {
    add(predicted, target, weights) {
      const p = readFlat('predicted', predicted);
      const g = readFlat('target', target);
      const shapeOf = (x: AbInput) => (x instanceof tf.Tensor ? x.shape[x.shape.length - 1] : 2);
      if (shapeOf(predicted) !== 2 || p.length % 2 !== 0)
        throw new InputError('predicted', 'ab pairs (last dimension 2)', describeValue(predicted));
      if (shapeOf(target) !== 2 || g.length !== p.length)
        throw new InputError(
          'target',
          `ab pairs of the same size as predicted (${p.length / 2} pixels)`,
          describeValue(target),
        );
      const count = p.length / 2;
      if (weighted !== undefined && weighted !== (weights !== undefined)) {
        throw new InputError(
          'weights',
          weighted
            ? 'weights for every batch (the first batches had weights)'
            : 'no weights (the first batches had none)',
          describeValue(weights),
        );
      }
      weighted = weights !== undefined;
      let perPixel: ArrayLike<number> | undefined;
      let binWeights: ArrayLike<number> | undefined;
      let binIndex: ((a: number, b: number) => number) | undefined;
      if (weights !== undefined) {
        if ('pixelWeights' in weights) {
          perPixel = readFlat('weights.pixelWeights', weights.pixelWeights);
          if (perPixel.length !== count)
            throw new InputError('weights.pixelWeights', `${count} weights (one per pixel)`, `${perPixel.length}`);
        } else if (typeof weights?.binIndex === 'function' && weights.binWeights !== undefined) {
          binWeights = weights.binWeights;
          binIndex = weights.binIndex;
        } else {
          throw new InputError('weights', '{ pixelWeights } or { binWeights, binIndex }', describeValue(weights));
        }
      }
      for (let i = 0; i < count; i++) {
        const ga = g[2 * i];
        const gb = g[2 * i + 1];
        let w = 1;
        if (perPixel !== undefined) w = perPixel[i];
        else if (binIndex !== undefined) {
          const bin = binIndex(ga, gb);
          w = (binWeights as ArrayLike<number>)[bin];
          if (w === undefined)
            throw new InputError(
              'weights.binIndex',
              `a bin index in [0, ${(binWeights as ArrayLike<number>).length})`,
              `${bin} for ab (${ga}, ${gb})`,
            );
        }
        if (!(w >= 0) || !Number.isFinite(w))
          throw new InputError('weights', 'finite weights ≥ 0', `${w} at pixel ${i}`);
        const d = Math.hypot(p[2 * i] - ga, p[2 * i + 1] - gb);
        if (Number.isNaN(d)) throw new InputError('predicted', 'finite ab values', `NaN at pixel ${i}`);
        const bucket = Math.ceil(d);
        if (bucket <= maxThreshold) histogram[bucket] += w;
        totalWeight += w;
      }
      pixels += count;
    },
    result() {
      if (!(totalWeight > 0))
        throw new InputError(
          'pixels',
          'at least one pixel with weight > 0',
          pixels === 0 ? 'no pixels' : 'total weight 0',
        );
      const curve = new Float64Array(maxThreshold + 1);
      let cumulative = 0;
      for (let t = 0; t <= maxThreshold; t++) {
        cumulative += histogram[t];
        curve[t] = cumulative / totalWeight;
      }
      let area = 0;
      for (let t = 0; t < maxThreshold; t++) area += (curve[t] + curve[t + 1]) / 2;
      return { auc: area / maxThreshold, curve, pixels };
    },
  };
}

/**
 * AuC of Zhang et al. 2016 §3.1 for one batch (see the file comment); pass `weights` for the
 * class-rebalanced variant. Inputs in Lab units (multiply normalized outputs by 110 first).
 * Reads tensors without creating any; inputs are not disposed.
 *
 * @param predicted  `[…, 2]` tensor or interleaved ab numbers.
 * @param target  ground truth, same layout.
 * @param weights  optional per-pixel or per-bin weights (rebalanced AuC).
 * @returns `{ auc, curve, pixels }`; auc in [0, 1], 1 when every prediction is exact.
 * @example
 * const { auc } = computeAbAuc(predictedAb, targetAb);
 * const rebalanced = computeAbAuc(predictedAb, targetAb, { binWeights, binIndex }).auc;
 */
export function computeAbAuc(
  predicted: AbInput,
  target: AbInput,
  weights?: AbPixelWeights,
  config: AbAucConfig = {},
): AbAucResult {
  const accumulator = createAbAucAccumulator(config);
  accumulator.add(predicted, target, weights);
  return accumulator.result();
}
