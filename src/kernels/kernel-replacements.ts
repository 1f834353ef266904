/**
 * Switchable kernel replacements: the public entry of src/kernels. Each replacement is a kernel the
 * library registers for a backend in place of a missing or slow one; switching it off restores the
 * backend's original kernel where there was one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_PACKAGES } from '../backend.js';
import { BackendError, ConfigError } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import { conv2dBackpropFilterByConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputByPhases } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterDirect, depthwiseBackpropInputDirect } from './depthwise-conv2d-backprop.js';

/**
 * Kernels this library can replace.
 * @example
 * registerKernels({ kernels: KERNEL_REPLACEMENTS.filter((k) => k !== 'Conv2DBackpropInput') });
 */
export const KERNEL_REPLACEMENTS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;
/**
 * Name of a replaceable kernel (tfjs kernel name).
 * @example
 * const kernels: KernelReplacementName[] = ['Conv2DBackpropFilter'];
 */
export type KernelReplacementName = (typeof KERNEL_REPLACEMENTS)[number];

/** Backends that have replacements. @example for (const backend of KERNEL_REPLACEMENT_BACKENDS) if (tf.findBackend(backend)) registerKernels({ backend }); */
export const KERNEL_REPLACEMENT_BACKENDS = ['wasm'] as const;
/** A backend with replacements. @example const backend: KernelReplacementBackend = 'wasm'; */
export type KernelReplacementBackend = (typeof KERNEL_REPLACEMENT_BACKENDS)[number];

/**
 * Which replacements to switch on or off.
 * @example
 * registerKernels({ backend: 'wasm', kernels: ['Conv2DBackpropInput'], transposedConvMinPixels: 0 });
 */
export interface KernelReplacementConfig {
  /** Backend to patch. Default `'wasm'`, the only one with replacements. */
  backend?: KernelReplacementBackend;
  /** Kernels to switch; default all of {@link KERNEL_REPLACEMENTS}. */
  kernels?: readonly KernelReplacementName[];
  /**
   * `Conv2DBackpropInput` keeps the backend's own kernel when `dy` has fewer than this many pixels
   * (N·Ho·Wo): below it, the fixed cost of the phase form (filter shuffle, XNNPACK weight packing;
   * ~40 ms for a 4×4×256×512 filter) exceeds what it saves. Default 128 (measured, docs/kernels.md).
   * 0 always uses the phase form. Read when `registerKernels` installs the kernel.
   */
  transposedConvMinPixels?: number;
}

/**
 * Default of {@link KernelReplacementConfig.transposedConvMinPixels}.
 * @example
 * registerKernels({ transposedConvMinPixels: 2 * TRANSPOSED_CONV_MIN_PIXELS });
 */
export const TRANSPOSED_CONV_MIN_PIXELS = 128;

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };
type ReplacementFactory = (
  backendName: string,
  original: tf.KernelConfig | null,
  minPixels: number,
) => (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

const IMPLEMENTATIONS: Record<KernelReplacementName, ReplacementFactory> = {
  // Missing on wasm 4.22: without it no convolution weight trains there.
  Conv2DBackpropFilter: (backendName) => (args) => conv2dBackpropFilterByConv(args, backendName),
  // Present on wasm but a direct loop; the phase form runs on XNNPACK's forward convolution.
  Conv2DBackpropInput: (backendName, original, minPixels) => (args) => {
    const [n, h, w] = (args.inputs.dy as tf.TensorInfo).shape;
    if (original != null && n * h * w < minPixels) return original.kernelFunc(args);
    return conv2dBackpropInputByPhases(args, backendName);
  },
  // Both missing on wasm 4.22: without them no depthwise layer (MobileNet) trains there, nor passes a gradient.
  DepthwiseConv2dNativeBackpropFilter: (backendName) => (args) => depthwiseBackpropFilterDirect(args, backendName),
  DepthwiseConv2dNativeBackpropInput: (backendName) => (args) => depthwiseBackpropInputDirect(args, backendName),
};

/** The original kernel of each active replacement (`null` when the backend had none), by `backend/kernel`. */
const originals = new Map<string, tf.KernelConfig | null>();

function resolve(config: KernelReplacementConfig): {
  backend: KernelReplacementBackend;
  kernels: readonly KernelReplacementName[];
  minPixels: number;
} {
  const minPixels = config.transposedConvMinPixels ?? TRANSPOSED_CONV_MIN_PIXELS;
  checkConfigRange('transposedConvMinPixels', minPixels, 0, Number.MAX_SAFE_INTEGER, { integer: true });
  const backend = config.backend ?? 'wasm';
  checkConfigChoice('backend', backend, KERNEL_REPLACEMENT_BACKENDS);
  const kernels = config.kernels ?? KERNEL_REPLACEMENTS;
  if (!Array.isArray(kernels)) throw new ConfigError('kernels', 'an array of kernel names', String(kernels));
  for (const name of kernels) checkConfigChoice('kernels', name, KERNEL_REPLACEMENTS);
  return { backend, kernels, minPixels };
}

/**
 * Register this library's kernels for a backend, replacing missing or slow ones. Idempotent; call it
 * after importing the backend package, before or after the backend is selected. On wasm this makes convolutions trainable
 * (`Conv2DBackpropFilter`), transposed convolutions and convolution input gradients faster
 * (`Conv2DBackpropInput`; see docs/kernels.md for the measured gains) and depthwise convolutions trainable
 * (`DepthwiseConv2dNativeBackpropFilter`, `…BackpropInput`).
 *
 * @param config  `backend` (default `'wasm'`), `kernels` (default all of {@link KERNEL_REPLACEMENTS}),
 *   `transposedConvMinPixels` (default {@link TRANSPOSED_CONV_MIN_PIXELS}). Already active kernels are left as they are.
 * @returns the replacements now active on that backend.
 * @throws ConfigError for an unknown backend or kernel name, or a negative or fractional `transposedConvMinPixels`.
 * @throws BackendError when the backend's package has not been imported yet (its own kernels would overwrite these).
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * registerKernels({ backend: 'wasm' });
 * await useBackend('wasm');
 */
export function registerKernels(config: KernelReplacementConfig = {}): KernelReplacementName[] {
  const { backend, kernels, minPixels } = resolve(config);
  // Registered before the backend package, a replacement would be overwritten by the package's own kernel.
  if (tf.findBackendFactory(backend) == null)
    throw new BackendError(backend, BACKEND_PACKAGES[backend] ?? backend, 'is not registered');
  for (const name of kernels) {
    const key = `${backend}/${name}`;
    if (originals.has(key)) continue;
    const original = tf.getKernel(name, backend) ?? null;
    if (original != null) tf.unregisterKernel(name, backend);
    tf.registerKernel({
      kernelName: name,
      backendName: backend,
      kernelFunc: IMPLEMENTATIONS[name](backend, original, minPixels),
      // The replacement may hand small cases to the original, which must be bound when the backend starts.
      ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
      ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    });
    originals.set(key, original);
  }
  return activeKernelReplacements(backend);
}

/**
 * Switch replacements off, restoring the backend's original kernel where one existed (a kernel the
 * backend never had, such as wasm's `Conv2DBackpropFilter`, becomes unavailable again). Kernels not
 * replaced are left alone.
 *
 * @param config  `backend` (default `'wasm'`) and `kernels` (default all).
 * @returns the replacements still active on that backend.
 * @throws ConfigError for an unknown backend or kernel name.
 * @example
 * unregisterKernels({ kernels: ['Conv2DBackpropInput'] }); // back to wasm's own transposed convolution
 */
export function unregisterKernels(config: KernelReplacementConfig = {}): KernelReplacementName[] {
  const { backend, kernels } = resolve(config);
  for (const name of kernels) {
    const key = `${backend}/${name}`;
    if (!originals.has(key)) continue;
    const original = originals.get(key) ?? null;
    originals.delete(key);
    tf.unregisterKernel(name, backend);
    if (original == null) continue;
    tf.registerKernel(original);
    // A backend set up while the replacement was registered never ran the original's setup
    // (on wasm: binding the C++ function), so run it now.
    const running = tf.engine().registry[backend];
    if (running != null && original.setupFunc != null) original.setupFunc(running);
  }
  return activeKernelReplacements(backend);
}

/**
 * The replacements currently active on a backend.
 *
 * @param backend  default `'wasm'`.
 * @example
 * activeKernelReplacements(); // ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] after registerKernels()
 */
export function activeKernelReplacements(backend: KernelReplacementBackend = 'wasm'): KernelReplacementName[] {
  return KERNEL_REPLACEMENTS.filter((name) => originals.has(`${backend}/${name}`));
}
