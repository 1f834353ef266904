/**
 * Reading one element of a storage as a number, for every storage type, in either byte order.
 */
import type { StorageDtype } from './pickle-value.js';

/** Reads element `index` (not byte offset) of a storage as a JavaScript number. */
export type ElementReader = (index: number) => number;

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 binary16 bits to a number (exact: every half is a float32). */
export function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** bfloat16 bits (the top half of a float32) to a number. */
export function bfloat16BitsToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/**
 * A signed 64-bit integer (two 32-bit halves) to the nearest float32, rounded once, as C++'s
 * `static_cast<float>(int64_t)` does. Going through a float64 first would round twice and can land on the
 * other side of a tie (2^60 + 2^36 + 1 → 2^60 instead of 2^60 + 2^37).
 */
export function int64ToFloat32(low: number, high: number): number {
  if (high >= -0x200000 && high < 0x200000) return Math.fround(high * 2 ** 32 + low); // exact in a float64
  let value = (BigInt(high) << 32n) | BigInt(low);
  const negative = value < 0n;
  if (negative) value = -value;
  // Keep 26 significant bits (24 + a round bit + a sticky bit that records anything below): exact in a
  // float64, and Math.fround then rounds to nearest-even exactly as a single rounding would.
  const shift = value.toString(2).length - 26;
  let kept = value >> BigInt(shift);
  if ((value & ((1n << BigInt(shift)) - 1n)) !== 0n) kept |= 1n;
  const magnitude = Math.fround(Number(kept) * 2 ** shift);
  return negative ? -magnitude : magnitude;
}

/** An element reader over `bytes` (the storage's bytes) for `dtype` in the given byte order. */
export function elementReader(bytes: Uint8Array, dtype: StorageDtype, littleEndian: boolean): ElementReader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32':
      return (i) => view.getFloat32(4 * i, littleEndian);
    case 'float64':
      return (i) => view.getFloat64(8 * i, littleEndian);
    case 'float16':
      return (i) => halfBitsToNumber(view.getUint16(2 * i, littleEndian));
    case 'bfloat16':
      return (i) => bfloat16BitsToNumber(view.getUint16(2 * i, littleEndian));
    case 'int8':
      return (i) => view.getInt8(i);
    case 'uint8':
      return (i) => view.getUint8(i);
    case 'bool':
      return (i) => (view.getUint8(i) === 0 ? 0 : 1);
    case 'int16':
      return (i) => view.getInt16(2 * i, littleEndian);
    case 'int32':
      return (i) => view.getInt32(4 * i, littleEndian);
    case 'int64':
      return littleEndian
        ? (i) => int64ToFloat32(view.getUint32(8 * i, true), view.getInt32(8 * i + 4, true))
        : (i) => int64ToFloat32(view.getUint32(8 * i + 4, false), view.getInt32(8 * i, false));
  }
}
