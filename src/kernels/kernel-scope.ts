/**
 * Running a backend's own registered kernels from inside another kernel, with the intermediates
 * freed afterwards. The replacement kernels of this module are compositions of a backend's fast
 * kernels (Conv2D, Transpose, PadV2, …), so they work below the engine: no tensors, no tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';

/** The part of the tfjs `KernelBackend` interface these kernels use directly. */
interface DataBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}

/**
 * Calls kernels of one backend and remembers every result, so that `dispose()` frees all of them
 * except the ones handed to `keep`.
 *
 * @example
 * const scope = new KernelScope(backend, 'wasm');
 * try { return scope.keep(scope.run('Transpose', { x }, { perm: [1, 0] })); } finally { scope.dispose(); }
 */
export class KernelScope {
  private readonly results: tf.TensorInfo[] = [];

  constructor(
    /** The backend object a kernel receives (`args.backend`). */
    readonly backend: object,
    /** Its registered name, used to look kernels up. */
    readonly backendName: string,
  ) {}

  /** Run the kernel currently registered as `kernelName`; the result is freed by `dispose()` unless kept. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config == null)
      throw new BackendError(this.backendName, 'a backend with kernel ' + kernelName, `has no kernel '${kernelName}'`);
    const out = config.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out))
      throw new BackendError(this.backendName, 'a backend', `returned several outputs from '${kernelName}'`);
    this.results.push(out);
    return out;
  }

  /** Float32 values of `info`, read synchronously from the backend (a copy on wasm). */
  read(info: tf.TensorInfo): Float32Array {
    return (this.backend as DataBackend).readSync(info.dataId) as Float32Array;
  }

  /** A new float32 tensor on the backend holding `values`; freed by `dispose()` unless kept. */
  write(values: Float32Array, shape: number[]): tf.TensorInfo {
    const dataId = (this.backend as DataBackend).write(values, shape, 'float32');
    const info: tf.TensorInfo = { dataId, shape, dtype: 'float32' };
    this.results.push(info);
    return info;
  }

  /** Exclude `info` from `dispose()`: the caller now owns it. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.results.indexOf(info);
    if (i >= 0) this.results.splice(i, 1);
    return info;
  }

  /** Free every result not kept. Reference counts make this safe for results that share data (Reshape). */
  dispose(): void {
    const backend = this.backend as DataBackend;
    for (const info of this.results) backend.disposeData(info.dataId);
    this.results.length = 0;
  }
}
