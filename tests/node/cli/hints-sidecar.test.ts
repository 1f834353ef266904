import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HintError, InputError } from '../../../src/errors.js';
import { hintsSidecarPath, readHintsSidecar } from '../../../src/node/cli/hints-sidecar.js';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { grayPicture, tinyHintModel } from '../../colorize/tiny-models.js';
import { runCliBinary } from './cli-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hints-sidecar-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function grayPng(path: string, width = 60, height = 40): Promise<void> {
  await sharp(Buffer.from(grayPicture(width, height)), { raw: { width, height, channels: 1 } })
    .png()
    .toFile(path);
}

describe('readHintsSidecar', () => {
  it('finds <name without extension>.hints.json beside the picture, or nothing', async () => {
    expect(hintsSidecarPath(join('scans', 'grandma-1952.jpg'))).toBe(join('scans', 'grandma-1952.hints.json'));
    expect(hintsSidecarPath('a.b.png')).toBe('a.b.hints.json');
    const picture = join(dir, 'plain.png');
    await grayPng(picture);
    expect(await readHintsSidecar(picture, { width: 60, height: 40 }, { acceptsHints: true })).toBeUndefined();
  });

  it('scales the points to a downscaled picture by pixel centres, and checks them against the picture as stored', async () => {
    const picture = join(dir, 'scaled.png');
    await grayPng(picture);
    await writeFile(
      join(dir, 'scaled.hints.json'),
      '{"points":[{"x":59,"y":0,"color":"#3a6ea5"},{"x":29.5,"y":19.5,"color":"#ff0000"}]}',
    );
    // 60 × 40 read at 30 × 20: x' = (x + 0.5)/2 − 0.5, clamped to the picture.
    expect(await readHintsSidecar(picture, { width: 30, height: 20 }, { acceptsHints: true })).toEqual([
      { x: 29.25, y: 0, color: '#3a6ea5' },
      { x: 14.5, y: 9.5, color: '#ff0000' },
    ]);
    expect(await readHintsSidecar(picture, { width: 60, height: 40 }, { acceptsHints: true })).toEqual([
      { x: 59, y: 0, color: '#3a6ea5' },
      { x: 29.5, y: 19.5, color: '#ff0000' },
    ]);
    await writeFile(join(dir, 'scaled.hints.json'), '{"points":[{"x":60,"y":0,"color":"#3a6ea5"}]}');
    await expect(readHintsSidecar(picture, { width: 30, height: 20 }, { acceptsHints: true })).rejects.toThrow(
      HintError,
    );
    await expect(readHintsSidecar(picture, { width: 30, height: 20 }, { acceptsHints: true })).rejects.toThrow(
      /scaled\.hints\.json\.points\[0\]\.x: expected a number in \[0, 60\)/,
    );
  });

  it('a sidecar with points for a model without hint inputs is an InputError naming the sidecar', async () => {
    const picture = join(dir, 'nohint.png');
    await grayPng(picture);
    await writeFile(join(dir, 'nohint.hints.json'), '{"points":[{"x":1,"y":1,"color":"#3a6ea5"}]}');
    const error = await readHintsSidecar(picture, { width: 60, height: 40 }, { acceptsHints: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).argument).toBe(join(dir, 'nohint.hints.json'));
    expect((error as Error).message).toMatch(/model takes no colour points.*received 1 point$/);
  });
});

describe('tfjs-colorization colorize with sidecar hints (the real binary)', () => {
  let modelDir: string;
  let images: string;
  beforeAll(async () => {
    modelDir = join(dir, 'hint-model');
    images = join(dir, 'in');
    await mkdir(images, { recursive: true });
    const model = tinyHintModel();
    await saveModelFiles(model, modelDir);
    model.dispose();
    for (const name of ['guided', 'malformed', 'plain']) await grayPng(join(images, `${name}.png`));
    // A blue point in the middle of the guided picture; a sidecar that is not JSON beside another.
    await writeFile(join(images, 'guided.hints.json'), '{"points":[{"x":30,"y":20,"color":"#0050ff"}]}');
    await writeFile(join(images, 'malformed.hints.json'), '{points: oops');
  });

  it('uses a sidecar when present (the colour changes where the point is), fails only the picture with a malformed one, and goes on', async () => {
    const out = join(dir, 'out');
    const run = await runCliBinary(['colorize', images, '-o', out, '--model', modelDir, '--backend', 'cpu', '--quiet']);
    expect(run.code).toBe(1);
    const errors = run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/malformed\.png: .*malformed\.hints\.json: expected JSON of the form/);
    expect(run.stderr).toMatch(/colorized 2 of 3 files .*; 1 failed/);
    const pixels = async (name: string) =>
      (
        await sharp(join(out, `${name}.png`))
          .raw()
          .toBuffer({ resolveWithObject: true })
      ).data;
    const [guided, plain] = await Promise.all([pixels('guided'), pixels('plain')]);
    const blueMinusRed = (data: Buffer, x: number, y: number) => data[3 * (y * 60 + x) + 2] - data[3 * (y * 60 + x)];
    // At the point the guided result is much bluer than the same picture without the sidecar; far away, alike.
    expect(blueMinusRed(guided, 30, 20) - blueMinusRed(plain, 30, 20)).toBeGreaterThan(60);
    expect(Math.abs(blueMinusRed(guided, 2, 2) - blueMinusRed(plain, 2, 2))).toBeLessThanOrEqual(2);
  });

  it('--saturation 0 gives gray results; a value outside [0, 4] is a usage error (exit 2)', async () => {
    const out = join(dir, 'out-gray');
    const run = await runCliBinary([
      'colorize',
      join(images, 'plain.png'),
      '-o',
      out,
      '--model',
      modelDir,
      '--backend',
      'cpu',
      '--quiet',
      '--saturation',
      '0',
    ]);
    expect(run.code).toBe(0);
    const { data } = await sharp(join(out, 'plain.png')).raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < data.length; i += 3)
      expect(Math.max(Math.abs(data[i] - data[i + 1]), Math.abs(data[i + 1] - data[i + 2]))).toBeLessThanOrEqual(1);
    const bad = await runCliBinary([
      'colorize',
      join(images, 'plain.png'),
      '-o',
      out,
      '--model',
      modelDir,
      '--saturation',
      '5',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--saturation: expected a number in \[0, 4\], received "5"/);
  });
});
