import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createColorizer, type Colorizer } from '../../../src/colorize/create-colorizer.js';
import { ColorizeAbortError } from '../../../src/colorize/colorize-abort.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import { colorizeFiles, listImageFiles, type ColorizeFileReport } from '../../../src/node/cli/colorize-files.js';
import { createNodeColorizer } from '../../../src/node/create-node-colorizer.js';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { grayPicture, tinyAbModel, tinyBinsModel } from '../../colorize/tiny-models.js';
import { writeTestImages } from './cli-fixtures.js';

let dir: string;
let images: string;
let colorizer: Colorizer;
const model = tinyBinsModel({ size: 32 });
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colorize-files-'));
  images = join(dir, 'in');
  await writeTestImages(images);
  colorizer = await createColorizer({ model });
});
afterAll(async () => {
  colorizer.dispose();
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('listImageFiles', () => {
  it('walks folders for image extensions in a stable order, takes named files as they are, and de-duplicates output names', async () => {
    const twins = join(dir, 'twins');
    await mkdir(twins);
    await writeFile(join(twins, 'a.png'), '');
    await writeFile(join(twins, 'a.jpg'), '');
    await writeFile(join(twins, '.hidden.png'), '');
    const entries = await listImageFiles([images, twins, join(images, 'readme.txt')]);
    expect(entries.map((e) => e.outputStem)).toEqual([
      'dot',
      'empty',
      'gray',
      'huge',
      'notes',
      join('sub', 'sepia'),
      'truncated',
      'a',
      'a-2',
      'readme',
    ]);
    await expect(listImageFiles([join(dir, 'missing')])).rejects.toBeInstanceOf(InputError);
  });
});

describe('colorizeFiles', () => {
  it('reports every file once, in order, and goes on after failures; never walks into its own output folder', async () => {
    const out = join(images, 'colour');
    const reports: ColorizeFileReport[] = [];
    const before = tf.memory().numTensors;
    const summary = await colorizeFiles(colorizer, [images], { outputDir: out, onFile: (r) => reports.push(r) });
    expect(summary.total).toBe(7);
    expect(summary.succeeded).toBe(2);
    expect(summary.failures.map((f) => f.path.split('/').pop()).sort()).toEqual([
      'dot.png',
      'empty.png',
      'huge.png',
      'notes.jpg',
      'truncated.jpg',
    ]);
    expect(reports.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(reports.filter((r) => r.error === undefined).map((r) => r.outputs.length)).toEqual([1, 1]);
    // A second run over the same folder does not pick up the results of the first.
    const again = await colorizeFiles(colorizer, [images], { outputDir: out });
    expect(again.total).toBe(7);
    expect(tf.memory().numTensors).toBe(before);
    await rm(out, { recursive: true });
  });

  it('downscales to maxSide, writes samples in the chosen format, and stops on a bad option instead of failing every file', async () => {
    const out = join(dir, 'small');
    await colorizeFiles(colorizer, [join(images, 'gray.png')], {
      outputDir: out,
      maxSide: 24,
      samples: 1,
      format: 'webp',
    });
    expect((await readdir(out)).sort()).toEqual(['gray.sample-1.webp', 'gray.webp']);
    const meta = await sharp(join(out, 'gray.webp')).metadata();
    expect([meta.width, meta.height]).toEqual([24, 16]);
    const abModel = tinyAbModel({ size: 16 });
    const abColorizer = await createColorizer({ model: abModel });
    await expect(colorizeFiles(abColorizer, [images], { outputDir: out, samples: 2 })).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(colorizeFiles(colorizer, [images], { outputDir: out, format: 'gif' as never })).rejects.toBeInstanceOf(
      ConfigError,
    );
    abColorizer.dispose();
    abModel.dispose();
  });

  it('an aborted signal stops between files: the file in progress is finished and written', async () => {
    const out = join(dir, 'aborted');
    const controller = new AbortController();
    const run = colorizeFiles(colorizer, [join(images, 'gray.png'), join(images, 'sub')], {
      outputDir: out,
      signal: controller.signal,
      onFile: () => controller.abort('enough'),
    });
    await expect(run).rejects.toBeInstanceOf(ColorizeAbortError);
    expect(await readdir(out)).toEqual(['gray.png']);
  });
});

describe('createNodeColorizer', () => {
  it('loads a model from a local folder on the requested backend and owns it', async () => {
    const modelDir = join(dir, 'model');
    await saveModelFiles(model, modelDir);
    const before = tf.memory().numTensors;
    const nodeColorizer = await createNodeColorizer({ model: modelDir, backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    const picture = { data: grayPicture(40, 30), width: 40, height: 30, channels: 1 as const };
    expect((await nodeColorizer.colorize(picture)).rgb.data).toEqual((await colorizer.colorize(picture)).rgb.data);
    nodeColorizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(createNodeColorizer({ backend: 'cpu', threads: 0 })).rejects.toBeInstanceOf(ConfigError);
  });
});
