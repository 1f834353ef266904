/**
 * Backend selection: the only place in the library that touches it. The library never imports a
 * backend package; the application imports one (which registers it) and then selects it here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './errors.js';

/**
 * npm packages that provide the usual backends, named in errors.
 * @example
 * BACKEND_PACKAGES.wasm; // '@tensorflow/tfjs-backend-wasm'
 */
export const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu)',
};

/**
 * Select a registered tfjs backend and wait until it is ready.
 *
 * @param name  `cpu`, `wasm`, `webgl`, `webgpu`, `tensorflow`, or any custom registered name.
 * @throws BackendError naming the package to install when `name` is not registered or fails to start.
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * await useBackend('wasm');
 */
export async function useBackend(name: string): Promise<void> {
  const pkg = BACKEND_PACKAGES[name] ?? `the package that registers backend '${name}'`;
  if (tf.findBackendFactory(name) == null) throw new BackendError(name, pkg, 'is not registered');
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendError(name, pkg, `failed to initialize (${(e as Error).message})`);
  }
  if (!ok) throw new BackendError(name, pkg, 'failed to initialize');
  await tf.ready();
}

/**
 * Name of the active backend, e.g. `'wasm'`.
 * @example
 * await useBackend('wasm');
 * currentBackend(); // 'wasm'
 */
export function currentBackend(): string {
  return tf.getBackend();
}
