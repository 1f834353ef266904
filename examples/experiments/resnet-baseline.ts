/**
 * The classifier-features baseline: a ResNet-18 (He et al. 2016, Table 1, with the small-image stem) is
 * first pre-trained to classify lightness images by the 200 Tiny ImageNet classes of `photos64` (or the
 * CIFAR-10 labels with `--cifar`); then a six-convolution colorization head on its stage-2 features is
 * trained, once with MSE on ab (`--loss mse`) and once with softmax cross-entropy over Zhang's 313 ab bins
 * (`--loss ce`, Zhang et al. 2016 eq. 2 without rebalancing), decoded by the annealed mean (T = 0.38).
 *
 *   node --import tsx examples/experiments/resnet-baseline.ts --stage pretrain --data ../shared/data [--minutes 30] [--out runs/resnet-baseline]
 *   node --import tsx examples/experiments/resnet-baseline.ts --stage head --loss mse [--minutes 30]
 *   node --import tsx examples/experiments/resnet-baseline.ts --stage head --loss ce  [--minutes 30]
 *     [--width 0.25] [--input-size 32|64] [--freeze on|off] [--lr <rate>]   (+ the flags of experiment-args.ts)
 *
 * Folders: `<out>/pretrain`, `<out>/head-mse`, `<out>/head-ce`. The head stage starts from the pre-training
 * checkpoint with the best validation accuracy (the newest when none was validated) and, by default, keeps
 * the trunk frozen (its BatchNorm layers then use their moving statistics).
 */
import { join } from 'node:path';
import {
  buildBaselineModel,
  buildResNet18,
  createBatchPipeline,
  createBinsObjective,
  createLabelsObjective,
  createReduceOnPlateau,
  createRegressionObjective,
  createSupervisedTrainer,
  restoreCheckpoint,
  type OptimizerConfig,
} from 'tfjs-colorization';
import { choose, parseExperimentArgs } from './experiment-args.js';
import { loadExperimentData } from './experiment-data.js';
import { createRunStore, runExperiment, startWasm, takeFixedBatch } from './experiment-run.js';

const NAME = 'resnet-baseline';
const { common, extra } = parseExperimentArgs(
  NAME,
  { epochs: 30, batchSize: 32, validateEvery: 200, sampleEvery: 100 },
  { stage: 'pretrain', loss: 'mse', width: '0.25', 'input-size': '32', freeze: 'on', lr: '' },
);
const stage = choose('stage', extra.stage, ['pretrain', 'head'] as const);
const loss = choose('loss', extra.loss, ['mse', 'ce'] as const);
const freeze = choose('freeze', extra.freeze, ['on', 'off'] as const) === 'on';
const width = Number(extra.width);
const inputSize = Number(choose('input-size', extra['input-size'], ['32', '64'] as const));
const threads = await startWasm(common.threads);

const data = await loadExperimentData(common);
console.log(`${data.description}; wasm with ${threads} thread(s)`);

const geometry =
  common.cifar !== undefined || inputSize === data.side
    ? ({ resize: 'none' } as const)
    : ({ resize: 'square', resizeTo: inputSize } as const);
const pipelineConfig = { inputSize, ...geometry, crop: 'random', flip: true, seed: common.seed } as const;
const validationConfig = { inputSize, ...geometry, crop: 'centre', flip: false, shuffle: false } as const;
const validationBatch = 32;
const backboneConfig = {
  inputChannels: 1,
  inputSize,
  classes: data.classNames.length,
  stem: 'small',
  widthMultiplier: width,
  seed: common.seed,
} as const;
const pretrainDir = join(common.out, 'pretrain');

if (stage === 'pretrain') {
  // SGD with momentum and weight decay, as He et al. 2016 §3.4; the rate drops ×0.1 when validation accuracy stalls.
  const learningRate = extra.lr === '' ? 0.1 : Number(extra.lr);
  const optimizer: OptimizerConfig = { kind: 'sgd', learningRate, momentum: 0.9, weightDecay: 1e-4 };
  const model = buildResNet18(backboneConfig);
  const store = createRunStore(pretrainDir);
  const trainer = createSupervisedTrainer({
    model,
    objective: createLabelsObjective(),
    optimizer,
    schedule: createReduceOnPlateau({ initialRate: learningRate, mode: 'max', factor: 0.1, patience: 5 }),
    monitor: 'accuracy',
    monitorMode: 'max',
    checkpoints: { store, everySteps: common.checkpointEvery },
  });
  await runExperiment({
    name: `${NAME} (pretrain)`,
    out: pretrainDir,
    minutes: common.minutes,
    epochs: common.epochs,
    trainer,
    store,
    source: createBatchPipeline(data.train, { ...pipelineConfig, batchSize: common.batchSize, targets: ['labels'] }),
    validation: createBatchPipeline(data.validation, {
      ...validationConfig,
      batchSize: validationBatch,
      targets: ['labels'],
    }),
    validationBatches: Math.ceil(common.valImages / validationBatch),
    validateEvery: common.validateEvery,
    progressLosses: ['cross_entropy'],
    config: {
      experiment: NAME,
      stage,
      data: data.description,
      backbone: { ...backboneConfig, parameters: model.countParams() },
      optimizer,
      batchSize: common.batchSize,
      pipeline: pipelineConfig,
    },
  });
} else {
  const pretrained = createRunStore(pretrainDir);
  const record = (await pretrained.loadBest()) ?? (await pretrained.loadLatest());
  if (record === undefined) throw new Error(`no pre-training checkpoint in ${pretrainDir}: run --stage pretrain first`);
  const backbone = buildResNet18(backboneConfig);
  await restoreCheckpoint(record, { models: { model: backbone } });
  console.log(
    `trunk from pre-training step ${record.manifest.step} (${record.manifest.metric ? `${record.manifest.metric.name} ${record.manifest.metric.value.toFixed(4)}` : 'not validated'})`,
  );

  // The head is scaled with the trunk: at full width its 128-channel convs run at the input resolution and made a
  // step 3–4× slower than a pre-training step (measured 12 s against 3–4 s at 32 px).
  const model = buildBaselineModel({
    backbone,
    output: loss === 'mse' ? 'ab' : 'bins',
    freezeBackbone: freeze,
    widthMultiplier: width,
    seed: common.seed + 100,
  });
  backbone.dispose();
  const learningRate = extra.lr === '' ? 1e-3 : Number(extra.lr);
  const optimizer: OptimizerConfig = { kind: 'adam', learningRate, beta1: 0.9, beta2: 0.999 };
  const out = join(common.out, `head-${loss}`);
  const store = createRunStore(out);
  const targets = loss === 'mse' ? (['ab'] as const) : (['bins', 'ab'] as const);
  const trainer = createSupervisedTrainer({
    model,
    objective: loss === 'mse' ? createRegressionObjective({ loss: 'mse' }) : createBinsObjective({ temperature: 0.38 }),
    optimizer,
    monitor: 'auc',
    monitorMode: 'max',
    checkpoints: { store, everySteps: common.checkpointEvery },
  });
  await runExperiment({
    name: `${NAME} (head, ${loss})`,
    out,
    minutes: common.minutes,
    epochs: common.epochs,
    trainer,
    store,
    source: createBatchPipeline(data.train, {
      ...pipelineConfig,
      batchSize: common.batchSize,
      targets: loss === 'mse' ? ['ab'] : ['bins'],
    }),
    validation: createBatchPipeline(data.validation, {
      ...validationConfig,
      batchSize: validationBatch,
      targets: [...targets],
    }),
    validationBatches: Math.ceil(common.valImages / validationBatch),
    validateEvery: common.validateEvery,
    samples: {
      batch: await takeFixedBatch(data.validation, { ...validationConfig, targets: ['ab'] }, 8),
      everySteps: common.sampleEvery,
    },
    progressLosses: [loss === 'mse' ? 'regression' : 'cross_entropy'],
    config: {
      experiment: NAME,
      stage,
      loss,
      data: data.description,
      trunk: { ...backboneConfig, fromStep: record.manifest.step ?? 0, frozen: freeze },
      model: {
        builder: 'buildBaselineModel',
        output: loss === 'mse' ? 'ab' : 'bins',
        headWidthMultiplier: width,
        parameters: model.countParams(),
      },
      optimizer,
      batchSize: common.batchSize,
      pipeline: pipelineConfig,
    },
  });
}
process.exit(0);
