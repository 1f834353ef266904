/**
 * Building blocks and checks shared by the Nazeri et al. 2018 generator and discriminator. Internal to
 * `src/models` (not re-exported from the barrel).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import type { Random } from '../random.js';
import { checkConfigRange } from '../validate.js';

/** Throw {@link ConfigError} unless `value` is a non-empty list of positive integers of at least `minLength` entries. */
export function checkChannelList(key: string, value: unknown, minLength: number): asserts value is readonly number[] {
  if (!Array.isArray(value) || value.length < minLength) {
    throw new ConfigError(key, `an array of at least ${minLength} positive integers`, describeValue(value));
  }
  value.forEach((c, i) => checkConfigRange(`${key}[${i}]`, c, 1, Infinity, { integer: true }));
}

/**
 * Throw {@link ConfigError} unless `size` is a positive multiple of 2^`halvings`, naming valid sizes.
 * Every stride-2 layer halves the map with 'same' padding; the U-Net's skips and the patch grid need
 * every halving to be exact.
 */
export function checkInputSize(key: string, size: unknown, halvings: number): asserts size is number {
  const step = 2 ** halvings;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < step || size % step !== 0) {
    const examples = [1, 2, 4, 8].map((k) => k * step).join(', ');
    throw new ConfigError(key, `a multiple of ${step} (2^${halvings}, one halving per stride-2 layer): ${examples}, …`, describeValue(size));
  }
}

/**
 * Fan-in variance scaling with a truncated normal, the initializer of the released code
 * (TensorFlow 1's `variance_scaling_initializer` defaults).
 */
export function nazeriKernelInitializer(rng: Random | null): ReturnType<typeof tfl.initializers.varianceScaling> {
  return tfl.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: rng?.int(2 ** 31) });
}

/** BatchNorm with TensorFlow 1's defaults (momentum 0.99, epsilon 1e-3), as in the released code. */
export function nazeriBatchNorm(name: string): tfl.layers.Layer {
  return tfl.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3, name });
}
