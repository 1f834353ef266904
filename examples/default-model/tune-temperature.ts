/**
 * Choose the default model's decoding temperature on photos that are neither trained on nor used for the
 * reported validation: `scenes/val` (evenly spaced, no points). For each temperature T the annealed mean
 * (Zhang et al. 2016 eq. 5) is scored against gray: AuC, rebalanced AuC, PSNR, colourfulness. export-mnv2.ts
 * then folds the chosen T into the logits layer (`--temperature`), so the package's default T = 0.38
 * decodes the bundled model at the chosen T.
 *
 *   node --import tsx examples/default-model/tune-temperature.ts --data <data folder> [--model models/default | --from-checkpoint] [--run runs/default-mnv2] [--photos 64] [--held-out <cache folder>]
 *
 * `--held-out <cache folder>`: tune instead on the object photos of `photos/train` that the head was never
 * trained on — those of the cache's training split without features (cache-features.ts `--stop-at`) — which
 * are drawn like the validation photos of `photos/val`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeAnnealedMean, type ImageLike } from 'tfjs-colorization';
import { loadModelFiles, readImageFile, useWasmThreads } from 'tfjs-colorization/node';
import { loadPickedCheckpoint } from './pick-checkpoint.js';
import { colorizerFromCheckpoint } from './run-model.js';
import { requireFolderFlag } from '../require-data-folder.js';
import { measurePhotoOutputs, measurePhotos } from './photo-metrics.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    model: { type: 'string', default: 'models/default' },
    'from-checkpoint': { type: 'boolean', default: false },
    run: { type: 'string', default: 'runs/default-mnv2' },
    photos: { type: 'string', default: '64' },
    temperatures: { type: 'string', default: '0.38,0.6,1' },
    adjustments: { type: 'string', default: '0,0.5,1' },
    'held-out': { type: 'string' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'scenes/val (the photo data set)');
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const weights = JSON.parse(await readFile(join(args.run, 'rebalance-weights.json'), 'utf8')) as number[];
let files: string[];
if (args['held-out'] !== undefined) {
  const meta = JSON.parse(await readFile(join(args['held-out'], 'train', 'meta.json'), 'utf8')) as {
    names: string[];
    featureIndices?: number[];
  };
  const trained = new Set(meta.featureIndices ?? meta.names.map((_, i) => i));
  files = meta.names.filter((name, i) => !trained.has(i) && name.startsWith('photos/')).sort();
  if (files.length === 0) throw new Error(`${args['held-out']}: every training photo has features; none is held out`);
} else {
  files = (await readdir(join(dataDir, 'scenes/val')))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => join('scenes/val', f));
}
const count = Math.min(Number(args.photos), files.length);
console.log(`tuning on ${count} photos (${args['held-out'] !== undefined ? 'held-out photos/train' : 'scenes/val'})`);
const photos: ImageLike[] = [];
for (let k = 0; k < count; k++)
  photos.push(await readImageFile(join(dataDir, files[Math.floor((k * files.length) / count)])));
// The model: an exported folder, or (with --from-checkpoint) the run's newest head joined with the backbone.
let model: tfl.LayersModel;
if (args['from-checkpoint']) {
  const record = await loadPickedCheckpoint(args.run, 'newest');
  model = await colorizerFromCheckpoint(record);
  console.log(`checkpoint of step ${record.manifest.step}`);
} else {
  model = await loadModelFiles(args.model);
}
// The exported model may already have a temperature folded in; T here is relative to its logits.
// Logit adjustment (Menon et al. 2021, "Long-tail learning via logit adjustment", ICLR): a network trained
// with class weights w_q learns scores shifted by log w_q; subtracting β · log w_q moves the prediction back
// toward the unweighted distribution (β = 1 undoes the rebalancing, β = 0 keeps it).
const temperatures = args.temperatures.split(',').map(Number);
const adjustments = args.adjustments.split(',').map(Number);
const combos = adjustments.flatMap((beta) => temperatures.map((t) => ({ beta, t })));
const logWeights = tf.tensor1d(weights.map((w) => Math.log(w)));
const results = await measurePhotoOutputs(photos, weights, combos.length, async (_, lab) => {
  const logits = tf.tidy(
    () =>
      model.predict([
        tf.tensor4d(
          lab.lightness.map((l) => (l - 50) / 100),
          [1, lab.height, lab.width, 1],
        ),
        tf.zeros([1, lab.height, lab.width, 2]),
        tf.zeros([1, lab.height, lab.width, 1]),
      ]) as tf.Tensor4D,
  );
  // Any T is reached by scaling the logits: softmax(z / T) at the decoders' T = 1.
  const out = combos.map(({ beta, t }) =>
    tf.tidy(() =>
      decodeAnnealedMean(tf.div(tf.sub(logits, tf.mul(logWeights, beta)), t) as tf.Tensor4D, { temperature: 1 }),
    ),
  );
  logits.dispose();
  return out;
});
const gray = await measurePhotos(photos, weights, null);
console.log(
  `gray: AuC ${gray.auc.toFixed(4)}, rebalanced ${gray.aucRebalanced.toFixed(4)}, PSNR ${gray.psnr.toFixed(2)}, truth colourfulness ${gray.truthColorfulness.toFixed(1)}`,
);
combos.forEach(({ beta, t }, i) => {
  const r = results[i];
  console.log(
    `β ${beta} T ${t}: AuC ${r.auc.toFixed(4)}, rebalanced ${r.aucRebalanced.toFixed(4)}, PSNR ${r.psnr.toFixed(2)}, colourfulness ${r.colorfulness.toFixed(1)} (${((100 * r.colorfulness) / r.truthColorfulness).toFixed(0)} % of truth)`,
  );
});
process.exit(0);
