/**
 * The direct form of {@link DilatedConv2D}: one fused dilated convolution forward, and a gradient the
 * layer supplies itself, because tfjs-core 4.22 refuses gradients of `conv2d` with dilations > 1.
 *
 * For a 'same', stride-1 convolution with an odd k×k kernel and rate d, the padding is p = d(k − 1)/2
 * on every side and, per spatial axis (the other axis and the channels are summed the same way),
 * `z[i] = Σ_a x[i + d·a − p] · w[a]`. Both gradients are again dilated or strided forward
 * convolutions, which every backend runs (on wasm through XNNPACK) and which need no gradient of their
 * own (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep learning", §4–5):
 * - input: `dx[m] = Σ_a dz[m − d·a + p] · w[a] = Σ_a dz[m + d·a − p] · w[k − 1 − a]`, since d(k − 1) = 2p:
 *   the same 'same' dilated convolution of `dz`, with the filter flipped in space and its in/out
 *   channels swapped;
 * - filter: `dw[a] = Σ_{n,i} xp[n, i + d·a] · dz[n, i]` with `xp` the input padded by p. Read with the
 *   input channels as the batch and the batch as the channels, that is a 'valid' convolution of `xp`
 *   (`[Ci, H + 2p, W + 2p, N]`) with `dz` as the filter (`[H, W, N, Co]`) at stride d, giving exactly
 *   k×k outputs — the construction of the library's wasm `Conv2DBackpropFilter` (src/kernels), here
 *   with tensor ops so that it runs on any backend;
 * - bias: `Σ_{n,i,j} dz`; and `dz = dy` (linear) or `dy · [y > 0]` (ReLU, y the layer output).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Activations the direct form fuses into its convolution.
 * @example const activation: DirectDilatedActivation = 'relu';
 */
export type DirectDilatedActivation = 'linear' | 'relu';

/**
 * Name of the kernel the direct form runs: the backend's own `FusedConv2D`, registered again under
 * this name so that the gradient below is tied to it. (A `tf.customGrad` op would save its tensors
 * inside the forward call, where tfjs's test-mode leak check counts wasm's copies of them as leaks.)
 * @example tf.getKernel(DILATED_CONV2D_KERNEL, 'wasm'); // registered on first use of the direct form there
 */
export const DILATED_CONV2D_KERNEL = 'ColorizationDilatedConv2D';

/** Attributes of {@link DILATED_CONV2D_KERNEL}: those of `FusedConv2D`, stride 1 and 'same' padding. */
interface DirectAttrs {
  strides: [number, number];
  pad: 'same';
  dataFormat: 'NHWC';
  dilations: [number, number];
  dimRoundingMode: undefined;
  activation: DirectDilatedActivation;
  leakyreluAlpha: number;
}

/**
 * `activation(conv2d(x, filter, 1, 'same', dilations: rate) + bias)` as one fused convolution
 * kernel (the backend's `FusedConv2D`, so the ReLU stays fused while a gradient tape records), with
 * gradients for `x`, `filter` and `bias` (see the file comment for the formulas).
 *
 * @param x       `[N, H, W, Ci]`, any H, W ≥ 1.
 * @param filter  `[k, k, Ci, Co]`, k odd.
 * @param bias    `[Co]`, or null for none.
 * @param rate    dilation rate d, an integer ≥ 1.
 * @param activation  `'linear'` or `'relu'`.
 * @returns `[N, H, W, Co]`. Caller owns it.
 * @throws Error when the active backend has no `FusedConv2D` kernel (use the layer's `'split'` form there).
 * @example
 * const y = dilatedConv2dDirect(x, kernel, bias, 2, 'relu'); // trainable: tf.grad works through it
 */
export function dilatedConv2dDirect(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, rate: number, activation: DirectDilatedActivation): tf.Tensor4D {
  registerDirectKernel(tf.getBackend());
  const attrs: DirectAttrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [rate, rate], dimRoundingMode: undefined, activation, leakyreluAlpha: 0 };
  const inputs: tf.NamedTensorMap = bias == null ? { x, filter } : { x, filter, bias };
  return tf.engine().runKernel(DILATED_CONV2D_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

let gradientRegistered = false;

/** Register the forward kernel for `backendName` (once) and its gradient (once for all backends). */
function registerDirectKernel(backendName: string): void {
  if (!gradientRegistered) {
    tf.registerGradient({
      kernelName: DILATED_CONV2D_KERNEL,
      inputsToSave: ['x', 'filter'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, filter, y] = saved as tf.Tensor4D[];
        const { dilations, activation } = attrs as unknown as DirectAttrs;
        const rate = dilations[0];
        // dz: the gradient before the activation; ReLU passes it where its output is positive. Made once
        // here (the backward pass's scope keeps it), not in each of the three thunks' own scopes.
        const dz = (activation === 'relu' ? tf.mul(dy as tf.Tensor, tf.step(y)) : dy) as tf.Tensor4D;
        return {
          x: () => dilatedConvInputGrad(dz, filter, rate),
          filter: () => dilatedConvFilterGrad(x, dz, filter.shape, rate),
          bias: () => tf.sum(dz, [0, 1, 2]),
        };
      },
    });
    gradientRegistered = true;
  }
  if (tf.getKernel(DILATED_CONV2D_KERNEL, backendName) != null) return;
  const fused = tf.getKernel('FusedConv2D', backendName);
  if (fused == null) throw new Error(`DilatedConv2D: backend '${backendName}' has no FusedConv2D kernel; use implementation: 'split'`);
  tf.registerKernel({ kernelName: DILATED_CONV2D_KERNEL, backendName, kernelFunc: fused.kernelFunc });
}

/**
 * Input gradient of the 'same', stride-1 dilated convolution: a 'same' dilated convolution of `dz`
 * with the filter flipped in space and its channels swapped (`[k, k, Co, Ci]`).
 *
 * @param dz      gradient at the convolution output (before the activation), `[N, H, W, Co]`.
 * @param filter  `[k, k, Ci, Co]`.
 * @param rate    dilation rate.
 * @returns `[N, H, W, Ci]`.
 * @example const dx = dilatedConvInputGrad(dz, kernel, 2);
 */
export function dilatedConvInputGrad(dz: tf.Tensor4D, filter: tf.Tensor4D, rate: number): tf.Tensor4D {
  return tf.tidy(() => tf.conv2d(dz, flipFilter(filter), 1, 'same', 'NHWC', rate));
}

/** Backends whose tensors a synchronous read copies cheaply (no GPU round trip). */
const HOST_MEMORY_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * `[k, k, Ci, Co]` → `[k, k, Co, Ci]` with both spatial axes reversed. On cpu and wasm a JavaScript loop
 * over the values: wasm's `Reverse` kernel takes ~4.5 ms for a 3×3×128×128 filter (~30 ns a weight,
 * ~70 ms at Zhang's full width), the loop well under a millisecond.
 */
function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  if (!HOST_MEMORY_BACKENDS.has(tf.getBackend())) return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const [kh, kw, ci, co] = filter.shape;
  const source = filter.dataSync() as Float32Array;
  const out = new Float32Array(source.length);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const to = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[to + o * ci + i] = source[from + i * co + o];
      }
    }
  }
  return tf.tensor4d(out, [kh, kw, co, ci]);
}

/**
 * Filter gradient of the 'same', stride-1 dilated convolution, as one forward convolution in which
 * the input channels act as the batch, the batch as the channels and `dz` as the filter, at stride d.
 *
 * @param x      the layer input, `[N, H, W, Ci]`.
 * @param dz     gradient at the convolution output (before the activation), `[N, H, W, Co]`.
 * @param filterShape  `[k, k, Ci, Co]`, k odd.
 * @param rate   dilation rate.
 * @returns `[k, k, Ci, Co]`.
 * @example const dw = dilatedConvFilterGrad(x, dz, kernel.shape, 2);
 */
export function dilatedConvFilterGrad(x: tf.Tensor4D, dz: tf.Tensor4D, filterShape: readonly number[], rate: number): tf.Tensor4D {
  const pad = (rate * (filterShape[0] - 1)) / 2;
  return tf.tidy(() => {
    const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
    const xT = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H + 2p, W + 2p, N]
    const dzT = tf.transpose(dz, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, N, Co]
    const grad = tf.conv2d(xT, dzT, rate, 'valid'); // [Ci, k, k, Co]
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}
