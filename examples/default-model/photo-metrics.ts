/**
 * The default model's validation metrics on held-out photographs at their own size (256 px), beside the
 * gray baseline: Zhang et al. 2016's AuC of the per-pixel ab error (thresholds 0–150, plain and
 * class-rebalanced), PSNR on RGB, Hasler–Süsstrunk colourfulness, and how much the 8-bit result's
 * lightness differs from the input's (mean |ΔL|, which gamut clipping and rounding cause).
 */
import * as tf from '@tensorflow/tfjs-core';
import { computeColorfulness, computePsnr, createAbAucAccumulator, encodeHard, imageToLab, recombineLab, type ImageLike, type LabPlanes } from 'tfjs-colorization';

export interface PhotoMetrics {
  images: number;
  auc: number;
  aucRebalanced: number;
  psnr: number;
  colorfulness: number;
  truthColorfulness: number;
  meanAbsDeltaL: number;
}

/**
 * Measure `predictAb` (photo index and its Lab planes → ab in Lab units `[1, h, w, 2]` at any size, upsampled
 * here and joined with the photo's own L; `null` for gray) on `photos`. The tensor is disposed here.
 */
export async function measurePhotos(photos: readonly ImageLike[], classWeights: ArrayLike<number>, predictAb: ((index: number, lab: LabPlanes) => tf.Tensor4D | Promise<tf.Tensor4D>) | null): Promise<PhotoMetrics> {
  const plain = createAbAucAccumulator();
  const rebalanced = createAbAucAccumulator();
  let psnr = 0, colorfulness = 0, truthColorfulness = 0, deltaL = 0;
  for (let index = 0; index < photos.length; index++) {
    const photo = photos[index];
    const lab = imageToLab(photo);
    const n = lab.width * lab.height;
    let abTensor: tf.Tensor4D | { data: Float32Array; width: number; height: number };
    if (predictAb) {
      const t = await predictAb(index, lab);
      abTensor = { data: (await t.data()) as Float32Array, width: t.shape[2], height: t.shape[1] };
      t.dispose();
    } else {
      abTensor = { data: new Float32Array(2), width: 1, height: 1 };
    }
    const { image: rgb, lab: full } = recombineLab(lab, abTensor, { returnLab: true });
    const predictedAb = new Float32Array(2 * n);
    const truthAb = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      predictedAb[2 * i] = full!.a[i];
      predictedAb[2 * i + 1] = full!.b[i];
      truthAb[2 * i] = lab.a[i];
      truthAb[2 * i + 1] = lab.b[i];
    }
    const bins = encodeHard(truthAb);
    const pixelWeights = new Float32Array(n);
    for (let i = 0; i < n; i++) pixelWeights[i] = classWeights[bins[i]];
    plain.add(predictedAb, truthAb);
    rebalanced.add(predictedAb, truthAb, { pixelWeights });
    psnr += computePsnr(rgb, photo);
    colorfulness += computeColorfulness(rgb);
    truthColorfulness += computeColorfulness(photo);
    const out = imageToLab(rgb);
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.abs(out.lightness[i] - lab.lightness[i]);
    deltaL += d / n;
  }
  const count = photos.length;
  return {
    images: count,
    auc: plain.result().auc,
    aucRebalanced: rebalanced.result().auc,
    psnr: psnr / count,
    colorfulness: colorfulness / count,
    truthColorfulness: truthColorfulness / count,
    meanAbsDeltaL: deltaL / count,
  };
}
