/**
 * The conditional PatchGAN discriminator of Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using
 * Generative Adversarial Networks" (after Isola et al. 2017's pix2pix): it sees the gray image together
 * with a colouring (true or generated) and scores every patch as real or fake.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { createRandom } from '../random.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import { checkChannelList, checkInputSize, nazeriBatchNorm, nazeriKernelInitializer } from './nazeri-blocks.js';
import { NAZERI_LEAKY_SLOPE, NAZERI_PRESETS, NAZERI_PRESET_TABLES, type NazeriPreset } from './nazeri-presets.js';

/**
 * Configuration of {@link buildNazeriDiscriminator}. Keys left out come from `preset`.
 * @example
 * const discriminator = buildNazeriDiscriminator({ preset: 'cifar10', channels: [32, 64, 128, 256], seed: 2 });
 */
export interface NazeriDiscriminatorConfig {
  /** The paper's table to start from: `'cifar10'` (32×32) or `'places365'` (256×256). Default `'places365'`. */
  preset?: NazeriPreset;
  /** Square input size in pixels; must be a multiple of 2^(channels.length − 1). */
  inputSize?: number;
  /** Output channels of the 4×4 convolutions: stride 2 for all but the last, which has stride 1. Default [64, 128, 256, 512]. */
  channels?: readonly number[];
  /** Seed of the weight initializers; unseeded when absent. */
  seed?: number;
}

const NAZERI_DISCRIMINATOR_CONFIG_KEYS = configKeys<NazeriDiscriminatorConfig>({
  preset: true, inputSize: true, channels: true, seed: true,
});

/** A validated discriminator configuration, every key filled. */
export interface ResolvedNazeriDiscriminatorConfig {
  preset: NazeriPreset;
  inputSize: number;
  channels: readonly number[];
  seed: number | undefined;
}

/**
 * Fill a discriminator configuration from its preset and validate every key.
 *
 * @throws ConfigError naming the key, the valid choices or range, and what it got.
 * @example
 * resolveNazeriDiscriminatorConfig({ preset: 'cifar10' }).channels; // [64, 128, 256, 512]
 */
export function resolveNazeriDiscriminatorConfig(config: NazeriDiscriminatorConfig = {}): ResolvedNazeriDiscriminatorConfig {
  checkConfigKeys(config, NAZERI_DISCRIMINATOR_CONFIG_KEYS);
  const preset = config.preset ?? 'places365';
  checkConfigChoice('preset', preset, NAZERI_PRESETS);
  const table = NAZERI_PRESET_TABLES[preset];
  const channels = config.channels ?? table.discriminatorChannels;
  checkChannelList('channels', channels, 1);
  const inputSize = config.inputSize ?? table.inputSize;
  checkInputSize('inputSize', inputSize, channels.length - 1);
  if (config.seed !== undefined) checkConfigRange('seed', config.seed, -Infinity, Infinity, { integer: true });
  return { preset, inputSize, channels, seed: config.seed };
}

/**
 * Build the PatchGAN discriminator of Nazeri et al. 2018.
 *
 * Inputs: `dis_lightness` `[N, S, S, 1]` (normalized L, the condition) and `dis_ab` `[N, S, S, 2]`
 * (normalized ab, true or generated), concatenated inside (`dis_concat`) to `[N, S, S, 3]`.
 * Layer i (`dis_conv{i}`, `dis_bn{i}` for i > 0, `dis_lrelu{i}`): 4×4 conv ('same'; stride 2, the last
 * listed one stride 1) → BatchNorm (not on the first layer, following DCGAN) → LeakyReLU(0.2).
 * Output `dis_logits`: 4×4 stride-1 conv → 1 channel, no activation: `[N, S / 2^(k−1), S / 2^(k−1), 1]`
 * logits (k = `channels.length`), one per overlapping patch; train with the sigmoid cross-entropy of
 * `computeGanDiscriminatorLoss` from `src/losses`. Layer table and parameter counts: `docs/models-nazeri.md`.
 *
 * @param config  see {@link NazeriDiscriminatorConfig}; default the `places365` preset.
 * @returns an uncompiled `tf.LayersModel` named `nazeri_discriminator` with two inputs; caller owns it.
 * @throws ConfigError for an unknown preset (listing the presets), an input size that is not a multiple
 *   of 2^(k−1) (naming valid sizes) or any other invalid key.
 * @example
 * const discriminator = buildNazeriDiscriminator({ preset: 'cifar10' });
 * const logits = discriminator.predict([lightness, ab]) as tf.Tensor4D; // [N, 4, 4, 1]
 */
export function buildNazeriDiscriminator(config: NazeriDiscriminatorConfig = {}): tfl.LayersModel {
  const c = resolveNazeriDiscriminatorConfig(config);
  const rng = c.seed === undefined ? null : createRandom(c.seed);
  const lightness = tfl.input({ shape: [c.inputSize, c.inputSize, 1], name: 'dis_lightness' });
  const ab = tfl.input({ shape: [c.inputSize, c.inputSize, 2], name: 'dis_ab' });
  let x = tfl.layers.concatenate({ axis: -1, name: 'dis_concat' }).apply([lightness, ab]) as tfl.SymbolicTensor;
  c.channels.forEach((filters, i) => {
    const strides = i === c.channels.length - 1 ? 1 : 2;
    x = tfl.layers
      .conv2d({ filters, kernelSize: 4, strides, padding: 'same', kernelInitializer: nazeriKernelInitializer(rng), name: `dis_conv${i}` })
      .apply(x) as tfl.SymbolicTensor;
    if (i > 0) x = nazeriBatchNorm(`dis_bn${i}`).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.leakyReLU({ alpha: NAZERI_LEAKY_SLOPE, name: `dis_lrelu${i}` }).apply(x) as tfl.SymbolicTensor;
  });
  const logits = tfl.layers
    .conv2d({ filters: 1, kernelSize: 4, strides: 1, padding: 'same', kernelInitializer: nazeriKernelInitializer(rng), name: 'dis_logits' })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [lightness, ab], outputs: logits, name: 'nazeri_discriminator' });
}
