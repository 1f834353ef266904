/**
 * The default model's validation metrics on held-out photographs at their own size (256 px), beside the
 * gray baseline: Zhang et al. 2016's AuC of the per-pixel ab error (thresholds 0–150, plain and
 * class-rebalanced), PSNR on RGB, Hasler–Süsstrunk colourfulness, and how much the 8-bit result's
 * lightness differs from the input's (mean |ΔL|, which gamut clipping and rounding cause).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  computeColorfulness,
  computePsnr,
  createAbAucAccumulator,
  encodeHard,
  imageToLab,
  recombineLab,
  type ImageLike,
  type LabPlanes,
} from 'tfjs-colorization';

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
export async function measurePhotos(
  photos: readonly ImageLike[],
  classWeights: ArrayLike<number>,
  predictAb: ((index: number, lab: LabPlanes) => tf.Tensor4D | Promise<tf.Tensor4D>) | null,
): Promise<PhotoMetrics> {
  const [result] = await measurePhotoOutputs(
    photos,
    classWeights,
    1,
    predictAb === null ? null : async (index, lab) => [await predictAb(index, lab)],
  );
  return result;
}

/**
 * {@link measurePhotos} for `outputs` predictions per photo made together (e.g. the annealed mean and K
 * samples from one run of the model): one result per output.
 */
export async function measurePhotoOutputs(
  photos: readonly ImageLike[],
  classWeights: ArrayLike<number>,
  outputs: number,
  predictAll: ((index: number, lab: LabPlanes) => Promise<tf.Tensor4D[]>) | null,
): Promise<PhotoMetrics[]> {
  const sums = Array.from({ length: outputs }, () => ({
    plain: createAbAucAccumulator(),
    rebalanced: createAbAucAccumulator(),
    psnr: 0,
    colorfulness: 0,
    deltaL: 0,
  }));
  let truthColorfulness = 0;
  for (let index = 0; index < photos.length; index++) {
    const photo = photos[index];
    const lab = imageToLab(photo);
    const n = lab.width * lab.height;
    const truthAb = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      truthAb[2 * i] = lab.a[i];
      truthAb[2 * i + 1] = lab.b[i];
    }
    const bins = encodeHard(truthAb);
    const pixelWeights = new Float32Array(n);
    for (let i = 0; i < n; i++) pixelWeights[i] = classWeights[bins[i]];
    truthColorfulness += computeColorfulness(photo);
    const predicted = predictAll ? await predictAll(index, lab) : [null];
    for (let k = 0; k < outputs; k++) {
      const t = predicted[k];
      const ab = t
        ? { data: (await t.data()) as Float32Array, width: t.shape[2], height: t.shape[1] }
        : { data: new Float32Array(2), width: 1, height: 1 };
      t?.dispose();
      const { image: rgb, lab: full } = recombineLab(lab, ab, { returnLab: true });
      const predictedAb = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        predictedAb[2 * i] = full!.a[i];
        predictedAb[2 * i + 1] = full!.b[i];
      }
      const sum = sums[k];
      sum.plain.add(predictedAb, truthAb);
      sum.rebalanced.add(predictedAb, truthAb, { pixelWeights });
      sum.psnr += computePsnr(rgb, photo);
      sum.colorfulness += computeColorfulness(rgb);
      const out = imageToLab(rgb);
      let d = 0;
      for (let i = 0; i < n; i++) d += Math.abs(out.lightness[i] - lab.lightness[i]);
      sum.deltaL += d / n;
    }
  }
  const count = photos.length;
  return sums.map((sum) => ({
    images: count,
    auc: sum.plain.result().auc,
    aucRebalanced: sum.rebalanced.result().auc,
    psnr: sum.psnr / count,
    colorfulness: sum.colorfulness / count,
    truthColorfulness: truthColorfulness / count,
    meanAbsDeltaL: sum.deltaL / count,
  }));
}
