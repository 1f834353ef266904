/**
 * The two gradients of a depthwise convolution (`DepthwiseConv2dNativeBackpropInput` and
 * `…BackpropFilter`), which tfjs-backend-wasm 4.22 does not have: without them no MobileNet-style network
 * (depthwise 3 × 3 layers) trains on wasm. Direct loops over the backend's float32 data, written so the
 * innermost loop runs along the channels, contiguous in NHWC. Meant for the sizes fine-tuning meets
 * (the top blocks of a backbone at stride 16 to 32); at large feature maps a convolution-based form
 * would be faster.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { KernelScope } from './kernel-scope.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** The forward convolution's geometry, as tfjs-core computes it for a depthwise layer (dilation 1). */
function geometry(
  inputShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs | tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): tf.backend_util.Conv2DInfo {
  const dilations =
    typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : (attrs.dilations ?? [1, 1]);
  if (dilations[0] !== 1 || dilations[1] !== 1)
    throw new InputError('dilations', '1 (tfjs-core has no depthwise gradient for dilated filters)', String(dilations));
  return tf.backend_util.computeConv2DInfo(
    inputShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/**
 * Visit every pair (output position, filter tap) whose input pixel lies inside the input, with the offsets of
 * that output position in `dy`, of the input pixel in `x` (or `dx`) and of the tap in `w` (or `dw`), NHWC.
 */
function forEachTap(info: tf.backend_util.Conv2DInfo, visit: (dyAt: number, xAt: number, wAt: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const dyAt = ((n * outHeight + i) * outWidth + j) * outChannels;
        for (let a = 0; a < kh; a++) {
          const p = i * sh + a - top;
          if (p < 0 || p >= inHeight) continue;
          for (let b = 0; b < kw; b++) {
            const q = j * sw + b - left;
            if (q < 0 || q >= inWidth) continue;
            visit(dyAt, ((n * inHeight + p) * inWidth + q) * inChannels, (a * kw + b) * outChannels);
          }
        }
      }
    }
  }
}

/**
 * The input gradient of `y = depthwiseConv2d(x, w)`: `dx[n, p, q, c] = Σ dy[n, i, j, c·M + m] · w[a, b, c, m]`
 * over every `i·s_h + a − pad_top = p`, `j·s_w + b − pad_left = q` (M the channel multiplier).
 *
 * @param args  kernel arguments: `inputs.dy` `[N, Ho, Wo, C·M]`, `inputs.filter` `[kh, kw, C, M]`, attributes
 *   as tfjs-core's `depthwiseConv2dNativeBackpropInput` (`inputShape` `[N, H, W, C]`, NHWC, dilation 1).
 * @param backendName  the backend whose data the kernel reads and writes.
 * @returns `dx` `[N, H, W, C]`, owned by the engine like any kernel output.
 * @throws InputError for a dilation other than 1.
 * @example
 * tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm',
 *   kernelFunc: (args) => depthwiseBackpropInputDirect(args, 'wasm') });
 */
export function depthwiseBackpropInputDirect(args: KernelArgs, backendName: string): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = geometry(attrs.inputShape, filter.shape, attrs);
  const scope = new KernelScope(args.backend, backendName);
  try {
    const dyValues = scope.read(dy);
    const w = scope.read(filter);
    const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
    const m = outChannels / inChannels;
    const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
    forEachTap(info, (dyAt, dxAt, wAt) => {
      for (let c = 0; c < inChannels; c++) {
        let sum = 0;
        for (let k = 0; k < m; k++) sum += dyValues[dyAt + c * m + k] * w[wAt + c * m + k];
        dx[dxAt + c] += sum;
      }
    });
    return scope.keep(scope.write(dx, [batchSize, inHeight, inWidth, inChannels]));
  } finally {
    scope.dispose();
  }
}

/**
 * The filter gradient of `y = depthwiseConv2d(x, w)`: `dw[a, b, c, m] = Σ x[n, i·s_h + a − pad_top,
 * j·s_w + b − pad_left, c] · dy[n, i, j, c·M + m]` over the batch and every output position.
 *
 * @param args  kernel arguments: `inputs.x` `[N, H, W, C]`, `inputs.dy` `[N, Ho, Wo, C·M]`, attributes as
 *   tfjs-core's `depthwiseConv2dNativeBackpropFilter` (`filterShape` `[kh, kw, C, M]`, NHWC, dilation 1).
 * @param backendName  the backend whose data the kernel reads and writes.
 * @returns `dw` of `filterShape`, owned by the engine like any kernel output.
 * @throws InputError for a dilation other than 1.
 * @example
 * tf.registerKernel({ kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm',
 *   kernelFunc: (args) => depthwiseBackpropFilterDirect(args, 'wasm') });
 */
export function depthwiseBackpropFilterDirect(args: KernelArgs, backendName: string): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = geometry(x.shape, attrs.filterShape, attrs);
  const scope = new KernelScope(args.backend, backendName);
  try {
    const xValues = scope.read(x);
    const dyValues = scope.read(dy);
    const { inChannels, outChannels, filterHeight, filterWidth } = info;
    const m = outChannels / inChannels;
    const dw = new Float32Array(filterHeight * filterWidth * outChannels);
    forEachTap(info, (dyAt, xAt, wAt) => {
      for (let c = 0; c < inChannels; c++) {
        const xv = xValues[xAt + c];
        for (let k = 0; k < m; k++) dw[wAt + c * m + k] += xv * dyValues[dyAt + c * m + k];
      }
    });
    return scope.keep(scope.write(dw, [...attrs.filterShape]));
  } finally {
    scope.dispose();
  }
}
