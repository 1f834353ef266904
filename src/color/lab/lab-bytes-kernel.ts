/**
 * The uint8 sRGB → CIE Lab kernel behind {@link rgbToLab}: float32 arithmetic, four pixels at a time in
 * WebAssembly SIMD, with a JavaScript twin that performs the very same float32 operations in the same
 * order (each rounded with `Math.fround`), so both give bit-identical Lab. The twin runs where
 * WebAssembly SIMD is missing (and for odd layouts); tests pin the two against each other bit for bit.
 *
 * The cube root of CIELAB's f (CIE 15:2004 §8.2.1) has no table and no `Math.cbrt`: a start is read
 * from the float's bits (bits(t)/3 + a constant, which divides the exponent by 3; error ≤ 3.2 %), one
 * Newton step c ← (2c + t/c²)/3 (error → about 1e-3), then one Halley step c ← c + c·(t − c³)/(2c³ + t),
 * written as a small correction to c so its rounding barely matters. Over every float32 t in [0.008856, 1] (the domain uint8 input reaches) the absolute error
 * is below 6e-8, about one float32 step near 1; over all 2^24 uint8 colours the Lab stays within 7.4e-5
 * of float64 (`npm run bench -- color-lab` prints both checks; tests pin 5e-4 against scikit-image).
 *
 * The WebAssembly module is built from the text in `scripts/build-lab-bytes-wasm.ts` (wabt) into
 * `lab-bytes-wasm.ts`; its constants come from {@link LAB_BYTES_CONSTANTS}, the same numbers the twin uses.
 */
import {
  D65_WHITE,
  LAB_EPSILON,
  LAB_LINEAR_SLOPE,
  LAB_OFFSET,
  SRGB_DECODE_THRESHOLD,
  SRGB_GAMMA,
  SRGB_LINEAR_SLOPE,
  SRGB_OFFSET,
  XYZ_FROM_LINEAR_RGB,
} from './constants.js';
import { LAB_BYTES_WASM_BASE64 } from '../wasm/lab-bytes-wasm.js';
import { instantiateWasmSimd } from '../wasm/wasm-simd-module.js';

const fr = Math.fround;
const M = XYZ_FROM_LINEAR_RGB,
  W = D65_WHITE;

/**
 * The float32 constants of the kernel, shared by the WebAssembly build script and the JavaScript twin.
 * `mx*`, `my*`, `mz*` are the rows of the sRGB → XYZ matrix divided by the D65 white (IEC 61966-2-1;
 * CIE 15:2004). The cube-root start is bits(c) = bits(round(bits(t)·guessScale + guessOffset)) << 8:
 * adding 2^23 leaves round(bits(t)/768 + 0x2a510000/256) in the low mantissa bits, and the shift puts it
 * back in place (0x2a510000 found by search: worst start error 3.2 % over [0.008856, 1]).
 * @example const { epsilon } = LAB_BYTES_CONSTANTS; // 0.008856 as float32
 */
export const LAB_BYTES_CONSTANTS = Object.freeze({
  mx0: fr(M[0][0] / W[0]),
  mx1: fr(M[0][1] / W[0]),
  mx2: fr(M[0][2] / W[0]),
  my0: fr(M[1][0] / W[1]),
  my1: fr(M[1][1] / W[1]),
  my2: fr(M[1][2] / W[1]),
  mz0: fr(M[2][0] / W[2]),
  mz1: fr(M[2][1] / W[2]),
  mz2: fr(M[2][2] / W[2]),
  epsilon: fr(LAB_EPSILON),
  slope: fr(LAB_LINEAR_SLOPE),
  offset: fr(LAB_OFFSET),
  third: fr(1 / 3),
  guessScale: fr(1 / 768),
  guessOffset: fr(0x2a510000 / 256 + 2 ** 23),
});

/** Pixels per call of the WebAssembly kernel: its input and output blocks (16 KB, 48 KB) stay in cache. */
export const LAB_BYTES_BLOCK = 4096;
const IN_OFFSET = 1024; // after the 256-entry float32 decode table
const OUT_OFFSET = 32768;

/** sRGB decoding of each byte value (skimage divides by 255 first), as float32: both paths read it. */
const DECODE = new Float32Array(256).map((_, i) => {
  const v = i / 255;
  return v > SRGB_DECODE_THRESHOLD
    ? Math.pow((v + SRGB_OFFSET) / (1 + SRGB_OFFSET), SRGB_GAMMA)
    : v / SRGB_LINEAR_SLOPE;
});

interface LabKernel {
  memory: WebAssembly.Memory;
  forward: (r: number, g: number, b: number, step: number, count: number, out: number, planar: number) => void;
}

let kernel: LabKernel | null | undefined;

/** The WebAssembly SIMD kernel, or null where WebAssembly or its SIMD proposal is missing. Made once. */
function simdKernel(): LabKernel | null {
  if (kernel !== undefined) return kernel;
  kernel = instantiateWasmSimd<LabKernel>(LAB_BYTES_WASM_BASE64);
  // The host's part of the module's memory: the sRGB decode table (bytes 0–1023).
  if (kernel !== null) new Float32Array(kernel.memory.buffer, 0, 256).set(DECODE);
  return kernel;
}

/**
 * Whether this runtime runs the WebAssembly SIMD kernel (else {@link convertBytesToLab} uses the twin).
 * @example if (!hasSimdLabKernel()) console.warn('uint8 → Lab runs on the JavaScript twin');
 */
export function hasSimdLabKernel(): boolean {
  return simdKernel() !== null;
}

/**
 * uint8 sRGB → Lab for `n` pixels; channel c of pixel i is read at `views[c][i * inStep]` and written at
 * `outViews[c][i * outStep]`. `useSimd` false forces the JavaScript twin (bit-identical output).
 * The SIMD kernel serves interleaved or planar input and output (the layouts {@link rgbToLab} makes);
 * any other arrangement goes to the twin.
 * @example convertBytesToLab(rgb, rgb.subarray(1), rgb.subarray(2), n, 3, lab, lab.subarray(1), lab.subarray(2), 3);
 */
export function convertBytesToLab(
  rIn: Uint8Array,
  gIn: Uint8Array,
  bIn: Uint8Array,
  n: number,
  inStep: number,
  lOut: Float32Array,
  aOut: Float32Array,
  bOut: Float32Array,
  outStep: number,
  useSimd = true,
): void {
  const simd = useSimd ? simdKernel() : null;
  const inInterleaved =
    (inStep === 3 || inStep === 4) &&
    gIn.buffer === rIn.buffer &&
    bIn.buffer === rIn.buffer &&
    gIn.byteOffset === rIn.byteOffset + 1 &&
    bIn.byteOffset === rIn.byteOffset + 2;
  const outInterleaved =
    outStep === 3 &&
    aOut.buffer === lOut.buffer &&
    bOut.buffer === lOut.buffer &&
    aOut.byteOffset === lOut.byteOffset + 4 &&
    bOut.byteOffset === lOut.byteOffset + 8;
  if (simd === null || !(inInterleaved || inStep === 1) || !(outInterleaved || outStep === 1)) {
    convertTwin(rIn, gIn, bIn, n, inStep, lOut, aOut, bOut, outStep);
    return;
  }
  // Read after the kernel exists: its memory never grows, so the views stay valid.
  const memory = simd.memory.buffer;
  const inBytes = new Uint8Array(memory, IN_OFFSET, 4 * LAB_BYTES_BLOCK + 16);
  const outFloats = new Float32Array(memory, OUT_OFFSET, 3 * LAB_BYTES_BLOCK);
  for (let start = 0; start < n; start += LAB_BYTES_BLOCK) {
    const count = Math.min(LAB_BYTES_BLOCK, n - start);
    // The kernel works in fours; the up to 3 pixels past `count` read stale bytes and are not copied out.
    if (inInterleaved) {
      inBytes.set(rIn.subarray(start * inStep, Math.min((start + count) * inStep, rIn.length)));
      simd.forward(IN_OFFSET, IN_OFFSET + 1, IN_OFFSET + 2, inStep, count, OUT_OFFSET, outInterleaved ? 0 : 1);
    } else {
      inBytes.set(rIn.subarray(start, start + count), 0);
      inBytes.set(gIn.subarray(start, start + count), LAB_BYTES_BLOCK);
      inBytes.set(bIn.subarray(start, start + count), 2 * LAB_BYTES_BLOCK);
      simd.forward(
        IN_OFFSET,
        IN_OFFSET + LAB_BYTES_BLOCK,
        IN_OFFSET + 2 * LAB_BYTES_BLOCK,
        1,
        count,
        OUT_OFFSET,
        outInterleaved ? 0 : 1,
      );
    }
    if (outInterleaved) {
      lOut.set(outFloats.subarray(0, 3 * count), 3 * start);
    } else {
      lOut.set(outFloats.subarray(0, count), start);
      aOut.set(outFloats.subarray(LAB_BYTES_BLOCK, LAB_BYTES_BLOCK + count), start);
      bOut.set(outFloats.subarray(2 * LAB_BYTES_BLOCK, 2 * LAB_BYTES_BLOCK + count), start);
    }
  }
}

const bits = new Int32Array(1);
const bitsAsFloat = new Float32Array(bits.buffer);

/**
 * CIELAB's f(t) = t^(1/3) (t > 0.008856, else 7.787 t + 16/116) in float32, the operations of the
 * WebAssembly kernel one by one (see the file comment); t is a float32 value. Exported for the bench's
 * exhaustive error check.
 * @example labFTwin(Math.fround(0.125)); // 0.5
 */
export function labFTwin(t: number): number {
  const K = LAB_BYTES_CONSTANTS;
  if (!(t > K.epsilon)) return fr(fr(t * K.slope) + K.offset);
  bitsAsFloat[0] = t;
  bitsAsFloat[0] = fr(fr(bits[0]) * K.guessScale) + K.guessOffset;
  bits[0] <<= 8;
  let c = bitsAsFloat[0];
  c = fr(fr(fr(c + c) + fr(t / fr(c * c))) * K.third);
  const c3 = fr(fr(c * c) * c);
  return fr(c + fr(fr(c * fr(t - c3)) / fr(fr(c3 + c3) + t)));
}

function convertTwin(
  rIn: Uint8Array,
  gIn: Uint8Array,
  bIn: Uint8Array,
  n: number,
  inStep: number,
  lOut: Float32Array,
  aOut: Float32Array,
  bOut: Float32Array,
  outStep: number,
): void {
  const K = LAB_BYTES_CONSTANTS;
  for (let i = 0, p = 0, q = 0; i < n; i++, p += inStep, q += outStep) {
    const r = DECODE[rIn[p]],
      g = DECODE[gIn[p]],
      b = DECODE[bIn[p]];
    const fx = labFTwin(fr(fr(fr(K.mx0 * r) + fr(K.mx1 * g)) + fr(K.mx2 * b)));
    const fy = labFTwin(fr(fr(fr(K.my0 * r) + fr(K.my1 * g)) + fr(K.my2 * b)));
    const fz = labFTwin(fr(fr(fr(K.mz0 * r) + fr(K.mz1 * g)) + fr(K.mz2 * b)));
    lOut[q] = fr(116 * fy) - 16;
    aOut[q] = 500 * fr(fx - fy);
    bOut[q] = 200 * fr(fy - fz);
  }
}
