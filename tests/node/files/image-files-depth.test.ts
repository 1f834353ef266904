// readImageFile / writeImageFile beyond 8-bit opaque still pictures: 16 bits, transparency, downscaling
// while decoding, several frames, and the pixel limit's typed error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnimatedImageError,
  ConfigError,
  InputError,
  PixelLimitError,
  encodeImage,
  readImageFile,
  writeImageFile,
} from '../../../src/node/index.js';
import { pngBytes } from '../cli/cli-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-depth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readImageFile / writeImageFile: depth, alpha, size, frames', () => {
  it('highBitDepth reads a 16-bit RGB PNG as floats v / 65535 exactly; without it the file reads as 8 bits', async () => {
    const values = Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 1409 + 7) % 65536);
    const bytes = pngBytes(5, 3, 3, values);
    const deep = await readImageFile(bytes, { highBitDepth: true });
    expect(deep.data).toBeInstanceOf(Float32Array);
    expect([deep.width, deep.height, deep.channels]).toEqual([5, 3, 3]);
    expect(Array.from(deep.data)).toEqual(values.map((v) => Math.fround(v / 65535)));
    const shallow = await readImageFile(bytes);
    expect(shallow.data).toBeInstanceOf(Uint8Array);
    // libvips rounds 16 to 8 bits as v >> 8.
    expect(Array.from(shallow.data)).toEqual(values.map((v) => v >> 8));
  });

  it('writes Uint16Array pixels as a 16-bit PNG that reads back exactly, and refuses 16 bits for JPEG', async () => {
    const data = Uint16Array.from({ length: 4 * 2 * 4 }, (_, i) => (i * 4099) % 65536);
    const path = join(dir, 'deep.png');
    await writeImageFile(path, { data, width: 4, height: 2, channels: 4 });
    expect((await sharp(path).metadata()).depth).toBe('ushort');
    const back = await readImageFile(path, { highBitDepth: true, keepAlpha: true });
    expect(Array.from(back.data, (v) => Math.round(v * 65535))).toEqual(Array.from(data));
    await expect(encodeImage({ data, width: 4, height: 2, channels: 4 }, 'jpeg')).rejects.toBeInstanceOf(InputError);
    await expect(
      encodeImage({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 }, 'jpeg', { quality: 0 }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('keepAlpha keeps gray + alpha as RGBA; without it transparency is flattened onto white', async () => {
    const pixels = Buffer.from([0, 0, 100, 255, 200, 128, 50, 0]); // gray, alpha × 4 pixels
    const bytes = pngBytes(2, 2, 2, pixels, 8);
    const kept = await readImageFile(bytes, { keepAlpha: true });
    expect(kept.channels).toBe(4);
    expect(Array.from(kept.data)).toEqual([0, 0, 0, 0, 100, 100, 100, 255, 200, 200, 200, 128, 50, 50, 50, 0]);
    const flat = await readImageFile(bytes);
    expect(flat.channels).toBe(1);
    // Fully transparent → white, opaque → itself, half → between.
    expect(flat.data[0]).toBe(255);
    expect(flat.data[1]).toBe(100);
    expect(flat.data[3]).toBe(255);
    expect(flat.data[2]).toBeGreaterThan(200);
  });

  it('maxSide downscales while decoding (aspect kept, never enlarged) and the pixel limit then applies to the downscaled size', async () => {
    const bytes = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    const small = await readImageFile(bytes, { maxSide: 300, maxPixels: 100_000 });
    expect([small.width, small.height, small.channels]).toEqual([300, 200, 3]);
    const same = await readImageFile(bytes, { maxSide: 5000 });
    expect([same.width, same.height]).toEqual([3000, 2000]);
    const refused = await readImageFile(bytes, { maxPixels: 100_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PixelLimitError);
    expect(refused).toMatchObject({ width: 3000, height: 2000, limit: 100_000, path: '<buffer>' });
    expect((refused as Error).message).toMatch(/--size <pixels> \(maxSide\), or raise --max-pixels \(maxPixels\)/);
  });

  it('a picture with several frames is an AnimatedImageError giving the number of frames', async () => {
    const frame = (background: string) =>
      sharp({ create: { width: 8, height: 8, channels: 3, background } })
        .png()
        .toBuffer();
    const gif = await sharp([await frame('#f00'), await frame('#0f0'), await frame('#00f'), await frame('#fff')], {
      join: { animated: true },
    })
      .gif()
      .toBuffer();
    const error = await readImageFile(gif).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnimatedImageError);
    expect(error).toMatchObject({ frames: 4 });
  });
});
