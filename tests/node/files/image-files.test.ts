import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ImageFileError,
  InputError,
  readImageFile,
  writeImageFile,
  writeContactSheet,
  type ImageLike,
} from '../../../src/node/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfjs-colorization-images-'));
});

const gradient = (w: number, h: number): ImageLike => {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * 10, y * 10, 128], 3 * (y * w + x));
  return { data, width: w, height: h, channels: 3 };
};

describe('readImageFile / writeImageFile', () => {
  it('round-trips RGB pixels exactly through PNG', async () => {
    const img = gradient(7, 5);
    const path = join(dir, 'g.png');
    await writeImageFile(path, img);
    const back = await readImageFile(path);
    expect([back.width, back.height, back.channels]).toEqual([7, 5, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('decodes a gray file as one channel and a JPEG within JPEG error', async () => {
    const grayPath = join(dir, 'gray.png');
    await sharp(Buffer.from([0, 50, 100, 150, 200, 250]), { raw: { width: 3, height: 2, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(grayPath);
    const gray = await readImageFile(grayPath);
    expect(gray.channels).toBe(1);
    expect(Array.from(gray.data)).toEqual([0, 50, 100, 150, 200, 250]);
    const jpg = join(dir, 'g.jpg');
    await writeImageFile(jpg, gradient(16, 16), { quality: 100 });
    const back = await readImageFile(jpg);
    let worst = 0;
    const ref = gradient(16, 16).data;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(back.data[i] - ref[i]));
    expect(worst).toBeLessThan(12);
  });

  it('applies EXIF orientation', async () => {
    const path = join(dir, 'rotated.jpg');
    await sharp(Buffer.from(gradient(4, 2).data), { raw: { width: 4, height: 2, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path);
    const img = await readImageFile(path);
    expect([img.width, img.height]).toEqual([2, 4]);
  });

  it('reports empty, non-image and truncated files with ImageFileError naming the file', async () => {
    const empty = join(dir, 'empty.jpg');
    await writeFile(empty, '');
    await expect(readImageFile(empty)).rejects.toThrow(/empty\.jpg.*empty file/);
    const text = join(dir, 'text.jpg');
    await writeFile(text, 'this is not an image');
    await expect(readImageFile(text)).rejects.toBeInstanceOf(ImageFileError);
    const good = await sharp(Buffer.from(gradient(64, 64).data), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    const truncated = join(dir, 'truncated.jpg');
    await writeFile(truncated, good.subarray(0, good.length >> 1));
    await expect(readImageFile(truncated)).rejects.toThrow(/truncated\.jpg/);
    await expect(readImageFile(join(dir, 'missing.png'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses images over the pixel limit', async () => {
    const path = join(dir, 'big.png');
    await writeImageFile(path, gradient(20, 20));
    await expect(readImageFile(path, { maxPixels: 100 })).rejects.toBeInstanceOf(ImageFileError);
  });

  it('rejects unknown extensions and wrong data lengths with InputError', async () => {
    await expect(writeImageFile(join(dir, 'x.bmp2'), gradient(2, 2))).rejects.toBeInstanceOf(InputError);
    await expect(
      writeImageFile(join(dir, 'x.png'), { data: new Uint8Array(5), width: 2, height: 2, channels: 3 }),
    ).rejects.toThrow(/length/);
  });

  it('writes a titled contact sheet as a PNG taller than the grid', async () => {
    const path = join(dir, 'sheet.png');
    await writeContactSheet(path, [[gradient(8, 8), gradient(8, 8)]], { titles: ['a', 'b'], cellHeight: 32, gap: 4 });
    const meta = await sharp(path).metadata();
    expect(meta.width).toBe(4 + 32 + 4 + 32 + 4);
    expect(meta.height).toBe(4 + 32 + 4 + 26);
  });
});
