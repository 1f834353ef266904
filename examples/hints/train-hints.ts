/**
 * Train a small hint-capable colorization network with simulated user points (Zhang et al. 2017, "Real-Time
 * User-Guided Image Colorization with Learned Deep Priors", §3): every batch gets points drawn from its own
 * ground truth (`simulateHints`: a geometric number of points, each the mean ab of a small patch), the network
 * sees `[lightness, hint_ab, hint_mask]` and learns with the paper's smooth-L1 loss (`createHintObjective`).
 * The result is a model folder that `createColorizer` (and the command line) colorizes with or without points.
 *
 *   npx tsx examples/hints/train-hints.ts --data ../shared/data/photos/train --size 64 --steps 2000 --out out/hint-model
 *
 * Flags: --data (a folder of colour photos, required), --size (training crop, px), --batch, --steps, --lr, --seed,
 * --threads (wasm threads, default 2), --out (model folder). Only the package's public entries are used.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  createBatchPipeline,
  createHintObjective,
  createImageFolderSource,
  createSupervisedTrainer,
  registerKernels,
  saveModelFiles,
  useWasmThreads,
} from 'tfjs-colorization/node';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    size: { type: 'string', default: '64' },
    batch: { type: 'string', default: '16' },
    steps: { type: 'string', default: '2000' },
    lr: { type: 'string', default: '1e-3' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: 'out/hint-model' },
  },
});
if (args.data === undefined) throw new ConfigError('--data', 'a folder of colour photos', 'nothing');
const size = Number(args.size),
  batchSize = Number(args.batch),
  steps = Number(args.steps),
  seed = Number(args.seed);

/**
 * A compact U-Net in the spirit of the paper's network: the three inputs joined, two stride-2 stages down,
 * two up with skip connections (which carry the points' colours back at full resolution), ab through tanh.
 */
function buildHintNetwork(side: number, width = 16): tfl.LayersModel {
  const lightness = tfl.input({ shape: [side, side, 1], name: 'lightness' });
  const hintAb = tfl.input({ shape: [side, side, 2], name: 'hint_ab' });
  const hintMask = tfl.input({ shape: [side, side, 1], name: 'hint_mask' });
  const conv = (x: tfl.SymbolicTensor, filters: number, strides = 1): tfl.SymbolicTensor =>
    tfl.layers
      .conv2d({ filters, kernelSize: 3, strides, padding: 'same', activation: 'relu' })
      .apply(x) as tfl.SymbolicTensor;
  const up = (x: tfl.SymbolicTensor): tfl.SymbolicTensor =>
    tfl.layers.upSampling2d({ size: [2, 2] }).apply(x) as tfl.SymbolicTensor;
  const join = (a: tfl.SymbolicTensor, b: tfl.SymbolicTensor): tfl.SymbolicTensor =>
    tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
  const joined = join(join(lightness, hintAb), hintMask);
  const full = conv(conv(joined, width), width);
  const half = conv(conv(full, 2 * width, 2), 2 * width);
  const quarter = conv(conv(conv(half, 4 * width, 2), 4 * width), 4 * width);
  const halfUp = conv(join(up(quarter), half), 2 * width);
  const fullUp = conv(join(up(halfUp), full), width);
  const ab = tfl.layers
    .conv2d({ filters: 2, kernelSize: 1, activation: 'tanh', name: 'ab' })
    .apply(fullUp) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [lightness, hintAb, hintMask], outputs: ab, name: 'hint_unet' });
}

await useWasmThreads({ threads: Number(args.threads) });
registerKernels({ backend: 'wasm' }); // the wasm backend's missing training kernels
const photos = await createImageFolderSource(args.data, { onError: (e) => console.warn(e.message) });
const pipeline = createBatchPipeline(photos, { inputSize: size, batchSize, seed, targets: ['ab'] });
const model = buildHintNetwork(size);
const trainer = createSupervisedTrainer({
  model,
  objective: createHintObjective({ seed }),
  optimizer: { kind: 'adam', learningRate: Number(args.lr), beta1: 0.9, beta2: 0.99 },
  callbacks: [
    {
      onBatchEnd: ({ step, losses }) => {
        if (step % 50 === 0) console.log(`step ${step}  loss ${losses.loss.toFixed(5)}`);
      },
    },
  ],
});
const epochs = Math.ceil(steps / Math.max(1, Math.floor(photos.size / batchSize)));
await trainer.fit({ source: pipeline, epochs, stepsPerEpoch: Math.min(steps, Math.floor(photos.size / batchSize)) });
await saveModelFiles(model, args.out);
console.log(`saved ${args.out} after ${trainer.loop.step} steps`);
trainer.dispose();
