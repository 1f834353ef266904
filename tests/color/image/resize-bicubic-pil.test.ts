import { describe, expect, test } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { resizeBytesBicubicPil } from '../../../src/color/image/resize-bicubic-pil.js';
import { readPublishedFixture } from '../../weights/published/published-fixtures.js';

// Pillow's Image.resize(..., BICUBIC) on crops of real photos (tests/fixtures/make_published_layouts.py).
const fixture = readPublishedFixture<{ cases: { picture: 'rgb' | 'gray'; width: number; height: number }[] }>(
  'pil-bicubic',
);

describe('resizeBytesBicubicPil', () => {
  test.each(fixture.meta.cases)(
    '$picture to $width × $height equals Pillow level for level',
    ({ picture, width, height }) => {
      const input = fixture.array(`${picture}.input`);
      const [h, w, c = 1] = input.shape;
      const out = resizeBytesBicubicPil(input.data, w, h, c, width, height);
      expect(Array.from(out)).toEqual(Array.from(fixture.array(`${picture}.${width}x${height}`).data));
    },
  );

  test('the same size returns an equal copy; bad sizes and lengths are InputErrors naming the argument', () => {
    const data = new Uint8Array([1, 2, 3, 4]);
    const same = resizeBytesBicubicPil(data, 2, 2, 1, 2, 2);
    expect(Array.from(same)).toEqual([1, 2, 3, 4]);
    expect(() => resizeBytesBicubicPil(data, 2, 2, 1, 0, 2)).toThrow(/outWidth: expected a positive integer/);
    expect(() => resizeBytesBicubicPil(data, 3, 2, 1, 2, 2)).toThrow(InputError);
  });
});
