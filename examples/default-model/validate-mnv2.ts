/**
 * Validate the exported default model (models/default) on every held-out photo of `photos/val` (222, at
 * 256 px, no colour points) beside gray and, when given, another model (`--compare`, e.g. the previous
 * bundled model): AuC (plain and class-rebalanced with the training prior's weights), PSNR, colourfulness
 * and mean |ΔL|; and the sampled alternatives (`sampleColorizations` with the colorizer's window), each
 * scored the same way. Writes docs/default-model/validation.json and validation-samples.jpg.
 *
 *   node --import tsx examples/default-model/validate-mnv2.ts [--model models/default] [--compare dir] [--run runs/default-mnv2] --data <data folder> [--out docs/default-model]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  COLORIZER_SAMPLE_WINDOW,
  decodeAnnealedMean,
  labPlanesToRgb,
  recombineLab,
  sampleColorizations,
  type ImageLike,
  type LabPlanes,
} from 'tfjs-colorization';
import { loadModelFiles, readImageFile, useWasmThreads, writeContactSheet } from 'tfjs-colorization/node';
import { measurePhotoOutputs, measurePhotos, type PhotoMetrics } from './photo-metrics.js';
import { requireFolderFlag } from '../require-data-folder.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/default' },
    compare: { type: 'string' },
    run: { type: 'string', default: 'runs/default-mnv2' },
    data: { type: 'string' },
    out: { type: 'string', default: 'docs/default-model' },
    samples: { type: 'string', default: '3' },
    window: { type: 'string' },
    limit: { type: 'string' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/ and scenes/ (the photo data set)');
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const weights = JSON.parse(await readFile(join(args.run, 'rebalance-weights.json'), 'utf8')) as number[];
const demo = new Set((await readdir('examples/images')).filter((f) => /\.(jpe?g|png)$/i.test(f)));
const valDir = join(dataDir, 'photos/val');
const files = (await readdir(valDir))
  .filter((f) => /\.(jpe?g|png)$/i.test(f) && !demo.has(f))
  .sort()
  .slice(0, args.limit ? Number(args.limit) : undefined);
const photos: ImageLike[] = [];
for (const f of files) photos.push(await readImageFile(join(valDir, f)));
const window = args.window !== undefined ? Number(args.window) : COLORIZER_SAMPLE_WINDOW;
const K = Number(args.samples);

/** The model's logits for a photo at its own size, no points (one-input models get the lightness alone). */
function logitsOf(model: tfl.LayersModel, lab: LabPlanes): tf.Tensor4D {
  return tf.tidy(() => {
    const lightness = tf.tensor4d(
      lab.lightness.map((l) => (l - 50) / 100),
      [1, lab.height, lab.width, 1],
    );
    if (model.inputs.length === 1) {
      const [, h, w] = model.inputs[0].shape;
      const fitted = h != null && w != null ? tf.image.resizeBilinear(lightness, [h, w], false, true) : lightness;
      return model.predict(fitted) as tf.Tensor4D;
    }
    return model.predict([
      lightness,
      tf.zeros([1, lab.height, lab.width, 2]),
      tf.zeros([1, lab.height, lab.width, 1]),
    ]) as tf.Tensor4D;
  });
}

async function measureModel(
  model: tfl.LayersModel,
  samples: number,
): Promise<{ mean: PhotoMetrics; samples: PhotoMetrics[]; seconds: number }> {
  const t0 = performance.now();
  const results = await measurePhotoOutputs(photos, weights, 1 + samples, async (i, lab) => {
    const logits = logitsOf(model, lab);
    const ab = decodeAnnealedMean(logits);
    // The K samples of `colorize(photo, { samples: K, seed: i })`.
    const drawn = samples > 0 ? await sampleColorizations(logits, { count: samples, seed: i, window }) : [];
    logits.dispose();
    return [ab, ...drawn];
  });
  return { mean: results[0], samples: results.slice(1), seconds: (performance.now() - t0) / 1000 };
}

const model = await loadModelFiles(args.model);
const ours = await measureModel(model, K);
const gray = await measurePhotos(photos, weights, null);
let compared: PhotoMetrics | null = null;
if (args.compare) {
  const other = await loadModelFiles(args.compare);
  compared = (await measureModel(other, 0)).mean;
  other.dispose();
}
const training = JSON.parse(await readFile(join(args.model, 'training.json'), 'utf8')) as unknown;
const summary = {
  model: args.model,
  training,
  photos: photos.length,
  sampleWindow: window,
  secondsForAll: ours.seconds,
  result: ours.mean,
  samples: ours.samples,
  gray,
  compare: args.compare ? { model: args.compare, result: compared } : null,
};
await writeFile(join(args.out, 'validation.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary, null, 2));

// Sheet: ten held-out photos evenly spaced, gray | colorized | two samples | original.
const rows: ImageLike[][] = [];
for (let i = 0; i < photos.length && rows.length < 10; i += Math.floor(photos.length / 10)) {
  const { imageToLab } = await import('tfjs-colorization');
  const lab = imageToLab(photos[i]);
  const logits = logitsOf(model, lab);
  const mean = decodeAnnealedMean(logits);
  const drawn = await sampleColorizations(logits, { count: 2, seed: i, window });
  const zeros = new Float32Array(lab.lightness.length);
  const row: ImageLike[] = [
    { data: labPlanesToRgb(lab.lightness, zeros, zeros), width: lab.width, height: lab.height, channels: 3 },
  ];
  for (const ab of [mean, ...drawn])
    row.push(
      recombineLab(lab, { data: (await ab.data()) as Float32Array, width: ab.shape[2], height: ab.shape[1] }).image,
    );
  row.push(photos[i]);
  rows.push(row);
  tf.dispose([logits, mean, ...drawn]);
}
await writeContactSheet(join(args.out, 'validation-samples.jpg'), rows, {
  titles: ['gray input', 'colorized', 'sample 1', 'sample 2', 'original'],
  cellHeight: 160,
});
console.log(`wrote ${join(args.out, 'validation.json')} and validation-samples.jpg`);
process.exit(0);
