import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** Backends that every tensor test of the colour module runs on. */
export const TEST_BACKENDS = ['cpu', 'wasm'] as const;

/**
 * Run the same `describe` block once per backend; the block selects its backend in `beforeAll`-style
 * fashion by awaiting `tf.setBackend` at its start.
 */
export function describeEachBackend(
  title: string,
  body: (backend: string) => void,
  backends: readonly string[] = TEST_BACKENDS,
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      beforeAllBackend(backend);
      body(backend);
    });
  }
}

function beforeAllBackend(backend: string): void {
  let previous = 'cpu';
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend(backend);
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });
}

/** Assert that `fn` leaves no tensor behind. Returns fn's result (disposed by the caller if a tensor). */
export function countNewTensors(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}

/** Max absolute difference of two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
