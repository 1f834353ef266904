/**
 * Export the default model for the package: the head of a train-head.ts run (newest checkpoint, or `--pick
 * best` by the run's 64-photo rebalanced AuC) joined with MobileNetV2 (its top blocks as the run fine-tuned
 * them, if it did) into one tfjs-layers
 * model (lightness, hint_ab, hint_mask → 313-bin logits), written to models/default/ with float16 weights,
 * with the decoding temperature `--temperature` (from tune-temperature.ts) folded into the logits layer,
 * and a check of what float16 storage changes (max and mean decoded ab difference on 48 held-out photos).
 *
 *   node --import tsx examples/default-model/export-mnv2.ts [--run runs/default-mnv2] --data <data folder> [--out models/default] [--pick newest|best]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, imageToLab } from 'tfjs-colorization';
import {
  createNodeColorizer,
  loadModelFiles,
  readImageFile,
  saveModelFiles,
  useWasmThreads,
  writeImageFile,
} from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { loadPickedCheckpoint, parsePick } from './pick-checkpoint.js';
import { colorizerFromCheckpoint } from './run-model.js';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string', default: 'runs/default-mnv2' },
    data: { type: 'string' },
    out: { type: 'string', default: 'models/default' },
    pick: { type: 'string', default: 'newest' },
    temperature: { type: 'string', default: '0.38' },
    adjust: { type: 'string', default: '0' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/ and scenes/ (the photo data set)');
const pick = parsePick(args.pick);
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });

const record = await loadPickedCheckpoint(args.run, pick);
const model = await colorizerFromCheckpoint(record);
// The decoding temperature chosen by tune-temperature.ts, folded into the logits layer: annealing
// c · z at the default T = 0.38 is annealing z at T = 0.38 / c.
const temperature = Number(args.temperature);
if (!(temperature > 0)) throw new Error(`--temperature: expected a positive number, received ${args.temperature}`);
// And the logit adjustment β of tune-temperature.ts (bias − β · log w_q, w the training rebalancing weights).
const beta = Number(args.adjust);
const scale = 0.38 / temperature;
if (scale !== 1 || beta !== 0) {
  const rebalance = JSON.parse(await readFile(join(args.run, 'rebalance-weights.json'), 'utf8')) as number[];
  const logitsLayer = model.getLayer('logits');
  const [kernel, bias] = logitsLayer.getWeights();
  const adjusted = [
    tf.mul(kernel, scale),
    tf.mul(tf.sub(bias, tf.mul(tf.tensor1d(rebalance.map((w) => Math.log(w))), beta)), scale),
  ];
  logitsLayer.setWeights(adjusted);
  tf.dispose(adjusted);
}

const saved = await saveModelFiles(model, args.out, { weights: 'float16' });
const reloaded = await loadModelFiles(args.out);

// float16 storage against the float32 weights, on 48 evenly spaced held-out photos, no points.
const valDir = join(dataDir, 'photos/val');
const files = (await readdir(valDir)).filter((f) => /\.jpe?g$/i.test(f)).sort();
const chosen = files.filter((_, i) => i % Math.floor(files.length / 48) === 0).slice(0, 48);
let maxDiff = 0,
  sumDiff = 0,
  count = 0;
for (const f of chosen) {
  const lab = imageToLab(await readImageFile(join(valDir, f)));
  const inputs = [
    tf.tensor4d(
      lab.lightness.map((l) => (l - 50) / 100),
      [1, lab.height, lab.width, 1],
    ),
    tf.zeros([1, lab.height, lab.width, 2]),
    tf.zeros([1, lab.height, lab.width, 1]),
  ];
  const [a, b] = [model, reloaded].map((m) => tf.tidy(() => decodeAnnealedMean(m.predict(inputs) as tf.Tensor4D)));
  const d = (await tf.tidy(() => tf.abs(tf.sub(a, b))).data()) as Float32Array;
  for (const v of d) {
    maxDiff = Math.max(maxDiff, v);
    sumDiff += v;
    count++;
  }
  tf.dispose([...inputs, a, b]);
}
const summary = {
  run: args.run,
  step: record.manifest.step,
  temperature,
  logitAdjustment: beta,
  metric: record.manifest.metric ?? null,
  parameters: model.countParams(),
  trainableParameters: model.trainableWeights.reduce(
    (s, w) => s + w.shape.reduce((a: number, c) => a * (c ?? 1), 1),
    0,
  ),
  weightBytes: saved.weightBytes,
  float16: { photos: chosen.length, maxAbDifference: maxDiff, meanAbDifference: sumDiff / count },
};
await writeFile(join(args.out, 'training.json'), JSON.stringify(summary, null, 2) + '\n');
console.log(JSON.stringify(summary, null, 2));

// The regression pin of tests/node/bundled-model.test.ts: a small known picture and what the exported model
// makes of it here (wasm, through createNodeColorizer as a user would); the test recomputes it on cpu.
const FIXTURE = 'tests/fixtures/bundled-model';
const known = await readImageFile('examples/images/kodak_kodim23.jpg');
const sharp = (await import('sharp')).default;
const { data, info } = await sharp(Buffer.from(known.data as Uint8Array), {
  raw: { width: known.width, height: known.height, channels: known.channels },
})
  .resize(96, 80, { fit: 'cover' })
  .raw()
  .toBuffer({ resolveWithObject: true });
const small = { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels as 3 };
await writeImageFile(join(FIXTURE, 'input.png'), small);
const colorizer = await createNodeColorizer({ model: args.out, backend: false });
const { rgb } = await colorizer.colorize(small);
await writeImageFile(join(FIXTURE, 'expected.png'), rgb);
colorizer.dispose();
console.log(`wrote ${FIXTURE}/input.png and expected.png`);
process.exit(0);
