/**
 * Export the default model for the package: the best checkpoint of runs/default (by validation AuC,
 * else the newest) → models/default/ with float16 weights, and a check that float16 storage does not
 * change the colours visibly (max and mean ab difference on validation photos).
 *
 *   node --import tsx examples/default-model/export.ts [--run runs/default] [--data ../shared/data]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, imageToLab, lightnessToInput, loadCheckpointModel } from '../../src/index.js';
import { createFileCheckpointStore, loadModelFiles, saveModelFiles, useWasmThreads } from '../../src/node/index.js';
import { heldOutNames, loadPhotos } from './data.js';
import { INPUT_SIZE } from './systems.js';

const { values: args } = parseArgs({ options: { run: { type: 'string', default: 'runs/default' }, data: { type: 'string', default: '../shared/data' }, out: { type: 'string', default: 'models/default' } } });
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const store = createFileCheckpointStore({ directory: join(args.run, 'checkpoints') });
const record = (await store.loadBest()) ?? (await store.loadLatest());
if (!record) throw new Error(`no checkpoint in ${args.run}/checkpoints`);
const model = await loadCheckpointModel(record, 'zhang');
await saveModelFiles(model, args.out, { weights: 'float16' });
const reloaded = await loadModelFiles(args.out);

const val = await loadPhotos([join(args.data, 'photos/val')], 256, { exclude: await heldOutNames(), limit: 48 });
let maxDiff = 0, sumDiff = 0, count = 0;
for (const photo of val.images) {
  const input = lightnessToInput(imageToLab(photo), INPUT_SIZE);
  const [a, b] = [model, reloaded].map((m) => tf.tidy(() => decodeAnnealedMean(m.predict(input) as tf.Tensor4D)));
  const d = tf.tidy(() => tf.abs(tf.sub(a, b)).dataSync());
  for (const v of d) { maxDiff = Math.max(maxDiff, v); sumDiff += v; count++; }
  tf.dispose([input, a, b]);
}
const manifest = record.manifest;
const summary = {
  step: manifest.step,
  epoch: manifest.epoch,
  metric: manifest.metric ?? null,
  float16: { photos: val.images.length, maxAbDifference: maxDiff, meanAbDifference: sumDiff / count },
};
await writeFile(join(args.out, 'training.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary, null, 2));
