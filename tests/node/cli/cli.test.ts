import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { tinyBinsModel } from '../../colorize/tiny-models.js';
import { writeTestImages } from './cli-fixtures.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'tfjs-colorization.mjs');

/** Run the CLI as a user would, in a child process, from the sources (tsx). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', BIN, ...args],
      { env: { ...process.env, TFJS_COLORIZATION_FROM_SOURCE: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let modelDir: string;
let images: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  modelDir = join(dir, 'model');
  images = join(dir, 'in');
  const model = tinyBinsModel({ size: 32 });
  await saveModelFiles(model, modelDir);
  model.dispose();
  await writeTestImages(images);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tfjs-colorization CLI (child process)', () => {
  it('colorizes the good files, names each bad file on one line, goes on, and exits 1 saying how many failed', async () => {
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await cli([
      'colorize',
      images,
      '-o',
      out,
      '--model',
      modelDir,
      '--backend',
      'cpu',
      '--samples',
      '2',
      '--seed',
      '3',
      '--sheet',
    ]);
    expect(stdout).toBe('');
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    const errors = lines.filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(5);
    expect(errors.find((l) => l.includes('empty.png'))).toMatch(/empty file/);
    expect(errors.find((l) => l.includes('notes.jpg'))).toMatch(/cannot read as an image/);
    expect(errors.find((l) => l.includes('truncated.jpg'))).toMatch(/cannot read as an image/);
    expect(errors.find((l) => l.includes('dot.png'))).toMatch(/at least 8 pixels on each side, received 1 × 1/);
    expect(errors.find((l) => l.includes('huge.png'))).toMatch(/pixel limit/);
    // Progress: one line per file with N/M, a rate and an ETA (stderr is not a TTY here).
    expect(lines.filter((l) => /^\[\d\/7\] [\d.]+ (files\/s|s\/file), ETA \d+s {2}\S+$/.test(l))).toHaveLength(7);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^colorized 2 of 7 files into ${out} in \\d+s; 5 failed$`));
    for (const name of ['gray', join('sub', 'sepia')]) {
      for (const file of [`${name}.png`, `${name}.sample-1.png`, `${name}.sample-2.png`]) {
        const meta = await sharp(join(out, file)).metadata();
        expect([meta.width, meta.height, meta.channels]).toEqual([60, 40, 3]);
      }
      expect((await sharp(join(out, `${name}.sheet.png`)).metadata()).width).toBeGreaterThan(4 * 60);
    }
    // Colour was added: the result is not gray.
    const { data } = await sharp(join(out, 'gray.png')).raw().toBuffer({ resolveWithObject: true });
    let chroma = 0;
    for (let i = 0; i < data.length; i += 3) chroma = Math.max(chroma, Math.abs(data[i] - data[i + 2]));
    expect(chroma).toBeGreaterThan(10);
  });

  it('runs on the default wasm backend (2 threads) and exits 0 when every file was colorized; --quiet prints nothing', async () => {
    const out = join(dir, 'out-wasm');
    const { code, stderr } = await cli([
      'colorize',
      join(images, 'gray.png'),
      '-o',
      out,
      '--model',
      modelDir,
      '--quiet',
      '--size',
      '30',
      '--format',
      'jpg',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const meta = await sharp(join(out, 'gray.jpg')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 30, 20]);
  });

  it('--help shows usage with examples, --version the package version, a bad command line exits 2, no --model uses the bundled model', async () => {
    const [help, version, bad, missing, noModel] = await Promise.all([
      cli(['--help']),
      cli(['--version']),
      cli(['colorize', images, '-o', join(dir, 'x'), '--samples', 'many']),
      cli(['colorize', images]),
      cli(['colorize', join(images, 'gray.png'), '-o', join(dir, 'y'), '--backend', 'cpu', '--quiet']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tfjs-colorization colorize <files\|folders\.\.\.> -o <folder>/);
    expect(help.stdout).toContain('Examples:');
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--samples: expected an integer in \[0, 64\], received "many"/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/-o <folder> is required/);
    // Without --model the package's bundled model (models/default) colorizes the picture.
    expect(noModel.stderr).toBe('');
    expect(noModel.code).toBe(0);
    const meta = await sharp(join(dir, 'y', 'gray.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([60, 40, 3]);
  });
});
