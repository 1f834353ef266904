/**
 * Validation shared by the decoders and the sampler. Internal to src/color: not re-exported.
 */
import { ZHANG_GAMUT, type AbGamut } from './gamut.js';
import type { DecodeConfig, DistributionInput } from './anneal-distribution.js';
import { assertDim, assertRank, checkConfigChoice, checkConfigRange } from '../validate.js';

/** Validate a `[N, H, W, Q]` distribution against its gamut and return the resolved options. */
export function resolveDecodeConfig(
  dist: unknown,
  config: DecodeConfig,
  defaultTemperature: number,
): { gamut: AbGamut; input: DistributionInput; temperature: number } {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const input = config.input ?? 'logits';
  const temperature = config.temperature ?? defaultTemperature;
  assertRank('dist', dist, 4);
  assertDim('dist', dist, -1, gamut.size, `last dimension Q (the gamut's ${gamut.size} bins)`);
  checkConfigChoice('input', input, ['logits', 'probabilities'] as const);
  checkConfigRange('temperature', temperature, 0, 1, { openLow: true });
  return { gamut, input, temperature };
}

