/**
 * The colorization network of Zhang, Isola & Efros 2016, "Colorful Image Colorization" (ECCV), Fig. 2
 * and Table 4, built layer for layer as the authors' PyTorch port (`colorizers/eccv16.py` in
 * richzhang/colorization, commit 4f6009e), so the released weights map one to one:
 * each PyTorch `model<b>.<i>` conv is the layer named `conv<b>_<j>` here (Caffe's names), each
 * `BatchNorm2d` is `conv<b>_<last>norm`, and `model8.6` is `conv8_313`.
 *
 * Three details make the outputs match the port exactly, not just in shape:
 * - PyTorch pads a 3×3 stride-2 conv by 1 on every side; tfjs 'same' would pad 0 above and 1 below
 *   on even sizes, shifting the sampling grid by a pixel. So stride-2 convs are an explicit
 *   `ZeroPadding2D(1)` (`conv<b>_<j>pad`) followed by a 'valid' conv.
 * - The dilated convs of blocks 5 and 6 are {@link DilatedConv2D} layers: same weights as a dilated
 *   Conv2D, but trainable (tfjs-core has no gradient for dilated conv2d).
 * - `ConvTranspose2d(k=4, s=2, p=1)` crops one pixel on each side of the full transposed output,
 *   which is what tfjs `conv2dTranspose` 'same' does for k=4, s=2: output exactly 2× its input.
 * BatchNorm uses PyTorch's defaults: ε = 1e-5, momentum 0.1 (tfjs momentum 0.9).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange } from '../validate.js';
import { DilatedConv2D } from './layers/dilated-conv2d.js';

/**
 * Configuration of {@link buildZhangModel}. Every key is optional; defaults are the paper's.
 * @example const laptop: ZhangModelConfig = { inputSize: 64, widthMultiplier: 0.25, seed: 1 };
 */
export interface ZhangModelConfig {
  /**
   * Height and width of the square lightness input, in pixels; default 256 (the port's demo size).
   * A positive multiple of 8: three stride-2 convs bring the map to 1/8 and the transposed conv back
   * to 1/4, and only a multiple of 8 halves exactly three times, so the logits are exactly
   * `inputSize / 4` (otherwise 'same'-style rounding would give `2·ceil(inputSize / 8)`).
   */
  inputSize?: number;
  /**
   * Multiplier of every hidden channel count, in (0, 4]; default 1 (64…512 channels, 32.2 M
   * parameters). Channels are `max(1, round(c · widthMultiplier))`: 1/4 gives 16…128 channels for
   * a laptop at 32–128 px; 1 at 256 px is the published network for a GPU.
   */
  widthMultiplier?: number;
  /** Number of output bins Q; default 313 (Zhang's in-gamut ab bins at grid size 10). */
  bins?: number;
  /** Base seed of the Glorot-uniform kernel initializers (layer i uses seed + i); unseeded when absent. */
  seed?: number;
  /** Name of the returned model; default `'zhang_eccv16'`. */
  name?: string;
}

/**
 * The keys {@link ZhangModelConfig} accepts; any other key throws `ConfigError`.
 * @example const known = Object.fromEntries(Object.entries(flags).filter(([k]) => (ZHANG_MODEL_CONFIG_KEYS as readonly string[]).includes(k)));
 */
export const ZHANG_MODEL_CONFIG_KEYS = ['inputSize', 'widthMultiplier', 'bins', 'seed', 'name'] as const;

/**
 * {@link ZhangModelConfig} with every default filled in.
 * @example const { inputSize } = resolveZhangModelConfig({}); // 256
 */
export type ResolvedZhangModelConfig = Required<Omit<ZhangModelConfig, 'seed'>> & { seed: number | undefined };

/**
 * Blocks 1–7 of the port: output channels of each 3×3 conv, the stride of the block's last conv and
 * the dilation of its convs. Every conv is followed by ReLU and every block ends in BatchNorm.
 */
const ENCODER_BLOCKS: readonly { readonly channels: readonly number[]; readonly lastStride: 1 | 2; readonly dilation: 1 | 2 }[] = [
  { channels: [64, 64], lastStride: 2, dilation: 1 },
  { channels: [128, 128], lastStride: 2, dilation: 1 },
  { channels: [256, 256, 256], lastStride: 2, dilation: 1 },
  { channels: [512, 512, 512], lastStride: 1, dilation: 1 },
  { channels: [512, 512, 512], lastStride: 1, dilation: 2 },
  { channels: [512, 512, 512], lastStride: 1, dilation: 2 },
  { channels: [512, 512, 512], lastStride: 1, dilation: 1 },
];

/** Block 8: a 4×4 stride-2 transposed conv, then two 3×3 convs, all with ReLU and no BatchNorm. */
const DECODER_CHANNELS = 256;

/**
 * Fill defaults into a {@link ZhangModelConfig} and validate it.
 *
 * @throws ConfigError naming the key, the valid values and what was received.
 * @example
 * resolveZhangModelConfig({ inputSize: 64, widthMultiplier: 0.25 }); // { inputSize: 64, widthMultiplier: 0.25, bins: 313, … }
 */
export function resolveZhangModelConfig(config: ZhangModelConfig = {}): ResolvedZhangModelConfig {
  checkConfigKeys(config, ZHANG_MODEL_CONFIG_KEYS);
  const { inputSize = 256, widthMultiplier = 1, bins = 313, seed, name = 'zhang_eccv16' } = config;
  checkConfigRange('inputSize', inputSize, 8, Infinity, { integer: true });
  if (inputSize % 8 !== 0) {
    throw new ConfigError('inputSize', 'a positive multiple of 8 (8, 16, …, 256, …)', describeValue(inputSize));
  }
  checkConfigRange('widthMultiplier', widthMultiplier, 0, 4, { openLow: true });
  checkConfigRange('bins', bins, 1, Infinity, { integer: true });
  if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(name));
  return { inputSize, widthMultiplier, bins, seed, name };
}

/**
 * Build the ECCV16 colorization network of Zhang et al. 2016 (Fig. 2), as the authors' PyTorch port.
 *
 * Input: normalized lightness `(L − 50) / 100`, `[N, inputSize, inputSize, 1]`, L in [0, 100].
 * Output: unnormalized scores over the ab bins, `[N, inputSize/4, inputSize/4, bins]`; turn them
 * into ab with the decoders of `src/color` (annealed mean, T = 0.38, eq. 5) and train them with
 * the class-rebalanced multinomial cross-entropy of `src/losses` (eq. 2). The port's final
 * `softmax → 1×1 conv to ab` (`model_out`) is not part of the model: it is that decoding step.
 *
 * Layer names mirror the port: `conv1_1 … conv8_3`, `conv<b>_<last>norm` for blocks 1–7, `conv8_313`.
 * Full width has 32,235,385 trainable parameters plus 4,992 BatchNorm moving statistics.
 *
 * @param config  see {@link ZhangModelConfig}; validated (throws `ConfigError`).
 * @returns an uncompiled `tf.LayersModel`. The caller owns it (`model.dispose()`).
 * @example
 * const model = buildZhangModel({ inputSize: 64, widthMultiplier: 0.25 });
 * const logits = model.predict(lightness) as tf.Tensor4D; // [N, 16, 16, 313]
 */
export function buildZhangModel(config: ZhangModelConfig = {}): tfl.LayersModel {
  const { inputSize, widthMultiplier, bins, seed, name } = resolveZhangModelConfig(config);
  const width = (channels: number): number => Math.max(1, Math.round(channels * widthMultiplier));
  let layerIndex = 0;
  const kernelInitializer = () => tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + layerIndex++ });

  const input = tfl.input({ shape: [inputSize, inputSize, 1], name: 'lightness' });
  let x: tfl.SymbolicTensor = input;
  ENCODER_BLOCKS.forEach((block, b) => {
    block.channels.forEach((channels, j) => {
      const layerName = `conv${b + 1}_${j + 1}`;
      const strided = j === block.channels.length - 1 && block.lastStride === 2;
      if (block.dilation > 1) {
        const initSeed = seed === undefined ? undefined : seed + layerIndex++;
        x = new DilatedConv2D({ filters: width(channels), dilationRate: block.dilation, activation: 'relu', seed: initSeed, name: layerName }).apply(x) as tfl.SymbolicTensor;
        return;
      }
      if (strided) x = tfl.layers.zeroPadding2d({ padding: 1, name: `${layerName}pad` }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers
        .conv2d({ filters: width(channels), kernelSize: 3, strides: strided ? 2 : 1, padding: strided ? 'valid' : 'same', activation: 'relu', kernelInitializer: kernelInitializer(), name: layerName })
        .apply(x) as tfl.SymbolicTensor;
    });
    x = tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name: `conv${b + 1}_${block.channels.length}norm` }).apply(x) as tfl.SymbolicTensor;
  });
  x = tfl.layers
    .conv2dTranspose({ filters: width(DECODER_CHANNELS), kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: kernelInitializer(), name: 'conv8_1' })
    .apply(x) as tfl.SymbolicTensor;
  for (const layerName of ['conv8_2', 'conv8_3']) {
    x = tfl.layers
      .conv2d({ filters: width(DECODER_CHANNELS), kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: kernelInitializer(), name: layerName })
      .apply(x) as tfl.SymbolicTensor;
  }
  const logits = tfl.layers.conv2d({ filters: bins, kernelSize: 1, kernelInitializer: kernelInitializer(), name: 'conv8_313' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name });
}

