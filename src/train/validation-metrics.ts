/**
 * Pooling validation results over batches: mean losses weighted by batch size, and the colorization
 * metrics of the papers computed on decoded predictions — AuC of the ab error curve (Zhang et al. 2016
 * §3.1), PSNR on sRGB (Larsson et al. 2016; Nazeri et al. 2018) — and top-1 class accuracy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AB_SCALE, LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../color/lab/constants.js';
import { labToRgbTensor } from '../color/lab/lab-tensor.js';
import { createAbAucAccumulator } from './metrics/ab-auc.js';
import { computePsnr } from './metrics/psnr.js';

/** Accumulates one validation pass. */
export interface ValidationAccumulator {
  /** Add a batch's losses (plain numbers) for `size` examples. */
  addLosses(losses: { [name: string]: number }, size: number): void;
  /**
   * Add a batch's colour predictions: lightness `[N, H, W, 1]` normalized as `(L − 50) / 100`,
   * predicted and true ab `[N, H, W, 2]` divided by `AB_SCALE`. Reads the tensors; disposes none of them.
   */
  addColor(lightness: tf.Tensor4D, predictedAb: tf.Tensor4D, targetAb: tf.Tensor4D): void;
  /** Add a batch's class logits `[N, C]` and labels `[N]`. Reads them; disposes neither. */
  addClasses(logits: tf.Tensor2D, labels: tf.Tensor1D): void;
  /** The pooled metrics: `val_<loss>` per loss, `auc`, `psnr` (dB, sRGB in [0, 1]), `accuracy`, as present. */
  result(): { [name: string]: number };
}

/**
 * Create an empty {@link ValidationAccumulator}.
 *
 * @example
 * const acc = createValidationAccumulator();
 * acc.addLosses({ loss: 0.12 }, 8);
 * acc.result(); // { val_loss: 0.12 }
 */
export function createValidationAccumulator(): ValidationAccumulator {
  const lossSums = new Map<string, number>();
  let lossCount = 0;
  const auc = createAbAucAccumulator();
  let aucUsed = false;
  let psnrSum = 0;
  let psnrImages = 0;
  let correct = 0;
  let classified = 0;
  return {
    addLosses(losses, size) {
      for (const [name, value] of Object.entries(losses)) lossSums.set(name, (lossSums.get(name) ?? 0) + value * size);
      lossCount += size;
    },
    addColor(lightness, predictedAb, targetAb) {
      const [predictedLab, targetLab, predictedRgb, targetRgb] = tf.tidy(() => {
        const l = tf.add(tf.mul(lightness, LIGHTNESS_SCALE), LIGHTNESS_CENTRE);
        const p = tf.mul(predictedAb, AB_SCALE);
        const t = tf.mul(targetAb, AB_SCALE);
        return [p, t, labToRgbTensor(tf.concat([l, p], -1)), labToRgbTensor(tf.concat([l, t], -1))];
      });
      try {
        auc.add(predictedLab, targetLab);
        aucUsed = true;
        const n = lightness.shape[0];
        // Identical images give an infinite PSNR; clamp at 100 dB so one perfect image cannot swamp the mean.
        psnrSum += Math.min(100, computePsnr(predictedRgb, targetRgb, { dataRange: 1 })) * n;
        psnrImages += n;
      } finally {
        tf.dispose([predictedLab, targetLab, predictedRgb, targetRgb]);
      }
    },
    addClasses(logits, labels) {
      const predicted = tf.tidy(() => tf.argMax(logits, 1));
      const p = predicted.dataSync();
      predicted.dispose();
      const t = labels.dataSync();
      for (let i = 0; i < p.length; i += 1) if (p[i] === t[i]) correct += 1;
      classified += p.length;
    },
    result() {
      const out: { [name: string]: number } = {};
      for (const [name, sum] of lossSums) out[`val_${name}`] = sum / Math.max(1, lossCount);
      if (aucUsed) out.auc = auc.result().auc;
      if (psnrImages > 0) out.psnr = psnrSum / psnrImages;
      if (classified > 0) out.accuracy = correct / classified;
      return out;
    },
  };
}
