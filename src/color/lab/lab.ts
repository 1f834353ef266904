/**
 * sRGB ↔ CIE Lab (D65, 2° observer) on typed arrays: the fast path for loading photos and for turning
 * predictions back into pixels. Numerically the same as scikit-image 0.19 `rgb2lab` / `lab2rgb`
 * (within 5e-4 in L, a, b and in RGB), including its out-of-gamut handling: a negative Z from `lab2xyz`
 * becomes 0, and RGB is clipped to [0, 1].
 *
 * uint8 input goes through the WebAssembly SIMD kernel of lab-bytes-kernel.ts (float32, within 7.4e-5 of
 * float64 CIELAB over all 2^24 colours; a bit-identical JavaScript twin where SIMD is missing). Float
 * input, the CIELAB cube root of that path and the sRGB encoding of the inverse use fine tables with linear
 * interpolation whose worst-case error is about 1e-5 in Lab units and below 1e-6 in RGB (pinned by the
 * tests against scikit-image). Values outside the tables' [0, 1] domain fall back to the exact formulas.
 *
 * References: IEC 61966-2-1:1999 (sRGB), CIE 15:2004 §8.2.1 (CIELAB).
 */
import { InputError } from '../../errors.js';
import {
  D65_WHITE,
  LAB_EPSILON,
  LAB_INVERSE_THRESHOLD,
  LAB_LINEAR_SLOPE,
  LAB_OFFSET,
  LINEAR_RGB_FROM_XYZ,
  SRGB_DECODE_THRESHOLD,
  SRGB_ENCODE_THRESHOLD,
  SRGB_GAMMA,
  SRGB_LINEAR_SLOPE,
  SRGB_OFFSET,
  XYZ_FROM_LINEAR_RGB,
} from './constants.js';
import { convertBytesToLab } from './lab-bytes-kernel.js';

/** Pixel data on the typed path: `Uint8Array | Uint8ClampedArray` hold 0–255, `Float32Array` holds 0–1. @example const data: PixelData = imageData.data; */
export type PixelData = Uint8Array | Uint8ClampedArray | Float32Array;

/**
 * How channels are stored: `'interleaved'` is `[r, g, b, r, g, b, …]` (ImageData, HWC);
 * `'planar'` is all of channel 0, then all of channel 1, … (CHW).
 * @example rgbToLab(rgb, { layout: 'interleaved', outLayout: 'planar' });
 */
export type PixelLayout = 'interleaved' | 'planar';

/** Options of {@link rgbToLab}. @example const options: RgbToLabOptions = { channels: 4, outLayout: 'planar' }; */
export interface RgbToLabOptions {
  /** Channels per pixel of the input, 3 (RGB) or 4 (RGBA; alpha is ignored). Default 3. */
  channels?: 3 | 4;
  /** Layout of the input. Default `'interleaved'`. */
  layout?: PixelLayout;
  /** Layout of the Lab output. Default: the input's layout. */
  outLayout?: PixelLayout;
  /** Buffer of exactly 3 × pixels floats to write Lab into, so large photos need no second allocation. */
  out?: Float32Array;
}

/** Options of {@link labToRgb} and {@link labPlanesToRgb}. @example labToRgb(lab, { channels: 4, out: rgbaBuffer }); */
export interface LabToRgbOptions<Out extends Uint8ClampedArray | Float32Array> {
  /** Layout of the Lab input (ignored by {@link labPlanesToRgb}). Default `'interleaved'`. */
  layout?: PixelLayout;
  /** Layout of the RGB output. Default: the input's layout (`'interleaved'` for {@link labPlanesToRgb}). */
  outLayout?: PixelLayout;
  /** Channels of the output, 3 (RGB) or 4 (RGBA with opaque alpha: 255 or 1). Default 3. */
  channels?: 3 | 4;
  /** Buffer of exactly channels × pixels values to write into. */
  out?: Out;
}

const white = D65_WHITE;
const M = XYZ_FROM_LINEAR_RGB;
const MI = LINEAR_RGB_FROM_XYZ;
// The white-point division of xyz2lab folded into the matrix: one multiply per term instead of a divide.
const MX0 = M[0][0] / white[0],
  MX1 = M[0][1] / white[0],
  MX2 = M[0][2] / white[0];
const MY0 = M[1][0] / white[1],
  MY1 = M[1][1] / white[1],
  MY2 = M[1][2] / white[1];
const MZ0 = M[2][0] / white[2],
  MZ1 = M[2][1] / white[2],
  MZ2 = M[2][2] / white[2];

function srgbDecode(v: number): number {
  return v > SRGB_DECODE_THRESHOLD
    ? Math.pow((v + SRGB_OFFSET) / (1 + SRGB_OFFSET), SRGB_GAMMA)
    : v / SRGB_LINEAR_SLOPE;
}

function srgbEncode(v: number): number {
  return v > SRGB_ENCODE_THRESHOLD
    ? (1 + SRGB_OFFSET) * Math.pow(v, 1 / SRGB_GAMMA) - SRGB_OFFSET
    : v * SRGB_LINEAR_SLOPE;
}

function labF(t: number): number {
  return t > LAB_EPSILON ? Math.cbrt(t) : LAB_LINEAR_SLOPE * t + LAB_OFFSET;
}

/**
 * Table of `fn` on [0, 1] for linear interpolation, stored as pairs `[value, slope]` at k / steps
 * (k = 0 … steps + 1) so one index gives both numbers; the slope past 1 is 0, so reading at exactly 1
 * (or a rounding hair above it) stays in bounds and returns fn(1).
 */
function tabulate(steps: number, fn: (x: number) => number): Float64Array {
  const table = new Float64Array(2 * (steps + 2));
  for (let k = 0; k <= steps + 1; k++) table[2 * k] = fn(Math.min(k, steps) / steps);
  for (let k = 0; k <= steps; k++) table[2 * k + 1] = table[2 * k + 2] - table[2 * k];
  return table;
}

// uint8 decoding is exact: skimage divides by 255 (img_as_float) before the transfer function.
const DECODE_U8 = new Float64Array(256).map((_, i) => srgbDecode(i / 255));
// Step counts chosen by measurement against skimage (tests/color/lab/lab.test.ts pins the error): the
// cube-root table limits accuracy, because t^(1/3) bends sharply near t = 0.0089; 2^15 steps keep the
// interpolation error near 1e-5 in a and b. Speed did not change between 2^12 and 2^15 steps here.
const DECODE_STEPS = 16384;
const DECODE_TABLE = tabulate(DECODE_STEPS, srgbDecode);
const F_STEPS = 32768;
const F_TABLE = tabulate(F_STEPS, labF);
const ENCODE_STEPS = 65536;
const ENCODE_TABLE = tabulate(ENCODE_STEPS, srgbEncode);

function decodeFloat(v: number): number {
  if (v >= 0 && v <= 1) {
    const x = v * DECODE_STEPS,
      k = x | 0;
    return DECODE_TABLE[2 * k] + (x - k) * DECODE_TABLE[2 * k + 1];
  }
  return srgbDecode(v);
}

function fLab(t: number): number {
  if (t >= 0 && t <= 1) {
    const x = t * F_STEPS,
      k = x | 0;
    return F_TABLE[2 * k] + (x - k) * F_TABLE[2 * k + 1];
  }
  return labF(t);
}

/** Encode linear light to sRGB in [0, 1], clipping first as skimage's `xyz2rgb` does (encoding is monotone). */
function encodeClipped(v: number): number {
  if (v <= 0) return 0;
  if (v >= 1) return 1;
  const x = v * ENCODE_STEPS,
    k = x | 0;
  return ENCODE_TABLE[2 * k] + (x - k) * ENCODE_TABLE[2 * k + 1];
}

function checkLayout(name: string, layout: unknown): asserts layout is PixelLayout {
  if (layout !== 'interleaved' && layout !== 'planar')
    throw new InputError(name, "'interleaved' or 'planar'", String(layout));
}

function checkChannels(name: string, channels: unknown): asserts channels is 3 | 4 {
  if (channels !== 3 && channels !== 4) throw new InputError(name, 'channels 3 or 4', `channels ${String(channels)}`);
}

function pixelCount(name: string, data: { length: number }, channels: number): number {
  if (data.length % channels !== 0) {
    throw new InputError(name, `a length that is a multiple of ${channels} (channels)`, `length ${data.length}`);
  }
  return data.length / channels;
}

/**
 * Views of channels 0, 1, 2 of `data` that share one index: channel c of pixel i is `views[c][i * step]`.
 * `plane` is the distance between channels (1 interleaved, pixel count for planar). The loops index
 * three views instead of adding a runtime channel offset to one index: V8 ran the forward loop 1.6×
 * slower with `src[p + offset]` (offset a variable) than with views (Node 20, 1024×1024).
 */
function channelViews<T extends Uint8Array | Float32Array | Uint8ClampedArray>(data: T, plane: number): [T, T, T] {
  return [data.subarray(0) as T, data.subarray(plane) as T, data.subarray(2 * plane) as T];
}

function outBuffer<T extends Float32Array | Uint8ClampedArray>(
  out: T | undefined,
  length: number,
  make: (n: number) => T,
): T {
  if (out === undefined) return make(length);
  if (out.length !== length)
    throw new InputError('options.out', `a buffer of length ${length}`, `length ${out.length}`);
  return out;
}

/**
 * Convert sRGB pixels to CIE Lab (D65, 2° observer), as scikit-image 0.19 `rgb2lab`.
 *
 * @param rgb  `Uint8Array | Uint8ClampedArray` with values 0–255, or `Float32Array` with values 0–1
 *   (floats outside [0, 1] are converted by the exact formulas, like skimage; NaN or ±∞ → {@link InputError}).
 *   Interleaved `[r, g, b(, a)] × pixels` or planar, see `options`.
 * @param options  channels (3 | 4, default 3), input `layout` and `outLayout`, optional `out` buffer.
 * @returns Lab as float32, 3 values per pixel in `outLayout`: L in [0, 100], a and b about [−128, 128].
 *   The `out` buffer when given.
 * @example
 * const lab = rgbToLab(imageData.data, { channels: 4 });      // [L, a, b, L, a, b, …]
 * const planes = rgbToLab(rgb, { outLayout: 'planar' });     // all L, then all a, then all b
 */
export function rgbToLab(rgb: PixelData, options: RgbToLabOptions = {}): Float32Array {
  const { channels = 3, layout = 'interleaved' } = options;
  const outLayout = options.outLayout ?? layout;
  checkChannels('options.channels', channels);
  checkLayout('options.layout', layout);
  checkLayout('options.outLayout', outLayout);
  if (!(rgb instanceof Uint8Array || rgb instanceof Uint8ClampedArray || rgb instanceof Float32Array)) {
    throw new InputError(
      'rgb',
      'a Uint8Array, Uint8ClampedArray (0–255) or Float32Array (0–1)',
      String((rgb as object)?.constructor?.name ?? rgb),
    );
  }
  const n = pixelCount('rgb', rgb, channels);
  const out = outBuffer(options.out, 3 * n, (len) => new Float32Array(len));
  const inStep = layout === 'interleaved' ? channels : 1,
    inPlane = layout === 'interleaved' ? 1 : n;
  const outStep = outLayout === 'interleaved' ? 3 : 1,
    outPlane = outLayout === 'interleaved' ? 1 : n;
  const [lOut, aOut, bOut] = channelViews(out, outPlane);
  if (rgb instanceof Float32Array) {
    const [r, g, b] = channelViews(rgb, inPlane);
    forwardFloat(r, g, b, n, inStep, lOut, aOut, bOut, outStep);
  } else {
    // One Uint8Array view keeps the loop monomorphic for both byte array types.
    const [r, g, b] = channelViews(new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), inPlane);
    convertBytesToLab(r, g, b, n, inStep, lOut, aOut, bOut, outStep);
  }
  return out;
}

function forwardFloat(
  rIn: Float32Array,
  gIn: Float32Array,
  bIn: Float32Array,
  n: number,
  inStep: number,
  lOut: Float32Array,
  aOut: Float32Array,
  bOut: Float32Array,
  outStep: number,
): void {
  for (let i = 0, p = 0, q = 0; i < n; i++, p += inStep, q += outStep) {
    const rv = rIn[p],
      gv = gIn[p],
      bv = bIn[p];
    // x − x is NaN exactly for NaN and ±∞: one cheap test per pixel instead of a separate pass.
    if (rv - rv + (gv - gv) + (bv - bv) !== 0) throwNonFinite([rIn, gIn, bIn], p);
    const r = decodeFloat(rv),
      g = decodeFloat(gv),
      b = decodeFloat(bv);
    const fx = fLab(MX0 * r + MX1 * g + MX2 * b);
    const fy = fLab(MY0 * r + MY1 * g + MY2 * b);
    const fz = fLab(MZ0 * r + MZ1 * g + MZ2 * b);
    lOut[q] = 116 * fy - 16;
    aOut[q] = 500 * (fx - fy);
    bOut[q] = 200 * (fy - fz);
  }
}

function throwNonFinite(channels: Float32Array[], p: number): never {
  const bad = channels.find((view) => !Number.isFinite(view[p])) ?? channels[0];
  const index = p + (bad.byteOffset - channels[0].byteOffset) / 4;
  throw new InputError('rgb', 'finite values', `${bad[p]} at index ${index}`);
}

/**
 * Lightness L of gray pixels (R = G = B = gray), as scikit-image `rgb2lab` gives for the gray colour.
 *
 * @param gray  one value per pixel: `Uint8Array | Uint8ClampedArray` 0–255 or `Float32Array` 0–1.
 * @param out   optional buffer of the same length for L.
 * @returns L in [0, 100], float32, one per pixel (`out` when given).
 * @example
 * const L = grayToLightness(new Uint8Array([0, 128, 255])); // ≈ [0, 53.585, 100]
 */
export function grayToLightness(gray: PixelData, out?: Float32Array): Float32Array {
  const n = gray.length;
  const result = outBuffer(out, n, (len) => new Float32Array(len));
  // Y of a gray is the decoded value times the sum of the Y row of the matrix (≈ 1, kept for exactness).
  const yRow = M[1][0] + M[1][1] + M[1][2];
  if (gray instanceof Float32Array) {
    for (let i = 0; i < n; i++) {
      const v = gray[i];
      if (v - v !== 0) throw new InputError('gray', 'finite values', `${v} at index ${i}`);
      result[i] = 116 * fLab(decodeFloat(v) * yRow) - 16;
    }
    return result;
  }
  const table = new Float32Array(256).map((_, i) => 116 * labF(DECODE_U8[i] * yRow) - 16);
  for (let i = 0; i < n; i++) result[i] = table[gray[i]];
  return result;
}

/**
 * Convert CIE Lab (D65, 2° observer) to sRGB, as scikit-image 0.19 `lab2rgb`: Z below 0 is set to 0,
 * RGB is clipped to [0, 1], then (for `'uint8'`) scaled to 0–255 and rounded.
 *
 * @param lab  float32 Lab, 3 values per pixel, interleaved or planar (`options.layout`).
 * @param options  `format` `'uint8'` (default; `Uint8ClampedArray` 0–255) or `'float32'` (`Float32Array` 0–1);
 *   output `channels` 3 or 4 (opaque alpha), layouts, optional `out` buffer.
 * @returns RGB(A) pixels in `outLayout`.
 * @example
 * const rgba = labToRgb(lab, { channels: 4 });                  // ready for new ImageData(rgba, w, h)
 * const rgb01 = labToRgb(lab, { format: 'float32' });
 */
export function labToRgb(
  lab: Float32Array,
  options?: LabToRgbOptions<Uint8ClampedArray> & { format?: 'uint8' },
): Uint8ClampedArray;
export function labToRgb(
  lab: Float32Array,
  options: LabToRgbOptions<Float32Array> & { format: 'float32' },
): Float32Array;
export function labToRgb(
  lab: Float32Array,
  options: LabToRgbOptions<Uint8ClampedArray | Float32Array> & { format?: 'uint8' | 'float32' } = {},
): Uint8ClampedArray | Float32Array {
  const layout = options.layout ?? 'interleaved';
  checkLayout('options.layout', layout);
  if (!(lab instanceof Float32Array))
    throw new InputError('lab', 'a Float32Array', String((lab as object)?.constructor?.name ?? lab));
  const n = pixelCount('lab', lab, 3);
  const planar = layout === 'planar';
  const [lIn, aIn, bIn] = channelViews(lab, planar ? n : 1);
  return convertLab(lIn, aIn, bIn, planar ? 1 : 3, n, layout, options);
}

/**
 * {@link labToRgb} for Lab held as three separate planes (L, a, b of equal length), the form
 * {@link rgbToLab} with `outLayout: 'planar'` produces and the recombination step uses.
 *
 * @param lightness L per pixel, [0, 100].
 * @param a  a per pixel.  @param b  b per pixel.
 * @param options  as {@link labToRgb} (`layout` is ignored; `outLayout` defaults to `'interleaved'`).
 * @returns RGB(A) pixels, `Uint8ClampedArray` 0–255 or `Float32Array` 0–1.
 * @example
 * const rgb = labPlanesToRgb(L, a, b);
 */
export function labPlanesToRgb(
  lightness: Float32Array,
  a: Float32Array,
  b: Float32Array,
  options?: LabToRgbOptions<Uint8ClampedArray> & { format?: 'uint8' },
): Uint8ClampedArray;
export function labPlanesToRgb(
  lightness: Float32Array,
  a: Float32Array,
  b: Float32Array,
  options: LabToRgbOptions<Float32Array> & { format: 'float32' },
): Float32Array;
export function labPlanesToRgb(
  lightness: Float32Array,
  a: Float32Array,
  b: Float32Array,
  options: LabToRgbOptions<Uint8ClampedArray | Float32Array> & { format?: 'uint8' | 'float32' } = {},
): Uint8ClampedArray | Float32Array {
  const n = lightness.length;
  if (a.length !== n) throw new InputError('a', `length ${n} (the length of lightness)`, `length ${a.length}`);
  if (b.length !== n) throw new InputError('b', `length ${n} (the length of lightness)`, `length ${b.length}`);
  return convertLab(lightness, a, b, 1, n, 'interleaved', options);
}

function convertLab(
  lIn: Float32Array,
  aIn: Float32Array,
  bIn: Float32Array,
  step: number,
  n: number,
  defaultOutLayout: PixelLayout,
  options: LabToRgbOptions<Uint8ClampedArray | Float32Array> & { format?: 'uint8' | 'float32' },
): Uint8ClampedArray | Float32Array {
  const { channels = 3, format = 'uint8' } = options;
  const outLayout = options.outLayout ?? defaultOutLayout;
  checkChannels('options.channels', channels);
  checkLayout('options.outLayout', outLayout);
  if (format !== 'uint8' && format !== 'float32')
    throw new InputError('options.format', "'uint8' or 'float32'", String(format));
  const length = channels * n;
  const out =
    format === 'uint8'
      ? outBuffer(options.out as Uint8ClampedArray | undefined, length, (len) => new Uint8ClampedArray(len))
      : outBuffer(options.out as Float32Array | undefined, length, (len) => new Float32Array(len));
  if (format === 'uint8' && !(out instanceof Uint8ClampedArray))
    throw new InputError('options.out', "a Uint8ClampedArray for format 'uint8'", String(out.constructor.name));
  if (format === 'float32' && !(out instanceof Float32Array))
    throw new InputError('options.out', "a Float32Array for format 'float32'", String(out.constructor.name));
  const outStep = outLayout === 'interleaved' ? channels : 1,
    outPlane = outLayout === 'interleaved' ? 1 : n;
  const scale = format === 'uint8' ? 255 : 1;
  const [rOut, gOut, bOut] = channelViews(out, outPlane);
  inverseKernel(lIn, aIn, bIn, step, n, rOut, gOut, bOut, outStep, scale);
  if (channels === 4) for (let i = 0, q = 3 * outPlane; i < n; i++, q += outStep) out[q] = scale;
  return out;
}

function inverseKernel(
  lIn: Float32Array,
  aIn: Float32Array,
  bIn: Float32Array,
  step: number,
  n: number,
  rOut: Uint8ClampedArray | Float32Array,
  gOut: Uint8ClampedArray | Float32Array,
  bOut: Uint8ClampedArray | Float32Array,
  outStep: number,
  scale: number,
): void {
  // Constants copied into locals: reading imported bindings inside this loop made it 2.5× slower in V8
  // (Node 20), which re-reads and checks an import on every use.
  const [wx, wy, wz] = white;
  const threshold = LAB_INVERSE_THRESHOLD,
    offset = LAB_OFFSET,
    inverseSlope = 1 / LAB_LINEAR_SLOPE;
  const r0 = MI[0][0],
    r1 = MI[0][1],
    r2 = MI[0][2];
  const g0 = MI[1][0],
    g1 = MI[1][1],
    g2 = MI[1][2];
  const b0 = MI[2][0],
    b1 = MI[2][1],
    b2 = MI[2][2];
  for (let i = 0, p = 0, q = 0; i < n; i++, p += step, q += outStep) {
    const L = lIn[p],
      A = aIn[p],
      B = bIn[p];
    if (L - L + (A - A) + (B - B) !== 0)
      throw new InputError('lab', 'finite values', `a NaN or infinite value at pixel ${i}`);
    const fy = (L + 16) * (1 / 116);
    const fx = A * (1 / 500) + fy;
    let fz = fy - B * (1 / 200);
    // skimage lab2xyz: colours with Z < 0 cannot exist; it sets that Z to 0 (with a warning).
    if (fz < 0) fz = 0;
    // The inverse of CIELAB's f, written out (as a helper it was not inlined here).
    const x = (fx > threshold ? fx * fx * fx : (fx - offset) * inverseSlope) * wx;
    const y = (fy > threshold ? fy * fy * fy : (fy - offset) * inverseSlope) * wy;
    const z = (fz > threshold ? fz * fz * fz : (fz - offset) * inverseSlope) * wz;
    rOut[q] = encodeClipped(r0 * x + r1 * y + r2 * z) * scale;
    gOut[q] = encodeClipped(g0 * x + g1 * y + g2 * z) * scale;
    bOut[q] = encodeClipped(b0 * x + b1 * y + b2 * z) * scale;
  }
}
