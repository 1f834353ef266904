/**
 * Iizuka, Simo-Serra, Ishikawa 2016, "Let there be Color!" (SIGGRAPH), at CIFAR scale: the joint network
 * (low-level, mid-level, global and colorization nets with the fusion layer, §3.1–3.3) trained with the
 * colour MSE on sigmoid-encoded ab plus α = 1/300 times the cross-entropy of the global features' class
 * prediction (§3.5, eq. 2), ADADELTA. The classes are the CIFAR-10 labels (`--cifar <dir>`), or by default
 * the 200 Tiny ImageNet classes of `photos64` downscaled to 32 × 32 — a CIFAR-sized stand-in, because
 * CIFAR-10 could not be obtained here.
 *
 *   node --import tsx examples/experiments/iizuka-joint.ts --data ../shared/data [--cifar <dir>] [--minutes 30] [--out runs/iizuka-joint]
 *     [--width 0.25] [--input-size 32] [--alpha 0.00333]   (+ the flags of experiment-args.ts)
 */
import {
  buildIizukaModel,
  createBatchPipeline,
  createJointObjective,
  createSupervisedTrainer,
  IIZUKA_CLASSIFICATION_WEIGHT,
} from 'tfjs-colorization';
import { parseExperimentArgs } from './experiment-args.js';
import { loadExperimentData } from './experiment-data.js';
import { createRunStore, runExperiment, startWasm, takeFixedBatch } from './experiment-run.js';

const NAME = 'iizuka-joint';
const { common, extra } = parseExperimentArgs(
  NAME,
  { epochs: 30, batchSize: 32, validateEvery: 200, sampleEvery: 100 },
  { width: '0.25', 'input-size': '32', alpha: String(IIZUKA_CLASSIFICATION_WEIGHT) },
);
const width = Number(extra.width);
const inputSize = Number(extra['input-size']);
const alpha = Number(extra.alpha);
const threads = await startWasm(common.threads);

const data = await loadExperimentData(common);
console.log(`${data.description}; wasm with ${threads} thread(s)`);

// The whole image is both the global input (the paper rescales to 224 × 224) and the local one; at 32 px they coincide.
const geometry =
  common.cifar !== undefined ? ({ resize: 'none' } as const) : ({ resize: 'square', resizeTo: inputSize } as const);
const pipelineConfig = { inputSize, ...geometry, crop: 'random', flip: true, seed: common.seed } as const;
const source = createBatchPipeline(data.train, {
  ...pipelineConfig,
  batchSize: common.batchSize,
  targets: ['ab', 'labels'],
});
const validationBatch = 32;
const validationConfig = { inputSize, ...geometry, crop: 'centre', flip: false, shuffle: false } as const;
const validation = createBatchPipeline(data.validation, {
  ...validationConfig,
  batchSize: validationBatch,
  targets: ['ab', 'labels'],
});
const sampleBatch = await takeFixedBatch(data.validation, { ...validationConfig, targets: ['ab'] }, 8);

const model = buildIizukaModel({
  globalInputSize: inputSize,
  localInputSize: inputSize,
  widthMultiplier: width,
  numClasses: data.classNames.length,
  seed: common.seed,
});
const store = createRunStore(common.out);
const trainer = createSupervisedTrainer({
  model,
  objective: createJointObjective({ alpha, globalInputSize: inputSize, outputRange: 'unit' }),
  optimizer: 'iizuka2016',
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
  progressLosses: ['loss', 'color', 'classification'],
  config: {
    experiment: NAME,
    data: data.description,
    classes: data.classNames.length,
    model: { builder: 'buildIizukaModel', inputSize, widthMultiplier: width, parameters: model.countParams() },
    objective: { alpha, outputRange: 'unit' },
    optimizer: 'iizuka2016',
    batchSize: common.batchSize,
    pipeline: pipelineConfig,
  },
});
process.exit(0);
