/**
 * Choose the default model's decoding temperature on photos that are neither trained on nor used for the
 * reported validation: `scenes/val` (evenly spaced, no points). For each temperature T the annealed mean
 * (Zhang et al. 2016 eq. 5) is scored against gray: AuC, rebalanced AuC, PSNR, colourfulness. export-mnv2.ts
 * then folds the chosen T into the logits layer (`--temperature`), so the package's default T = 0.38
 * decodes the bundled model at the chosen T.
 *
 *   node --import tsx examples/default-model/tune-temperature.ts --data <data folder> [--model models/default] [--run runs/default-mnv2] [--photos 64]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, type ImageLike } from 'tfjs-colorization';
import { loadModelFiles, readImageFile, useWasmThreads } from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { measurePhotoOutputs, measurePhotos } from './photo-metrics.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    model: { type: 'string', default: 'models/default' },
    run: { type: 'string', default: 'runs/default-mnv2' },
    photos: { type: 'string', default: '64' },
    temperatures: { type: 'string', default: '0.3,0.38,0.5,0.6,0.7,0.85,1' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'scenes/val (the photo data set)');
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const weights = JSON.parse(await readFile(join(args.run, 'rebalance-weights.json'), 'utf8')) as number[];
const dir = join(dataDir, 'scenes/val');
const files = (await readdir(dir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
const count = Number(args.photos);
const photos: ImageLike[] = [];
for (let k = 0; k < count; k++) photos.push(await readImageFile(join(dir, files[Math.floor((k * files.length) / count)])));
const model = await loadModelFiles(args.model);
// The exported model may already have a temperature folded in; T here is relative to its logits.
const temperatures = args.temperatures.split(',').map(Number);
const results = await measurePhotoOutputs(photos, weights, temperatures.length, async (_, lab) => {
  const logits = tf.tidy(() => model.predict([tf.tensor4d(lab.lightness.map((l) => (l - 50) / 100), [1, lab.height, lab.width, 1]), tf.zeros([1, lab.height, lab.width, 2]), tf.zeros([1, lab.height, lab.width, 1])]) as tf.Tensor4D);
  // T > 1 is reached by scaling the logits: softmax(z / T) = softmax((z · 0.5) / (2T)).
  const out = temperatures.map((t) => tf.tidy(() => (t <= 1 ? decodeAnnealedMean(logits, { temperature: t }) : decodeAnnealedMean(tf.mul(logits, 1 / t) as tf.Tensor4D, { temperature: 1 }))));
  logits.dispose();
  return out;
});
const gray = await measurePhotos(photos, weights, null);
console.log(`gray: AuC ${gray.auc.toFixed(4)}, rebalanced ${gray.aucRebalanced.toFixed(4)}, PSNR ${gray.psnr.toFixed(2)}, truth colourfulness ${gray.truthColorfulness.toFixed(1)}`);
temperatures.forEach((t, i) => {
  const r = results[i];
  console.log(`T ${t}: AuC ${r.auc.toFixed(4)}, rebalanced ${r.aucRebalanced.toFixed(4)}, PSNR ${r.psnr.toFixed(2)}, colourfulness ${r.colorfulness.toFixed(1)} (${((100 * r.colorfulness) / r.truthColorfulness).toFixed(0)} % of truth)`);
});
process.exit(0);
