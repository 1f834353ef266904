/**
 * Export the default model for the package: the newest checkpoint of runs/default (`--pick best` for the
 * best by the run's 64-photo validation AuC, whose differences between checkpoints are mostly noise)
 * → models/default/ with float16 weights, and a check that float16 storage does not
 * change the colours visibly (max and mean ab difference on validation photos).
 *
 *   node --import tsx examples/default-model/export.ts --data <data folder> [--run runs/default] [--pick newest|best]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeAnnealedMean, imageToLab, lightnessToInput, loadCheckpointModel } from 'tfjs-colorization';
import {
  createFileCheckpointStore,
  createNodeColorizer,
  loadModelFiles,
  readImageFile,
  saveModelFiles,
  useWasmThreads,
  writeImageFile,
} from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { heldOutNames, loadPhotos } from './data.js';
import { INPUT_SIZE } from './systems.js';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string', default: 'runs/default' },
    data: { type: 'string' },
    out: { type: 'string', default: 'models/default' },
    pick: { type: 'string', default: 'newest' },
  },
});
const dataDir = requireFolderFlag('--data', args.data, 'photos/val/ with its photographs');
if (args.pick !== 'newest' && args.pick !== 'best')
  throw new Error(`--pick: expected newest or best, received ${args.pick}`);
tf.env().set('PROD', true);
await useWasmThreads({ threads: 2 });
const store = createFileCheckpointStore({ directory: join(args.run, 'checkpoints') });
const record =
  args.pick === 'best' ? ((await store.loadBest()) ?? (await store.loadLatest())) : await store.loadLatest();
if (!record) throw new Error(`no checkpoint in ${args.run}/checkpoints`);
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

// The regression pin of tests/node/files/bundled-model.test.ts: a small known picture and what the exported
// model makes of it here (wasm); the test recomputes it on the cpu backend.
const FIXTURE = 'tests/fixtures/bundled-model';
const known = await readImageFile('examples/images/kodak_kodim23.jpg');
const small = await sharpResize(known, 96, 80);
await writeImageFile(join(FIXTURE, 'input.png'), small);
const colorizer = await createNodeColorizer({ model: args.out, backend: false });
const { rgb } = await colorizer.colorize(small);
await writeImageFile(join(FIXTURE, 'expected.png'), rgb);
colorizer.dispose();
console.log(`wrote ${FIXTURE}/input.png and expected.png`);

async function sharpResize(
  image: { data: Uint8Array | Uint8ClampedArray | Float32Array; width: number; height: number; channels: 1 | 3 | 4 },
  width: number,
  height: number,
) {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(Buffer.from(image.data as Uint8Array), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(width, height, { fit: 'cover' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels as 3 };
}
