/**
 * The default model's training steps, for bench/simd-ceiling.bench.ts: one Adam step of the hypercolumn head on
 * cached MobileNetV2 features (16 crops of 128 × 128, the shapes of examples/default-model/train-head.ts), and
 * one step that also trains the backbone's top (blocks 13–16 and Conv_1) on the photos' whole stride-16 maps.
 * Weights and data are random: the arithmetic is what is measured. Flops are counted from the kernels a
 * profiled step runs (convolutions, their gradients and matrix products; 2 flops per multiply-add).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { computeMultinomialCrossEntropy } from '../src/losses/multinomial-cross-entropy.js';
import { copyBackboneTop } from '../src/models/copy-backbone.js';
import { buildHypercolumnHead } from '../src/models/hypercolumn-colorizer.js';
import { MOBILENET_V2_OUTPUT_LAYERS as LAYERS, buildMobileNetV2 } from '../src/models/mobilenet-v2.js';

const BATCH = 16;
const CROP = 128;
const BINS = 313;

/** One kernel call as `tf.profile` records it. */
type ProfiledKernel = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

const size = (shape: number[] | null | undefined): number => (shape ?? []).reduce((p, d) => p * d, 1);

/** Multiply-adds of one kernel call, from its input and output shapes; 0 for kernels that are not products. */
export function kernelMultiplyAdds(k: ProfiledKernel): number {
  const [a, b] = k.inputShapes as number[][];
  const out = k.outputShapes[0] as number[];
  switch (k.name) {
    case 'Conv2D':
    case 'FusedConv2D': // x, filter [kh, kw, ci, co] → out
      return size(out) * b[0] * b[1] * b[2];
    case 'Conv2DBackpropInput': // dy, filter → dx
      return size(a) * b[0] * b[1] * b[2];
    case 'Conv2DBackpropFilter': // x, dy → filter
      return size(b) * out[0] * out[1] * out[2];
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D': // x, filter [kh, kw, c, m] → out
      return size(out) * b[0] * b[1];
    case 'DepthwiseConv2dNativeBackpropInput': // dy, filter → dx
      return size(a) * b[0] * b[1];
    case 'DepthwiseConv2dNativeBackpropFilter': // x, dy → filter
      return size(b) * out[0] * out[1];
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // a [..., m, k] (or [..., k, m] transposed, or broadcast over the batch) → out [..., m, n]
      const m = out[out.length - 2];
      const k = a[a.length - 2] === m ? a[a.length - 1] : a[a.length - 2];
      return size(out) * k;
    }
    default:
      return 0;
  }
}

/** A training step to time, and what it is made of. */
export interface TrainingStep {
  name: string;
  run(): void;
  dispose(): void;
}

/** The two steps; `withTop` adds the backbone's top blocks to the trained variables. */
export function defaultModelStep(withTop: boolean): TrainingStep {
  const top = withTop
    ? (() => {
        const backbone = buildMobileNetV2({ inputSize: null, outputs: ['stride32', 'pooled'] });
        const copy = copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride32, LAYERS.pooled]);
        backbone.dispose();
        return copy;
      })()
    : null;
  const head = buildHypercolumnHead({
    width: 64,
    convs: 2,
    outputStride: 4,
    bins: BINS,
    tapChannels: [24, 32, 96, 320],
    globalChannels: 1280,
  });
  const random = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const taps = [
    random([BATCH, CROP / 4, CROP / 4, 24], 1),
    random([BATCH, CROP / 8, CROP / 8, 32], 2),
    random([BATCH, CROP / 16, CROP / 16, 96], 3),
  ];
  const stride32 = random([BATCH, CROP / 32, CROP / 32, 320], 4);
  const pooled = random([BATCH, 1280], 5);
  const whole16 = random([BATCH, 16, 16, 96], 6);
  const lightness = tf.randomUniform([BATCH, CROP, CROP, 1], -0.5, 0.5, 'float32', 7);
  const hintAb = tf.zeros([BATCH, CROP, CROP, 2]);
  const hintMask = tf.zeros([BATCH, CROP, CROP, 1]);
  const target = tf.softmax(random([BATCH, CROP / 4, CROP / 4, BINS], 8));
  const classWeights = tf.ones([BINS]) as tf.Tensor1D;
  const optimizer = tf.train.adam(1e-4);
  const variables = [head, ...(top ? [top] : [])].flatMap((m: tfl.LayersModel) =>
    m.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const features = (): tf.Tensor[] => {
    if (top === null) return [...taps, stride32, pooled];
    const [s32, p] = top.apply(whole16, { training: true }) as tf.Tensor4D[];
    return [...taps, tf.slice(s32, [0, 0, 0, 0], [BATCH, CROP / 32, CROP / 32, -1]), p];
  };
  return {
    name: top === null ? 'head step (frozen backbone, cached features)' : 'head + top blocks 13–16, Conv_1 step',
    run() {
      const loss = optimizer.minimize(
        () =>
          computeMultinomialCrossEntropy(
            head.apply([...features(), lightness, hintAb, hintMask], { training: true }) as tf.Tensor4D,
            target as tf.Tensor4D,
            {
              classWeights,
            },
          ) as tf.Scalar,
        true,
        variables,
      );
      loss?.dataSync();
      loss?.dispose();
    },
    dispose() {
      tf.dispose([...taps, stride32, pooled, whole16, lightness, hintAb, hintMask, target, classWeights]);
      optimizer.dispose();
      head.dispose();
      top?.dispose();
    },
  };
}
