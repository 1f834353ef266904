/**
 * The on-disk cache of the default model's training data: for each photo of a split, its lightness
 * (uint8, L · 2.55), its ab (int8, rounded Lab units) at 256 × 256, and the frozen backbone's features
 * (float16): the hypercolumn taps and the pooled global vector. Written once by cache-features.ts, read
 * whole into memory by train-head.ts. The backbone is frozen, so its features never change during training.
 *
 * Layout of `<cache>/<split>/`: `meta.json` ({ count, size, names, features: [{ name, shape }] }),
 * `lightness.u8`, `ab.i8`, and one `<feature>.f16` per feature, each `[count, ...shape]` row-major.
 */
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Side of the cached photos (all training and validation photos are 256 × 256). */
export const CACHE_SIZE = 256;

export interface FeatureSpec {
  name: string;
  /** Per-photo shape, e.g. [64, 64, 24] or [1280]. */
  shape: number[];
}

export interface CacheMeta {
  count: number;
  size: number;
  names: string[];
  features: FeatureSpec[];
  /** Indices of the photos whose features are cached (all of them once the features stage finished). */
  featureIndices?: number[];
}

export interface CachedSplit {
  meta: CacheMeta;
  /** `[count, size, size]`, L · 2.55 rounded. */
  lightness: Uint8Array;
  /** `[count, size, size, 2]`, a and b rounded to integers. */
  ab: Int8Array;
  /** Per feature, `[count, ...shape]` float16 bits; empty until the features stage ran. */
  features: Map<string, Uint16Array>;
}

export function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** float16 bits → number, through a 65,536-entry table. */
export const FLOAT16_TABLE: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    table[h] =
      exponent === 0
        ? sign * mantissa * 2 ** -24
        : exponent === 31
          ? mantissa
            ? NaN
            : sign * Infinity
          : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();

/** number → float16 bits, rounded to nearest (ties away from zero), overflow to ±∞, small values to subnormals or 0. */
export function toFloat16(values: Float32Array, out: Uint16Array, offset: number): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = ((x >>> 23) & 0xff) - 127 + 15;
    const mantissa = x & 0x7fffff;
    let half: number;
    if (exponent >= 0x1f) half = sign | 0x7c00;
    else if (exponent <= 0)
      half =
        exponent < -10
          ? sign
          : sign | (((mantissa | 0x800000) >>> (14 - exponent)) + (((mantissa | 0x800000) >>> (13 - exponent)) & 1));
    else half = (sign | (exponent << 10) | (mantissa >>> 13)) + ((mantissa >>> 12) & 1);
    out[offset + i] = half;
  }
}

export async function writeSplitImages(
  directory: string,
  names: string[],
  lightness: Uint8Array,
  ab: Int8Array,
): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'lightness.u8'), lightness);
  await writeFile(join(directory, 'ab.i8'), ab);
  const meta: CacheMeta = { count: names.length, size: CACHE_SIZE, names, features: [] };
  await writeFile(join(directory, 'meta.json'), JSON.stringify(meta));
}

export async function writeSplitFeatures(
  directory: string,
  features: FeatureSpec[],
  values: Map<string, Uint16Array>,
  featureIndices: number[],
): Promise<void> {
  for (const spec of features) {
    const file = await open(join(directory, `${spec.name}.f16`), 'w');
    const bytes = new Uint8Array(values.get(spec.name)!.buffer);
    // In chunks: one write call is limited to 2 GiB.
    for (let at = 0; at < bytes.length; at += 1 << 28)
      await file.write(bytes, at, Math.min(1 << 28, bytes.length - at));
    await file.close();
  }
  const meta = JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as CacheMeta;
  meta.features = features;
  meta.featureIndices = featureIndices;
  await writeFile(join(directory, 'meta.json'), JSON.stringify(meta));
}

export async function readSplit(directory: string, options: { features?: boolean } = {}): Promise<CachedSplit> {
  const meta = JSON.parse(await readFile(join(directory, 'meta.json'), 'utf8')) as CacheMeta;
  const lightness = new Uint8Array(await readFile(join(directory, 'lightness.u8')));
  const abBytes = await readFile(join(directory, 'ab.i8'));
  const ab = new Int8Array(abBytes.buffer, abBytes.byteOffset, abBytes.length);
  const features = new Map<string, Uint16Array>();
  if (options.features ?? true) {
    for (const spec of meta.features) {
      const total = meta.count * elements(spec.shape);
      const out = new Uint16Array(total);
      const file = await open(join(directory, `${spec.name}.f16`), 'r');
      const bytes = new Uint8Array(out.buffer);
      for (let at = 0; at < bytes.length; at += 1 << 28)
        await file.read(bytes, at, Math.min(1 << 28, bytes.length - at), at);
      await file.close();
      features.set(spec.name, out);
    }
  }
  return { meta, lightness, ab, features };
}
