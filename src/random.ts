/**
 * Seeded randomness: every random choice in the library takes a seed, and the same seed gives the same result.
 * The generator is mulberry32 (32-bit state, period 2^32), fast and good enough for shuffling,
 * augmentation and sampling; it is not cryptographic.
 */

/** A seeded source of uniform numbers in [0, 1). */
export interface Random {
  /** Next uniform float in [0, 1). */
  next(): number;
  /** Next integer in [0, n). */
  int(n: number): number;
  /** The internal state, to save in a checkpoint and restore with {@link createRandom}`(state)`. */
  state(): number;
}

/**
 * Create a seeded generator.
 *
 * @param seed  any integer (taken modulo 2^32).
 * @example
 * const rng = createRandom(42); rng.next(); // same sequence for every run with seed 42
 */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    state: () => s,
  };
}

/**
 * Fisher–Yates shuffle of `0 … n-1` with a seeded generator.
 *
 * @example
 * shuffledIndices(5, createRandom(1)); // e.g. [3, 0, 4, 1, 2]
 */
export function shuffledIndices(n: number, rng: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
