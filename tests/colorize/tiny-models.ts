// Tiny colorization models with seeded weights, one per output kind, for fast tests of the colorizer.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const init = (seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 1, seed });

/** `[size, size, 1]` → logits `[size/stride, size/stride, q]`: average-pool by `stride`, then 1×1 convs. */
export function tinyBinsModel(
  options: { size?: number; stride?: number; bins?: number; seed?: number } = {},
): tfl.LayersModel {
  const { size = 16, stride = 4, bins = 313, seed = 1 } = options;
  const input = tfl.input({ shape: [size, size, 1] });
  let x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init(seed) })
    .apply(input) as tfl.SymbolicTensor;
  if (stride > 1) x = tfl.layers.averagePooling2d({ poolSize: stride, strides: stride }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .conv2d({ filters: bins, kernelSize: 1, kernelInitializer: init(seed + 1), biasInitializer: init(seed + 2) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits });
}

/** Any-size `[H, W, 1]` → ab/110 through tanh, full resolution. */
export function tinyAbModel(options: { size?: number | null; seed?: number } = {}): tfl.LayersModel {
  const { size = null, seed = 3 } = options;
  const input = tfl.input({ shape: [size, size, 1] });
  const x = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(seed) })
    .apply(input) as tfl.SymbolicTensor;
  const ab = tfl.layers
    .conv2d({
      filters: 2,
      kernelSize: 1,
      activation: 'tanh',
      kernelInitializer: init(seed + 1),
      biasInitializer: init(seed + 2),
    })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: ab });
}

/** Iizuka-shaped: inputs `[global g×g, local s×s]`, outputs `[sigmoid ab s×s, class logits]`. */
export function tinyTwoInputModel(
  options: { globalSize?: number; localSize?: number; seed?: number } = {},
): tfl.LayersModel {
  const { globalSize = 8, localSize = 16, seed = 5 } = options;
  const global = tfl.input({ shape: [globalSize, globalSize, 1] });
  const local = tfl.input({ shape: [localSize, localSize, 1] });
  const g = tfl.layers
    .globalAveragePooling2d({})
    .apply(
      tfl.layers
        .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init(seed) })
        .apply(global) as tfl.SymbolicTensor,
    ) as tfl.SymbolicTensor;
  const classes = tfl.layers.dense({ units: 4, kernelInitializer: init(seed + 1) }).apply(g) as tfl.SymbolicTensor;
  const l = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init(seed + 2) })
    .apply(local) as tfl.SymbolicTensor;
  // Global features reach every pixel: a per-image bias from the global branch, as Iizuka et al.'s fusion does.
  const bias = tfl.layers.reshape({ targetShape: [1, 1, 3] }).apply(g) as tfl.SymbolicTensor;
  const tiled = tfl.layers.upSampling2d({ size: [localSize, localSize] }).apply(bias) as tfl.SymbolicTensor;
  const fused = tfl.layers.add().apply([l, tiled]) as tfl.SymbolicTensor;
  const ab = tfl.layers
    .conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init(seed + 3) })
    .apply(fused) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [global, local], outputs: [ab, classes] });
}

/** A gray test picture with structure at every scale: `width × height` bytes. */
export function grayPicture(width: number, height: number, seed = 0): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = Math.round(127.5 + 120 * Math.sin((x + seed) * 0.7) * Math.cos(y * 0.45 + seed));
    }
  }
  return data;
}

/**
 * A hint-capable model with known weights: inputs `[lightness, hint_ab, hint_mask]` at `size × size`, output
 * ab/110 = hint_ab + (0.3, −0.2) · lightness(normalized) through one linear 1×1 convolution, so its
 * prediction can be written down by hand: the hint colour plus a lightness-dependent tint.
 */
export function tinyHintModel(options: { size?: number | null } = {}): tfl.LayersModel {
  const { size = 16 } = options;
  const lightness = tfl.input({ shape: [size, size, 1], name: 'lightness' });
  const hintAb = tfl.input({ shape: [size, size, 2], name: 'hint_ab' });
  const hintMask = tfl.input({ shape: [size, size, 1], name: 'hint_mask' });
  const joined = tfl.layers.concatenate().apply([lightness, hintAb, hintMask]) as tfl.SymbolicTensor;
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, activation: 'linear' });
  const ab = conv.apply(joined) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [lightness, hintAb, hintMask], outputs: ab });
  // Input channels [L, hint a, hint b, mask] → outputs [a, b].
  const kernel = [0.3, -0.2, 1, 0, 0, 1, 0, 0];
  const weights = tf.tensor4d(kernel, [1, 1, 4, 2]);
  conv.setWeights([weights]);
  weights.dispose();
  return model;
}
