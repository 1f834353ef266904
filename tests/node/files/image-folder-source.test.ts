import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { ImageFileError } from '../../../src/node/files/image-files.js';
import { createImageFolderSource } from '../../../src/node/files/image-folder-source.js';
import { disposeBatch } from '../../../src/train/batch.js';
import { createBatchPipeline } from '../../../src/train/data/batch-pipeline.js';

let root: string;

/** A w × h PNG of one colour, plus a pixel (0, 0) of another so orientation mistakes show. */
async function png(path: string, rgb: [number, number, number], w = 6, h = 4): Promise<Uint8Array> {
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(rgb, 3 * p);
  data.set([255 - rgb[0], 255 - rgb[1], 255 - rgb[2]], 0);
  await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(path);
  return data;
}

const pixels = new Map<string, Uint8Array>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tfjs-colorization-folder-'));
  await mkdir(join(root, 'dog', 'puppies'), { recursive: true });
  await mkdir(join(root, 'cat'), { recursive: true });
  await mkdir(join(root, '.hidden'), { recursive: true });
  pixels.set('cat/a.png', await png(join(root, 'cat', 'a.png'), [200, 40, 40]));
  pixels.set('cat/b.PNG', await png(join(root, 'cat', 'b.PNG'), [40, 200, 40]));
  pixels.set('dog/c.png', await png(join(root, 'dog', 'c.png'), [40, 40, 200]));
  pixels.set('dog/puppies/d.png', await png(join(root, 'dog', 'puppies', 'd.png'), [220, 180, 30]));
  await writeFile(join(root, 'cat', 'broken.jpg'), 'this is a text file, not a JPEG');
  await writeFile(join(root, 'dog', 'empty.png'), new Uint8Array(0));
  await writeFile(join(root, 'dog', 'notes.txt'), 'not listed');
  await png(join(root, '.hidden', 'x.png'), [1, 2, 3]);
  await png(join(root, 'cat', '.thumb.png'), [1, 2, 3]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createImageFolderSource', () => {
  it('lists image files recursively in sorted order, skipping hidden entries and other extensions', async () => {
    const source = await createImageFolderSource(root);
    expect(source.files).toEqual([
      'cat/a.png',
      'cat/b.PNG',
      'cat/broken.jpg',
      'dog/c.png',
      'dog/empty.png',
      'dog/puppies/d.png',
    ]);
    expect(source.size).toBe(6);
    expect(source.classNames).toBeUndefined();
    const flat = await createImageFolderSource(root, { recursive: false });
    expect(flat.files).toEqual([]);
  });

  it('decodes files lazily and exactly, reports unreadable ones through onError and returns undefined for them', async () => {
    const errors: [number, ImageFileError][] = [];
    const source = await createImageFolderSource(root, { labels: 'subfolder', onError: (e, i) => errors.push([i, e]) });
    expect(source.classNames).toEqual(['cat', 'dog']);
    expect([...source.labels!]).toEqual([0, 0, 0, 1, 1, 1]);
    const d = await source.read(5);
    expect(d!.label).toBe(1);
    expect([d!.image.width, d!.image.height, d!.image.channels]).toEqual([6, 4, 3]);
    expect([...d!.image.data]).toEqual([...pixels.get('dog/puppies/d.png')!]);
    expect(await source.read(2)).toBeUndefined();
    expect(await source.read(4)).toBeUndefined();
    expect(errors.map(([i]) => i)).toEqual([2, 4]);
    expect(errors[0][1]).toBeInstanceOf(ImageFileError);
    expect(errors[0][1].path).toContain('broken.jpg');
    expect(errors[1][1].message).toMatch(/empty/);
  });

  it('feeds the pipeline: bad files are skipped and counted, the good ones arrive with their labels', async () => {
    const reported: number[] = [];
    const source = await createImageFolderSource(root, { labels: 'subfolder', onError: (_, i) => reported.push(i) });
    const pipeline = createBatchPipeline(source, { batchSize: 4, inputSize: 4, targets: ['ab', 'labels'], seed: 2 });
    const labels: number[] = [];
    let examples = 0;
    for await (const batch of pipeline.batches(0)) {
      examples += batch.size;
      labels.push(...(await batch.targets.labels!.data()));
      disposeBatch(batch);
    }
    expect(examples).toBe(4);
    expect(labels.sort()).toEqual([0, 0, 1, 1]);
    expect(pipeline.skipped).toEqual({ gray: 0, unreadable: 2 });
    expect(reported.sort()).toEqual([2, 4]);
  });

  it('takes labels from a manifest CSV (class names or integers) and refuses a missing column', async () => {
    const manifest = join(root, 'labels.csv');
    await writeFile(
      manifest,
      '\ufeffpath , kind\r\n"dog/c.png",bird\r\ncat/a.png,"zebra"\r\ndog/puppies/d.png,bird\r\n',
    );
    const source = await createImageFolderSource(root, {
      labels: { manifest, fileColumn: 'path', labelColumn: 'kind' },
    });
    expect(source.files).toEqual(['cat/a.png', 'dog/c.png', 'dog/puppies/d.png']);
    expect(source.classNames).toEqual(['bird', 'zebra']);
    expect([...source.labels!]).toEqual([1, 0, 0]);
    expect((await source.read(0))!.label).toBe(1);

    const numeric = join(root, 'numeric.csv');
    await writeFile(numeric, 'file,label\ncat/b.PNG,7\ndog/c.png,3\n');
    const n = await createImageFolderSource(root, { labels: { manifest: numeric } });
    expect([...n.labels!]).toEqual([7, 3]);
    expect(n.classNames).toBeUndefined();

    await expect(createImageFolderSource(root, { labels: { manifest, labelColumn: 'class' } })).rejects.toThrow(
      InputError,
    );
    const repeated = join(root, 'repeated.csv');
    await writeFile(repeated, 'file,label\na.png,1\na.png,2\n');
    await expect(createImageFolderSource(root, { labels: { manifest: repeated } })).rejects.toThrow(/repeated/);
  });

  it('refuses subfolder labels for images lying directly in the root', async () => {
    const flat = await mkdtemp(join(tmpdir(), 'tfjs-colorization-flat-'));
    await png(join(flat, 'top.png'), [10, 200, 90]);
    await expect(createImageFolderSource(flat, { labels: 'subfolder' })).rejects.toThrow(/class folder/);
    await rm(flat, { recursive: true, force: true });
  });
});
