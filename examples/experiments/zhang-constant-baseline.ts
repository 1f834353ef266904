/**
 * How far a Zhang run is from a network that ignores its input: the class-rebalanced cross-entropy
 * (Zhang, Isola, Efros 2016, eq. 2–4, the loss `zhang-classification.ts` trains and validates with) of
 * constant predictions — the same distribution over the 313 bins at every pixel of every photo — on the
 * run's validation photos, next to the run's own validation cross-entropy.
 *
 *   node --import tsx examples/experiments/zhang-constant-baseline.ts --data ../shared/data --out runs/zhang-classification-32
 *
 * `--out` is the run folder (its `config.json` gives the input size, `rebalance-weights.json` the weights,
 * `curves.csv` the run's validations); the other flags are those of experiment-args.ts (`--val-images` must
 * match the run's). Writes `<out>/constant-baseline.json`.
 *
 * For the weighted loss of a constant p, `L(p) = −(1/N) Σ_q S_q log p_q` with `S_q = Σ_pixels w(q*) z_q`
 * (z the pixel's target distribution, q* its most likely bin), so the best constant is `p = S / Σ S`.
 * Fitted on the training photos it is a predictor anyone could ship; fitted on the validation photos
 * themselves it is the lowest loss any constant can reach there (an oracle).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  computeMultinomialCrossEntropy,
  createBatchPipeline,
  disposeBatch,
  estimateRebalanceWeights,
  type BatchSource,
} from 'tfjs-colorization';
import { atomicWriteFile, parseCurvesCsv } from 'tfjs-colorization/node';
import { parseExperimentArgs } from './experiment-args.js';
import { loadExperimentData } from './experiment-data.js';
import { startWasm } from './experiment-run.js';

const { common } = parseExperimentArgs(
  'zhang-classification',
  { epochs: 1, batchSize: 64, validateEvery: 1, sampleEvery: 1 },
  {},
);
await startWasm(common.threads);
const config = JSON.parse(await readFile(join(common.out, 'config.json'), 'utf8')) as {
  model: { inputSize: number };
  targetSize: number;
};
const classWeights = JSON.parse(await readFile(join(common.out, 'rebalance-weights.json'), 'utf8')) as number[];
const { inputSize } = config.model;
const targetSize = config.targetSize;
const data = await loadExperimentData(common);
console.log(`${data.description}; input ${inputSize} px, targets pooled to ${targetSize} × ${targetSize}`);

const weightTable = tf.tensor1d(classWeights, 'float32');
const binCount = classWeights.length;

/** `S_q = Σ w(q*) z_q` and the pixel count over one epoch of a source whose `bins` are pooled to `targetSize`. */
async function weightedBinSums(
  source: BatchSource,
  keep?: tf.Tensor4D[],
): Promise<{ sums: Float64Array; pixels: number }> {
  const sums = new Float64Array(binCount);
  let pixels = 0;
  for await (const batch of source.batches(0)) {
    const pooled = tf.tidy(() => {
      const bins = batch.targets.bins!;
      const factor = bins.shape[1] / targetSize;
      return factor === 1 ? tf.clone(bins) : tf.avgPool(bins, factor, factor, 'valid');
    });
    const batchSums = tf.tidy(() => {
      const w = tf.gather(weightTable, tf.argMax(pooled, -1));
      return tf.sum(tf.mul(pooled, tf.expandDims(w, -1)), [0, 1, 2]);
    });
    const values = await batchSums.data();
    for (let q = 0; q < binCount; q++) sums[q] += values[q];
    pixels += pooled.shape[0] * pooled.shape[1] * pooled.shape[2];
    batchSums.dispose();
    disposeBatch(batch);
    if (keep) keep.push(pooled);
    else pooled.dispose();
  }
  return { sums, pixels };
}

const normalize = (values: ArrayLike<number>) => {
  const total = Array.from(values).reduce((a, b) => a + b, 0);
  return Float64Array.from(values, (v) => v / total);
};

// Validation exactly as the run validates: bins at the input size, average-pooled to the logits' size.
const validationTargets: tf.Tensor4D[] = [];
const validation = await weightedBinSums(
  createBatchPipeline(data.validation, {
    inputSize,
    resize: 'square',
    crop: 'centre',
    flip: false,
    shuffle: false,
    batchSize: 16,
    targets: ['bins'],
    targetSize: inputSize,
  }),
  validationTargets,
);
// Training targets as the run trains on them (bins encoded at the target size, random crops and flips of epoch 0).
const training = await weightedBinSums(
  createBatchPipeline(data.train, {
    inputSize,
    resize: 'shorter-side',
    resizeTo: Math.round(inputSize * 1.125),
    crop: 'random',
    flip: true,
    seed: common.seed,
    batchSize: 64,
    targets: ['bins'],
    targetSize,
  }),
);
const prior = await estimateRebalanceWeights(
  createBatchPipeline(data.train, {
    batchSize: 64,
    inputSize,
    resize: 'square',
    crop: 'centre',
    flip: false,
    shuffle: false,
    targets: ['ab'],
    targetSize,
  }),
  { smoothingSigma: 5, lambda: 0.5 },
);

/** The run's loss on the validation targets for a constant distribution p (floored at 1e-12 before the log). */
function constantLoss(p: Float64Array): number {
  const logits = tf.tensor1d(Float32Array.from(p, (v) => Math.log(Math.max(v, 1e-12))));
  let total = 0;
  let pixels = 0;
  for (const target of validationTargets) {
    const loss = tf.tidy(() =>
      computeMultinomialCrossEntropy(tf.broadcastTo(logits, target.shape) as tf.Tensor4D, target, {
        classWeights: weightTable,
      }),
    );
    const n = target.shape[0] * target.shape[1] * target.shape[2];
    total += loss.dataSync()[0] * n;
    pixels += n;
    loss.dispose();
  }
  logits.dispose();
  return total / pixels;
}

const constants: Record<string, Float64Array> = {
  uniform: new Float64Array(binCount).fill(1 / binCount),
  'training prior': prior.prior,
  'training prior, smoothed (σ = 5)': prior.smoothed,
  'best constant fitted on the training photos': normalize(training.sums),
  'best constant fitted on the validation photos (oracle)': normalize(validation.sums),
};
const results: Record<string, number> = {};
for (const [name, p] of Object.entries(constants)) results[name] = constantLoss(p);

// The closed form of the oracle's loss checks the tensor computation above.
const oracle = normalize(validation.sums);
let closedForm = 0;
for (let q = 0; q < binCount; q++) if (validation.sums[q] > 0) closedForm -= validation.sums[q] * Math.log(oracle[q]);
closedForm /= validation.pixels;

let network: { step: number; crossEntropy: number; best: number } | undefined;
try {
  const points = parseCurvesCsv(await readFile(join(common.out, 'curves.csv'), 'utf8')).filter(
    (p) => p.kind === 'validation' && p.name === 'val_cross_entropy',
  );
  if (points.length > 0) {
    const last = points[points.length - 1];
    network = { step: last.step, crossEntropy: last.value, best: Math.min(...points.map((p) => p.value)) };
  }
} catch {
  // A run folder without curves: only the constants are reported.
}

console.log(
  `\nclass-rebalanced cross-entropy on ${data.validation.size} validation photos (${validation.pixels} pixels at ${targetSize} × ${targetSize}):`,
);
for (const [name, value] of Object.entries(results)) console.log(`  ${value.toFixed(3)}  ${name}`);
console.log(`  (oracle in closed form: ${closedForm.toFixed(3)})`);
if (network)
  console.log(
    `  ${network.crossEntropy.toFixed(3)}  the network at step ${network.step} (best validation ${network.best.toFixed(3)})`,
  );

await atomicWriteFile(
  join(common.out, 'constant-baseline.json'),
  `${JSON.stringify({ validationImages: data.validation.size, validationPixels: validation.pixels, trainingPixels: training.pixels, inputSize, targetSize, crossEntropy: results, oracleClosedForm: closedForm, network }, null, 2)}\n`,
);
tf.dispose([weightTable, ...validationTargets]);
process.exit(0);
