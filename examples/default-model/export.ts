/**
 * Export the earlier Zhang default model (no longer the bundled one, which is export-mnv2.ts's): the newest
 * checkpoint of runs/default (`--pick best` for the best by the run's 64-photo validation AuC, whose
 * differences between checkpoints are mostly noise) → `--out` (default out/zhang-default; the package's
 * models/default belongs to export-mnv2.ts) with float16 weights, and a check that float16 storage does not
 * change the colours visibly (max and mean ab difference on validation photos).
 *
 *   node --import tsx examples/default-model/export.ts --data <data folder> [--run runs/default] [--pick newest|best] [--out out/zhang-default]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, imageToLab, lightnessToInput, loadCheckpointModel } from 'tfjs-colorization';
import { loadModelFiles, saveModelFiles, useWasmThreads } from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { loadPickedCheckpoint, parsePick } from './pick-checkpoint.js';
import { heldOutNames, loadPhotos } from './data.js';
import { INPUT_SIZE } from './systems.js';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string', default: 'runs/default' },
    data: { type: 'string' },
    out: { type: 'string', default: 'out/zhang-default' },
    pick: { type: 'string', default: 'newest' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/val/ with its photographs');
const pick = parsePick(args.pick);
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const record = await loadPickedCheckpoint(args.run, pick);
const model = await loadCheckpointModel(record, 'zhang');
await saveModelFiles(model, args.out, { weights: 'float16' });
const reloaded = await loadModelFiles(args.out);

const val = await loadPhotos([join(dataDir, 'photos/val')], 256, { exclude: await heldOutNames(), limit: 48 });
let maxDiff = 0,
  sumDiff = 0,
  count = 0;
for (const photo of val.images) {
  const input = lightnessToInput(imageToLab(photo), INPUT_SIZE);
  const [a, b] = [model, reloaded].map((m) => tf.tidy(() => decodeAnnealedMean(m.predict(input) as tf.Tensor4D)));
  const d = tf.tidy(() => tf.abs(tf.sub(a, b)).dataSync());
  for (const v of d) {
    maxDiff = Math.max(maxDiff, v);
    sumDiff += v;
    count++;
  }
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
