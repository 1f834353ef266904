/**
 * Nazeri, Ng, Ebrahimi 2018, "Image Colorization Using Generative Adversarial Networks" (AMDO), the CIFAR-10
 * experiment at laptop scale: the conditional GAN (U-Net generator with the CIFAR-10 table's layers, PatchGAN
 * discriminator on (L, ab) pairs) on 32 × 32 images, generator loss = non-saturating adversarial term
 * + λ = 100 × L1 (or L2) reconstruction, discriminator with one-sided label smoothing (real target 0.9).
 * Data: CIFAR-10 with `--cifar <dir>`, otherwise the `photos64` photos downscaled to 32 × 32.
 *
 *   node --import tsx examples/experiments/nazeri-gan.ts --data ../shared/data [--cifar <dir>] [--minutes 30] [--out runs/nazeri-gan]
 *     [--reconstruction l1|l2] [--label-smoothing 0.9|1] [--width 0.25] [--lr 2e-4] [--dropout on|off]   (+ the flags of experiment-args.ts)
 *
 * The collapse guard is on (D-loss floor, tanh saturation, and a fall of validation PSNR by more than
 * 2 dB from its best restore the last good snapshot at half the rates); both learning rates are halved
 * when validation PSNR stops improving for 5 validations (reduce-on-plateau).
 */
import {
  buildNazeriGan,
  createBatchPipeline,
  createGanTrainer,
  createReduceOnPlateau,
  NAZERI_PRESET_TABLES,
  type OptimizerConfig,
} from 'tfjs-colorization';
import { choose, parseExperimentArgs } from './experiment-args.js';
import { loadExperimentData } from './experiment-data.js';
import { createRunStore, runExperiment, startWasm, takeFixedBatch } from './experiment-run.js';

const NAME = 'nazeri-gan';
const { common, extra } = parseExperimentArgs(
  NAME,
  { epochs: 200, batchSize: 32, validateEvery: 200, sampleEvery: 100 },
  { reconstruction: 'l1', 'label-smoothing': '0.9', width: '0.25', lr: '2e-4', dropout: 'off' },
);
const reconstruction = choose('reconstruction', extra.reconstruction, ['l1', 'l2'] as const);
const realLabel = Number(choose('label-smoothing', extra['label-smoothing'], ['0.9', '1'] as const));
const dropout = choose('dropout', extra.dropout, ['on', 'off'] as const) === 'on';
const width = Number(extra.width);
const learningRate = Number(extra.lr);
const threads = await startWasm(common.threads);

const data = await loadExperimentData(common);
console.log(`${data.description}; wasm with ${threads} thread(s)`);

const inputSize = 32;
const geometry =
  common.cifar !== undefined ? ({ resize: 'none' } as const) : ({ resize: 'square', resizeTo: inputSize } as const);
const pipelineConfig = { inputSize, ...geometry, crop: 'random', flip: true, seed: common.seed } as const;
const validationConfig = { inputSize, ...geometry, crop: 'centre', flip: false, shuffle: false } as const;
const validationBatch = 32;

const table = NAZERI_PRESET_TABLES.cifar10;
const scale = (channels: readonly number[]) => channels.map((c) => Math.max(1, Math.round(c * width)));
const networks = {
  encoderChannels: scale(table.encoderChannels),
  decoderChannels: scale(table.decoderChannels),
  // The table's decoder dropout is unseeded in tfjs, so a resumed run would not repeat its losses exactly; off by default.
  dropoutBlocks: dropout ? table.dropoutBlocks : 0,
  discriminatorChannels: scale(table.discriminatorChannels),
};
const { generator, discriminator } = buildNazeriGan({
  preset: 'cifar10',
  inputSize,
  generator: {
    encoderChannels: networks.encoderChannels,
    decoderChannels: networks.decoderChannels,
    dropoutBlocks: networks.dropoutBlocks,
  },
  discriminator: { channels: networks.discriminatorChannels },
  seed: common.seed,
});
const optimizer: OptimizerConfig = { kind: 'adam', learningRate, beta1: 0.5, beta2: 0.999 };
const plateau = () =>
  createReduceOnPlateau({
    initialRate: learningRate,
    mode: 'max',
    factor: 0.5,
    patience: 5,
    threshold: 0.05,
    thresholdMode: 'abs',
    minRate: 1e-6,
  });
const store = createRunStore(common.out);
const trainer = createGanTrainer({
  generator,
  discriminator,
  generatorOptimizer: optimizer,
  discriminatorOptimizer: optimizer,
  lambda: 100,
  reconstruction,
  realLabel,
  schedules: { generator: plateau(), discriminator: plateau() },
  monitor: 'psnr',
  monitorMode: 'max',
  collapseGuard: { patience: 20, metric: { name: 'psnr', mode: 'max', margin: 2 } },
  checkpoints: { store, everySteps: common.checkpointEvery },
});

await runExperiment({
  name: `${NAME} (${reconstruction}, real label ${realLabel})`,
  out: common.out,
  minutes: common.minutes,
  epochs: common.epochs,
  trainer,
  store,
  source: createBatchPipeline(data.train, { ...pipelineConfig, batchSize: common.batchSize, targets: ['ab'] }),
  validation: createBatchPipeline(data.validation, {
    ...validationConfig,
    batchSize: validationBatch,
    targets: ['ab'],
  }),
  validationBatches: Math.ceil(common.valImages / validationBatch),
  validateEvery: common.validateEvery,
  samples: {
    batch: await takeFixedBatch(data.validation, { ...validationConfig, targets: ['ab'] }, 8),
    everySteps: common.sampleEvery,
  },
  progressLosses: ['d_loss', 'g_adversarial', 'g_reconstruction'],
  config: {
    experiment: NAME,
    data: data.description,
    networks: {
      ...networks,
      generatorParameters: generator.countParams(),
      discriminatorParameters: discriminator.countParams(),
    },
    lambda: 100,
    reconstruction,
    realLabel,
    optimizer,
    batchSize: common.batchSize,
    pipeline: pipelineConfig,
  },
});
process.exit(0);
