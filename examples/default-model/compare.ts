/**
 * Compare candidate systems for the bundled model on the same budget (wall-clock training time on the same
 * data, same batches, same input size), then evaluate each on the held-out photographs.
 *
 *   node --import tsx examples/default-model/compare.ts <zhang|nazeri> <minutes> <threads> <dataDir>
 *
 * Writes runs/compare/<system>/result.json, a curve CSV and a sample sheet of validation photos.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  captureCheckpoint,
  createArraySource,
  createBatchPipeline,
  disposeBatch,
  estimateRebalanceWeights,
  imageToLab,
  lightnessToInput,
  recombineLab,
  registerKernels,
  type ImageLike,
} from 'tfjs-colorization';
import { createFileCheckpointStore, useWasmThreads, writeContactSheet } from 'tfjs-colorization/node';
import { requireFolderFlag } from '../require-data-folder.js';
import { heldOutNames, loadPhotos } from './data.js';
import { evaluate } from './evaluate.js';
import { INPUT_SIZE, createNazeriSystem, createZhangSystem, type CandidateSystem } from './systems.js';

const [systemName = 'zhang', minutesArg = '30', threadsArg = '1', dataArg] = process.argv.slice(2);
const dataDir = requireFolderFlag('dataDir (4th argument)', dataArg, 'photos/ and its manifests');
const budgetMs = Number(minutesArg) * 60_000;
tf.env().set('PROD', true);
await useWasmThreads({ threads: Number(threadsArg) });
registerKernels({ backend: 'wasm' });

const exclude = await heldOutNames();
const t0 = performance.now();
const train = await loadPhotos([join(dataDir, 'photos64/train'), join(dataDir, 'photos/train')], 72, { exclude });
const val = await loadPhotos([join(dataDir, 'photos/val')], 256, { exclude });
console.log(
  `loaded ${train.images.length} training and ${val.images.length} validation photos in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
);

const source = createArraySource(train.images);
const priorPipeline = createBatchPipeline(source, {
  batchSize: 64,
  inputSize: 64,
  resize: 'square',
  flip: false,
  crop: 'centre',
  targets: ['ab'],
  targetSize: 16,
  shuffle: false,
  prefetch: false,
});
const prior = await estimateRebalanceWeights(priorPipeline);
console.log(
  `prior over ${prior.pixels} pixels; rebalancing weights ${Math.min(...prior.weights).toFixed(3)}…${Math.max(...prior.weights).toFixed(2)}`,
);

const system: CandidateSystem = systemName === 'zhang' ? createZhangSystem(prior.weights) : createNazeriSystem();
const pipeline = createBatchPipeline(source, {
  batchSize: 16,
  inputSize: INPUT_SIZE,
  resize: 'shorter-side',
  resizeTo: 72,
  crop: 'random',
  flip: true,
  targets: system.targets,
  targetSize: system.targetSize,
  seed: 7,
});

const outDir = join('runs', 'compare', system.name);
await mkdir(outDir, { recursive: true });
const curve: string[] = [];
let step = 0;
let lastEpoch = 0;
let lastBatch = 0;
const start = performance.now();
training: for (let epoch = 0; ; epoch++) {
  for await (const batch of pipeline.batches(epoch)) {
    const losses = system.step(batch);
    disposeBatch(batch);
    step++;
    lastEpoch = epoch;
    lastBatch = batch.index;
    const seconds = (performance.now() - start) / 1000;
    curve.push([step, seconds.toFixed(1), ...Object.values(losses).map((v) => v.toFixed(5))].join(','));
    if (step === 1) curve.unshift(['step', 'seconds', ...Object.keys(losses)].join(','));
    if (step % 25 === 0)
      console.log(
        `${system.name} step ${step} (${seconds.toFixed(0)} s, epoch ${epoch}): ${Object.entries(losses)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(' ')}`,
      );
    if (performance.now() - start > budgetMs) break training;
  }
}
const trainSeconds = (performance.now() - start) / 1000;
await writeFile(join(outDir, 'curve.csv'), curve.join('\n') + '\n');
// Keep the trained state: the winner's long run starts from here.
const store = createFileCheckpointStore({ directory: join(outDir, 'checkpoints'), keepLast: 1 });
await store.save(
  await captureCheckpoint({
    models: system.models,
    optimizers: system.optimizers,
    epoch: lastEpoch,
    step,
    metadata: { batchIndex: lastBatch, system: system.name },
  }),
);

const result = evaluate(val.images, INPUT_SIZE, prior.weights, (input) => system.predictAb(input));
const gray = evaluate(val.images, INPUT_SIZE, prior.weights, null);
const summary = {
  system: system.name,
  steps: step,
  imagesSeen: step * 16,
  trainSeconds,
  threads: Number(threadsArg),
  result,
  gray,
};
console.log(JSON.stringify(summary, null, 2));
await writeFile(join(outDir, 'result.json'), JSON.stringify(summary, null, 2) + '\n');

// A sheet of 8 validation photos: original | colorized.
const rows: ImageLike[][] = [];
for (let i = 0; i < val.images.length && rows.length < 8; i += Math.floor(val.images.length / 8)) {
  const lab = imageToLab(val.images[i]);
  const input = lightnessToInput(lab, INPUT_SIZE);
  const ab = system.predictAb(input);
  rows.push([val.images[i], recombineLab(lab, ab).image]);
  input.dispose();
  ab.dispose();
}
await writeContactSheet(join(outDir, 'samples.png'), rows, {
  titles: ['original', `${system.name} after ${step} steps`],
  cellHeight: 128,
});
process.exit(0);
