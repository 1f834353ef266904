import { describe, expect, it } from 'vitest';
import { InputError, composeContactSheet, type ImageLike } from '../../../src/index.js';

const solid = (w: number, h: number, rgb: [number, number, number]): ImageLike => {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, 3 * i);
  return { data, width: w, height: h, channels: 3 };
};

describe('composeContactSheet', () => {
  it('places cells on a grid with gaps, scaling each to the cell height and keeping aspect', () => {
    const red = solid(4, 2, [255, 0, 0]);
    const gray: ImageLike = { data: new Uint8Array(4).fill(100), width: 2, height: 2, channels: 1 };
    const sheet = composeContactSheet(
      [
        [red, gray],
        [null, gray],
      ],
      { cellHeight: 10, gap: 2 },
    );
    // column 0 is 20 wide (4×2 scaled to height 10), column 1 is 10 wide.
    expect(sheet.columns).toEqual([
      { x: 2, width: 20 },
      { x: 24, width: 10 },
    ]);
    expect(sheet.image.width).toBe(2 + 20 + 2 + 10 + 2);
    expect(sheet.image.height).toBe(2 + 10 + 2 + 10 + 2);
    expect(sheet.cells).toHaveLength(3);
    const px = (x: number, y: number) =>
      Array.from(sheet.image.data.slice(3 * (y * sheet.image.width + x), 3 * (y * sheet.image.width + x) + 3));
    expect(px(5, 5)).toEqual([255, 0, 0]);
    expect(px(28, 20)).toEqual([100, 100, 100]); // gray expanded to RGB
    expect(px(5, 20)).toEqual([255, 255, 255]); // empty cell keeps the background
    expect(px(0, 0)).toEqual([255, 255, 255]); // gap
  });

  it('reads float images in [0, 1] as 0–255', () => {
    const f: ImageLike = { data: new Float32Array([0.5, 0.5, 0.5]), width: 1, height: 1, channels: 3 };
    const sheet = composeContactSheet([[f]], { cellHeight: 2, gap: 0 });
    expect(Array.from(sheet.image.data.slice(0, 3))).toEqual([128, 128, 128]);
  });

  it('interpolates bilinearly between pixel centres when enlarging', () => {
    const ramp: ImageLike = { data: new Uint8Array([0, 0, 0, 200, 200, 200]), width: 2, height: 1, channels: 3 };
    const sheet = composeContactSheet([[ramp]], { cellHeight: 2, gap: 0 });
    // 2 → 4 wide: sample centres at source x = −0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1).
    const row = [0, 1, 2, 3].map((x) => sheet.image.data[3 * x]);
    expect(row).toEqual([0, 50, 150, 200]);
  });

  it('rejects an empty grid and a bad cell height with typed errors', () => {
    expect(() => composeContactSheet([])).toThrow(InputError);
    expect(() => composeContactSheet([[solid(1, 1, [0, 0, 0])]], { cellHeight: 0 })).toThrow(/cellHeight/);
  });
});
