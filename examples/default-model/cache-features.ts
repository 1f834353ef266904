/**
 * Build the default model's training cache (see feature-cache.ts): decode the training and validation
 * photos once (lightness and ab at 256 × 256), then run the frozen MobileNetV2 backbone once per photo and
 * keep its hypercolumn taps and pooled global feature in float16.
 *
 *   node --import tsx examples/default-model/cache-features.ts [--stage images|features|all] --data <data folder> --cache <cache folder> [--threads 2] [--stop-at N]
 *
 * `--stop-at N` caches the features of the first N photos of the split's seeded order only: the head never
 * sees the others, which makes them a tuning set for the decoding (tune-temperature.ts `--held-out`).
 *
 * Training photos: `photos/train` and `scenes/train`; validation: `photos/val` (the model card's 222) and
 * `scenes/val`. The demo's photos (examples/images) are left out of both.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom, imageToLab, shuffledIndices } from 'tfjs-colorization';
import { readImageFile, useWasmThreads } from 'tfjs-colorization/node';
import {
  CACHE_SIZE,
  elements,
  readSplit,
  toFloat16,
  writeSplitFeatures,
  writeSplitImages,
  type FeatureSpec,
} from './feature-cache.js';
import { loadBackboneFeatures } from './mnv2.js';
import { requireFolderFlag } from '../require-data-folder.js';

export const SPLITS: Record<string, string[]> = {
  train: ['photos/train', 'scenes/train'],
  val: ['photos/val'],
  'scenes-val': ['scenes/val'],
};

const { values: args } = parseArgs({
  options: {
    stage: { type: 'string', default: 'all' },
    data: { type: 'string' },
    cache: { type: 'string' },
    threads: { type: 'string', default: '2' },
    splits: { type: 'string', default: 'val,train,scenes-val' },
    saveEvery: { type: 'string', default: '480' },
    // Photos of the seeded order after this many get no features: never trained on, they can tune the decoding.
    'stop-at': { type: 'string' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/ and scenes/ (the photo data set)');
const cacheDir = requireFolderFlag(
  '--cache',
  args.cache,
  'the feature cache of cache-features.ts (any local folder outside the repository)',
);
if (!['images', 'features', 'all'].includes(args.stage))
  throw new Error(`--stage: expected images, features or all, received ${args.stage}`);
const splits = args.splits.split(',');

async function demoNames(): Promise<Set<string>> {
  return new Set((await readdir(join(import.meta.dirname, '..', 'images'))).filter((f) => /\.(jpe?g|png)$/i.test(f)));
}

async function cacheImages(split: string): Promise<void> {
  const exclude = await demoNames();
  const paths: string[] = [];
  for (const dir of SPLITS[split]) {
    for (const f of (await readdir(join(dataDir, dir))).sort())
      if (/\.(jpe?g|png)$/i.test(f) && !exclude.has(f)) paths.push(join(dataDir, dir, f));
  }
  const n = paths.length,
    pixels = CACHE_SIZE * CACHE_SIZE;
  const lightness = new Uint8Array(n * pixels);
  const ab = new Int8Array(n * pixels * 2);
  const names: string[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < n) {
        const i = next++;
        const photo = await readImageFile(paths[i]);
        if (photo.width !== CACHE_SIZE || photo.height !== CACHE_SIZE)
          throw new Error(
            `${paths[i]}: expected ${CACHE_SIZE} × ${CACHE_SIZE}, received ${photo.width} × ${photo.height}`,
          );
        const lab = imageToLab(photo);
        for (let p = 0; p < pixels; p++) {
          lightness[i * pixels + p] = Math.round(lab.lightness[p] * 2.55);
          ab[2 * (i * pixels + p)] = Math.max(-128, Math.min(127, Math.round(lab.a[p])));
          ab[2 * (i * pixels + p) + 1] = Math.max(-128, Math.min(127, Math.round(lab.b[p])));
        }
        names[i] = paths[i].slice(dataDir.length + 1);
      }
    }),
  );
  await writeSplitImages(join(cacheDir, split), names, lightness, ab);
  console.log(`${split}: ${n} photos decoded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function cacheFeatures(split: string): Promise<void> {
  const cached = await readSplit(join(cacheDir, split), { features: false });
  const { model, names } = await loadBackboneFeatures();
  const n = cached.meta.count,
    size = CACHE_SIZE,
    pixels = size * size;
  // Per-photo shapes from one run (the backbone takes any size).
  const probe = model.predict(tf.zeros([1, size, size, 1])) as tf.Tensor[];
  const specs: FeatureSpec[] = probe.map((t, i) => ({ name: names[i], shape: t.shape.slice(1) }));
  tf.dispose(probe);
  // Photos in a seeded random order, saved every `saveEvery`: any prefix is a fair sample of the split, so
  // training can start from a partial cache (meta.json lists which photos have features).
  const order = Array.from(shuffledIndices(n, createRandom(1)));
  // A partial cache of an earlier run (the same order's prefix, the same features) is continued, not redone.
  let resumeAt = 0;
  let values: Map<string, Uint16Array> = new Map(specs.map((s) => [s.name, new Uint16Array(n * elements(s.shape))]));
  const cachedIndices = cached.meta.featureIndices;
  const sameFeatures = JSON.stringify(cached.meta.features) === JSON.stringify(specs);
  if (cachedIndices !== undefined && sameFeatures && cachedIndices.every((photo, i) => photo === order[i])) {
    values = (await readSplit(join(cacheDir, split))).features;
    resumeAt = cachedIndices.length;
    console.log(`${split}: continuing after the ${resumeAt} photos already cached`);
  }
  const batch = 8;
  const started = Date.now();
  const end = args['stop-at'] === undefined ? n : Math.min(n, Number(args['stop-at']));
  for (let start = resumeAt; start < end; start += batch) {
    const chosen = order.slice(start, Math.min(end, start + batch));
    const input = new Float32Array(chosen.length * pixels);
    chosen.forEach((photo, k) => {
      for (let i = 0; i < pixels; i++) input[k * pixels + i] = (cached.lightness[photo * pixels + i] / 2.55 - 50) / 100;
    });
    const x = tf.tensor4d(input, [chosen.length, size, size, 1]);
    const outputs = model.predict(x) as tf.Tensor[];
    for (let f = 0; f < specs.length; f++) {
      const data = (await outputs[f].data()) as Float32Array;
      const per = elements(specs[f].shape);
      chosen.forEach((photo, k) =>
        toFloat16(data.subarray(k * per, (k + 1) * per), values.get(specs[f].name)!, photo * per),
      );
    }
    tf.dispose([x, ...outputs]);
    const done = start + chosen.length;
    if (done % Number(args.saveEvery) === 0 || done === end) {
      await writeSplitFeatures(join(cacheDir, split), specs, values, order.slice(0, done));
      console.log(`${split}: features of ${done}/${n} photos saved, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  model.dispose();
}

tf.env().set('PROD', true);
if (args.stage !== 'images') await useWasmThreads({ threads: Number(args.threads) });
for (const split of splits) {
  if (args.stage !== 'features') await cacheImages(split);
  if (args.stage !== 'images') await cacheFeatures(split);
}
process.exit(0);
