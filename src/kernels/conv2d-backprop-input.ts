/**
 * `Conv2DBackpropInput` (the input gradient of a convolution, which is also the transposed
 * convolution `conv2dTranspose`) computed by output phases with a backend's forward `Conv2D`.
 * tfjs-backend-wasm 4.22's own kernel is a direct loop, far slower per multiply-add than its XNNPACK
 * forward convolution (`npm run bench -- kernels` measures both; docs/kernels.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { KernelScope } from './kernel-scope.js';

/**
 * The input gradient of `y = conv2d(x, w, stride s, pad)`, as one stride-1 forward convolution and a
 * pixel shuffle (the sub-pixel view of a transposed convolution; Shi et al. 2016, "Real-Time Single
 * Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network", §2.2).
 *
 * Output row `p` receives `dy[i] · w[a]` for every `i·s + a = p + padTop`. Writing `p + padTop = m·s + φ`,
 * each phase φ ∈ [0, s) is a stride-1 correlation of `dy` with the taps `w[φ], w[φ + s], …` reversed:
 * `dx_φ[m] = Σ_t dy[m − t] · w[φ + s·t]`, t < T = ⌈k/s⌉ (taps past the kernel are zero). Putting the
 * s_h·s_w phases side by side as output channels gives one `T × T` convolution from Co to s_h·s_w·Ci
 * channels with exactly the multiply-adds of the transposed convolution (plus zero taps when s ∤ k);
 * `DepthToSpace` then interleaves the phases, and a crop aligns them with the padding.
 *
 * @param args  kernel arguments: `inputs.dy` `[N, Ho, Wo, Co]`, `inputs.filter` `[kh, kw, Ci, Co]`,
 *   attributes as tfjs-core's `conv2DBackpropInput` (NHWC only; `inputShape` is `[N, H, W, Ci]`).
 * @param backendName  the backend whose `Conv2D`, `PadV2`, `Slice`, `Reshape`, `Transpose`
 *   and `DepthToSpace` kernels are used.
 * @returns `dx` `[N, H, W, Ci]`, owned by the engine like any kernel output.
 * @throws InputError for `dataFormat` NCHW.
 * @example
 * tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm',
 *   kernelFunc: (args) => conv2dBackpropInputByPhases(args, 'wasm') });
 */
export function conv2dBackpropInputByPhases(
  args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap },
  backendName: string,
): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (attrs.dataFormat === 'NCHW') throw new InputError('dataFormat', 'NHWC', 'NCHW');
  const [batch, height, width, inChannels] = attrs.inputShape;
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const rows = phaseGeometry(height, dy.shape[1], info.strideHeight, info.filterHeight, info.padInfo.top);
  const cols = phaseGeometry(width, dy.shape[2], info.strideWidth, info.filterWidth, info.padInfo.left);
  const scope = new KernelScope(args.backend, backendName);
  try {
    const phaseFilter = buildPhaseFilter(scope, filter, info.strideHeight, info.strideWidth, rows.taps, cols.taps);
    const dyWindow = takeWindow(scope, dy, rows, cols);
    const phases = scope.run(
      'Conv2D',
      { x: dyWindow, filter: phaseFilter },
      { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
    );
    const shuffled = interleavePhases(scope, phases, info.strideHeight, info.strideWidth, inChannels);
    const [, shuffledH, shuffledW] = shuffled.shape;
    if (rows.offset === 0 && cols.offset === 0 && shuffledH === height && shuffledW === width)
      return scope.keep(shuffled);
    return scope.keep(
      scope.run(
        'Slice',
        { x: shuffled },
        { begin: [0, rows.offset, cols.offset, 0], size: [batch, height, width, inChannels] },
      ),
    );
  } finally {
    scope.dispose();
  }
}

/** Along one spatial axis: which rows of `dy` the phase convolution reads and where the result starts. */
interface PhaseGeometry {
  /** T = ⌈k/s⌉, taps per phase. */
  taps: number;
  /** First and one-past-last row of `dy` to keep. */
  keepStart: number;
  keepEnd: number;
  /** Zero rows before and after the kept rows. */
  padBefore: number;
  padAfter: number;
  /** First row of the interleaved result that is `dx` row 0. */
  offset: number;
}

function phaseGeometry(
  outSize: number,
  dySize: number,
  stride: number,
  filterSize: number,
  padStart: number,
): PhaseGeometry {
  const taps = Math.ceil(filterSize / stride);
  const firstM = Math.floor(padStart / stride);
  const lastM = Math.floor((outSize - 1 + padStart) / stride);
  const firstRow = firstM - taps + 1;
  const keepStart = Math.min(Math.max(0, firstRow), dySize);
  const keepEnd = Math.max(Math.min(dySize, lastM + 1), keepStart);
  const windowSize = lastM - firstRow + 1;
  const padBefore = keepStart - firstRow;
  return {
    taps,
    keepStart,
    keepEnd,
    padBefore,
    padAfter: windowSize - padBefore - (keepEnd - keepStart),
    offset: padStart - firstM * stride,
  };
}

/**
 * `[kh, kw, Ci, Co]` → `[Th, Tw, Co, sh·sw·Ci]`: tap order reversed, phase (φh, φw) in channel block
 * φh·sw + φw, taps past the kernel zero. Done in JavaScript on the filter's values: the same shuffle
 * with wasm kernels needs a rank-6 Transpose and a Reverse, ~100 ms each on a 2 M-weight filter,
 * against a few ms for this loop.
 */
function buildPhaseFilter(
  scope: KernelScope,
  filter: tf.TensorInfo,
  sh: number,
  sw: number,
  th: number,
  tw: number,
): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const source = scope.read(filter);
  const phaseChannels = sh * sw * ci;
  const out = new Float32Array(th * tw * co * phaseChannels);
  for (let u = 0; u < th; u++) {
    for (let ph = 0; ph < sh; ph++) {
      const a = ph + sh * (th - 1 - u);
      if (a >= kh) continue;
      for (let v = 0; v < tw; v++) {
        for (let pw = 0; pw < sw; pw++) {
          const b = pw + sw * (tw - 1 - v);
          if (b >= kw) continue;
          const tapStart = (a * kw + b) * ci * co;
          const outStart = (u * tw + v) * co * phaseChannels + (ph * sw + pw) * ci;
          for (let i = 0; i < ci; i++) {
            const from = tapStart + i * co;
            let to = outStart + i;
            for (let o = 0; o < co; o++, to += phaseChannels) out[to] = source[from + o];
          }
        }
      }
    }
  }
  return scope.write(out, [th, tw, co, phaseChannels]);
}

/** The rows and columns of `dy` the phase convolution reads, zero-extended where they fall outside. */
function takeWindow(scope: KernelScope, dy: tf.TensorInfo, rows: PhaseGeometry, cols: PhaseGeometry): tf.TensorInfo {
  const [n, h, w, c] = dy.shape;
  let x = dy;
  const keptH = rows.keepEnd - rows.keepStart;
  const keptW = cols.keepEnd - cols.keepStart;
  if (keptH !== h || keptW !== w)
    x = scope.run('Slice', { x }, { begin: [0, rows.keepStart, cols.keepStart, 0], size: [n, keptH, keptW, c] });
  if (rows.padBefore === 0 && rows.padAfter === 0 && cols.padBefore === 0 && cols.padAfter === 0) return x;
  const paddings = [
    [0, 0],
    [rows.padBefore, rows.padAfter],
    [cols.padBefore, cols.padAfter],
    [0, 0],
  ];
  return scope.run('PadV2', { x }, { paddings, constantValue: 0 });
}

/** `[N, M, M', sh·sw·Ci]` → `[N, M·sh, M'·sw, Ci]`: phase (φh, φw) of cell (m, m') goes to (m·sh + φh, m'·sw + φw). */
function interleavePhases(
  scope: KernelScope,
  phases: tf.TensorInfo,
  sh: number,
  sw: number,
  ci: number,
): tf.TensorInfo {
  if (sh === 1 && sw === 1) return phases;
  if (sh === sw) return scope.run('DepthToSpace', { x: phases }, { blockSize: sh, dataFormat: 'NHWC' });
  const [n, m, mw] = phases.shape;
  const split = scope.run('Reshape', { x: phases }, { shape: [n, m, mw, sh, sw, ci] });
  const moved = scope.run('Transpose', { x: split }, { perm: [0, 1, 3, 2, 4, 5] });
  return scope.run('Reshape', { x: moved }, { shape: [n, m * sh, mw * sw, ci] });
}
