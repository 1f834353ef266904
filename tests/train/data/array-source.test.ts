import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { createArraySource, createNdarraySource } from '../../../src/train/data/array-source.js';
import { deriveSeed } from '../../../src/train/data/derive-seed.js';
import { gradientImage, solidImage } from './test-images.js';

describe('createArraySource', () => {
  it('reads images and labels by index and checks labels against the images and class names', async () => {
    const images = [solidImage(2, 2, [1, 2, 3]), gradientImage(3, 2)];
    const source = createArraySource(images, { labels: [1, 0], classNames: ['a', 'b'] });
    expect(source.size).toBe(2);
    expect(source.classNames).toEqual(['a', 'b']);
    const second = await source.read(1);
    expect(second!.label).toBe(0);
    expect(second!.image.data).toBe(images[1].data);
    expect((await createArraySource(images).read(0))!.label).toBeUndefined();
    expect(() => source.read(2)).toThrow(InputError);
    expect(() => createArraySource(images, { labels: [0] })).toThrow(/2 labels/);
    expect(() => createArraySource(images, { labels: [0, 2], classNames: ['a', 'b'] })).toThrow(/labels\[1\]/);
    expect(() => createArraySource(images, { labels: [0, 1.5] })).toThrow(InputError);
    expect(() => createArraySource('x' as never)).toThrow(InputError);
  });

  it('reports a bad image when it is read, naming its index', () => {
    const source = createArraySource([
      solidImage(2, 2, [1, 2, 3]),
      { data: new Uint8Array(5), width: 2, height: 2, channels: 3 },
    ]);
    expect(() => source.read(1)).toThrow(/images\[1\]/);
  });
});

describe('createNdarraySource', () => {
  it('picks image i of an [N, H, W, C] ndarray, honouring strides', async () => {
    // 2 images of 2 × 3 RGB; value = 100·n + 10·(y·3 + x) + c.
    const n = 2,
      h = 2,
      w = 3;
    const flat = new Uint8Array(n * h * w * 3);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let c = 0; c < 3; c++) {
            flat[((i * h + y) * w + x) * 3 + c] = 100 * i + 10 * (y * w + x) + c;
          }
    const source = createNdarraySource(ndarray(flat, [n, h, w, 3]), { labels: [4, 5] });
    const second = await source.read(1);
    expect(second!.label).toBe(5);
    expect([second!.image.width, second!.image.height, second!.image.channels]).toEqual([3, 2, 3]);
    expect([...second!.image.data]).toEqual([...flat.subarray(18, 36)]);
    // The same pixels stored planar ([N, C, H, W]) and viewed as [N, H, W, C] through strides.
    const planar = new Uint8Array(flat.length);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < h * w; p++)
        for (let c = 0; c < 3; c++) planar[(i * 3 + c) * h * w + p] = flat[(i * h * w + p) * 3 + c];
    const strided = createNdarraySource(ndarray(planar, [n, h, w, 3], [3 * h * w, w, 1, h * w]));
    expect([...(await strided.read(1))!.image.data]).toEqual([...second!.image.data]);
    expect(() => createNdarraySource(ndarray(flat, [n * h, w, 3]) as never)).toThrow(/\[N, H, W, C\]/);
  });
});

describe('deriveSeed', () => {
  it('is a pure function of the seed and the ordered keys, and neighbouring keys give unrelated seeds', () => {
    expect(deriveSeed(7, 1, 2)).toBe(deriveSeed(7, 1, 2));
    const seeds = new Set<number>();
    for (let epoch = 0; epoch < 20; epoch++)
      for (let index = 0; index < 50; index++) seeds.add(deriveSeed(7, epoch, index));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(7, 1, 2)).not.toBe(deriveSeed(7, 2, 1));
    expect(deriveSeed(7, 1)).not.toBe(deriveSeed(8, 1));
    expect(deriveSeed(7)).not.toBe(deriveSeed(7, 0));
    // Avalanche: one key apart flips about half of the 32 bits on average.
    let flipped = 0;
    for (let i = 0; i < 200; i++)
      flipped += ((deriveSeed(3, i) ^ deriveSeed(3, i + 1)) >>> 0).toString(2).replace(/0/g, '').length;
    expect(flipped / 200).toBeGreaterThan(12);
    expect(flipped / 200).toBeLessThan(20);
    expect(() => deriveSeed(1.5)).toThrow(InputError);
    expect(() => deriveSeed(1, Number.NaN)).toThrow(/keys\[0\]/);
  });
});
