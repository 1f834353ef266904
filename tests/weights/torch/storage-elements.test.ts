/**
 * Element decoding by hand-computed cases, including the values a JSON fixture cannot hold (infinities,
 * NaN) and the int64 roundings that separate one rounding from two.
 */
import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToNumber,
  elementReader,
  halfBitsToNumber,
  int64ToFloat32,
} from '../../../src/weights/torch/storage-elements.js';

describe('storage element decoding', () => {
  it('float16 bits: normals, the largest half, subnormals, signed zero, infinities and NaN', () => {
    expect(halfBitsToNumber(0x3c00)).toBe(1);
    expect(halfBitsToNumber(0xc000)).toBe(-2);
    expect(halfBitsToNumber(0x3555)).toBe(0.333251953125);
    expect(halfBitsToNumber(0x7bff)).toBe(65504);
    expect(halfBitsToNumber(0x0001)).toBe(2 ** -24);
    expect(halfBitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(halfBitsToNumber(0x0400)).toBe(2 ** -14);
    expect(Object.is(halfBitsToNumber(0x8000), -0)).toBe(true);
    expect(halfBitsToNumber(0x7c00)).toBe(Infinity);
    expect(halfBitsToNumber(0xfc00)).toBe(-Infinity);
    expect(halfBitsToNumber(0x7e00)).toBeNaN();
  });

  it('bfloat16 bits are the top half of a float32', () => {
    expect(bfloat16BitsToNumber(0x3f80)).toBe(1);
    expect(bfloat16BitsToNumber(0xc040)).toBe(-3);
    expect(bfloat16BitsToNumber(0x7f80)).toBe(Infinity);
    expect(bfloat16BitsToNumber(0x0001)).toBe(2 ** -133);
  });

  it('int64 to float32 rounds once to nearest-even, like a C++ cast', () => {
    const split = (v: bigint): [number, number] => [Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
    expect(int64ToFloat32(...split(-7n))).toBe(-7);
    expect(int64ToFloat32(...split(16777217n))).toBe(16777216); // tie → even
    expect(int64ToFloat32(...split(16777219n))).toBe(16777220); // tie → even (up)
    expect(int64ToFloat32(...split(2n ** 60n + 2n ** 36n))).toBe(2 ** 60); // exact tie → even
    expect(int64ToFloat32(...split(2n ** 60n + 2n ** 36n + 1n))).toBe(2 ** 60 + 2 ** 37); // above the tie
    expect(int64ToFloat32(...split(-(2n ** 60n) - 2n ** 36n - 1n))).toBe(-(2 ** 60 + 2 ** 37));
    expect(int64ToFloat32(...split(-(2n ** 63n)))).toBe(-(2 ** 63));
    expect(int64ToFloat32(...split(2n ** 63n - 1n))).toBe(2 ** 63);
  });

  it('reads either byte order', () => {
    const bytes = new Uint8Array([0x3f, 0x80, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f]);
    expect(elementReader(bytes, 'float32', false)(0)).toBe(1);
    expect(elementReader(bytes, 'float32', true)(1)).toBe(1);
    const int64 = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    expect(elementReader(int64, 'int64', false)(0)).toBe(-2);
  });
});
