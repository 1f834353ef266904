/**
 * The k = 5 soft-encoding kernel behind {@link encodeSoft} and {@link encodeSoftSparse} (Zhang, Isola,
 * Efros, "Colorful Image Colorization", ECCV 2016, §3.1: the 5 nearest bins, Gaussian weights, σ = 5):
 * float64 arithmetic, two pixels at a time in WebAssembly SIMD, with a JavaScript twin that performs the
 * very same operations in the same order, so both give bit-identical rows. The twin runs where
 * WebAssembly SIMD is missing; tests pin the two against each other bit for bit.
 *
 * Why no search is needed: on the complete ab lattice (spacing g), let n0 be the node nearest to a pixel,
 * (du, dv) ∈ [−½, ½]² its offset from n0 in lattice units, s = min(|du|, |dv|), l = max(|du|, |dv|), and
 * S, L unit steps from n0 towards the pixel along the axis of s and of l. Relative to n0, a node at lattice
 * offset o has squared distance r(o) = |o|² − 2 o·(du, dv), linear in the offset; ordering them gives
 *
 *   always among the 5 nearest:  n0 (0),  n0 + S (1 − 2s),  n0 + L (1 − 2l),  n0 − S (1 + 2s);
 *   the 5th:  n0 + S + L (D = 2 − 2s − 2l) when D < O, else n0 − L (O = 1 + 2l);
 *   the 6th:  the other of D, O, or n0 − S + L (M = 2 + 2s − 2l), whichever is nearer;
 *
 * every other node is at least as far as M (checked against a brute-force search in the tests). So the
 * gap between the 5th and the 6th nearest node is exactly min(max(D, O), M) − max(1 + 2s, min(D, O)).
 *
 * When is that the exact answer over the gamut's bins? If the 5 nodes are all bins, the 5 nearest bins
 * are those 5 nodes (the bins are a subset of the lattice). If moreover the gap exceeds
 * {@link SOFT_ENCODE_CONSTANTS}.margin (1e-4 in lattice units², i.e. 0.01 Lab² for g = 10: over 20×
 * what the float32 rounding of an ab value near 130 can move a gap, and about 1e10× the float64 rounding
 * of the kernel's own arithmetic), the order cannot flip under any rounding and no tie decides the answer. The kernel accepts
 * a pixel only then: ties, near-ties, the gamut rim (a chosen node that is not a bin), values off the
 * lattice and non-finite values are rejected and go to the exact encoder of soft-weights.ts, which
 * handles every k and σ.
 *
 * Weights: w(o) = exp(−g² r(o) / 2σ²) relative to n0, i.e. with h = g²/2σ², P = exp(2h·s) and
 * R = exp(2h·l): 1, e^−h·P, e^−h·R, e^−h/P and e^−2h·P·R (diagonal) or e^−h/R, normalized to sum 1.
 * P and R come from a degree-9 Taylor polynomial of exp around ¼ applied to x/4, squared twice
 * (relative error < 1.4e-12 for 2h·s ∈ [0, 2]); the kernel therefore serves σ ≥ g/2 (h ≤ 2), which
 * includes the paper's σ = 5 for g = 10. The weights are rounded to float32 once, at the end.
 *
 * The WebAssembly module is built from the text in `scripts/build-soft-encode-wasm.ts` (wabt) into
 * `soft-encode-wasm.ts`; its constants come from {@link SOFT_ENCODE_CONSTANTS}, the numbers the twin uses.
 * Internal to src/color: not re-exported from the barrel.
 */
import type { AbGamut } from './gamut.js';
import { encodeSoftRows } from './soft-weights.js';
import { throwNonFinite } from './ab-input.js';
import { SOFT_ENCODE_WASM_BASE64 } from '../wasm/soft-encode-wasm.js';
import { instantiateWasmSimd } from '../wasm/wasm-simd-module.js';

/**
 * The k the kernel serves: 5, the paper's default (Zhang et al., ECCV 2016, §3.1).
 * @example if (config.neighbours === SOFT_ENCODE_KERNEL_K) { … }
 */
export const SOFT_ENCODE_KERNEL_K = 5;

/**
 * Pixels per call of the WebAssembly kernel (4096): its input and output blocks (240 KB) stay in L2.
 * Longer inputs are encoded block by block.
 * @example const calls = Math.ceil(pixels / SOFT_ENCODE_BLOCK);
 */
export const SOFT_ENCODE_BLOCK = 4096;

const EXP_CENTRE = 0.25;
const EXP_DEGREE = 9;

/**
 * The float64 constants of the kernel (Zhang et al., ECCV 2016, §3.1 soft encoding), shared by the
 * WebAssembly build script and the JavaScript twin.
 * - `margin`: smallest accepted gap between the 5th and 6th nearest node, in lattice units² (see the file comment).
 * - `maxH`: largest h = g²/2σ² served (σ ≥ g/2), so the exponentials' arguments stay in [0, 2].
 * - `expCoefficients[n]` = e^¼ / n!: Taylor coefficients of exp(¼ + t), |t| ≤ ¼, degree 9.
 * - byte offsets of the kernel's memory regions: input pairs, indices, weights, rejected pixels, bins.
 * @example const { margin } = SOFT_ENCODE_CONSTANTS; // 1e-4
 */
export const SOFT_ENCODE_CONSTANTS = Object.freeze({
  margin: 1e-4,
  maxH: 2,
  expCentre: EXP_CENTRE,
  expCoefficients: Object.freeze(
    Array.from({ length: EXP_DEGREE + 1 }, (_, n) => {
      let factorial = 1;
      for (let m = 2; m <= n; m++) factorial *= m;
      return Math.exp(EXP_CENTRE) / factorial;
    }),
  ),
  inputOffset: 0,
  indexOffset: 16 * SOFT_ENCODE_BLOCK,
  weightOffset: 36 * SOFT_ENCODE_BLOCK,
  rejectedOffset: 56 * SOFT_ENCODE_BLOCK,
  binsOffset: 60 * SOFT_ENCODE_BLOCK,
  /** Largest padded lattice lookup, (columns + 2)·(rows + 2) entries, the memory holds. */
  maxBins: 16384,
  /** WebAssembly pages of 64 KiB. */
  pages: 5,
});

const K = SOFT_ENCODE_CONSTANTS;

/** Scalar parameters of one (gamut, σ), passed to every kernel call. */
interface KernelParams {
  readonly aOrigin: number;
  readonly bOrigin: number;
  readonly invGrid: number;
  readonly columns: number;
  readonly rows: number;
  /** Rows of the padded lookup: the index step between lattice columns. */
  readonly stride: number;
  /** 2h = g²/σ². */
  readonly twoH: number;
  /** e^−h and e^−2h. */
  readonly e1: number;
  readonly e2: number;
}

/** One kernel instance: its memory (WebAssembly's, or a plain buffer for the twin) and its entry point. */
interface KernelInstance {
  readonly buffer: ArrayBuffer;
  readonly run: (count: number, p: KernelParams) => number;
  /** The gamut whose padded lookup is in memory now. */
  loaded: AbGamut | null;
}

interface SoftEncodeExports {
  memory: WebAssembly.Memory;
  encode: (
    count: number,
    aOrigin: number,
    bOrigin: number,
    invGrid: number,
    columns: number,
    rows: number,
    stride: number,
    twoH: number,
    e1: number,
    e2: number,
  ) => number;
}

let simd: KernelInstance | null | undefined;
let twin: KernelInstance | undefined;

/** The WebAssembly SIMD kernel, or null where WebAssembly or its SIMD proposal is missing. Made once. */
function simdKernel(): KernelInstance | null {
  if (simd !== undefined) return simd;
  const exports = instantiateWasmSimd<SoftEncodeExports>(SOFT_ENCODE_WASM_BASE64);
  simd =
    exports === null
      ? null
      : {
          // The memory never grows, so this buffer stays valid.
          buffer: exports.memory.buffer,
          run: (count, p) =>
            exports.encode(count, p.aOrigin, p.bOrigin, p.invGrid, p.columns, p.rows, p.stride, p.twoH, p.e1, p.e2),
          loaded: null,
        };
  return simd;
}

function twinKernel(): KernelInstance {
  if (twin) return twin;
  const buffer = new ArrayBuffer(K.pages * 65536);
  const views = {
    input: new Float64Array(buffer, K.inputOffset, 2 * SOFT_ENCODE_BLOCK),
    indices: new Int32Array(buffer, K.indexOffset, 5 * SOFT_ENCODE_BLOCK),
    weights: new Float32Array(buffer, K.weightOffset, 5 * SOFT_ENCODE_BLOCK),
    rejected: new Int32Array(buffer, K.rejectedOffset, SOFT_ENCODE_BLOCK),
    bins: new Int32Array(buffer, K.binsOffset, K.maxBins),
  };
  twin = { buffer, run: (count, p) => runTwin(views, count, p), loaded: null };
  return twin;
}

/**
 * Whether this runtime runs the WebAssembly SIMD soft-encoding kernel (k = 5, Zhang et al., ECCV 2016,
 * §3.1); where it does not, the bit-identical JavaScript twin runs instead. Compiled once, on first use.
 * @example if (!hasSimdSoftEncodeKernel()) console.warn('soft encoding runs on the JavaScript twin');
 */
export function hasSimdSoftEncodeKernel(): boolean {
  return simdKernel() !== null;
}

const paramCache = new WeakMap<AbGamut, Map<number, KernelParams | null>>();

/** The kernel's parameters for (gamut, σ), or null when the kernel does not serve them (σ < g/2, a huge lookup). */
function kernelParams(gamut: AbGamut, sigma: number): KernelParams | null {
  let bySigma = paramCache.get(gamut);
  if (!bySigma) paramCache.set(gamut, (bySigma = new Map()));
  let params = bySigma.get(sigma);
  if (params === undefined) {
    const g = gamut.gridSize,
      { columns, rows, aOrigin, bOrigin } = gamut.lookup;
    const h = (g * g) / (2 * sigma * sigma);
    const fits = (columns + 2) * (rows + 2) <= K.maxBins;
    params =
      fits && h <= K.maxH
        ? {
            aOrigin,
            bOrigin,
            invGrid: 1 / g,
            columns,
            rows,
            stride: rows + 2,
            twoH: 2 * h,
            e1: Math.exp(-h),
            e2: Math.exp(-2 * h),
          }
        : null;
    bySigma.set(sigma, params);
  }
  return params;
}

/**
 * Whether the kernel serves `(gamut, k, σ)`: k = 5 and σ ≥ gridSize / 2, so the paper's k = 5, σ = 5 on
 * Zhang's grid of 10 is served (ECCV 2016, §3.1), and the gamut's lattice lookup padded by one node has at
 * most 16 384 entries. Other settings use the general encoder of soft-weights.ts.
 *
 * @param gamut  the bins; any gamut on a regular grid.
 * @param k      the number of nearest bins.
 * @param sigma  σ of the Gaussian weights, Lab units, > 0.
 * @example softEncodeKernelServes(ZHANG_GAMUT, 5, 5); // true
 */
export function softEncodeKernelServes(gamut: AbGamut, k: number, sigma: number): boolean {
  return k === SOFT_ENCODE_KERNEL_K && kernelParams(gamut, sigma) !== null;
}

/** Lattice lookup padded by one node of −1 on every side, so the kernel's neighbour reads stay in range. */
function loadGamut(kernel: KernelInstance, gamut: AbGamut): void {
  if (kernel.loaded === gamut) return;
  const { columns, rows, bins } = gamut.lookup;
  const stride = rows + 2;
  const padded = new Int32Array(kernel.buffer, K.binsOffset, (columns + 2) * stride).fill(-1);
  for (let i = 0; i < columns; i++) padded.set(bins.subarray(i * rows, (i + 1) * rows), (i + 1) * stride + 1);
  kernel.loaded = gamut;
}

/**
 * Run the kernel on pixels `[start, start + count)` of `ab` (count ≤ SOFT_ENCODE_BLOCK) and copy their
 * rows to `indices` / `weights` from row `row`. Returns how many pixels were rejected; their offsets
 * from `start`, increasing, are in the kernel's rejected list (their rows hold no valid answer).
 */
function runBlock(
  kernel: KernelInstance,
  params: KernelParams,
  ab: ArrayLike<number>,
  start: number,
  count: number,
  indices: Int32Array,
  weights: Float32Array,
  row: number,
): number {
  const input = new Float64Array(kernel.buffer, K.inputOffset, 2 * SOFT_ENCODE_BLOCK);
  const from = 2 * start,
    to = 2 * (start + count);
  if (ArrayBuffer.isView(ab) && 'subarray' in ab) input.set((ab as unknown as Float32Array).subarray(from, to));
  else for (let i = from; i < to; i++) input[i - from] = ab[i];
  // The kernel works in pairs: an odd block's last pair reads a neutral pixel whose rejection is dropped below.
  if (count & 1) input[2 * count] = input[2 * count + 1] = 0;
  let rejectedCount = kernel.run(count, params);
  const rejected = new Int32Array(kernel.buffer, K.rejectedOffset, SOFT_ENCODE_BLOCK);
  if (rejectedCount > 0 && rejected[rejectedCount - 1] >= count) rejectedCount--;
  indices.set(new Int32Array(kernel.buffer, K.indexOffset, 5 * count), 5 * row);
  weights.set(new Float32Array(kernel.buffer, K.weightOffset, 5 * count), 5 * row);
  return rejectedCount;
}

function kernelFor(useSimd: boolean): KernelInstance {
  return (useSimd ? simdKernel() : null) ?? twinKernel();
}

/**
 * The kernel alone, without the exact fallback: encodes the `P` pairs of `ab` into `[P, 5]` rows and
 * returns the pixels it rejected (ties, near-ties, the gamut rim, off-lattice or non-finite values),
 * whose rows it leaves unspecified. For tests and the bench; the encoders use {@link encodeSoftRowsWithKernel}.
 *
 * @param ab       `P` interleaved (a, b) pairs in Lab units (any values; nothing is thrown).
 * @param indices  `Int32Array` `[P, 5]` to fill: bin indices, the nearest bin first.
 * @param weights  `Float32Array` `[P, 5]` to fill: normalized Gaussian weights exp(−d²/2σ²) (§3.1).
 * @param useSimd  false forces the JavaScript twin (bit-identical). Default true.
 * @returns the rejected pixel indices, increasing.
 * @throws Error when the kernel does not serve `(gamut, 5, sigma)` (see {@link softEncodeKernelServes}).
 * @example
 * const rejected = runSoftEncodeKernel(ZHANG_GAMUT, 5, ab, new Int32Array(5 * P), new Float32Array(5 * P));
 */
export function runSoftEncodeKernel(
  gamut: AbGamut,
  sigma: number,
  ab: ArrayLike<number>,
  indices: Int32Array,
  weights: Float32Array,
  useSimd = true,
): Int32Array {
  const params = kernelParams(gamut, sigma);
  if (params === null)
    throw new Error(`the soft-encoding kernel does not serve σ = ${sigma} on a grid of ${gamut.gridSize}`);
  const kernel = kernelFor(useSimd);
  loadGamut(kernel, gamut);
  const pixels = ab.length >> 1;
  const all: number[] = [];
  for (let start = 0; start < pixels; start += SOFT_ENCODE_BLOCK) {
    const count = Math.min(SOFT_ENCODE_BLOCK, pixels - start);
    const n = runBlock(kernel, params, ab, start, count, indices, weights, start);
    const rejected = new Int32Array(kernel.buffer, K.rejectedOffset, n);
    for (let r = 0; r < n; r++) all.push(start + rejected[r]);
  }
  return Int32Array.from(all);
}

/**
 * Soft-encode pixels `[from, to)` of the interleaved `ab` into rows of `indices` / `weights` (5 per pixel,
 * starting at row 0, the nearest bin first) with the kernel, sending the pixels it rejects to the exact
 * encoder of soft-weights.ts. Same contract as `encodeSoftRows` for k = 5: the same 5 bins, weights within
 * float32 rounding of exp(−d²/2σ²) normalized (§3.1), InputError on the first non-finite value.
 *
 * @param sigma    σ in Lab units; the caller checks {@link softEncodeKernelServes} first.
 * @param useSimd  false forces the JavaScript twin. Default true.
 * @example
 * if (softEncodeKernelServes(gamut, 5, 5)) encodeSoftRowsWithKernel(gamut, 5, ab, 0, P, indices, weights);
 */
export function encodeSoftRowsWithKernel(
  gamut: AbGamut,
  sigma: number,
  ab: ArrayLike<number>,
  from: number,
  to: number,
  indices: Int32Array,
  weights: Float32Array,
  useSimd = true,
): void {
  const params = kernelParams(gamut, sigma);
  if (params === null) {
    encodeSoftRows(gamut, SOFT_ENCODE_KERNEL_K, sigma, ab, from, to, indices, weights);
    return;
  }
  const kernel = kernelFor(useSimd);
  loadGamut(kernel, gamut);
  let rest: Float64Array | null = null,
    restIndices: Int32Array | null = null,
    restWeights: Float32Array | null = null;
  for (let start = from; start < to; start += SOFT_ENCODE_BLOCK) {
    const count = Math.min(SOFT_ENCODE_BLOCK, to - start);
    const n = runBlock(kernel, params, ab, start, count, indices, weights, start - from);
    if (n === 0) continue;
    rest ??= new Float64Array(2 * SOFT_ENCODE_BLOCK);
    restIndices ??= new Int32Array(5 * SOFT_ENCODE_BLOCK);
    restWeights ??= new Float32Array(5 * SOFT_ENCODE_BLOCK);
    // Copied out before the exact encoder runs: it does not touch the kernel's memory, but stay safe.
    const rejected = new Int32Array(kernel.buffer, K.rejectedOffset, n).slice();
    for (let r = 0; r < n; r++) {
      const p = start + rejected[r],
        a = ab[2 * p],
        b = ab[2 * p + 1];
      // Checked in pixel order, as the exact encoder would: accepted pixels are finite by construction.
      if (!Number.isFinite(a)) throwNonFinite('ab', a, 2 * p);
      if (!Number.isFinite(b)) throwNonFinite('ab', b, 2 * p + 1);
      rest[2 * r] = a;
      rest[2 * r + 1] = b;
    }
    encodeSoftRows(gamut, SOFT_ENCODE_KERNEL_K, sigma, rest, 0, n, restIndices, restWeights);
    for (let r = 0; r < n; r++) {
      const row = 5 * (start - from + rejected[r]);
      for (let m = 0; m < 5; m++) {
        indices[row + m] = restIndices[5 * r + m];
        weights[row + m] = restWeights[5 * r + m];
      }
    }
  }
}

interface TwinViews {
  readonly input: Float64Array;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
  readonly rejected: Int32Array;
  readonly bins: Int32Array;
}

const [C0, C1, C2, C3, C4, C5, C6, C7, C8, C9] = K.expCoefficients;

/** exp(x) for x ∈ [0, 2]: (exp(x/4))², squared; exp(x/4) from the Taylor polynomial around ¼. As the kernel. */
function expTwin(x: number): number {
  const t = x * 0.25 - EXP_CENTRE;
  let p = (((((((C9 * t + C8) * t + C7) * t + C6) * t + C5) * t + C4) * t + C3) * t + C2) * t + C1;
  p = p * t + C0;
  p = p * p;
  return p * p;
}

/**
 * The JavaScript twin of the WebAssembly kernel: the same float64 operations in the same order, over the
 * same memory layout. It goes pixel by pixel (the kernel goes in pairs and its extra pixel past an odd
 * `count` is dropped by the caller), so the rows and the rejected list agree.
 */
function runTwin(v: TwinViews, count: number, p: KernelParams): number {
  const fr = Math.fround;
  const { input, indices, weights, rejected, bins } = v;
  let rejectedCount = 0;
  for (let i = 0; i < count; i++) {
    const fa = (input[2 * i] - p.aOrigin) * p.invGrid,
      fb = (input[2 * i + 1] - p.bOrigin) * p.invGrid;
    const la = Math.floor(fa),
      lb = Math.floor(fb);
    const ra = fa - la,
      rb = fb - lb;
    const ha = ra >= 0.5 ? 1 : 0,
      hb = rb >= 0.5 ? 1 : 0;
    const na = la + ha,
      nb = lb + hb;
    const du = ra - ha,
      dv = rb - hb;
    const ua = Math.abs(du),
      vb = Math.abs(dv);
    const aSmaller = ua <= vb;
    const s = aSmaller ? ua : vb,
      l = aSmaller ? vb : ua;
    const stepA = du >= 0 ? p.stride : -p.stride,
      stepB = dv >= 0 ? 1 : -1;
    const stepS = aSmaller ? stepA : stepB,
      stepL = aSmaller ? stepB : stepA;
    const valid = na >= 0 && na < p.columns && nb >= 0 && nb < p.rows;
    const node = valid ? (na + 1) * p.stride + (nb + 1) : p.stride + 1;
    const twoS = s + s,
      twoL = l + l;
    const d = 2 - twoS - twoL,
      o = 1 + twoL,
      m = 2 + twoS - twoL;
    const diagonal = d < o;
    const lo = diagonal ? d : o,
      hi = diagonal ? o : d;
    const oneS = 1 + twoS;
    const fifth = oneS < lo ? lo : oneS;
    const sixth = m < hi ? m : hi;
    const accept = valid && sixth - fifth > K.margin;
    const ps = expTwin(p.twoH * s),
      pl = expTwin(p.twoH * l);
    const ts = p.e1 * ps,
      tl = p.e1 * pl,
      os = p.e1 / ps;
    const last = diagonal ? p.e2 * ps * pl : p.e1 / pl;
    const inv = 1 / (1 + ts + tl + os + last);
    const row = 5 * i;
    const b0 = bins[node],
      b1 = bins[node + stepS],
      b2 = bins[node + stepL],
      b3 = bins[node - stepS];
    const b4 = bins[diagonal ? node + stepS + stepL : node - stepL];
    indices[row] = b0;
    indices[row + 1] = b1;
    indices[row + 2] = b2;
    indices[row + 3] = b3;
    indices[row + 4] = b4;
    weights[row] = fr(inv);
    weights[row + 1] = fr(ts * inv);
    weights[row + 2] = fr(tl * inv);
    weights[row + 3] = fr(os * inv);
    weights[row + 4] = fr(last * inv);
    rejected[rejectedCount] = i;
    if (!accept || (b0 | b1 | b2 | b3 | b4) < 0) rejectedCount++;
  }
  return rejectedCount;
}
