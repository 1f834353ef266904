/**
 * Bicubic resizing of 8-bit pictures exactly as Pillow's `Image.resize(size, resample=Image.BICUBIC)`
 * computes it (Pillow's `libImaging/Resample.c`), level for level. The reference colorization pipelines
 * (Zhang et al.'s demo, `colorizers/util.py`) resize the RGB photo this way before taking its lightness,
 * so reproducing their input means reproducing this arithmetic, not just "a bicubic".
 *
 * What Pillow does: a separable convolution with Keys' cubic kernel (a = −0.5, support 2), widened by the
 * scale when shrinking (so downscaling is antialiased), taps centred at `(x + 0.5) · scale`, weights
 * normalized to sum 1 and rounded to 22-bit fixed point; the horizontal pass runs first and is rounded
 * and clipped to 0–255, then the vertical pass reads those bytes.
 */
import { InputError } from '../../errors.js';

/** Fractional bits of Pillow's fixed-point weights for 8-bit images (32 − 8 − 2). */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Keys' cubic convolution kernel with a = −0.5 (Keys 1981), as Pillow's `bicubic_filter`. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** Per output index: first input index, tap count, and integer weights (Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`). */
function coefficients(
  inSize: number,
  outSize: number,
): { start: Int32Array; count: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize),
    count = new Int32Array(outSize),
    weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const centre = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(centre - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bicubic((x + xmin - centre + 0.5) / filterScale);
      sum += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x] / sum : k[x];
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

function clip8(value: number): number {
  if (value >= ONE * 256) return 255;
  if (value <= 0) return 0;
  return Math.floor(value / ONE);
}

/**
 * Resize interleaved 8-bit pixels with Pillow's bicubic filter (see the file comment).
 *
 * @param data  `height × width × channels` bytes, row-major, channels interleaved (1 for gray, 3 for RGB).
 * @param width  input width.  @param height  input height.
 * @param channels  values per pixel, each resized on its own.
 * @param outWidth  output width.  @param outHeight  output height.
 * @returns `outHeight × outWidth × channels` bytes; a copy when the size does not change (as Pillow).
 * @throws InputError for non-positive sizes or a `data` length that does not match.
 * @example
 * const rgb256 = resizeBytesBicubicPil(photo.data, photo.width, photo.height, 3, 256, 256);
 */
export function resizeBytesBicubicPil(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8ClampedArray {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
    ['channels', channels],
    ['outWidth', outWidth],
    ['outHeight', outHeight],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(name, 'a positive integer', String(v));
  }
  if (data.length !== width * height * channels)
    throw new InputError(
      'data',
      `length ${width * height * channels} (${width} × ${height} × ${channels})`,
      `length ${data.length}`,
    );
  let current = Uint8ClampedArray.from(data);
  let currentWidth = width;
  if (outWidth !== width) {
    const h = coefficients(width, outWidth);
    const next = new Uint8ClampedArray(outWidth * height * channels);
    for (let y = 0; y < height; y++) {
      const row = y * width * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const base = xx * h.ksize,
          xmin = h.start[xx],
          n = h.count[xx];
        for (let c = 0; c < channels; c++) {
          let sum = HALF;
          for (let x = 0; x < n; x++) sum += current[row + (x + xmin) * channels + c] * h.weights[base + x];
          next[(y * outWidth + xx) * channels + c] = clip8(sum);
        }
      }
    }
    current = next;
    currentWidth = outWidth;
  }
  if (outHeight !== height) {
    const v = coefficients(height, outHeight);
    const next = new Uint8ClampedArray(outWidth * outHeight * channels);
    const stride = currentWidth * channels;
    for (let yy = 0; yy < outHeight; yy++) {
      const base = yy * v.ksize,
        ymin = v.start[yy],
        n = v.count[yy];
      for (let i = 0; i < stride; i++) {
        let sum = HALF;
        for (let y = 0; y < n; y++) sum += current[(y + ymin) * stride + i] * v.weights[base + y];
        next[yy * stride + i] = clip8(sum);
      }
    }
    current = next;
  }
  return current;
}
