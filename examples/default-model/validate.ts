/**
 * Validate the exported default model (models/default) on every held-out photo and write the model card's
 * numbers, a sample sheet and the run's curves: AuC (plain and rebalanced), PSNR and colourfulness, beside
 * the gray baseline.
 *
 *   node --import tsx examples/default-model/validate.ts --data <data folder> [--model models/default] [--run runs/default]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, imageToLab, lightnessToInput, recombineLab, type ImageLike } from 'tfjs-colorization';
import { loadModelFiles, useWasmThreads, writeContactSheet } from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { heldOutNames, loadPhotos } from './data.js';
import { evaluate } from './evaluate.js';
import { writeRunCurves } from './run-report.js';
import { INPUT_SIZE } from './systems.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/default' },
    run: { type: 'string', default: 'runs/default' },
    data: { type: 'string' },
    out: { type: 'string', default: 'docs/default-model' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/val/ with its photographs');
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const model = await loadModelFiles(args.model);
const weights = JSON.parse(await readFile(join(args.run, 'rebalance-weights.json'), 'utf8')) as number[];
const val = await loadPhotos([join(dataDir, 'photos/val')], 256, { exclude: await heldOutNames() });
const predictAb = (input: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => decodeAnnealedMean(model.predict(input) as tf.Tensor4D));
const t0 = performance.now();
const result = evaluate(val.images, INPUT_SIZE, weights, predictAb);
const seconds = (performance.now() - t0) / 1000;
const gray = evaluate(val.images, INPUT_SIZE, weights, null);
const training = JSON.parse(await readFile(join(args.model, 'training.json'), 'utf8')) as unknown;
const summary = { model: args.model, training, photos: val.images.length, secondsForAll: seconds, result, gray };
await writeFile(join(args.out, 'validation.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary, null, 2));

const rows: ImageLike[][] = [];
const step = Math.floor(val.images.length / 10);
for (let i = 0; i < val.images.length && rows.length < 10; i += step) {
  const lab = imageToLab(val.images[i]);
  const input = lightnessToInput(lab, INPUT_SIZE);
  const ab = predictAb(input);
  rows.push([val.images[i], recombineLab(lab, ab).image]);
  tf.dispose([input, ab]);
}
await writeContactSheet(
  join(args.out, 'validation-samples.jpg'),
  rows.slice(0, 5).map((r, i) => [...r, ...(rows[i + 5] ?? [])]),
  { titles: ['original', 'colorized', 'original', 'colorized'], cellHeight: 160 },
);
await writeRunCurves(args.run, join(args.out, 'curves.svg'), 'bundled model: training run (runs/default)');
console.log(`wrote ${join(args.out, 'validation.json')}, validation-samples.jpg and curves.svg`);
