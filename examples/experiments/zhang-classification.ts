/**
 * Zhang, Isola, Efros 2016, "Colorful Image Colorization" (ECCV), at laptop scale: the ECCV16 network at
 * 1/4 width on 64 px photos, multinomial cross-entropy over the 313 ab bins with class rebalancing
 * (§2.2, eq. 2–4: the empirical prior of the training set, smoothed with σ = 5, mixed with λ = 0.5 of the
 * uniform distribution, inverted and normalized), annealed-mean decoding at T = 0.38 (§2.3).
 *
 *   node --import tsx examples/experiments/zhang-classification.ts --data ../shared/data [--minutes 30] [--out runs/zhang-classification]
 *     [--width 0.25] [--input-size 64] [--lr 3e-4] [--weight-decay 1e-3] [--rebalance on|off] [--init <checkpoint folder>]
 *     (+ the flags of experiment-args.ts)
 *
 * `--weight-decay` is the coupled L2 penalty on the kernels (the paper's 10⁻³ by default; the bundled
 * model's recipe uses 0).
 *
 * `--init` starts a new run from the newest checkpoint of another run of the same network (same width;
 * the input size may differ, the network being fully convolutional), for example the earlier Zhang default's
 * local run (`runs/default/checkpoints`), instead of from random weights. Only the weights carry over: the
 * optimizer, schedule and step start afresh. A run that already has a checkpoint of its own resumes from
 * that and ignores `--init`.
 *
 * The prior pass runs once per run folder (`rebalance-weights.json`); a resumed run reads it back.
 * See docs/experiments.md for the paper's settings and what differs here.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildZhangModel,
  ConfigError,
  loadCheckpointModel,
  createBatchPipeline,
  createBinsObjective,
  createStepDecay,
  createSupervisedTrainer,
  estimateRebalanceWeights,
  OPTIMIZER_PRESETS,
  type AdamOptimizerConfig,
} from 'tfjs-colorization';
import { createFileCheckpointStore, atomicWriteFile } from 'tfjs-colorization/node';
import { choose, parseExperimentArgs } from './experiment-args.js';
import { loadExperimentData } from './experiment-data.js';
import { createRunStore, runExperiment, startWasm, takeFixedBatch } from './experiment-run.js';

const NAME = 'zhang-classification';
const { common, extra } = parseExperimentArgs(
  NAME,
  { epochs: 30, batchSize: 16, validateEvery: 200, sampleEvery: 100 },
  { width: '0.25', 'input-size': '64', lr: '3e-4', 'weight-decay': '1e-3', rebalance: 'on', init: '' },
);
const width = Number(extra.width);
const inputSize = Number(extra['input-size']);
const learningRate = Number(extra.lr);
const weightDecay = Number(extra['weight-decay']);
if (!(weightDecay >= 0)) throw new ConfigError('--weight-decay', 'a number ≥ 0', JSON.stringify(extra['weight-decay']));
const rebalance = choose('rebalance', extra.rebalance, ['on', 'off'] as const);
const threads = await startWasm(common.threads);

const data = await loadExperimentData(common);
console.log(`${data.description}; wasm with ${threads} thread(s)`);
const targetSize = inputSize / 4; // the network predicts at 1/4 of its input (conv8 output)

// Class rebalancing weights (§2.2): one pass over the training set at the logits' resolution.
const weightsPath = join(common.out, 'rebalance-weights.json');
let classWeights: number[] | undefined;
if (rebalance === 'on') {
  try {
    classWeights = JSON.parse(await readFile(weightsPath, 'utf8')) as number[];
    console.log(`rebalancing weights from ${weightsPath}`);
  } catch {
    const started = Date.now();
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
    classWeights = Array.from(prior.weights);
    await mkdir(common.out, { recursive: true });
    await atomicWriteFile(weightsPath, `${JSON.stringify(classWeights)}\n`);
    console.log(
      `prior pass: ${prior.pixels} pixels in ${((Date.now() - started) / 1000).toFixed(1)} s; weights ${Math.min(...classWeights).toFixed(2)}…${Math.max(...classWeights).toFixed(2)}`,
    );
  }
}

const pipelineConfig = {
  inputSize,
  resize: 'shorter-side',
  resizeTo: Math.round(inputSize * 1.125),
  crop: 'random',
  flip: true,
  seed: common.seed,
} as const;
const source = createBatchPipeline(data.train, {
  ...pipelineConfig,
  batchSize: common.batchSize,
  targets: ['bins'],
  targetSize,
});
// Validation at the input size: bins are pooled ×4 by the objective for the loss, ab feeds AuC and PSNR.
const validationBatch = 16;
const validation = createBatchPipeline(data.validation, {
  inputSize,
  resize: 'square',
  crop: 'centre',
  flip: false,
  shuffle: false,
  batchSize: validationBatch,
  targets: ['bins', 'ab'],
  targetSize: inputSize,
});
const sampleBatch = await takeFixedBatch(
  data.validation,
  { inputSize, resize: 'square', targets: ['ab'], targetSize: inputSize },
  8,
);

const model = buildZhangModel({ inputSize, widthMultiplier: width, seed: common.seed });
const store = createRunStore(common.out);
if (extra.init !== '' && (await store.loadLatest()) === undefined) {
  const record = await createFileCheckpointStore({ directory: extra.init }).loadLatest();
  if (record === undefined) throw new Error(`--init: no checkpoint in ${extra.init}`);
  const [name] = Object.keys(record.manifest.models);
  const initial = await loadCheckpointModel(record, name);
  // setWeights checks every shape, so a checkpoint of another width or architecture fails here, loudly.
  model.setWeights(initial.getWeights());
  initial.dispose();
  console.log(`initial weights: model '${name}' of ${extra.init} at step ${record.manifest.step}`);
}
const optimizer: AdamOptimizerConfig = {
  ...(OPTIMIZER_PRESETS.zhang2016 as AdamOptimizerConfig),
  learningRate,
  weightDecay,
};
const trainer = createSupervisedTrainer({
  model,
  objective: createBinsObjective({ classWeights, temperature: 0.38 }),
  optimizer,
  // The paper's drops (×0.3 at 200k and 375k iterations); a laptop run ends long before the first.
  schedule: createStepDecay({ initialRate: learningRate, factor: 0.3, milestones: [200_000, 375_000] }),
  checkpoints: { store, everySteps: common.checkpointEvery },
  monitor: 'auc',
  monitorMode: 'max',
});

await runExperiment({
  name: NAME,
  out: common.out,
  minutes: common.minutes,
  epochs: common.epochs,
  trainer,
  store,
  source,
  validation,
  validationBatches: Math.ceil(common.valImages / validationBatch),
  validateEvery: common.validateEvery,
  samples: { batch: sampleBatch, everySteps: common.sampleEvery },
  progressLosses: ['cross_entropy'],
  config: {
    experiment: NAME,
    data: data.description,
    model: { builder: 'buildZhangModel', inputSize, widthMultiplier: width, parameters: model.countParams() },
    ...(extra.init !== '' ? { init: extra.init } : {}),
    rebalance,
    optimizer,
    batchSize: common.batchSize,
    pipeline: pipelineConfig,
    targetSize,
  },
});
process.exit(0);
