/**
 * `Conv2DBackpropFilter` (the weight gradient of a 2-D convolution) built from a backend's forward
 * `Conv2D`. tfjs-backend-wasm 4.22 has no such kernel, so without it no convolution trains on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { KernelScope } from './kernel-scope.js';

/** Attributes of `Conv2DBackpropFilter`, plus the forward dilation that tfjs-core does not pass yet. */
export type Conv2DBackpropFilterKernelAttrs = tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/**
 * The weight gradient of `y = conv2d(x, w)`, as one forward convolution.
 *
 * With `xp` the zero-padded input, stride s and dilation d,
 * `dW[a, b, ci, co] = Σ_{n,i,j} xp[n, i·s + a·d, j·s + b·d, ci] · dy[n, i, j, co]`.
 * Read with `ci` as the batch, `(h, w)` as space and `n` as the channels, this is the forward
 * convolution of `xp` transposed to `[Ci, Hp, Wp, N]` with `dy` transposed to `[Ho, Wo, N, Co]`,
 * stride d and dilation s (the roles of stride and dilation swap). The backend's forward convolution
 * (XNNPACK on wasm) then does all the arithmetic. The input is cropped or padded to exactly the rows
 * and columns the forward pass read, so the result needs no slicing.
 *
 * @param args  kernel arguments: `inputs.x` `[N, H, W, Ci]`, `inputs.dy` `[N, Ho, Wo, Co]`, attributes as tfjs-core's `conv2DBackpropFilter` (NHWC only).
 * @param backendName  the backend whose `Conv2D`, `Transpose`, `PadV2` and `Slice` kernels are used.
 * @returns the gradient `[kh, kw, Ci, Co]`, owned by the engine like any kernel output.
 * @throws InputError for `dataFormat` NCHW.
 * @example
 * tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm',
 *   kernelFunc: (args) => conv2dBackpropFilterByConv(args, 'wasm') });
 */
export function conv2dBackpropFilterByConv(
  args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap },
  backendName: string,
): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterKernelAttrs;
  if (attrs.dataFormat === 'NCHW') throw new InputError('dataFormat', 'NHWC', 'NCHW');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const rows = span(info.outHeight, info.strideHeight, info.filterHeight, info.dilationHeight);
  const cols = span(info.outWidth, info.strideWidth, info.filterWidth, info.dilationWidth);
  const scope = new KernelScope(args.backend, backendName);
  try {
    const fitted = fitToSpan(scope, x, info.padInfo.top, rows, info.padInfo.left, cols);
    const xT = scope.run('Transpose', { x: fitted }, { perm: [3, 1, 2, 0] });
    const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const grad = scope.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad: 'valid',
        dataFormat: 'NHWC',
      },
    );
    return scope.keep(scope.run('Transpose', { x: grad }, { perm: [1, 2, 0, 3] }));
  } finally {
    scope.dispose();
  }
}

/** Rows (or columns) of the padded input that the forward convolution read. */
function span(outSize: number, stride: number, filterSize: number, dilation: number): number {
  return (outSize - 1) * stride + (filterSize - 1) * dilation + 1;
}

/**
 * `x` with `top`/`left` zero rows/columns in front, cut or zero-extended to `rows × cols`.
 * Cropping first keeps rows that 'valid' strided convolutions never read out of the convolution.
 */
function fitToSpan(
  scope: KernelScope,
  x: tf.TensorInfo,
  top: number,
  rows: number,
  left: number,
  cols: number,
): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const keepH = Math.min(h, rows - top);
  const keepW = Math.min(w, cols - left);
  let fitted = x;
  if (keepH < h || keepW < w) fitted = scope.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [n, keepH, keepW, c] });
  const bottom = rows - top - keepH;
  const right = cols - left - keepW;
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return fitted;
  return scope.run(
    'PadV2',
    { x: fitted },
    {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
}
