/**
 * Look at a run as a user of the library would: load the colour network of a run's newest checkpoint,
 * wrap it in `createColorizer` (the network runs at its own input size, its ab is upsampled to the
 * photo's full-resolution lightness, which is kept exactly) and colorize validation photos spread evenly
 * over the whole held-out split, so the sheet covers many classes rather than the first few. Works for every
 * experiment: a Zhang network decodes its bins by annealed mean, a GAN's generator and Iizuka's network
 * give ab directly (`createColorizer` reads which from the model).
 *
 *   node --import tsx examples/experiments/sample-sheet.ts --data ../shared/data --out runs/nazeri-32-l1 [--count 24] [--input-size 32]
 *     [--sheet docs/experiments/nazeri-32px-samples.jpg]
 *
 * Prints the mean colourfulness (Hasler and Süsstrunk 2003) of the colorized photos beside the truth's,
 * and writes `<out>/sample-sheet.json` with the figures.
 */
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  computeColorfulness,
  ConfigError,
  createColorizer,
  imageToLab,
  loadCheckpointModel,
  recombineLab,
  type ImageLike,
} from 'tfjs-colorization';
import { atomicWriteFile, createFileCheckpointStore, writeContactSheet } from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import type { CommonArgs } from './experiment-args.js';
import { loadExperimentData, spreadIndices } from './experiment-data.js';
import { startWasm } from './experiment-run.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    count: { type: 'string', default: '24' },
    'input-size': { type: 'string', default: '32' },
    sheet: { type: 'string' },
    threads: { type: 'string', default: '1' },
  },
});
if (args.out === undefined) throw new ConfigError('--out', 'a run folder with checkpoints/', 'nothing');
const count = Number(args.count);
if (!Number.isInteger(count) || count < 2 || count % 2 !== 0)
  throw new ConfigError('--count', 'an even integer ≥ 2', JSON.stringify(args.count));
const inputSize = Number(args['input-size']);
await startWasm(Number(args.threads));

const record = await createFileCheckpointStore({ directory: join(args.out, 'checkpoints') }).loadLatest();
if (record === undefined) throw new Error(`${args.out}/checkpoints: no checkpoint to load`);
const names = Object.keys(record.manifest.models);
// A GAN checkpoint holds the generator and the discriminator; the colours come from the generator.
const name = names.includes('generator') ? 'generator' : names[0];
const model = await loadCheckpointModel(record, name);
const colorizer = await createColorizer({ model, inputSize });

// All held-out photos of the split (the run validated on 128 of them), then `count` spread over them.
const loading: CommonArgs = {
  data: requireFolderFlag('--data', args.data, 'photos64/ and its manifest'),
  out: args.out,
  valImages: 100_000,
  limit: 1,
  minutes: 1,
  epochs: 1,
  threads: 1,
  batchSize: 1,
  validateEvery: 1,
  sampleEvery: 1,
  checkpointEvery: 1,
  seed: 1,
};
const data = await loadExperimentData(loading);
const picks = spreadIndices(data.validation.size, count);

/** The photo's CIE lightness with a = b = 0: exactly the information the colorizer starts from. */
const toGray = (image: ImageLike): ImageLike => {
  const noColour = tf.zeros([1, 1, 1, 2]) as tf.Tensor4D;
  const { image: gray } = recombineLab(imageToLab(image), noColour);
  noColour.dispose();
  return gray;
};

const cells: ImageLike[][] = [];
let predicted = 0;
let truth = 0;
for (const index of picks) {
  const example = await data.validation.read(index);
  if (example === undefined) continue; // an in-memory array source always has its photos
  const { image } = example;
  const { rgb } = await colorizer.colorize(image);
  predicted += computeColorfulness(rgb);
  truth += computeColorfulness(image);
  cells.push([toGray(image), rgb, image]);
}
const half = count / 2;
const rows = cells.slice(0, half).map((left, i) => [...left, ...cells[half + i]]);
const sheet = args.sheet ?? join(args.out, 'sample-sheet.jpg');
await writeContactSheet(sheet, rows, {
  titles: ['gray', 'colorized', 'truth', 'gray', 'colorized', 'truth'],
  caption: `${basename(args.out)}, step ${record.manifest.step}; network at ${inputSize} px, lightness at 64 px`,
  cellHeight: 96,
});
const summary = {
  run: args.out,
  step: record.manifest.step,
  model: name,
  photos: count,
  inputSize,
  colourfulness: { colorized: predicted / cells.length, truth: truth / cells.length },
};
await atomicWriteFile(join(args.out, 'sample-sheet.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `${sheet}: step ${record.manifest.step}, colourfulness ${summary.colourfulness.colorized.toFixed(1)} (truth ${summary.colourfulness.truth.toFixed(1)})`,
);
colorizer.dispose();
model.dispose();
process.exit(0);
