import { describe, expect, it } from 'vitest';
import { HintError, InputError } from '../../src/errors.js';
import { MAX_HINT_POINTS, type ColorHint } from '../../src/hints/color-hint.js';
import { defaultHintPointSize, encodeHints } from '../../src/hints/encode-hints.js';
import { hintColorToAb } from '../../src/hints/hint-color.js';

// scikit-image 0.x: rgb2lab(np.array([[c]]) / 255) for these sRGB colours (D65).
const SKIMAGE_LAB = {
  red: [53.24058794, 80.09230823, 67.20275104], // (255, 0, 0)
  blue: [45.31274338, 0.46528894, -34.72052226], // (58, 110, 165) = #3a6ea5
  green: [46.2276577, -51.69868348, 49.89707556], // (0, 128, 0)
};

const size4 = { height: 4, width: 4 };

function cellsWithMask(mask: Float32Array): number[] {
  return Array.from(mask).flatMap((v, i) => (v === 1 ? [i] : []));
}

describe('hintColorToAb', () => {
  it("gives scikit-image's Lab chroma for hex and triples, and takes { a, b } as it is", () => {
    const fromHex = hintColorToAb('#3A6EA5');
    const fromTriple = hintColorToAb([58, 110, 165]);
    expect(fromHex.a).toBeCloseTo(SKIMAGE_LAB.blue[1], 3);
    expect(fromHex.b).toBeCloseTo(SKIMAGE_LAB.blue[2], 3);
    expect(fromTriple).toEqual(fromHex);
    expect(hintColorToAb('#ff0000').a).toBeCloseTo(SKIMAGE_LAB.red[1], 3);
    expect(hintColorToAb({ a: -12.5, b: 40 })).toEqual({ a: -12.5, b: 40 });
  });

  it('refuses malformed colours with an InputError naming the argument', () => {
    for (const bad of [
      '#12345',
      'red',
      '#gg0000',
      [300, 0, 0],
      [1, 2],
      { a: 200, b: 0 },
      { a: Number.NaN, b: 0 },
      null,
      7,
    ]) {
      expect(() => hintColorToAb(bad as never, 'swatch')).toThrow(InputError);
      expect(() => hintColorToAb(bad as never, 'swatch')).toThrow(/^swatch: expected '#rrggbb'/);
    }
  });
});

describe('encodeHints: points', () => {
  it('puts a point in the grid cell its pixel centre falls in when the picture is squashed (hand-computed)', () => {
    // Photo 8 × 4 on a 4 × 4 grid: x = 5 → floor(5.5 · 4/8) = 2; y = 1 → floor(1.5 · 4/4) = 1: cell 1·4 + 2 = 6.
    const planes = encodeHints([{ x: 5, y: 1, color: '#ff0000' }], {
      photo: { width: 8, height: 4 },
      size: size4,
      pointSize: 1,
    });
    expect(cellsWithMask(planes.mask)).toEqual([6]);
    expect(planes.ab[12]).toBeCloseTo(SKIMAGE_LAB.red[1] / 110, 5);
    expect(planes.ab[13]).toBeCloseTo(SKIMAGE_LAB.red[2] / 110, 5);
    expect(Array.from(planes.ab).filter((v) => v !== 0)).toHaveLength(2);
    expect(planes.size).toEqual(size4);
  });

  it('fills a pointSize square around the cell, clipped to the picture, later points overwriting earlier ones', () => {
    // Photo 4 × 4 = grid: point A at cell (0,0) with side 3 covers rows/cols −1…1 → clipped to 0…1: cells 0,1,4,5.
    // Point C at (1,1) side 3 covers rows/cols 0…2 and overwrites the earlier points' colours there.
    const points: ColorHint[] = [
      { x: 0, y: 0, color: [255, 0, 0] },
      { x: 2, y: 2, color: [0, 128, 0] },
      { x: 1, y: 1, color: '#3a6ea5' },
    ];
    const planes = encodeHints(points, { photo: { width: 4, height: 4 }, size: size4, pointSize: 3 });
    expect(cellsWithMask(planes.mask)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15]);
    // Red at (0,0): cells 0,1,4,5. Green at (2,2) side 3: rows/cols 1…3 → cells 5,6,7,9,10,11,13,14,15; blue at (1,1): rows/cols 0…2 → 0,1,2,4,5,6,8,9,10.
    const a = (cell: number): number => planes.ab[2 * cell] * 110;
    for (const cell of [0, 1, 2, 4, 5, 6, 8, 9, 10]) expect(a(cell)).toBeCloseTo(SKIMAGE_LAB.blue[1], 3);
    for (const cell of [7, 11, 13, 14, 15]) expect(a(cell)).toBeCloseTo(SKIMAGE_LAB.green[1], 3);
    expect(planes.mask[3]).toBe(0);
    expect(planes.mask[12]).toBe(0);
  });

  it('maps points into the content box of a letterboxed input, leaving the padding without hints', () => {
    // Grid 8 × 8 with the picture in the content box { x: 0, y: 2, width: 8, height: 4 } (bands above and below).
    // Photo 16 × 8: x = 15 → floor(15.5 · 8/16) = 7; y = 0 → 2 + floor(0.5 · 4/8) = 2: cell 2·8 + 7 = 23.
    const planes = encodeHints([{ x: 15, y: 0, color: '#ff0000' }], {
      photo: { width: 16, height: 8 },
      size: { height: 8, width: 8 },
      content: { x: 0, y: 2, width: 8, height: 4 },
      pointSize: 3,
    });
    // Side 3 around (2, 7): rows 1…3 clipped to the content's 2…5 → rows 2, 3; cols 6…8 clipped to 0…7 → 6, 7.
    expect(cellsWithMask(planes.mask)).toEqual([22, 23, 30, 31]);
  });

  it('an empty list gives all-zero planes', () => {
    const planes = encodeHints([], { photo: { width: 5, height: 5 }, size: size4 });
    expect(planes.mask.every((v) => v === 0)).toBe(true);
    expect(planes.ab.every((v) => v === 0)).toBe(true);
  });

  it("the default point is the paper's 5 × 5 square at 256 pixels, scaled and kept odd", () => {
    expect(defaultHintPointSize({ height: 256, width: 256 })).toBe(5);
    expect(defaultHintPointSize({ height: 512, width: 384 })).toBe(7); // 5 · 384/256 = 7.5 → nearest odd 7
    expect(defaultHintPointSize({ height: 64, width: 64 })).toBe(1);
    expect(defaultHintPointSize({ height: 176, width: 176 })).toBe(3);
  });

  it('names the hint and field of every bad point in a HintError', () => {
    const photo = { width: 10, height: 6 };
    const expectHintError = (points: unknown[], argument: string, pattern: RegExp): void => {
      let error: unknown;
      try {
        encodeHints(points as ColorHint[], { photo, size: size4 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HintError);
      expect((error as HintError).argument).toBe(argument);
      expect((error as HintError).message).toMatch(pattern);
    };
    const ok = { x: 1, y: 1, color: '#000000' };
    expectHintError(
      [ok, { x: 10, y: 1, color: '#000000' }],
      'hints[1].x',
      /expected a number in \[0, 10\).*received 10/,
    );
    expectHintError([{ x: -0.5, y: 1, color: '#000000' }], 'hints[0].x', /received -0.5/);
    expectHintError([ok, ok, { x: 2, y: 6, color: '#000000' }], 'hints[2].y', /\[0, 6\)/);
    expectHintError([{ x: 2, y: Number.NaN, color: '#000000' }], 'hints[0].y', /received NaN/);
    expectHintError([{ x: '2', y: 1, color: '#000000' }], 'hints[0].x', /received "2"/);
    expectHintError([ok, { x: 2, y: 1, color: '#12345' }], 'hints[1].color', /'#rrggbb'.*received "#12345"/);
    expectHintError([{ x: 2, y: 1, color: [256, 0, 0] }], 'hints[0].color', /received \[256, 0, 0\]/);
    expectHintError([{ x: 2, y: 1, color: { a: 0, b: 300 } }], 'hints[0].color', /received \{ a: 0, b: 300 \}/);
    expectHintError([{ x: 2, y: 1 }], 'hints[0].color', /received undefined/);
    expectHintError([ok, null], 'hints[1]', /a point \{ x, y, color \}/);
    // A 4 × 4 grid takes at most 16 points: the 17th is named.
    expectHintError(new Array(17).fill(ok), 'hints[16]', /at most 16 points.*received 17 points/);
    const many = new Array(MAX_HINT_POINTS + 1).fill(ok);
    let error: unknown;
    try {
      encodeHints(many, { photo, size: { height: 256, width: 256 } });
    } catch (e) {
      error = e;
    }
    expect((error as HintError).index).toBe(MAX_HINT_POINTS);
  });

  it('refuses something that is neither a list nor a hint image', () => {
    expect(() => encodeHints('points' as never, { photo: { width: 4, height: 4 }, size: size4 })).toThrow(
      /^hints: expected an array/,
    );
    expect(() => encodeHints({ x: 1 } as never, { photo: { width: 4, height: 4 }, size: size4 })).toThrow(InputError);
  });
});

describe('encodeHints: a hint image', () => {
  it('each cell gets the mean ab of the hinted photo pixels that fall in it; alpha marks them on an RGBA image', () => {
    // Photo 4 × 2 on a 2 × 2 grid: cell (0,0) holds pixels (0,0) (1,0); cell (0,1) holds (2,0) (3,0); row 1 likewise.
    const rgba = new Uint8ClampedArray(4 * 8);
    const paint = (pixel: number, rgb: number[], alpha = 255): void => {
      rgba.set([...rgb, alpha], 4 * pixel);
    };
    paint(0, [255, 0, 0]); // cell 0: red alone (its neighbour is unmarked)
    paint(1, [0, 128, 0], 0);
    paint(2, [255, 0, 0]); // cell 1: red and green averaged
    paint(3, [0, 128, 0]);
    const planes = encodeHints(
      { image: { data: rgba, width: 4, height: 2, channels: 4 } },
      { photo: { width: 4, height: 2 }, size: { height: 2, width: 2 } },
    );
    expect(Array.from(planes.mask)).toEqual([1, 1, 0, 0]);
    expect(planes.ab[0] * 110).toBeCloseTo(SKIMAGE_LAB.red[1], 3);
    expect(planes.ab[2] * 110).toBeCloseTo((SKIMAGE_LAB.red[1] + SKIMAGE_LAB.green[1]) / 2, 3);
    expect(planes.ab[3] * 110).toBeCloseTo((SKIMAGE_LAB.red[2] + SKIMAGE_LAB.green[2]) / 2, 3);
  });

  it('a separate mask marks the pixels of an RGB hint image; sizes must match the photo', () => {
    const rgb = new Uint8Array(3 * 4).fill(0);
    rgb.set([255, 0, 0], 3 * 3);
    const mask = new Uint8Array([0, 0, 0, 200]);
    const planes = encodeHints(
      {
        image: { data: rgb, width: 2, height: 2, channels: 3 },
        mask: { data: mask, width: 2, height: 2, channels: 1 },
      },
      { photo: { width: 2, height: 2 }, size: { height: 2, width: 2 } },
    );
    expect(Array.from(planes.mask)).toEqual([0, 0, 0, 1]);
    expect(planes.ab[6] * 110).toBeCloseTo(SKIMAGE_LAB.red[1], 3);
    expect(() =>
      encodeHints(
        { image: { data: rgb, width: 2, height: 2, channels: 3 } },
        { photo: { width: 2, height: 2 }, size: size4 },
      ),
    ).toThrow(/^hints.mask: expected a mask image/);
    expect(() =>
      encodeHints(
        {
          image: { data: rgb, width: 2, height: 2, channels: 3 },
          mask: { data: mask, width: 4, height: 1, channels: 1 },
        },
        { photo: { width: 2, height: 2 }, size: size4 },
      ),
    ).toThrow(/^hints.mask: expected the photo's size 2 × 2, received 4 × 1/);
    expect(() =>
      encodeHints(
        { image: { data: rgb, width: 2, height: 2, channels: 3 } },
        { photo: { width: 3, height: 2 }, size: size4 },
      ),
    ).toThrow(/^hints.image: expected the photo's size 3 × 2/);
  });
});
