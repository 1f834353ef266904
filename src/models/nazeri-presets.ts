/**
 * The layer tables of Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using Generative Adversarial
 * Networks" (AMDO 2018, arXiv:1803.05400; the network-architecture section and its U-Net figure), with
 * the channel lists of the code released with the paper (ImagingLab/Colorizing-with-GANs,
 * `src/models.py`): one generator and one discriminator per data set.
 *
 * Generator: the first encoder convolution has stride 1 (it keeps the full resolution for the last
 * skip connection); every further encoder layer halves the size, and each decoder layer doubles it.
 * Discriminator: every convolution halves the size except the last listed one (stride 1), followed by a
 * 4×4 stride-1 convolution to one logit per patch.
 */

/**
 * Names of the configurations of Nazeri, Ng, Ebrahimi 2018, "Image Colorization using Generative Adversarial Networks".
 * @example
 * NAZERI_PRESETS.map((preset) => NAZERI_PRESET_TABLES[preset].inputSize); // [32, 256]
 */
export const NAZERI_PRESETS = ['cifar10', 'places365'] as const;

/** One of {@link NAZERI_PRESETS}. */
export type NazeriPreset = (typeof NAZERI_PRESETS)[number];

/** One preset's tables. */
export interface NazeriPresetTable {
  /** Square input size in pixels. */
  readonly inputSize: number;
  /** Output channels of the generator's encoder convolutions (the first with stride 1, the rest stride 2). */
  readonly encoderChannels: readonly number[];
  /** Output channels of the generator's transposed convolutions (stride 2), one per stride-2 encoder layer. */
  readonly decoderChannels: readonly number[];
  /** How many of the first decoder blocks apply dropout (rate {@link NAZERI_DROPOUT_RATE}). */
  readonly dropoutBlocks: number;
  /** Output channels of the discriminator's convolutions (stride 2, the last stride 1). */
  readonly discriminatorChannels: readonly number[];
}

/**
 * Dropout rate of the decoder blocks that use it (Nazeri et al. 2018's CIFAR-10 table; pix2pix's 0.5).
 * @example
 * buildNazeriGenerator({ preset: 'cifar10', dropoutRate: NAZERI_DROPOUT_RATE }); // the default
 */
export const NAZERI_DROPOUT_RATE = 0.5;

/**
 * Slope of the LeakyReLU in the generator's encoder and in the discriminator (Nazeri et al. 2018, network architecture).
 * @example
 * tfl.layers.leakyReLU({ alpha: NAZERI_LEAKY_SLOPE });
 */
export const NAZERI_LEAKY_SLOPE = 0.2;

/**
 * The two configurations of Nazeri et al. 2018:
 * - `cifar10`: 32×32; encoder 64(s1)-128-256-512-512 down to 2×2; decoder 512-256-128-64 with dropout
 *   in the first two blocks; discriminator 64-128-256-512(s1) → 4×4 patch logits.
 * - `places365`: 256×256; encoder 64(s1)-64-128-256-512-512-512-512 down to 2×2; decoder
 *   512-512-512-256-128-64-64 without dropout; the same discriminator → 32×32 patch logits.
 * @example
 * NAZERI_PRESET_TABLES.cifar10.encoderChannels; // [64, 128, 256, 512, 512]
 */
export const NAZERI_PRESET_TABLES: Readonly<Record<NazeriPreset, NazeriPresetTable>> = Object.freeze({
  cifar10: Object.freeze({
    inputSize: 32,
    encoderChannels: Object.freeze([64, 128, 256, 512, 512]),
    decoderChannels: Object.freeze([512, 256, 128, 64]),
    dropoutBlocks: 2,
    discriminatorChannels: Object.freeze([64, 128, 256, 512]),
  }),
  places365: Object.freeze({
    inputSize: 256,
    encoderChannels: Object.freeze([64, 64, 128, 256, 512, 512, 512, 512]),
    decoderChannels: Object.freeze([512, 512, 512, 256, 128, 64, 64]),
    dropoutBlocks: 0,
    discriminatorChannels: Object.freeze([64, 128, 256, 512]),
  }),
});
