// Shared by the kernel tests: seeded data that is identical on every backend, running a kernel on a
// chosen backend, and the relative error used against the cpu reference.
import * as tf from '@tensorflow/tfjs-core';

/** Seeded standard-normal values, made once on the cpu backend so every backend sees the same numbers. */
export function normalData(shape: number[], seed: number): Float32Array {
  const previous = tf.getBackend();
  tf.setBackend('cpu');
  const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  tf.setBackend(previous);
  return data.slice();
}

/** Run `fn` on `backend` and return its result as plain values (tensors made inside are freed). */
export async function valuesOn(
  backend: string,
  fn: () => tf.Tensor,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  return { shape, values };
}

/** max |a − ref| / max |ref|: the error measure of the kernel tests (1e-4 for float32 sums of this size). */
export function relativeError(values: ArrayLike<number>, reference: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(values[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return diff / scale;
}

/** Data ids the active backend holds: catches intermediates a kernel forgot to free. */
export function backendDataIds(): number {
  return tf.engine().backend.numDataIds();
}
