/**
 * The candidate systems for the bundled model, each a model (or pair), its optimizer(s), one training step
 * and a prediction of ab in Lab units. Both take the same 64 px lightness input and see the same batches.
 *
 * - `zhang`: Zhang et al. 2016's ECCV16 network at 1/4 width (2.0 M parameters), class-rebalanced
 *   multinomial cross-entropy over the 313 bins (λ = 0.5), annealed-mean decoding (T = 0.38).
 * - `nazeri`: Nazeri et al. 2018's conditional GAN, a U-Net generator scaled to 64 px and a PatchGAN
 *   discriminator, L2 reconstruction (the study's better variant) with λ = 100 and one-sided label smoothing 0.9.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  AB_SCALE,
  buildNazeriGan,
  buildZhangModel,
  computeGanDiscriminatorLoss,
  computeGanGeneratorLoss,
  computeMultinomialCrossEntropy,
  decodeAnnealedMean,
  type Batch,
  type TargetKind,
} from 'tfjs-colorization';

export interface CandidateSystem {
  readonly name: string;
  readonly targets: readonly TargetKind[];
  readonly targetSize: number;
  readonly models: Record<string, tfl.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  /** One optimization step on a batch; returns the named losses. */
  step(batch: Batch): Record<string, number>;
  /** `[N, S, S, 1]` normalized lightness → `[N, h, w, 2]` ab in Lab units. Caller owns the result. */
  predictAb(input: tf.Tensor4D): tf.Tensor4D;
}

export const INPUT_SIZE = 64;

/** Zhang et al. 2016 at 1/4 width with rebalanced cross-entropy. `classWeights`: the 313 rebalancing weights. */
export function createZhangSystem(classWeights: ArrayLike<number>, seed = 1, learningRate = 3e-4): CandidateSystem {
  const model = buildZhangModel({ inputSize: INPUT_SIZE, widthMultiplier: 0.25, seed });
  const optimizer = tf.train.adam(learningRate, 0.9, 0.99);
  const weights = tf.tensor1d(Array.from(classWeights));
  return {
    name: 'zhang',
    targets: ['bins'],
    targetSize: INPUT_SIZE / 4,
    models: { zhang: model },
    optimizers: { zhang: optimizer },
    step(batch) {
      const loss = optimizer.minimize(
        () =>
          computeMultinomialCrossEntropy(
            model.apply(batch.input, { training: true }) as tf.Tensor4D,
            batch.targets.bins!,
            { classWeights: weights },
          ) as tf.Scalar,
        true,
      )!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return { ce: value };
    },
    predictAb(input) {
      return tf.tidy(() => decodeAnnealedMean(model.predict(input) as tf.Tensor4D, { temperature: 0.38 }));
    },
  };
}

/** Nazeri et al. 2018 conditional GAN scaled to 64 px, L2 reconstruction. */
export function createNazeriSystem(seed = 1, learningRate = 2e-4): CandidateSystem {
  const { generator, discriminator } = buildNazeriGan({
    preset: 'cifar10',
    inputSize: INPUT_SIZE,
    generator: { encoderChannels: [32, 64, 128, 256, 256, 256], decoderChannels: [256, 256, 128, 64, 32] },
    discriminator: { channels: [32, 64, 128, 256] },
    seed,
  });
  const optG = tf.train.adam(learningRate, 0.5, 0.999);
  const optD = tf.train.adam(learningRate, 0.5, 0.999);
  return {
    name: 'nazeri',
    targets: ['ab'],
    targetSize: INPUT_SIZE,
    models: { generator, discriminator },
    optimizers: { generator: optG, discriminator: optD },
    step(batch) {
      const { input } = batch;
      const target = batch.targets.ab!;
      const fake = generator.apply(input, { training: true }) as tf.Tensor4D;
      const dParts: Record<string, number> = {};
      const dLoss = optD.minimize(() => {
        const real = discriminator.apply([input, target], { training: true }) as tf.Tensor;
        const fakeLogits = discriminator.apply([input, fake], { training: true }) as tf.Tensor;
        const { total, real: r, fake: f } = computeGanDiscriminatorLoss(real, fakeLogits, { realLabel: 0.9 });
        dParts.dReal = r.dataSync()[0];
        dParts.dFake = f.dataSync()[0];
        return total as tf.Scalar;
      }, true)!;
      fake.dispose();
      const gParts: Record<string, number> = {};
      const gLoss = optG.minimize(
        () => {
          const predicted = generator.apply(input, { training: true }) as tf.Tensor4D;
          const fakeLogits = discriminator.apply([input, predicted], { training: true }) as tf.Tensor;
          const { total, adversarial, reconstruction } = computeGanGeneratorLoss(
            { fakeLogits, predictedAb: predicted, targetAb: target },
            { lambda: 100, reconstruction: 'l2' },
          );
          gParts.gAdv = adversarial.dataSync()[0];
          gParts.gL2 = reconstruction.dataSync()[0];
          return total as tf.Scalar;
        },
        true,
        generator.trainableWeights.map((w) => w.read() as tf.Variable),
      )!;
      const result = { d: dLoss.dataSync()[0], g: gLoss.dataSync()[0], ...dParts, ...gParts };
      dLoss.dispose();
      gLoss.dispose();
      return result;
    },
    predictAb(input) {
      return tf.tidy(() => tf.mul(generator.predict(input) as tf.Tensor4D, AB_SCALE));
    },
  };
}
