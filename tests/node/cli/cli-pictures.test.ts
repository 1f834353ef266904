// The command line keeps what the input had (transparency, 16 bits), refuses animations, reads pictures
// over the pixel limit when --size downscales them, and honours --quality: the real binary on real files.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { grayPicture, tinyBinsModel } from '../../colorize/tiny-models.js';
import { pngBytes, runCliBinary } from './cli-fixtures.js';

let root: string;
let modelDir: string;
const base = () => ['--model', modelDir, '--backend', 'cpu', '--quiet'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-pictures-'));
  modelDir = join(root, 'model');
  const model = tinyBinsModel({ size: 32 });
  await saveModelFiles(model, modelDir);
  model.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** CIE L of sRGB values in 0–1 (IEC 61966-2-1 transfer, D65 luminance row, CIE 1976 L*): the reference. */
function lightness(r: number, g: number, b: number): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const y = 0.2126729 * lin(r) + 0.7151522 * lin(g) + 0.072175 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}

async function folderWith(name: string, files: Record<string, Buffer>): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(folder, file), bytes);
  return folder;
}

describe('the command line keeps what the input had', () => {
  it('transparency is kept exactly in png (RGBA and gray + alpha) and webp, and flattened onto white in jpg', async () => {
    const w = 40;
    const h = 30;
    const gray = grayPicture(w, h);
    const rgba = Buffer.alloc(w * h * 4);
    const grayAlpha = Buffer.alloc(w * h * 2);
    for (let i = 0; i < w * h; i++) {
      rgba.set([gray[i], gray[i], gray[i], (i * 7) % 256], 4 * i);
      grayAlpha.set([gray[i], 255 - ((i * 3) % 256)], 2 * i);
    }
    const folder = await folderWith('alpha', {
      'rgba.png': await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .png()
        .toBuffer(),
      // Written byte by byte: sharp's encoder would store gray + alpha as RGBA.
      'graya.png': pngBytes(w, h, 2, grayAlpha, 8),
    });
    const formats = ['png', 'webp', 'jpg'];
    const runs = await Promise.all(
      formats.map((format) =>
        runCliBinary(['colorize', folder, '-o', join(root, `alpha-${format}`), '--format', format, ...base()]),
      ),
    );
    for (const [k, format] of formats.entries()) {
      const out = join(root, `alpha-${format}`);
      const run = runs[k];
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      for (const [name, alphaOf] of [
        ['rgba', (i: number) => (i * 7) % 256],
        ['graya', (i: number) => 255 - ((i * 3) % 256)],
      ] as const) {
        const { data, info } = await sharp(join(out, `${name}.${format}`))
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([info.width, info.height]).toEqual([w, h]);
        if (format === 'jpg') {
          expect(info.channels).toBe(3);
          continue;
        }
        expect(info.channels).toBe(4);
        let worst = 0;
        for (let i = 0; i < w * h; i++) worst = Math.max(worst, Math.abs(data[4 * i + 3] - alphaOf(i)));
        // PNG and WebP (lossless alpha plane) both store alpha exactly.
        expect(worst, `${name}.${format}`).toBe(0);
      }
    }
  });

  it('a 16-bit PNG gives a 16-bit PNG whose lightness follows the input within 0.01 L wherever the colour is in gamut (8 bits would be off by up to about 0.2); jpg gives 8 bits', async () => {
    const w = 80;
    const h = 50;
    const values = Array.from({ length: w * h }, (_, i) => 2000 + i * 15); // 4000 levels, more than 8 bits hold
    const folder = await folderWith('deep', { 'deep.png': pngBytes(w, h, 1, values) });
    const out = join(root, 'deep-out');
    const [run, jpg] = await Promise.all([
      runCliBinary(['colorize', folder, '-o', out, ...base()]),
      runCliBinary(['colorize', folder, '-o', join(root, 'deep-jpg'), '--format', 'jpg', ...base()]),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const meta = await sharp(join(out, 'deep.png')).metadata();
    expect([meta.depth, meta.channels, meta.width, meta.height]).toEqual(['ushort', 3, w, h]);
    const { data } = await sharp(join(out, 'deep.png'))
      .toColourspace('rgb16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const words = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    let inGamut = 0;
    let worst = 0;
    const levels = new Set<number>();
    for (let i = 0; i < w * h; i++) {
      const rgb = [words[3 * i], words[3 * i + 1], words[3 * i + 2]];
      levels.add(rgb[1]);
      // A colour outside the sRGB gamut is clipped, which moves its lightness: those pixels prove nothing.
      if (rgb.some((v) => v === 0 || v === 65535)) continue;
      inGamut++;
      const expected = lightness(values[i] / 65535, values[i] / 65535, values[i] / 65535);
      worst = Math.max(worst, Math.abs(lightness(rgb[0] / 65535, rgb[1] / 65535, rgb[2] / 65535) - expected));
    }
    expect(inGamut / (w * h)).toBeGreaterThan(0.5);
    expect(worst).toBeLessThan(0.01);
    expect(levels.size).toBeGreaterThan(1000);
    expect(jpg.code).toBe(0);
    expect((await sharp(join(root, 'deep-jpg', 'deep.jpg')).metadata()).depth).toBe('uchar');
  });

  it('an animated GIF or WebP is refused with a message that says so and writes nothing; the still pictures go on', async () => {
    const red = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#a33' } })
      .png()
      .toBuffer();
    const blue = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#33a' } })
      .png()
      .toBuffer();
    const folder = await folderWith('animated', {
      'party.gif': await sharp([red, blue, red], { join: { animated: true } })
        .gif()
        .toBuffer(),
      'loop.webp': await sharp([red, blue], { join: { animated: true } })
        .webp()
        .toBuffer(),
      'still.gif': await sharp(red).gif().toBuffer(),
    });
    const out = join(root, 'animated-out');
    const run = await runCliBinary(['colorize', folder, '-o', out, '--backend', 'cpu', '--model', modelDir]);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toEqual([
      `error: ${join(folder, 'loop.webp')}: cannot read as an image (it has 2 frames (an animated or multi-page webp); only single pictures are colorized: export the frame you want as its own file)`,
      `error: ${join(folder, 'party.gif')}: cannot read as an image (it has 3 frames (an animated or multi-page gif); only single pictures are colorized: export the frame you want as its own file)`,
    ]);
    expect(await readdir(out)).toEqual(['still.png']);
  });
});

describe('large pictures and quality', () => {
  it('a 56-megapixel JPEG fails without --size with a message naming --size and --max-pixels, and is colorized with --size 1600 (decoded small)', async () => {
    const big = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#8a8a8a' } })
      .jpeg({ quality: 80 })
      .toBuffer();
    const folder = await folderWith('big', { 'scan.jpg': big });
    const out = join(root, 'big-out');
    const [refused, run, still] = await Promise.all([
      runCliBinary(['colorize', folder, '-o', join(root, 'big-refused'), ...base()]),
      runCliBinary(['colorize', folder, '-o', out, '--size', '1600', ...base()]),
      // --size that still leaves too many pixels names both options too.
      runCliBinary([
        'colorize',
        folder,
        '-o',
        join(root, 'big-still'),
        '--size',
        '4000',
        '--max-pixels',
        '1000000',
        ...base(),
      ]),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `error: ${join(folder, 'scan.jpg')}: cannot read as an image (8000 × 7000 = 56000000 pixels is over the pixel limit of 50000000; downscale it while decoding with --size <pixels> (maxSide), or raise --max-pixels (maxPixels))`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const meta = await sharp(join(out, 'scan.png')).metadata();
    expect([meta.width, meta.height]).toEqual([1600, 1400]);
    expect(still.code).toBe(1);
    expect(still.stderr).toMatch(
      /8000 × 7000 pixels downscaled is still 14000000 pixels, over the pixel limit of 1000000; pass a smaller --size \(maxSide\) or raise --max-pixels/,
    );
  });

  it('--quality sets jpg and webp quality (a lower quality gives a smaller file); outside 1-100 is a usage error', async () => {
    const folder = await folderWith('quality', {
      'photo.png': await sharp(Buffer.from(grayPicture(200, 150)), { raw: { width: 200, height: 150, channels: 1 } })
        .png()
        .toBuffer(),
    });
    const runs = ['jpg', 'webp'].flatMap((format) =>
      ['20', '95'].map((quality) => ({ format, quality, out: join(root, `q-${format}-${quality}`) })),
    );
    const results = await Promise.all(
      runs.map(({ format, quality, out }) =>
        runCliBinary(['colorize', folder, '-o', out, '--format', format, '--quality', quality, ...base()]),
      ),
    );
    const sizes: Record<string, number> = {};
    for (const [k, { format, quality, out }] of runs.entries()) {
      expect(results[k].code).toBe(0);
      sizes[`${format}${quality}`] = (await stat(join(out, `photo.${format}`))).size;
    }
    for (const format of ['jpg', 'webp']) expect(sizes[`${format}20`]).toBeLessThan(0.7 * sizes[`${format}95`]);
    const bad = await runCliBinary(['colorize', folder, '-o', join(root, 'q-bad'), '--quality', '0', ...base()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--quality: expected an integer in \[1, 100\], received "0"/);
  });
});
