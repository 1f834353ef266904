/**
 * The generator–discriminator pair of Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using Generative
 * Adversarial Networks", built for one preset and input size.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import { buildNazeriDiscriminator, type NazeriDiscriminatorConfig } from './nazeri-discriminator.js';
import { buildNazeriGenerator, type NazeriGeneratorConfig } from './nazeri-generator.js';
import type { NazeriPreset } from './nazeri-presets.js';

/**
 * Configuration of {@link buildNazeriGan}.
 * @example
 * const { generator, discriminator } = buildNazeriGan({
 *   preset: 'cifar10',
 *   generator: { dropoutRate: 0.3 },
 *   discriminator: { channels: [32, 64, 128, 256] },
 *   seed: 1,
 * });
 */
export interface NazeriGanConfig {
  /** The paper's tables: `'cifar10'` (32×32) or `'places365'` (256×256, default). */
  preset?: NazeriPreset;
  /** Square input size shared by both networks; default the preset's. */
  inputSize?: number;
  /** Generator keys beyond preset and size (channel lists, dropout, first-layer BatchNorm). */
  generator?: Omit<NazeriGeneratorConfig, 'preset' | 'inputSize' | 'seed'>;
  /** Discriminator keys beyond preset and size (channel list). */
  discriminator?: Omit<NazeriDiscriminatorConfig, 'preset' | 'inputSize' | 'seed'>;
  /** Seed of the initializers: the generator uses `seed`, the discriminator `seed + 1`. Unseeded when absent. */
  seed?: number;
}

const NAZERI_GAN_CONFIG_KEYS = configKeys<NazeriGanConfig>({
  preset: true, inputSize: true, generator: true, discriminator: true, seed: true,
});

/** The two networks; the caller owns both (`dispose()` each). */
export interface NazeriGan {
  /** `[N, S, S, 1]` normalized L → `[N, S, S, 2]` normalized ab (tanh). */
  generator: tfl.LayersModel;
  /** `[lightness [N, S, S, 1], ab [N, S, S, 2]]` → patch logits `[N, s, s, 1]`. */
  discriminator: tfl.LayersModel;
}

/**
 * Build the conditional GAN of Nazeri et al. 2018: {@link buildNazeriGenerator} and
 * {@link buildNazeriDiscriminator} with one preset and input size. Train them with
 * `computeGanGeneratorLoss` / `computeGanDiscriminatorLoss` from `src/losses` (the paper: Adam,
 * label smoothing 0.9 on real pairs, λ = 100 on the L1 term).
 *
 * @param config  see {@link NazeriGanConfig}; default the `places365` preset.
 * @returns `{ generator, discriminator }`, uncompiled; the caller owns and disposes both.
 * @throws ConfigError naming the key (`generator.decoderChannels`, `inputSize`, …) for any invalid value.
 * @example
 * const { generator, discriminator } = buildNazeriGan({ preset: 'cifar10', seed: 1 });
 */
export function buildNazeriGan(config: NazeriGanConfig = {}): NazeriGan {
  checkConfigKeys(config, NAZERI_GAN_CONFIG_KEYS);
  for (const key of ['generator', 'discriminator'] as const) {
    const part = config[key];
    if (part !== undefined && (typeof part !== 'object' || part === null)) throw new ConfigError(key, 'an object', describeValue(part));
  }
  if (config.seed !== undefined) checkConfigRange('seed', config.seed, -Infinity, Infinity, { integer: true });
  const shared = { preset: config.preset, inputSize: config.inputSize };
  const generator = withPrefix('generator', () =>
    buildNazeriGenerator({ ...config.generator, ...shared, seed: config.seed }),
  );
  try {
    const discriminator = withPrefix('discriminator', () =>
      buildNazeriDiscriminator({ ...config.discriminator, ...shared, seed: config.seed === undefined ? undefined : config.seed + 1 }),
    );
    return { generator, discriminator };
  } catch (error) {
    generator.dispose();
    throw error;
  }
}

/** Re-throw a sub-builder's ConfigError with its key prefixed (`channels` → `discriminator.channels`), except shared keys. */
function withPrefix<T>(part: 'generator' | 'discriminator', build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError && !['preset', 'inputSize', 'seed'].includes(error.key)) {
      // ConfigError keeps key and expected; the received text is what follows them in the message.
      const wanted = typeof error.expected === 'string' ? error.expected : `one of ${error.expected.join(' | ')}`;
      const received = error.message.slice(`${error.key}: expected ${wanted}, received `.length);
      throw new ConfigError(`${part}.${error.key}`, error.expected, received);
    }
    throw error;
  }
}
