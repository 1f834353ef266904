import { describe, expect, it } from 'vitest';
import { imageToLab } from '../../../src/color/image/image.js';
import {
  GRAY_CHROMA_THRESHOLD,
  GRAY_PIXEL_FRACTION,
  colourfulFraction,
  isGrayLab,
} from '../../../src/train/data/gray-check.js';
import { grayImage, grayRgbImage } from './test-images.js';

/** Lab planes of 200 pixels: `coloured` of them at (a, b) = (3, 4) · scale (chroma 5·scale), the rest at (a, b). */
function planes(
  coloured: number,
  scale: number,
  rest: [number, number] = [0, 0],
): { a: Float32Array; b: Float32Array } {
  const a = new Float32Array(200).fill(rest[0]),
    b = new Float32Array(200).fill(rest[1]);
  for (let i = 0; i < coloured; i++) {
    a[i] = 3 * scale;
    b[i] = 4 * scale;
  }
  return { a, b };
}

describe('gray test', () => {
  it('counts the share of pixels at or above the chroma threshold', () => {
    expect(GRAY_CHROMA_THRESHOLD).toBe(4);
    expect(GRAY_PIXEL_FRACTION).toBe(0.01);
    expect(colourfulFraction(planes(10, 1), 5)).toBe(10 / 200); // chroma exactly 5 counts
    expect(colourfulFraction(planes(10, 0.99), 5)).toBe(0);
    expect(colourfulFraction({ a: new Float32Array(0), b: new Float32Array(0) })).toBe(0);
  });

  it('calls an image gray when at most 1 % of its pixels reach chroma 4, however faint the tint of the rest', () => {
    expect(isGrayLab(planes(0, 0))).toBe(true);
    expect(isGrayLab(planes(2, 10))).toBe(true); // 1 %: a stamp on a gray print
    expect(isGrayLab(planes(3, 10))).toBe(false); // 1.5 %
    expect(isGrayLab(planes(0, 0, [2.4, 2.4]))).toBe(true); // sepia-ish tint of chroma 3.4
    expect(isGrayLab(planes(0, 0, [3, 3]))).toBe(false); // tint of chroma 4.2 everywhere
    expect(isGrayLab(planes(3, 10), { fraction: 0.02 })).toBe(true);
    expect(isGrayLab(planes(0, 0, [2.4, 2.4]), { threshold: 3 })).toBe(false);
  });

  it('finds decoded gray images gray: one channel, and RGB with r = g = b', () => {
    expect(isGrayLab(imageToLab(grayImage(5, 4, 77)))).toBe(true);
    expect(isGrayLab(imageToLab(grayRgbImage(9, 7)))).toBe(true);
    expect(colourfulFraction(imageToLab(grayRgbImage(9, 7)), 0.01)).toBe(0);
  });
});
