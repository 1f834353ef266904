/**
 * Validation of a colorization system on held-out photographs at their own size (256 px): the model sees
 * the lightness at its input size, its ab is upsampled to full size and joined with the original L.
 * Metrics: Zhang et al. 2016's AuC of the ab error (thresholds 0–150, plain and class-rebalanced),
 * PSNR on RGB, and Hasler–Süsstrunk colourfulness, each beside the gray baseline (ab = 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  createAbAucAccumulator,
  computeColorfulness,
  computePsnr,
  encodeHard,
  imageToLab,
  lightnessToInput,
  recombineLab,
  type ImageLike,
} from 'tfjs-colorization';

export interface Evaluation {
  images: number;
  auc: number;
  aucRebalanced: number;
  psnr: number;
  colorfulness: number;
  truthColorfulness: number;
}

/** Evaluate `predictAb` (normalized L `[1, S, S, 1]` → ab in Lab units `[1, h, w, 2]`) on `photos`. */
export function evaluate(
  photos: readonly ImageLike[],
  inputSize: number,
  classWeights: ArrayLike<number>,
  predictAb: ((input: tf.Tensor4D) => tf.Tensor4D) | null,
): Evaluation {
  const plain = createAbAucAccumulator();
  const rebalanced = createAbAucAccumulator();
  let psnr = 0,
    colorfulness = 0,
    truthColorfulness = 0;
  for (const photo of photos) {
    const lab = imageToLab(photo);
    const n = lab.width * lab.height;
    let rgb: ImageLike;
    let predictedAb: Float32Array;
    if (predictAb) {
      const input = lightnessToInput(lab, inputSize);
      const ab = predictAb(input);
      input.dispose();
      const { image, lab: full } = recombineLab(lab, ab, { returnLab: true });
      ab.dispose();
      rgb = image;
      predictedAb = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        predictedAb[2 * i] = full!.a[i];
        predictedAb[2 * i + 1] = full!.b[i];
      }
    } else {
      predictedAb = new Float32Array(2 * n);
      rgb = recombineLab(lab, { data: new Float32Array(2), width: 1, height: 1 }).image;
    }
    const truthAb = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
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
  }
  const count = photos.length;
  return {
    images: count,
    auc: plain.result().auc,
    aucRebalanced: rebalanced.result().auc,
    psnr: psnr / count,
    colorfulness: colorfulness / count,
    truthColorfulness: truthColorfulness / count,
  };
}
