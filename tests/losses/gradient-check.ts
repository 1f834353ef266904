// Central-difference gradient check for the loss tests, independent of tfjs's autodiff: the loss is only
// evaluated, at x ± eps·e_i, one coordinate at a time.
//
// Error budget in float32 (why EPS and TOLERANCE are what they are): the central difference has truncation
// error eps²/6·|f'''| ≈ 1.7e-5·|f'''| for eps = 1e-2, and rounding error ≈ (a few ulps of f) / (2·eps):
// with |f| ≲ 10 and ulp ≈ 1.2e-7·|f|, that is ≲ 3·1.2e-6 / 2e-2 ≈ 2e-4. The losses here have |f'''| ≲ 2 at
// the test points (points stay ≥ 0.05 away from the kinks of |d| and Huber's δ), so 1e-3 absolute
// tolerance plus 1e-3 relative leaves a few-fold margin and would still catch a missing factor of 2,
// a sign error or a wrong gradient through the weights.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export const EPS = 1e-2;
export const TOLERANCE = 1e-3;

/** Numerical gradient of `f` at `x` (values and shape), by central differences in float32. */
export function numericalGradient(
  f: (x: tf.Tensor) => tf.Scalar,
  values: Float32Array,
  shape: number[],
  eps = EPS,
): Float32Array {
  const out = new Float32Array(values.length);
  const probe = Float32Array.from(values);
  const at = (v: Float32Array): number => tf.tidy(() => f(tf.tensor(v, shape)).dataSync()[0]);
  for (let i = 0; i < values.length; i++) {
    probe[i] = values[i] + eps;
    const plus = at(probe);
    probe[i] = values[i] - eps;
    const minus = at(probe);
    probe[i] = values[i];
    out[i] = (plus - minus) / (2 * eps);
  }
  return out;
}

/** Assert that tf.grad of `f` at `x` agrees with the central difference within the stated tolerance. */
export function expectGradientMatches(f: (x: tf.Tensor) => tf.Scalar, values: Float32Array, shape: number[]): void {
  const analytic = tf.tidy(() => tf.grad(f)(tf.tensor(values, shape)).dataSync() as Float32Array);
  const numeric = numericalGradient(f, values, shape);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const allowed = TOLERANCE + TOLERANCE * Math.abs(numeric[i]);
    worst = Math.max(worst, Math.abs(analytic[i] - numeric[i]) / allowed);
  }
  expect(worst, `analytic ${Array.from(analytic)} vs numeric ${Array.from(numeric)}`).toBeLessThanOrEqual(1);
  // The check is only meaningful if the gradient is not trivially zero.
  expect(Math.max(...Array.from(numeric).map(Math.abs))).toBeGreaterThan(1e-2);
}

/** Deterministic pseudo-random values in [lo, hi), for gradient test points. */
export function testValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}
