// Fuzzing of image reading: random bytes, truncated files and byte-flipped real pictures (JPEG photos of
// the examples, PNG 8/16-bit, gray + alpha, WebP, GIF, TIFF) through readImageFile and through the command
// line. Seeded, bounded in count and in time. Each case must end in a picture or a typed error: no crash,
// no hang, no partial output.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColorizationError } from '../../../src/errors.js';
import { ATOMIC_TEMPORARY_FILE } from '../../../src/node/files/atomic-write.js';
import { readImageFile } from '../../../src/node/files/image-files.js';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { createRandom, type Random } from '../../../src/random.js';
import { grayPicture, tinyBinsModel } from '../../colorize/tiny-models.js';
import { pngBytes, runCliBinary } from '../cli/cli-fixtures.js';

const MAX_CASES = 600;
const MAX_SECONDS = 6;
/** A case that takes longer than this is a hang. */
const CASE_TIMEOUT_MS = 5000;

let root: string;
let seeds: { name: string; bytes: Buffer }[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'image-fuzz-'));
  const images = join(import.meta.dirname, '..', '..', '..', 'examples', 'images');
  const photos = (await readdir(images)).filter((n) => n.endsWith('.jpg')).slice(0, 2);
  const gray = Buffer.from(grayPicture(48, 32));
  const rgb = Buffer.alloc(48 * 32 * 3);
  for (let i = 0; i < gray.length; i++) rgb.set([gray[i], 255 - gray[i], (gray[i] * 3) & 255], 3 * i);
  const raw = { raw: { width: 48, height: 32, channels: 3 as const } };
  const frame = (background: string) =>
    sharp({ create: { width: 16, height: 16, channels: 3, background } })
      .png()
      .toBuffer();
  seeds = [
    ...(await Promise.all(photos.map(async (name) => ({ name, bytes: await readFile(join(images, name)) })))),
    { name: 'rgb.png', bytes: await sharp(rgb, raw).png().toBuffer() },
    {
      name: 'deep.png',
      bytes: pngBytes(
        24,
        16,
        3,
        Array.from({ length: 24 * 16 * 3 }, (_, i) => (i * 331) % 65536),
      ),
    },
    {
      name: 'gray-alpha.png',
      bytes: pngBytes(
        24,
        16,
        2,
        Array.from({ length: 24 * 16 * 2 }, (_, i) => (i * 7) % 256),
        8,
      ),
    },
    { name: 'rgb.webp', bytes: await sharp(rgb, raw).webp().toBuffer() },
    { name: 'rgb.gif', bytes: await sharp(rgb, raw).gif().toBuffer() },
    {
      name: 'animated.gif',
      bytes: await sharp([await frame('#f00'), await frame('#00f')], { join: { animated: true } })
        .gif()
        .toBuffer(),
    },
    { name: 'rgb.tif', bytes: await sharp(rgb, raw).tiff({ compression: 'none' }).toBuffer() },
    {
      name: 'gray.jpg',
      bytes: await sharp(gray, { raw: { width: 48, height: 32, channels: 1 } })
        .jpeg()
        .toBuffer(),
    },
  ];
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** One mutated file: random bytes (sometimes behind a real header), a truncation, or a few flipped bytes. */
function mutate(rng: Random): { label: string; bytes: Buffer } {
  const seed = seeds[rng.int(seeds.length)];
  const kind = rng.int(4);
  if (kind === 0) {
    const noise = Buffer.alloc(rng.int(3000));
    for (let i = 0; i < noise.length; i++) noise[i] = rng.int(256);
    // Half the time behind the first bytes of a real file, so decoders get past their magic number.
    const header = rng.next() < 0.5 ? seed.bytes.subarray(0, 8 + rng.int(64)) : Buffer.alloc(0);
    return {
      label: `random ${noise.length} bytes after ${header.length} of ${seed.name}`,
      bytes: Buffer.concat([header, noise]),
    };
  }
  if (kind === 1) {
    const length = rng.int(seed.bytes.length);
    return {
      label: `${seed.name} truncated to ${length} of ${seed.bytes.length} bytes`,
      bytes: Buffer.from(seed.bytes.subarray(0, length)),
    };
  }
  const bytes = Buffer.from(seed.bytes);
  const flips = 1 + rng.int(kind === 2 ? 4 : 40);
  // Headers hold the sizes and tables that matter most: flips land in the first 200 bytes half the time.
  for (let k = 0; k < flips; k++) {
    const at = rng.next() < 0.5 ? rng.int(Math.min(200, bytes.length)) : rng.int(bytes.length);
    bytes[at] ^= 1 << rng.int(8);
  }
  return { label: `${seed.name} with ${flips} flipped bits`, bytes };
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${label} took over ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('fuzzed image files', () => {
  it(`readImageFile: up to ${MAX_CASES} random, truncated and byte-flipped files in at most ${MAX_SECONDS} s each end in a whole picture or a ColorizationError`, async () => {
    const rng = createRandom(20261206);
    const started = Date.now();
    const outcomes = { pictures: 0, errors: 0 };
    const kinds = new Set<string>();
    let cases = 0;
    while (cases < MAX_CASES && (Date.now() - started) / 1000 < MAX_SECONDS) {
      const { label, bytes } = mutate(rng);
      cases++;
      for (const options of [{}, { keepAlpha: true, highBitDepth: true, maxSide: 20 }]) {
        try {
          const image = await withTimeout(readImageFile(bytes, { maxPixels: 4_000_000, ...options }), label);
          expect([1, 3, 4], label).toContain(image.channels);
          expect(image.width * image.height, label).toBeGreaterThan(0);
          expect(image.data.length, label).toBe(image.width * image.height * image.channels);
          if ('maxSide' in options) expect(Math.max(image.width, image.height), label).toBeLessThanOrEqual(20);
          outcomes.pictures++;
        } catch (e) {
          if (!(e instanceof ColorizationError)) throw new Error(`${label}: ${String(e)}`);
          kinds.add(e.constructor.name);
          outcomes.errors++;
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `readImageFile fuzz: ${cases} files in ${seconds.toFixed(1)} s: ${outcomes.pictures} reads gave a picture, ${outcomes.errors} a typed error (${[...kinds].join(', ')})`,
    );
    // Enough cases to mean something even on a slow machine, and both outcomes seen.
    expect(cases).toBeGreaterThanOrEqual(40);
    expect(outcomes.pictures).toBeGreaterThan(0);
    expect(outcomes.errors).toBeGreaterThan(0);
  }, 60_000);

  it('the command line over 24 fuzzed files and 2 good ones: exits 1, one error line per bad file and no stack trace, only whole pictures written, no temporary files left', async () => {
    const rng = createRandom(77);
    const folder = join(root, 'cli-in');
    const out = join(root, 'cli-out');
    await mkdir(folder);
    const extension: Record<string, string> = { jpg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', tif: 'tif' };
    const names: string[] = [];
    for (let k = 0; k < 24; k++) {
      let { bytes } = mutate(rng);
      if (k < 4) {
        // Flipped pixels of an uncompressed TIFF stay a picture: the colorizing path meets fuzzed content too.
        bytes = Buffer.from(seeds.find((seed) => seed.name === 'rgb.tif')?.bytes ?? Buffer.alloc(0));
        // Its pixels are the 48 × 32 × 3 bytes after the 8-byte header (the directory follows them).
        for (let f = 0; f < 16; f++) bytes[8 + rng.int(48 * 32 * 3)] ^= 1 << rng.int(8);
      }
      const name = `fuzz-${String(k).padStart(2, '0')}.${Object.values(extension)[rng.int(5)]}`;
      await writeFile(join(folder, name), bytes);
      names.push(name);
    }
    for (const name of ['good-a.png', 'good-b.jpg']) {
      await sharp(Buffer.from(grayPicture(40, 30)), { raw: { width: 40, height: 30, channels: 1 } }).toFile(
        join(folder, name),
      );
      names.push(name);
    }
    const modelDir = join(root, 'model');
    const model = tinyBinsModel({ size: 32 });
    await saveModelFiles(model, modelDir);
    model.dispose();
    const run = await runCliBinary(
      ['colorize', folder, '-o', out, '--model', modelDir, '--backend', 'cpu', '--size', '64', '--samples', '1'],
      { timeoutMs: 90_000 },
    );
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    const lines = run.stderr.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^(\[\d+\/26\] |error: |warning: |colorized \d+ of 26 files)/);
    const failed = new Set(
      lines.filter((l) => l.startsWith('error: ')).map((l) => l.slice('error: '.length).split(':')[0]),
    );
    const written = await readdir(out);
    expect(written.filter((n) => ATOMIC_TEMPORARY_FILE.test(n))).toEqual([]);
    let colorized = 0;
    for (const name of names) {
      const stem = name.replace(/\.[a-z]+$/, '');
      const mine = written.filter((n) => n === `${stem}.png` || n === `${stem}.sample-1.png`);
      if (failed.has(join(folder, name))) {
        expect(mine, name).toEqual([]);
        continue;
      }
      // Not failed: both results exist and decode whole.
      expect(mine.sort(), name).toEqual([`${stem}.png`, `${stem}.sample-1.png`]);
      for (const file of mine) await sharp(join(out, file), { failOn: 'truncated' }).raw().toBuffer();
      colorized++;
    }
    expect(names.filter((n) => n.startsWith('good-')).every((n) => !failed.has(join(folder, n)))).toBe(true);
    expect(colorized, run.stderr).toBeGreaterThanOrEqual(6);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(`^colorized ${colorized} of 26 files into .*; ${26 - colorized} failed$`),
    );
    console.log(
      `CLI fuzz: 26 files, ${colorized} colorized, ${26 - colorized} refused with one error line each, in ${run.seconds.toFixed(1)} s`,
    );
  }, 120_000);
});
