/**
 * Train the default model's head (buildHypercolumnHead) on cached MobileNetV2 features: resumable,
 * stoppable at any moment. Run cache-features.ts first.
 *
 *   node --import tsx examples/default-model/train-head.ts [--system hypercolumn|baseline|finetune] [--minutes 30] [--threads 1] --cache <cache folder> [--run runs/<system>-mnv2] [--init <run>] --data <data folder>
 *
 * Each step: 16 random 128 × 128 crops (offsets on the backbone's 32-pixel grid, so the cached feature
 * maps crop exactly) of the training photos, simulated user points from the truth (Zhang et al. 2017 §3.2;
 * half the crops get none, so one network colorizes with and without points), Zhang et al. 2016's soft
 * targets at 1/4 resolution and the class-rebalanced cross-entropy (weights from this training set's ab
 * prior, smoothed σ = 5, λ = 0.5), Adam. Checkpoints (head, Adam state, step) every 250 steps, at every
 * validation and on SIGINT/SIGTERM or when --minutes is up; the run resumes from the newest. Validation:
 * 64 held-out photos of `photos/val`, no points, every `validateEvery` steps (runs/<run>/validation.csv).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  buildHypercolumnHead,
  captureCheckpoint,
  computeMultinomialCrossEntropy,
  computeRebalanceWeights,
  createAbPriorAccumulator,
  createRandom,
  decodeAnnealedMean,
  encodeSoft,
  registerKernels,
  restoreCheckpoint,
  setLearningRate,
  simulateHints,
  smoothPrior,
  type ImageLike,
} from 'tfjs-colorization';
import { createFileCheckpointStore, readImageFile, useWasmThreads } from 'tfjs-colorization/node';
import { CACHE_SIZE, FLOAT16_TABLE, elements, readSplit, type CachedSplit, type FeatureSpec } from './feature-cache.js';
import { measurePhotos } from './photo-metrics.js';
import { requireFolderFlag } from '../require-data-folder.js';
import { buildTopBlocks, loadBackbone } from './mnv2.js';
import { loadPickedCheckpoint } from './pick-checkpoint.js';

/** Everything that defines the run. Changing it starts a different model: use a new --run directory. */
export const TRAINING = {
  system:
    'hypercolumn head (width 64, 2 convs) on frozen MobileNetV2, 313 bins, rebalanced CE, λ = 0.5, simulated points',
  head: { width: 64, convs: 2, outputStride: 4, bins: 313, seed: 1 },
  /** Cached taps the head reads (all four strides: Larsson's hypercolumn) and whether it reads the pooled vector. */
  taps: ['tap1', 'tap2', 'tap3', 'tap4'] as readonly string[],
  global: true,
  /** Fine-tune the backbone's top (see FINETUNE_TRAINING); null: the backbone stays frozen. */
  top: null as null | { rateScale: number },
  data: ['photos/train', 'scenes/train'],
  crop: 128,
  batchSize: 16,
  hints: { noHintsShare: 0.5 },
  optimizer: { name: 'adam', beta1: 0.9, beta2: 0.99 },
  // rate(step) = max(1e-3 · 0.5^(step / 2,000), 1e-4)
  schedule: { initialRate: 1e-3, halfLife: 2_000, minRate: 1e-4 },
  checkpointEvery: 250,
  validateEvery: 500,
  validationPhotos: 64,
  seed: 11,
} as const;

/**
 * The study's baseline on the same backbone, for comparison (`--system baseline`): the deepest features only
 * (stride 32, 320 channels), six 3 × 3 convolutions and the upsampling to 1/4, no pooled vector; the same
 * lightness and point path, loss, data and schedule as the hypercolumn head.
 */
export const BASELINE_TRAINING = {
  ...TRAINING,
  system: 'baseline head (deepest features, width 64, 6 convs) on frozen MobileNetV2, 313 bins, rebalanced CE, λ = 0.5',
  head: { ...TRAINING.head, convs: 6 },
  taps: ['tap4'] as readonly string[],
  global: false,
};

/**
 * Larsson et al.'s second stage on the same head (`--system finetune`): the backbone's top (blocks 13–16 and
 * `Conv_1`, 1.67 M weights) trained with it. The head still reads the cached taps at strides 4, 8 and 16; the
 * stride-32 tap and the pooled vector come from a copy of those layers (`copyBackboneTop`) run each step on
 * the whole photos' cached stride-16 maps, the stride-32 map then cropped like the other taps, with Adam at
 * `rateScale` × the head's rate. `--init <run>` starts the head (and its Adam
 * state and step) from a frozen run's newest checkpoint, the top from the published weights.
 */
export const FINETUNE_TRAINING = {
  ...TRAINING,
  system:
    'hypercolumn head (width 64, 2 convs) on MobileNetV2 with blocks 13–16 and Conv_1 fine-tuned (0.1 × rate), 313 bins, rebalanced CE, λ = 0.5, simulated points',
  taps: ['tap1', 'tap2', 'tap3'] as readonly string[],
  global: false,
  top: { rateScale: 0.1 },
};
const SYSTEMS = { hypercolumn: TRAINING, baseline: BASELINE_TRAINING, finetune: FINETUNE_TRAINING };

const { values: args } = parseArgs({
  options: {
    system: { type: 'string', default: 'hypercolumn' },
    minutes: { type: 'string', default: '30' },
    threads: { type: 'string', default: '1' },
    cache: { type: 'string' },
    data: { type: 'string' },
    run: { type: 'string' },
    init: { type: 'string' },
  },
});
if (!(args.system in SYSTEMS)) throw new ConfigError('--system', Object.keys(SYSTEMS), JSON.stringify(args.system));
const SYSTEM = SYSTEMS[args.system as keyof typeof SYSTEMS];
args.run ??= args.system === 'hypercolumn' ? 'runs/default-mnv2' : `runs/${args.system}-mnv2`;
const dataDir = requireFolderFlag('--data', args.data, 'photos/ and scenes/ (the photo data set)');
const cacheDir = requireFolderFlag(
  '--cache',
  args.cache,
  'the feature cache of cache-features.ts (any local folder outside the repository)',
);
const deadline = Date.now() + Number(args.minutes) * 60_000;
tf.env().set('PROD', true);
const { threads } = await useWasmThreads({ threads: Number(args.threads) });
registerKernels({ backend: 'wasm' });
await mkdir(args.run, { recursive: true });

let train = await readSplit(join(cacheDir, 'train'));
const val = await readSplit(join(cacheDir, 'val'));
const tapSpecs = SYSTEM.taps.map((name) => train.meta.features.find((f) => f.name === name)!);
const globalSpec = SYSTEM.global ? train.meta.features.find((f) => f.name === 'global')! : null;
const strides = tapSpecs.map((s) => CACHE_SIZE / s.shape[0]);
const pixels = CACHE_SIZE * CACHE_SIZE;
// Training photos with cached features (a seeded random subset while the cache is being built).
let trainPhotos = train.meta.featureIndices ?? Array.from({ length: train.meta.count }, (_, i) => i);

// The class-rebalancing weights from the training photos' ab (Zhang et al. 2016 eq. 3–4), at 1/4 resolution.
const priorCounts = createAbPriorAccumulator();
for (const i of trainPhotos) priorCounts.add(blockMeanAb(train, i, 0, 0, CACHE_SIZE));
const classWeights = computeRebalanceWeights(smoothPrior(priorCounts.result(), { sigma: 5 }), { lambda: 0.5 });
await writeFile(join(args.run, 'rebalance-weights.json'), JSON.stringify(Array.from(classWeights)) + '\n');
const classWeightsTensor = tf.tensor1d(Float32Array.from(classWeights));

// A copy of the backbone's top, trained with the head when the system fine-tunes it: stride-16 tap →
// [stride-32 tap, pooled]. The checkpoints keep it as model `top`; run-model.ts writes it back into the backbone.
const topBlocks = SYSTEM.top === null ? null : await loadTopBlocks();
const topShapes = topBlocks === null ? [] : topBlocks.outputs.map((o) => o.shape[o.shape.length - 1] as number);
const tapChannels = [...tapSpecs.map((s) => s.shape[2]), ...topShapes.slice(0, 1)];
const globalChannels = topBlocks === null ? (globalSpec?.shape[0] ?? 0) : topShapes[1];
const head = buildHypercolumnHead({ ...SYSTEM.head, tapChannels, globalChannels });
const newAdam = () => tf.train.adam(SYSTEM.schedule.initialRate, SYSTEM.optimizer.beta1, SYSTEM.optimizer.beta2);
const optimizer = newAdam();
const topOptimizer = topBlocks === null ? null : newAdam();
const rateAt = (step: number): number =>
  Math.max(SYSTEM.schedule.initialRate * 0.5 ** (step / SYSTEM.schedule.halfLife), SYSTEM.schedule.minRate);
const store = createFileCheckpointStore({ directory: join(args.run, 'checkpoints'), keepLast: 1, keepBest: true });
const models = { head, ...(topBlocks !== null ? { top: topBlocks } : {}) };
const optimizers = { head: optimizer, ...(topOptimizer !== null ? { top: topOptimizer } : {}) };
/** The published top blocks, as the fine-tuning starts from them. */
async function loadTopBlocks(): Promise<tfl.LayersModel> {
  const backbone = await loadBackbone();
  const top = buildTopBlocks(backbone);
  backbone.dispose();
  return top;
}
/** Each optimizer with the variables it updates. */
const groups = [
  { optimizer, variables: head.trainableWeights.map((w) => w.read() as tf.Variable) },
  ...(topBlocks !== null && topOptimizer !== null
    ? [{ optimizer: topOptimizer, variables: topBlocks.trainableWeights.map((w) => w.read() as tf.Variable) }]
    : []),
];

let step = 0,
  bestAuc = -Infinity;
const latest = await store.loadLatest();
if (latest) {
  const manifest = await restoreCheckpoint(latest, { models, optimizers });
  step = manifest.step ?? 0;
  bestAuc = manifest.bestMetric ?? -Infinity;
  console.log(`resumed at step ${step}`);
} else if (args.init !== undefined) {
  const manifest = await restoreCheckpoint(await loadPickedCheckpoint(args.init, 'newest'), {
    models: { head },
    optimizers: { head: optimizer },
  });
  step = manifest.step ?? 0;
  console.log(`started from ${args.init}'s head at step ${step}`);
}
// Every random choice of step s comes from a generator seeded with (seed, s): a resumed run draws what an
// uninterrupted one would have drawn.
const stepRandom = (s: number) => createRandom((SYSTEM.seed * 1_000_003 + s) >>> 0);

/** ab block means (Lab units) of photo `i`'s crop at (top, left) of side `side`, at 1/4 resolution, interleaved. */
function blockMeanAb(split: CachedSplit, i: number, top: number, left: number, side: number): Float32Array {
  const out = new Float32Array((side / 4) * (side / 4) * 2);
  const base = i * pixels * 2;
  for (let y = 0; y < side; y++) {
    const row = (y >> 2) * (side / 4) * 2;
    for (let x = 0; x < side; x++) {
      const src = base + ((top + y) * CACHE_SIZE + left + x) * 2;
      const dst = row + (x >> 2) * 2;
      out[dst] += split.ab[src] / 16;
      out[dst + 1] += split.ab[src + 1] / 16;
    }
  }
  return out;
}

interface Batch {
  taps: tf.Tensor4D[];
  /** Empty without the pooled vector. */
  global: tf.Tensor2D[];
  lightness: tf.Tensor4D;
  abTruth: tf.Tensor4D;
  /**
   * With a trained top: the whole photos' stride-16 maps it reads, and where each crop lies in them. The top
   * runs on the whole photo, as it will when colorizing, so the pooled vector is the photo's, not the crop's.
   */
  whole: { stride16: tf.Tensor4D; offsets: [number, number][]; side: number } | null;
}

/** Cached feature `spec` (stride `s`) of photos `indices`, cropped at (top, left) to `side` pixels. */
function readTap(
  split: CachedSplit,
  spec: FeatureSpec,
  s: number,
  indices: number[],
  offsets: [number, number][],
  side: number,
): tf.Tensor4D {
  const [, w, c] = spec.shape;
  const ch = side / s;
  const out = new Float32Array(indices.length * ch * ch * c);
  const source = split.features.get(spec.name)!;
  indices.forEach((photo, k) => {
    const [top, left] = offsets[k];
    for (let y = 0; y < ch; y++) {
      const from = photo * elements(spec.shape) + ((top / s + y) * w + left / s) * c;
      const to = (k * ch + y) * ch * c;
      for (let j = 0; j < ch * c; j++) out[to + j] = FLOAT16_TABLE[source[from + j]];
    }
  });
  return tf.tensor4d(out, [indices.length, ch, ch, c]);
}

/** Photos `indices` cropped at (top, left) to `side` (multiples of 32): features, lightness, ab / 110. */
function assemble(split: CachedSplit, indices: number[], offsets: [number, number][], side: number): Batch {
  const b = indices.length;
  const taps = tapSpecs.map((spec, t) => readTap(split, spec, strides[t], indices, offsets, side));
  const stride16 = tapSpecs[tapSpecs.length - 1];
  const whole =
    topBlocks === null
      ? null
      : {
          stride16: readTap(
            split,
            stride16,
            16,
            indices,
            indices.map(() => [0, 0] as [number, number]),
            CACHE_SIZE,
          ),
          offsets,
          side,
        };
  const global: tf.Tensor2D[] = [];
  if (globalSpec !== null) {
    const channels = globalSpec.shape[0];
    const g = new Float32Array(b * channels);
    const globalSource = split.features.get('global')!;
    indices.forEach((photo, k) => {
      for (let j = 0; j < channels; j++) g[k * channels + j] = FLOAT16_TABLE[globalSource[photo * channels + j]];
    });
    global.push(tf.tensor2d(g, [b, channels]));
  }
  const l = new Float32Array(b * side * side);
  const ab = new Float32Array(b * side * side * 2);
  indices.forEach((photo, k) => {
    const [top, left] = offsets[k];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const p = photo * pixels + (top + y) * CACHE_SIZE + left + x;
        const q = (k * side + y) * side + x;
        l[q] = (split.lightness[p] / 2.55 - 50) / 100;
        ab[2 * q] = split.ab[2 * p] / 110;
        ab[2 * q + 1] = split.ab[2 * p + 1] / 110;
      }
    }
  });
  return {
    taps,
    global,
    lightness: tf.tensor4d(l, [b, side, side, 1]),
    abTruth: tf.tensor4d(ab, [b, side, side, 2]),
    whole,
  };
}

function trainStep(s: number): number {
  const rng = stepRandom(s);
  const grid = (CACHE_SIZE - SYSTEM.crop) / 32 + 1;
  const indices = Array.from({ length: SYSTEM.batchSize }, () => trainPhotos[rng.int(trainPhotos.length)]);
  const offsets = indices.map(() => [32 * rng.int(grid), 32 * rng.int(grid)] as [number, number]);
  const batch = assemble(train, indices, offsets, SYSTEM.crop);
  const { hintAb, hintMask } = simulateHints(batch.abTruth, { ...SYSTEM.hints, random: rng });
  const quarter = SYSTEM.crop / 4;
  const abQuarter = new Float32Array(SYSTEM.batchSize * quarter * quarter * 2);
  indices.forEach((photo, k) =>
    abQuarter.set(blockMeanAb(train, photo, offsets[k][0], offsets[k][1], SYSTEM.crop), k * quarter * quarter * 2),
  );
  const target = tf.tensor4d(encodeSoft(abQuarter), [SYSTEM.batchSize, quarter, quarter, SYSTEM.head.bins]);
  const inputs = [batch.lightness, hintAb, hintMask];
  const { value: loss, grads } = tf.variableGrads(
    () =>
      computeMultinomialCrossEntropy(
        head.apply([...features(batch, true), ...inputs], { training: true }) as tf.Tensor4D,
        target,
        { classWeights: classWeightsTensor },
      ) as tf.Scalar,
    groups.flatMap((g) => g.variables),
  );
  for (const g of groups) g.optimizer.applyGradients(g.variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
  const value = loss.dataSync()[0];
  tf.dispose([loss, ...Object.values(grads), target, batch.abTruth, ...batch.taps, ...batch.global, ...inputs]);
  batch.whole?.stride16.dispose();
  return value;
}

/**
 * The head's feature inputs: the cached taps and pooled vector, or with a trained top the cached taps, then
 * the top's stride-32 map of each whole photo cropped like the other taps, and its pooled vector.
 */
function features(batch: Batch, training: boolean): tf.Tensor[] {
  if (topBlocks === null || batch.whole === null) return [...batch.taps, ...batch.global];
  const { stride16, offsets, side } = batch.whole;
  const [stride32, pooled] = topBlocks.apply(stride16, { training }) as tf.Tensor4D[];
  const crops = offsets.map(([top, left], k) =>
    tf.slice(stride32, [k, top / 32, left / 32, 0], [1, side / 32, side / 32, -1]),
  );
  return [...batch.taps, crops.length === 1 ? crops[0] : tf.concat(crops), pooled];
}

// Validation: evenly spaced held-out photos of photos/val, whole (256 px), no points.
const valIndices = Array.from({ length: SYSTEM.validationPhotos }, (_, k) =>
  Math.floor((k * val.meta.count) / SYSTEM.validationPhotos),
);
const valPhotos: ImageLike[] = await Promise.all(
  valIndices.map((i) => readImageFile(join(dataDir, val.meta.names[i]))),
);

/** The head on a whole cached photo without points: ab in Lab units `[1, 64, 64, 2]`. */
function predictCached(split: CachedSplit, photo: number): tf.Tensor4D {
  const batch = assemble(split, [photo], [[0, 0]], CACHE_SIZE);
  const zerosAb = tf.zeros([1, CACHE_SIZE, CACHE_SIZE, 2]);
  const zerosMask = tf.zeros([1, CACHE_SIZE, CACHE_SIZE, 1]);
  const ab = tf.tidy(() =>
    decodeAnnealedMean(head.predict([...features(batch, false), batch.lightness, zerosAb, zerosMask]) as tf.Tensor4D),
  );
  tf.dispose([...batch.taps, ...batch.global, batch.lightness, batch.abTruth, zerosAb, zerosMask]);
  batch.whole?.stride16.dispose();
  return ab;
}

async function save(metric?: number): Promise<void> {
  await store.save(
    await captureCheckpoint({
      models,
      optimizers,
      step,
      ...(metric !== undefined ? { metric: { name: 'val_auc_rebalanced', value: metric, mode: 'max' as const } } : {}),
      bestMetric: Number.isFinite(bestAuc) ? bestAuc : undefined,
      metadata: {
        training: JSON.parse(JSON.stringify(SYSTEM)),
        tapChannels,
        globalChannels,
        top: topBlocks !== null,
      },
    }),
  );
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    stopping = true;
  });
if (step === 0) {
  await writeFile(join(args.run, 'curve.csv'), 'step,seconds,rate,ce\n');
  await writeFile(join(args.run, 'validation.csv'), 'step,seconds,auc,auc_rebalanced,psnr,colorfulness\n');
}
console.log(
  `training ${SYSTEM.system} on ${trainPhotos.length} photos with ${threads} wasm thread(s) until ${new Date(deadline).toISOString()}`,
);
const started = Date.now();
let windowLoss = 0,
  windowSteps = 0;
while (!stopping && Date.now() < deadline) {
  setLearningRate(optimizer, rateAt(step));
  if (topOptimizer !== null && SYSTEM.top !== null) setLearningRate(topOptimizer, rateAt(step) * SYSTEM.top.rateScale);
  windowLoss += trainStep(step);
  windowSteps++;
  step++;
  if (step % 25 === 0) {
    const line = `${step},${((Date.now() - started) / 1000).toFixed(0)},${rateAt(step)},${(windowLoss / windowSteps).toFixed(5)}`;
    await appendFile(join(args.run, 'curve.csv'), line + '\n');
    console.log(
      `step ${step} ce ${(windowLoss / windowSteps).toFixed(4)} lr ${rateAt(step).toExponential(2)} (${((Date.now() - started) / 1000).toFixed(0)} s in this session)`,
    );
    windowLoss = windowSteps = 0;
  }
  let metric: number | undefined;
  if (step % SYSTEM.validateEvery === 0) {
    const v = await measurePhotos(valPhotos, classWeights, (k) => predictCached(val, valIndices[k]));
    metric = v.aucRebalanced;
    bestAuc = Math.max(bestAuc, metric);
    await appendFile(
      join(args.run, 'validation.csv'),
      `${step},${((Date.now() - started) / 1000).toFixed(0)},${v.auc.toFixed(5)},${v.aucRebalanced.toFixed(5)},${v.psnr.toFixed(3)},${v.colorfulness.toFixed(2)}\n`,
    );
    console.log(
      `validation at ${step}: AuC ${v.auc.toFixed(4)}, rebalanced ${v.aucRebalanced.toFixed(4)}, PSNR ${v.psnr.toFixed(2)}, colourfulness ${v.colorfulness.toFixed(1)} (truth ${v.truthColorfulness.toFixed(1)})`,
    );
  }
  if (metric !== undefined || step % SYSTEM.checkpointEvery === 0) await save(metric);
  // A cache still being built: take the photos added since (the rebalancing weights stay those of the start).
  if (
    step % SYSTEM.checkpointEvery === 0 &&
    train.meta.featureIndices !== undefined &&
    train.meta.featureIndices.length < train.meta.count
  ) {
    const meta = JSON.parse(await readFile(join(cacheDir, 'train', 'meta.json'), 'utf8')) as {
      featureIndices?: number[];
    };
    if ((meta.featureIndices?.length ?? train.meta.count) > trainPhotos.length) {
      train = await readSplit(join(cacheDir, 'train'));
      trainPhotos = train.meta.featureIndices ?? Array.from({ length: train.meta.count }, (_, i) => i);
      console.log(`step ${step}: the cache now holds ${trainPhotos.length} training photos`);
    }
  }
}
await save();
console.log(`stopped at step ${step}; checkpoint saved`);
process.exit(0);
