/**
 * Seeds derived from a pipeline seed and integer keys (epoch, example index, purpose), so every random
 * choice of the pipeline is a pure function of those numbers: a resumed run, or a batch read out of
 * order, draws exactly what an uninterrupted run drew.
 */
import { InputError, describeValue } from '../../errors.js';

/**
 * Combine a seed and integer keys into one 32-bit seed for `createRandom`. Each key is folded in with the
 * MurmurHash3 32-bit finalizer (Appleby, "MurmurHash3", 2011: `fmix32`), whose avalanche makes nearby
 * keys (epoch 3 vs 4, example 10 vs 11) give unrelated seeds.
 *
 * @param seed  any integer (taken modulo 2^32).
 * @param keys  integers, each taken modulo 2^32; order matters.
 * @returns an unsigned 32-bit integer.
 * @throws InputError when the seed or a key is not a finite integer.
 * @example
 * const rng = createRandom(deriveSeed(seed, epoch, exampleIndex));
 */
export function deriveSeed(seed: number, ...keys: number[]): number {
  if (!Number.isInteger(seed)) throw new InputError('seed', 'an integer', describeValue(seed));
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!Number.isInteger(key)) throw new InputError(`keys[${i}]`, 'an integer', describeValue(key));
    h = fmix32((h ^ fmix32((key >>> 0) + 0x85ebca6b + i)) >>> 0);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  return h;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
