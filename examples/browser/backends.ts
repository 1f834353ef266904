/**
 * The backends this page offers. The application, not the library, imports backend packages: each import
 * registers its backend with tfjs, and `useBackend` from the library then selects one.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import './wasm-backend.js';

/** Backends in order of preference; the first available one is selected at start. */
export const OFFERED_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Name of a backend the page offers. */
export type OfferedBackend = (typeof OFFERED_BACKENDS)[number];

/**
 * Which offered backends can start here. webgpu registers only where `navigator.gpu` exists and still
 * needs an adapter; webgl needs a WebGL context (a software one counts).
 */
export async function detectBackends(): Promise<OfferedBackend[]> {
  const available: OfferedBackend[] = [];
  for (const name of OFFERED_BACKENDS) {
    if (tf.findBackendFactory(name) == null) continue;
    if (name === 'webgpu') {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      if (gpu === undefined || (await gpu.requestAdapter().catch(() => null)) == null) continue;
    }
    if (name === 'webgl') {
      const canvas = document.createElement('canvas');
      if (canvas.getContext('webgl2') == null && canvas.getContext('webgl') == null) continue;
    }
    available.push(name);
  }
  return available;
}
