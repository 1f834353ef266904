import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { encodeSoft } from '../../../src/color/bins/encode-soft.js';
import { imageToLab, type ImageLike } from '../../../src/color/image/image.js';
import { resizePlane } from '../../../src/color/image/image-resample.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import { disposeBatch, type Batch } from '../../../src/train/batch.js';
import { createArraySource } from '../../../src/train/data/array-source.js';
import {
  createBatchPipeline,
  type BatchPipelineConfig,
  type SkipEvent,
} from '../../../src/train/data/batch-pipeline.js';
import type { ExampleSource } from '../../../src/train/data/example-source.js';
import { colourfulImages, gradientImage, grayImage, grayRgbImage, solidImage } from './test-images.js';

interface BatchData {
  index: number;
  size: number;
  input: Float32Array;
  ab?: Float32Array;
  bins?: Float32Array;
  labels?: Int32Array;
}

async function read(batch: Batch): Promise<BatchData> {
  const out: BatchData = { index: batch.index, size: batch.size, input: (await batch.input.data()) as Float32Array };
  if (batch.targets.ab) out.ab = (await batch.targets.ab.data()) as Float32Array;
  if (batch.targets.bins) out.bins = (await batch.targets.bins.data()) as Float32Array;
  if (batch.targets.labels) out.labels = (await batch.targets.labels.data()) as Int32Array;
  disposeBatch(batch);
  return out;
}

async function collect(
  pipeline: { batches: (e: number, s?: { startBatch?: number }) => AsyncIterable<Batch> },
  epoch: number,
  startBatch?: number,
): Promise<BatchData[]> {
  const out: BatchData[] = [];
  for await (const batch of pipeline.batches(epoch, { startBatch })) out.push(await read(batch));
  return out;
}

/** L normalized and ab / 110 of a plane set, the pipeline's formulas written out independently. */
function expectedPlanes(image: ImageLike): { input: Float32Array; ab: Float32Array; abLab: Float32Array } {
  const lab = imageToLab(image);
  const n = lab.width * lab.height;
  const input = new Float32Array(n),
    ab = new Float32Array(2 * n),
    abLab = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    input[i] = (lab.lightness[i] - 50) / 100;
    ab[2 * i] = lab.a[i] / 110;
    ab[2 * i + 1] = lab.b[i] / 110;
    abLab[2 * i] = lab.a[i];
    abLab[2 * i + 1] = lab.b[i];
  }
  return { input, ab, abLab };
}

/** Mirror a row-major plane with `channels` values per pixel left–right. */
function mirror(plane: Float32Array, width: number, channels = 1): Float32Array {
  const out = new Float32Array(plane.length);
  const height = plane.length / (width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++)
        out[(y * width + x) * channels + c] = plane[(y * width + width - 1 - x) * channels + c];
    }
  }
  return out;
}

const exact: BatchPipelineConfig = { resize: 'none', crop: 'centre', flip: false, shuffle: false };

describe('createBatchPipeline', () => {
  it('yields batches of the configured shapes, sizes and value ranges for every target kind', async () => {
    const images = colourfulImages(10, 12, 10);
    const source = createArraySource(images, { labels: images.map((_, i) => i % 3) });
    const pipeline = createBatchPipeline(source, {
      batchSize: 4,
      inputSize: 8,
      targetSize: 4,
      targets: ['ab', 'bins', 'labels'],
    });
    expect(pipeline.batchesPerEpoch).toBe(3);
    const shapes: number[][][] = [];
    for await (const batch of pipeline.batches(0)) {
      shapes.push([batch.input.shape, batch.targets.ab!.shape, batch.targets.bins!.shape, batch.targets.labels!.shape]);
      expect(batch.targets.labels!.dtype).toBe('int32');
      expect(batch.epoch).toBe(0);
      const data = await read(batch);
      expect(Math.min(...data.input)).toBeGreaterThanOrEqual(-0.5);
      expect(Math.max(...data.input)).toBeLessThanOrEqual(0.5);
      expect(Math.max(...data.ab!.map(Math.abs))).toBeLessThanOrEqual(128 / 110);
      for (let row = 0; row < data.bins!.length / 313; row++) {
        let sum = 0;
        for (let q = 0; q < 313; q++) sum += data.bins![row * 313 + q];
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    expect(shapes).toEqual([
      [[4, 8, 8, 1], [4, 4, 4, 2], [4, 4, 4, 313], [4]],
      [[4, 8, 8, 1], [4, 4, 4, 2], [4, 4, 4, 313], [4]],
      [[2, 8, 8, 1], [2, 4, 4, 2], [2, 4, 4, 313], [2]],
    ]);
    expect(pipeline.skipped).toEqual({ gray: 0, unreadable: 0 });
  });

  it('gives exactly (L − 50) / 100, ab / 110, the soft encoding and the label of each image when nothing is resized', async () => {
    const images = [gradientImage(6, 5), solidImage(6, 5, [200, 30, 90]), gradientImage(6, 5, 220)];
    const labels = [2, 0, 1];
    const pipeline = createBatchPipeline(createArraySource(images, { labels }), {
      ...exact,
      batchSize: 3,
      inputSize: 5,
      resize: 'none',
      targets: ['ab', 'bins', 'labels'],
      softEncoding: { neighbours: 10 },
    });
    const [batch] = await collect(pipeline, 0);
    // Centre crop of a 6 × 5 image to 5 × 5 starts at x = 0 ((6 − 5) >> 1).
    const crop = (plane: Float32Array, channels: number): Float32Array => {
      const out = new Float32Array(25 * channels);
      for (let y = 0; y < 5; y++) out.set(plane.subarray(y * 6 * channels, (y * 6 + 5) * channels), y * 5 * channels);
      return out;
    };
    images.forEach((image, i) => {
      const e = expectedPlanes(image);
      expect([...batch.input.subarray(i * 25, (i + 1) * 25)]).toEqual([...crop(e.input, 1)]);
      expect([...batch.ab!.subarray(i * 50, (i + 1) * 50)]).toEqual([...crop(e.ab, 2)]);
      expect([...batch.bins!.subarray(i * 25 * 313, (i + 1) * 25 * 313)]).toEqual([
        ...encodeSoft(crop(e.abLab, 2), { neighbours: 10 }),
      ]);
    });
    expect([...batch.labels!]).toEqual(labels);
  });

  it('flips left–right with a seeded coin per example, L and ab together', async () => {
    const images = Array.from({ length: 16 }, (_, i) => gradientImage(6, 6, 10 * i));
    const pipeline = createBatchPipeline(createArraySource(images), {
      ...exact,
      flip: true,
      batchSize: 16,
      inputSize: 6,
      seed: 3,
    });
    const [batch] = await collect(pipeline, 0);
    let flipped = 0;
    images.forEach((image, i) => {
      const e = expectedPlanes(image);
      const input = [...batch.input.subarray(i * 36, (i + 1) * 36)];
      const ab = [...batch.ab!.subarray(i * 72, (i + 1) * 72)];
      if (input.join() === [...e.input].join()) {
        expect(ab).toEqual([...e.ab]);
      } else {
        expect(input).toEqual([...mirror(e.input, 6)]);
        expect(ab).toEqual([...mirror(e.ab, 6, 2)]);
        flipped++;
      }
    });
    expect(flipped).toBeGreaterThan(2);
    expect(flipped).toBeLessThan(14);
  });

  it('random crops are windows of the image at varying offsets; centre crops are centred', async () => {
    const image = gradientImage(12, 9);
    const e = expectedPlanes(image);
    const windowAt = (x0: number, y0: number): string => {
      const rows: number[] = [];
      for (let y = 0; y < 6; y++) rows.push(...e.input.subarray((y0 + y) * 12 + x0, (y0 + y) * 12 + x0 + 6));
      return rows.join();
    };
    const pipeline = createBatchPipeline(createArraySource(Array(12).fill(image)), {
      ...exact,
      crop: 'random',
      batchSize: 12,
      inputSize: 6,
    });
    const [batch] = await collect(pipeline, 0);
    const offsets = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const got = [...batch.input.subarray(i * 36, (i + 1) * 36)].join();
      let found = '';
      for (let y0 = 0; y0 <= 3; y0++)
        for (let x0 = 0; x0 <= 6; x0++) if (windowAt(x0, y0) === got) found = `${x0},${y0}`;
      expect(found).not.toBe('');
      offsets.add(found);
    }
    expect(offsets.size).toBeGreaterThan(3);
    const centre = createBatchPipeline(createArraySource([image]), { ...exact, batchSize: 1, inputSize: 6 });
    const [c] = await collect(centre, 0);
    expect([...c.input].join()).toBe(windowAt(3, 1));
  });

  it('resizes the shorter side (aspect kept) or to a square, then crops, and scales ab to the target size', async () => {
    const image = gradientImage(16, 8);
    const lab = imageToLab(image);
    // Shorter side 8 → 4: the image becomes 8 × 4, the centre 4 × 4 crop starts at x = 2.
    const shorter = createBatchPipeline(createArraySource([image]), {
      ...exact,
      resize: 'shorter-side',
      inputSize: 4,
      batchSize: 1,
      targetSize: 2,
    });
    const [s] = await collect(shorter, 0);
    const l8x4 = resizePlane(lab.lightness, 16, 8, 8, 4);
    const want = new Float32Array(16);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) want[y * 4 + x] = (l8x4[y * 8 + x + 2] - 50) / 100;
    expect([...s.input]).toEqual([...want]);
    expect(s.ab!.length).toBe(2 * 2 * 2);
    // Square: 16 × 8 → 4 × 4 directly.
    const square = createBatchPipeline(createArraySource([image]), {
      ...exact,
      resize: 'square',
      inputSize: 4,
      batchSize: 1,
    });
    const [q] = await collect(square, 0);
    expect([...q.input]).toEqual([...resizePlane(lab.lightness, 16, 8, 4, 4).map((v) => (v - 50) / 100)]);
    // A solid colour stays exactly that colour through any resampling.
    const solid = solidImage(9, 7, [30, 160, 220]);
    const e = expectedPlanes(solid);
    const big = createBatchPipeline(createArraySource([solid]), {
      resize: 'shorter-side',
      resizeTo: 20,
      inputSize: 16,
      targetSize: 4,
      batchSize: 1,
    });
    const [b] = await collect(big, 0);
    expect(b.input.every((v) => v === e.input[0])).toBe(true);
    expect(b.ab!.every((v, i) => v === e.ab[i % 2])).toBe(true);
  });

  it('same seed gives the same batches; another epoch or another seed gives another order', async () => {
    const images = colourfulImages(20, 8, 8);
    const make = (seed: number) =>
      createBatchPipeline(createArraySource(images, { labels: images.map((_, i) => i) }), {
        seed,
        batchSize: 5,
        inputSize: 6,
        targets: ['ab', 'labels'],
      });
    const a = await collect(make(11), 2);
    const b = await collect(make(11), 2);
    expect(a).toEqual(b);
    const labelsOf = (batches: BatchData[]): number[] => batches.flatMap((x) => [...x.labels!]);
    expect(
      labelsOf(a)
        .slice()
        .sort((x, y) => x - y),
    ).toEqual(images.map((_, i) => i));
    const otherEpoch = await collect(make(11), 3);
    expect(labelsOf(otherEpoch)).not.toEqual(labelsOf(a));
    const otherSeed = await collect(make(12), 2);
    expect(labelsOf(otherSeed)).not.toEqual(labelsOf(a));
    expect([...(await make(11).epochOrder(2))]).toEqual(labelsOf(a));
  });

  it('draws crops and flips from (seed, epoch, example index) alone: the same example gets the same augmentation in any order', async () => {
    const images = Array.from({ length: 12 }, (_, i) => gradientImage(10, 9, 20 * i));
    const make = (shuffle: boolean, batchSize: number) =>
      createBatchPipeline(createArraySource(images, { labels: images.map((_, i) => i) }), {
        seed: 4,
        inputSize: 6,
        targets: ['labels'],
        shuffle,
        batchSize,
      });
    const byExample = (batches: BatchData[]): string[] => {
      const out: string[] = [];
      for (const b of batches)
        b.labels!.forEach((label, j) => {
          out[label] = [...b.input.subarray(j * 36, (j + 1) * 36)].join();
        });
      return out;
    };
    const shuffled = byExample(await collect(make(true, 5), 3));
    expect(byExample(await collect(make(false, 12), 3))).toEqual(shuffled);
    expect(byExample(await collect(make(true, 5), 4))).not.toEqual(shuffled);
  });

  it('startBatch gives exactly the batches an uninterrupted epoch gave from there on, with and without prefetch', async () => {
    const images = colourfulImages(11, 9, 7);
    for (const prefetch of [true, false]) {
      const pipeline = createBatchPipeline(createArraySource(images), {
        seed: 5,
        batchSize: 3,
        inputSize: 6,
        targets: ['ab', 'bins'],
        targetSize: 3,
        prefetch,
      });
      const all = await collect(pipeline, 4);
      expect(all.map((b) => b.index)).toEqual([0, 1, 2, 3]);
      expect(await collect(pipeline, 4, 2)).toEqual(all.slice(2));
      expect(await collect(pipeline, 4, 4)).toEqual([]);
    }
  });

  it('skips gray images (one-channel and r = g = b), counts them and reports each through onSkip', async () => {
    const colour = colourfulImages(7, 8, 8);
    const images: ImageLike[] = [
      colour[0],
      grayImage(8, 8),
      colour[1],
      colour[2],
      grayRgbImage(8, 8),
      colour[3],
      colour[4],
      colour[5],
      grayImage(8, 8, 40),
      colour[6],
    ];
    const events: SkipEvent[] = [];
    const source = createArraySource(images, { labels: images.map((_, i) => i) });
    const perBatch = createBatchPipeline(source, {
      batchSize: 4,
      inputSize: 8,
      targets: ['labels'],
      onSkip: (e) => events.push(e),
      shuffle: false,
    });
    const batches = await collect(perBatch, 0);
    expect(batches.map((b) => [...b.labels!])).toEqual([[0, 2, 3], [5, 6, 7], [9]]);
    expect(perBatch.skipped).toEqual({ gray: 3, unreadable: 0 });
    expect(events.map((e) => [e.index, e.reason, e.epoch])).toEqual([
      [1, 'gray', 0],
      [4, 'gray', 0],
      [8, 'gray', 0],
    ]);
    expect(events.every((e) => e.colourfulFraction === 0)).toBe(true);

    const upfront = createBatchPipeline(source, {
      batchSize: 4,
      inputSize: 8,
      targets: ['labels'],
      screening: 'upfront',
      seed: 1,
    });
    expect(upfront.batchesPerEpoch).toBeUndefined();
    expect(await upfront.screen()).toBe(7);
    expect(upfront.batchesPerEpoch).toBe(2);
    const full = await collect(upfront, 0);
    expect(full.map((b) => b.size)).toEqual([4, 3]);
    expect(full.flatMap((b) => [...b.labels!]).sort((x, y) => x - y)).toEqual([0, 2, 3, 5, 6, 7, 9]);
    expect(upfront.skipped.gray).toBe(3);

    const keep = createBatchPipeline(source, { batchSize: 10, inputSize: 8, skipGray: false });
    expect((await collect(keep, 0))[0].size).toBe(10);

    // A gray picture with one small red patch (4 of 64 pixels) is a colour photo and stays.
    const patched = grayRgbImage(8, 8);
    for (const p of [0, 1, 8, 9]) patched.data.set([220, 30, 30], 3 * p);
    const kept = createBatchPipeline(createArraySource([patched, grayRgbImage(8, 8)]), { batchSize: 2, inputSize: 8 });
    expect((await collect(kept, 0))[0].size).toBe(1);
    expect(kept.skipped.gray).toBe(1);
  });

  it('skips examples the source cannot read and does not yield a batch that ends up empty', async () => {
    const images = colourfulImages(6, 8, 8);
    const source: ExampleSource = {
      size: 6,
      read: async (i) => (i === 2 || i === 3 ? undefined : { image: images[i] }),
    };
    const pipeline = createBatchPipeline(source, { batchSize: 2, inputSize: 8, shuffle: false });
    const batches = await collect(pipeline, 0);
    expect(batches.map((b) => [b.index, b.size])).toEqual([
      [0, 2],
      [2, 2],
    ]);
    expect(pipeline.skipped).toEqual({ gray: 0, unreadable: 2 });
  });

  it('keeps at most 8 reads in flight while building batches, prefetching or not', async () => {
    const images = colourfulImages(40, 6, 6);
    for (const prefetch of [false, true]) {
      let inFlight = 0,
        most = 0;
      const source: ExampleSource = {
        size: images.length,
        read: async (i) => {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          return { image: images[i] };
        },
      };
      const pipeline = createBatchPipeline(source, { batchSize: 20, inputSize: 6, prefetch });
      for await (const batch of pipeline.batches(0)) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        disposeBatch(batch);
      }
      expect(most).toBe(8);
    }
  });

  it('leaves no tensors behind over many batches and epochs, nor when the consumer stops early', async () => {
    const pipeline = createBatchPipeline(createArraySource(colourfulImages(12, 8, 8), { labels: Array(12).fill(1) }), {
      batchSize: 2,
      inputSize: 8,
      targetSize: 2,
      targets: ['ab', 'bins', 'labels'],
      prefetch: true,
    });
    const before = tf.memory().numTensors;
    let count = 0;
    for (let epoch = 0; epoch < 4; epoch++) {
      for await (const batch of pipeline.batches(epoch)) {
        count++;
        disposeBatch(batch);
      }
    }
    expect(count).toBe(24);
    for await (const batch of pipeline.batches(9)) {
      disposeBatch(batch);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad configs with ConfigError naming the key, and bad epochs, startBatch or missing labels with InputError', async () => {
    const source = createArraySource(colourfulImages(3, 8, 8));
    const bad: [BatchPipelineConfig, string][] = [
      [{ batchSize: 0 }, 'batchSize'],
      [{ inputSize: 2.5 }, 'inputSize'],
      [{ inputSize: 8, resizeTo: 4 }, 'resizeTo'],
      [{ resize: 'stretch' as never }, 'resize'],
      [{ targets: ['rgb' as never] }, 'targets[0]'],
      [{ targets: [] }, 'targets'],
      [{ softEncoding: { sigma: 0 } }, 'sigma'],
      [{ screening: 'lazy' as never }, 'screening'],
      [{ grayThreshold: -1 }, 'grayThreshold'],
      [{ grayFraction: 1 }, 'grayFraction'],
    ];
    for (const [config, key] of bad) {
      const error = (() => {
        try {
          createBatchPipeline(source, config);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe(key);
    }
    const pipeline = createBatchPipeline(source, { batchSize: 2, inputSize: 8 });
    await expect(collect(pipeline, -1)).rejects.toThrow(InputError);
    await expect(collect(pipeline, 0, 3)).rejects.toThrow(/startBatch/);
    const labelled = createBatchPipeline(source, { inputSize: 8, targets: ['labels'] });
    await expect(collect(labelled, 0)).rejects.toThrow(/label/);
    const small = createBatchPipeline(source, { inputSize: 16, resize: 'none' });
    await expect(collect(small, 0)).rejects.toThrow(InputError);
  });
});
