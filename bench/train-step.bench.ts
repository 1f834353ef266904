/**
 * Workload 2 of the performance issue: one training step, ours against the same step in PyTorch
 * (2 threads, OPENBLAS_NUM_THREADS=1). Target: ≤ 2.5× PyTorch.
 *   - Nazeri et al. 2018 GAN, CIFAR-10 tables (`buildNazeriGan({ preset: 'cifar10' })`), batch 32 at
 *     32×32: G forward without gradients, D step (real pairs at label 0.9, generated at 0), G step
 *     (adversarial + 100·L1), Adam lr 2e-4, β1 0.5 — the step of src/train/gan-trainer.ts written
 *     out with `computeGanDiscriminatorLoss` / `computeGanGeneratorLoss`.
 *     Reference: bench/reference/nazeri_gan.py (same networks, same step).
 *   - Zhang et al. 2016 classifier at width 1/4 (`buildZhangModel({ inputSize: 64, widthMultiplier: 0.25 })`,
 *     dilated convs included), batch 16 at 64×64, class-rebalanced multinomial cross-entropy over 313
 *     bins at 16×16 (`computeMultinomialCrossEntropy` with `classWeights`, eq. 2–3), Adam.
 *     Reference: bench/reference/zhang_eccv16.py train.
 *     Its six dilated convs run in `DilatedConv2D`'s default direct form; the case "all kernels, split
 *     dilated convs" switches them to the split form (space-to-batch around a plain conv) on the same
 *     model and weights, interleaved with the others.
 *
 * Cases in every process, interleaved after one warm-up round: pytorch (2 threads, the reference);
 * "pytorch 1 thread" (a loaded machine slows 2 OpenMP threads far more than one); "filter kernel" (wasm with
 * only the library's Conv2DBackpropFilter, without which no conv trains on wasm); "all kernels"
 * (`registerKernels()`: Conv2DBackpropInput by phases as well).
 * Configurations, one process each: wasm 1 thread, wasm 2 threads. The cpu backend is skipped: a step
 * of either net takes over half a minute there, minutes per figure.
 *
 * `npm run bench -- train-step`, some configurations: `node --import tsx bench/train-step.bench.ts --configs=wasm:2`;
 * one workload: `--workloads=zhang` (or `gan`; default both); more measured rounds than 5: `--rounds=15`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  childConfiguration,
  chosenConfigurations,
  formatPeakMemory,
  printReportHeader,
  runConfigurations,
  sendReport,
  startChildBackend,
  type ProfiledChildReport,
} from './child-process.js';
import {
  kernelShares,
  printKernelProfiles,
  printRatios,
  PythonReference,
  timeInterleaved,
  type BenchCase,
  type KernelShare,
  type Timing,
} from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIGURATIONS = ['wasm:1', 'wasm:2'];
const WORKLOADS = ['gan', 'zhang'];

interface TrainStepReport extends ProfiledChildReport {
  gan: Timing[];
  zhang: Timing[];
}

const child = childConfiguration();
if (child) await runChild(child);
else runParent();

function runParent(): void {
  console.log(`train-step ${new Date().toISOString()}`);
  console.log('cpu backend skipped: one step of either net takes over half a minute there.');
  const workloads = `--workloads=${chosenWorkloads().join(',')}`;
  const rounds = process.argv.filter((a) => a.startsWith('--rounds='));
  runConfigurations(import.meta.url, chosenConfigurations(CONFIGURATIONS), printReport, [workloads, ...rounds]);
}

/** `--workloads=zhang` times only that net; default both. */
function chosenWorkloads(): string[] {
  const arg = process.argv.find((a) => a.startsWith('--workloads='));
  return arg ? arg.slice('--workloads='.length).split(',') : WORKLOADS;
}

function printReport(report: TrainStepReport): void {
  printReportHeader(report, formatPeakMemory(report));
  // Without PyTorch (not installed) the ratios are against the first of our cases.
  const reference = (timings: Timing[]): string =>
    timings.some((t) => t.name === 'pytorch') ? 'pytorch' : timings[0].name;
  if (report.gan.length > 0)
    printRatios(`Nazeri GAN step (cifar10, batch 32), ${report.configuration}`, report.gan, reference(report.gan));
  if (report.zhang.length > 0)
    printRatios(
      `Zhang ×1/4 step (16×64×64, rebalanced CE), ${report.configuration}`,
      report.zhang,
      reference(report.zhang),
    );
  printKernelProfiles(report.kernels, { run: 'one step', top: 12, kernelWidth: 28, callsWidth: 4 });
}

async function runChild(configuration: string): Promise<void> {
  const started = await startChildBackend(configuration);
  const { notes } = started;
  const { registerKernels, unregisterKernels } = await import('../src/kernels/index.js');
  const { buildNazeriGan, buildZhangModel, DilatedConv2D } = await import('../src/models/index.js');
  const { computeGanDiscriminatorLoss, computeGanGeneratorLoss, computeMultinomialCrossEntropy } =
    await import('../src/losses/index.js');
  type Kernels = 'filter kernel' | 'all kernels';
  const useKernels = (kernels: Kernels): void => {
    unregisterKernels();
    registerKernels(kernels === 'all kernels' ? {} : { kernels: ['Conv2DBackpropFilter'] });
  };
  const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
  const plan = { warmup: 1, rounds: roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 5 };
  const peakTensorMiB: Record<string, number> = {};
  const kernels: Record<string, KernelShare[]> = {};
  /** Peak tensor memory and per-kernel times of one step of `workload` with every kernel replacement. */
  const profileStep = async (workload: string, step: () => Promise<void>): Promise<void> => {
    useKernels('all kernels');
    const profile = await tf.profile(step);
    peakTensorMiB[workload] = profile.peakBytes / 2 ** 20;
    kernels[`${workload}, all kernels`] = kernelShares(profile);
  };
  const workloads = chosenWorkloads();
  const ours = (kernels: Kernels, step: () => Promise<void>): BenchCase => ({
    name: kernels,
    run: async () => {
      useKernels(kernels);
      await step();
    },
  });

  let gan: Timing[] = [];
  if (workloads.includes('gan')) {
    // Nazeri GAN, CIFAR-10 tables.
    const { generator, discriminator } = buildNazeriGan({ preset: 'cifar10', seed: 1 });
    const lightness = tf.randomUniform([32, 32, 32, 1], -0.5, 0.5, 'float32', 2) as tf.Tensor4D;
    const ab = tf.randomUniform([32, 32, 32, 2], -1, 1, 'float32', 3) as tf.Tensor4D;
    const dOptimizer = tf.train.adam(2e-4, 0.5, 0.999);
    const gOptimizer = tf.train.adam(2e-4, 0.5, 0.999);
    const dWeights = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const gWeights = generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const ganStep = async (): Promise<void> => {
      const fake = tf.tidy(() => generator.apply(lightness, { training: true }) as tf.Tensor4D);
      const dLoss = dOptimizer.minimize(
        () => {
          const realLogits = discriminator.apply([lightness, ab], { training: true }) as tf.Tensor;
          const fakeLogits = discriminator.apply([lightness, fake], { training: true }) as tf.Tensor;
          return computeGanDiscriminatorLoss(realLogits, fakeLogits).total as tf.Scalar;
        },
        true,
        dWeights,
      );
      fake.dispose();
      const gLoss = gOptimizer.minimize(
        () => {
          const generated = generator.apply(lightness, { training: true }) as tf.Tensor4D;
          const fakeLogits = discriminator.apply([lightness, generated], { training: true }) as tf.Tensor;
          return computeGanGeneratorLoss({ fakeLogits, predictedAb: generated, targetAb: ab }).total as tf.Scalar;
        },
        true,
        gWeights,
      );
      await Promise.all([dLoss!.data(), gLoss!.data()]);
      tf.dispose([dLoss!, gLoss!]);
    };
    const ganTorch = await startTorchPair('reference/nazeri_gan.py', ['32'], notes);
    gan = await timeInterleaved(
      [...ganTorch.started, ours('filter kernel', ganStep), ours('all kernels', ganStep)],
      plan,
    );
    ganTorch.stop();
    await profileStep('gan', ganStep);
    generator.dispose();
    discriminator.dispose();
    tf.dispose([lightness, ab]);
    dOptimizer.dispose();
    gOptimizer.dispose();
  }

  let zhang: Timing[] = [];
  if (workloads.includes('zhang')) {
    // Zhang ×1/4, rebalanced cross-entropy over 313 bins.
    const model = buildZhangModel({ inputSize: 64, widthMultiplier: 0.25, seed: 4 });
    const input = tf.randomUniform([16, 64, 64, 1], -0.5, 0.5, 'float32', 5) as tf.Tensor4D;
    const target = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.randomUniform([16, 16, 16], 0, 313, 'int32', 6) as tf.Tensor3D, 313), 'float32'),
    ) as tf.Tensor4D;
    const classWeights = tf.randomUniform([313], 0.5, 1.5, 'float32', 7) as tf.Tensor1D;
    const optimizer = tf.train.adam(3e-5, 0.9, 0.99);
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const zhangStep = async (): Promise<void> => {
      const loss = optimizer.minimize(
        () =>
          computeMultinomialCrossEntropy(model.apply(input, { training: true }) as tf.Tensor4D, target, {
            classWeights,
          }) as tf.Scalar,
        true,
        weights,
      );
      await loss!.data();
      loss!.dispose();
    };
    const zhangTorch = await startTorchPair('reference/zhang_eccv16.py', ['train', '64', '0.25', '16'], notes);
    const dilated = model.layers.filter((l): l is InstanceType<typeof DilatedConv2D> => l instanceof DilatedConv2D);
    const withDilated = (implementation: 'direct' | 'split', c: BenchCase): BenchCase => ({
      name: c.name,
      run: async () => {
        for (const layer of dilated) layer.implementation = implementation;
        await c.run();
      },
    });
    const splitCase = { ...ours('all kernels', zhangStep), name: 'all kernels, split dilated convs' };
    zhang = await timeInterleaved(
      [
        ...zhangTorch.started,
        withDilated('direct', ours('filter kernel', zhangStep)),
        withDilated('split', splitCase),
        withDilated('direct', ours('all kernels', zhangStep)),
      ],
      plan,
    );
    for (const layer of dilated) layer.implementation = 'direct';
    zhangTorch.stop();
    await profileStep('zhang', zhangStep);
    model.dispose();
    tf.dispose([input, target, classWeights]);
    optimizer.dispose();
  }

  sendReport<TrainStepReport>(started, { gan, zhang, peakTensorMiB, kernels });
}

/**
 * PyTorch running `script` on 2 threads and on 1 (a loaded machine slows 2 threads far more), started;
 * one that fails to start (e.g. no torch installed) is left out with a note.
 */
async function startTorchPair(
  script: string,
  args: string[],
  notes: string[],
): Promise<{ started: PythonReference[]; stop(): void }> {
  const references = [
    new PythonReference('pytorch', join(here, script), args),
    new PythonReference('pytorch 1 thread', join(here, script), args, { TORCH_THREADS: '1', OMP_NUM_THREADS: '1' }),
  ];
  const started = await Promise.all(
    references.map((r) =>
      r.start().then(
        () => true,
        (e: Error) => {
          notes.push(`reference '${r.name}' left out: ${e.message}`);
          return false;
        },
      ),
    ),
  );
  return { started: references.filter((_, i) => started[i]), stop: () => references.forEach((r) => r.stop()) };
}
