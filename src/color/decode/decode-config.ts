/**
 * The decoders' options (which bins, what the distribution holds, the temperature) and their validation, shared
 * by the decoders and the sampler. `resolveDecodeConfig` is internal to src/color: not re-exported.
 */
import { ZHANG_GAMUT, type AbGamut } from '../bins/gamut.js';
import { assertDim, assertRank, checkConfigChoice, checkConfigRange } from '../../validate.js';

/**
 * Zhang et al.'s annealed-mean temperature (ECCV 2016, §3.3 and Fig. 3: T = 0.38): the default of the decoders,
 * the sampler, the colorizer and the command line, written here only.
 * @example
 * const vivid = decodeAnnealedMean(logits, { temperature: DEFAULT_TEMPERATURE / 2 }); // nearer the mode
 */
export const DEFAULT_TEMPERATURE = 0.38;

/**
 * What a `[N, H, W, Q]` distribution tensor holds: unnormalized scores or probabilities.
 * @example decodeMean(probs, { input: 'probabilities' satisfies DistributionInput });
 */
export type DistributionInput = 'logits' | 'probabilities';

/**
 * The valid values of {@link DistributionInput}.
 * @example const ab = decodeAnnealedMean(dist, { input: DISTRIBUTION_INPUTS.find((i) => i === flags.input) ?? 'logits' });
 */
export const DISTRIBUTION_INPUTS: readonly DistributionInput[] = Object.freeze(['logits', 'probabilities']);

/**
 * Options shared by the decoders (the gamut defaults to ZHANG_GAMUT).
 * @example decodeAnnealedMean(logits, { temperature: 0.5 } satisfies DecodeConfig);
 */
export interface DecodeConfig {
  /** The bins the last axis indexes; default {@link ZHANG_GAMUT} (Q = 313). */
  gamut?: AbGamut;
  /** `'logits'` (a model's raw output, the default) or `'probabilities'` (non-negative, summing to 1 per pixel). */
  input?: DistributionInput;
  /** T in (0, 1]: 1 keeps the distribution, → 0 approaches the mode. Default {@link DEFAULT_TEMPERATURE} (§3.3, Fig. 3). */
  temperature?: number;
}

/** {@link DecodeConfig} with its defaults filled in and checked. */
export interface ResolvedDecodeConfig {
  gamut: AbGamut;
  input: DistributionInput;
  temperature: number;
}

/**
 * Validate a `[N, H, W, Q]` distribution against its gamut and return the resolved options: the one check of
 * the public decoders and the sampler, which then call their unchecked cores.
 */
export function resolveDecodeConfig(
  dist: unknown,
  config: DecodeConfig,
  defaultTemperature = DEFAULT_TEMPERATURE,
): ResolvedDecodeConfig {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const input = config.input ?? 'logits';
  const temperature = config.temperature ?? defaultTemperature;
  assertRank('dist', dist, 4);
  assertDim('dist', dist, -1, gamut.size, `last dimension Q (the gamut's ${gamut.size} bins)`);
  checkConfigChoice('input', input, DISTRIBUTION_INPUTS);
  checkConfigRange('temperature', temperature, 0, 1, { openLow: true });
  return { gamut, input, temperature };
}
