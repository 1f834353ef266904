/**
 * The U-Net generator of Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using Generative Adversarial
 * Networks" (after Ronneberger et al. 2015's U-Net and Isola et al. 2017's pix2pix): normalized lightness
 * in, normalized ab out.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { createRandom } from '../random.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import {
  NAZERI_DROPOUT_RATE,
  NAZERI_LEAKY_SLOPE,
  NAZERI_PRESETS,
  NAZERI_PRESET_TABLES,
  type NazeriPreset,
} from './nazeri-presets.js';
import { checkChannelList, checkInputSize, nazeriBatchNorm, nazeriKernelInitializer } from './nazeri-blocks.js';

/**
 * Configuration of {@link buildNazeriGenerator}. Keys left out come from `preset`.
 * @example
 * const generator = buildNazeriGenerator({ preset: 'cifar10', firstEncoderBatchNorm: false, seed: 1 }); // the pix2pix encoder
 */
export interface NazeriGeneratorConfig {
  /** The paper's table to start from: `'cifar10'` (32×32) or `'places365'` (256×256). Default `'places365'`. */
  preset?: NazeriPreset;
  /** Square input size in pixels; must be a multiple of 2^(number of stride-2 encoder layers). */
  inputSize?: number;
  /** Output channels of the 4×4 encoder convolutions; the first has stride 1, each further one stride 2. At least 2 entries. */
  encoderChannels?: readonly number[];
  /** Output channels of the 4×4 stride-2 transposed convolutions: exactly one fewer entry than `encoderChannels`. */
  decoderChannels?: readonly number[];
  /** How many of the first decoder blocks apply dropout (cifar10: 2, places365: 0). */
  dropoutBlocks?: number;
  /** Dropout rate in [0, 1) of those blocks. Default 0.5. Active only with `training: true`. */
  dropoutRate?: number;
  /**
   * BatchNorm after the first encoder convolution. Default true: the paper describes, and its released
   * code applies, BatchNorm after every encoder convolution; false gives the pix2pix encoder, which
   * leaves the first layer unnormalized.
   */
  firstEncoderBatchNorm?: boolean;
  /** Seed of the weight initializers; unseeded when absent. */
  seed?: number;
}

const NAZERI_GENERATOR_CONFIG_KEYS = configKeys<NazeriGeneratorConfig>({
  preset: true, inputSize: true, encoderChannels: true, decoderChannels: true, dropoutBlocks: true,
  dropoutRate: true, firstEncoderBatchNorm: true, seed: true,
});

/** A validated generator configuration, every key filled. */
export interface ResolvedNazeriGeneratorConfig {
  preset: NazeriPreset;
  inputSize: number;
  encoderChannels: readonly number[];
  decoderChannels: readonly number[];
  dropoutBlocks: number;
  dropoutRate: number;
  firstEncoderBatchNorm: boolean;
  seed: number | undefined;
}

/**
 * Output channels of the generator: a and b.
 * @example
 * generator.outputs[0].shape; // [null, 32, 32, NAZERI_GENERATOR_OUTPUT_CHANNELS] for the cifar10 preset
 */
export const NAZERI_GENERATOR_OUTPUT_CHANNELS = 2;

/**
 * Fill a generator configuration from its preset and validate every key.
 *
 * @throws ConfigError naming the key, the valid choices or range, and what it got.
 * @example
 * resolveNazeriGeneratorConfig({ preset: 'cifar10' }).decoderChannels; // [512, 256, 128, 64]
 */
export function resolveNazeriGeneratorConfig(config: NazeriGeneratorConfig = {}): ResolvedNazeriGeneratorConfig {
  checkConfigKeys(config, NAZERI_GENERATOR_CONFIG_KEYS);
  const preset = config.preset ?? 'places365';
  checkConfigChoice('preset', preset, NAZERI_PRESETS);
  const table = NAZERI_PRESET_TABLES[preset];
  const encoderChannels = config.encoderChannels ?? table.encoderChannels;
  checkChannelList('encoderChannels', encoderChannels, 2);
  const decoderChannels = config.decoderChannels ?? table.decoderChannels;
  checkChannelList('decoderChannels', decoderChannels, 1);
  if (decoderChannels.length !== encoderChannels.length - 1) {
    throw new ConfigError(
      'decoderChannels',
      `${encoderChannels.length - 1} entries (one per stride-2 encoder layer of encoderChannels)`,
      `${decoderChannels.length} entries`,
    );
  }
  const inputSize = config.inputSize ?? table.inputSize;
  checkInputSize('inputSize', inputSize, decoderChannels.length);
  const dropoutBlocks = config.dropoutBlocks ?? Math.min(table.dropoutBlocks, decoderChannels.length);
  checkConfigRange('dropoutBlocks', dropoutBlocks, 0, decoderChannels.length, { integer: true });
  const dropoutRate = config.dropoutRate ?? NAZERI_DROPOUT_RATE;
  checkConfigRange('dropoutRate', dropoutRate, 0, 1, { openHigh: true });
  const firstEncoderBatchNorm = config.firstEncoderBatchNorm ?? true;
  if (typeof firstEncoderBatchNorm !== 'boolean') {
    throw new ConfigError('firstEncoderBatchNorm', ['true', 'false'], describeValue(firstEncoderBatchNorm));
  }
  if (config.seed !== undefined) checkConfigRange('seed', config.seed, -Infinity, Infinity, { integer: true });
  return { preset, inputSize, encoderChannels, decoderChannels, dropoutBlocks, dropoutRate, firstEncoderBatchNorm, seed: config.seed };
}

/**
 * Build the U-Net generator of Nazeri et al. 2018.
 *
 * Encoder layer i (`gen_conv{i}`, `gen_bn{i}`, `gen_lrelu{i}`): 4×4 conv ('same', stride 1 for i = 0,
 * else 2) → BatchNorm → LeakyReLU(0.2). Decoder block j (`gen_deconv{j}`, `gen_deconv_bn{j}`,
 * `gen_relu{j}`, `gen_dropout{j}` for j < dropoutBlocks, `gen_concat{j}`): 4×4 stride-2 transposed conv →
 * BatchNorm → ReLU → dropout → concatenation `[encoder output of the same size, decoder output]`.
 * Output (`gen_ab`): 1×1 conv → 2 channels, tanh. Every conv has a bias, like the released code.
 * Layer tables and parameter counts: `docs/models-nazeri.md`.
 *
 * Input `gen_lightness`: `[N, S, S, 1]` lightness `(L − 50) / 100`. Output: `[N, S, S, 2]` ab / 110 in (−1, 1).
 * (The released code maps L to [−1, 1] instead and predicts all three Lab channels; here the generator
 * follows this library's normalization and predicts only ab, since L is known.)
 *
 * @param config  see {@link NazeriGeneratorConfig}; default the `places365` preset.
 * @returns an uncompiled `tf.LayersModel` named `nazeri_generator`; caller owns it (`dispose()`).
 * @throws ConfigError for an unknown preset (listing the presets), an input size that is not a multiple
 *   of 2^depth (naming valid sizes), mismatched channel lists or any other invalid key.
 * @example
 * const generator = buildNazeriGenerator({ preset: 'cifar10' });
 * const ab = generator.predict(lightness) as tf.Tensor4D; // [N, 32, 32, 2]
 */
export function buildNazeriGenerator(config: NazeriGeneratorConfig = {}): tfl.LayersModel {
  const c = resolveNazeriGeneratorConfig(config);
  const rng = c.seed === undefined ? null : createRandom(c.seed);
  const input = tfl.input({ shape: [c.inputSize, c.inputSize, 1], name: 'gen_lightness' });

  const skips: tfl.SymbolicTensor[] = [];
  let x: tfl.SymbolicTensor = input;
  c.encoderChannels.forEach((filters, i) => {
    x = tfl.layers
      .conv2d({ filters, kernelSize: 4, strides: i === 0 ? 1 : 2, padding: 'same', kernelInitializer: nazeriKernelInitializer(rng), name: `gen_conv${i}` })
      .apply(x) as tfl.SymbolicTensor;
    if (i > 0 || c.firstEncoderBatchNorm) x = nazeriBatchNorm(`gen_bn${i}`).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: NAZERI_LEAKY_SLOPE, name: `gen_lrelu${i}` }).apply(x) as tfl.SymbolicTensor;
    skips.push(x);
  });

  c.decoderChannels.forEach((filters, j) => {
    x = tfl.layers
      .conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: nazeriKernelInitializer(rng), name: `gen_deconv${j}` })
      .apply(x) as tfl.SymbolicTensor;
    x = nazeriBatchNorm(`gen_deconv_bn${j}`).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `gen_relu${j}` }).apply(x) as tfl.SymbolicTensor;
    if (j < c.dropoutBlocks && c.dropoutRate > 0) {
      x = tfl.layers.dropout({ rate: c.dropoutRate, name: `gen_dropout${j}` }).apply(x) as tfl.SymbolicTensor;
    }
    // The mirror of decoder block j is encoder layer (depth − 1 − j): the last block meets the stride-1 layer.
    const skip = skips[skips.length - 2 - j];
    x = tfl.layers.concatenate({ axis: -1, name: `gen_concat${j}` }).apply([skip, x]) as tfl.SymbolicTensor;
  });

  const output = tfl.layers
    .conv2d({
      filters: NAZERI_GENERATOR_OUTPUT_CHANNELS,
      kernelSize: 1,
      activation: 'tanh',
      kernelInitializer: nazeriKernelInitializer(rng),
      name: 'gen_ab',
    })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'nazeri_generator' });
}
