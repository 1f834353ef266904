/**
 * Workload 1 of the performance issue: Zhang et al. 2016 ECCV16 (`buildZhangModel`, full width,
 * 32.2 M parameters) inference at 256×256, batch 1, against PyTorch running the same network
 * (bench/reference/zhang_eccv16.py, 2 threads, OPENBLAS_NUM_THREADS=1). Target: ≤ 2× PyTorch.
 *
 * Cases in every process, interleaved round by round after one warm-up round:
 *   - pytorch: the reference; "pytorch 1 thread" as well, since a loaded machine slows 2 OpenMP threads
 *     far more than one (they wait for each other at every op);
 *   - stock: tfjs-layers `predict` with the backend's own kernels;
 *   - kernels: the same after `registerKernels()` (wasm only: Conv2DBackpropInput by phases for conv8's
 *     transposed conv);
 *   - kernels + folded: `foldBatchNorm(model)` as well (it keeps Zhang's seven post-ReLU BatchNorms but makes the six dilated convs one kernel each,
 *     see src/models/fold-batch-norm.ts).
 * A second, smaller table measures `foldBatchNorm` where it does fold: ResNet-18 (He et al. 2016,
 * 20 BatchNorms, 9 ReLUs moved into fused convs) at 224×224, batch 1, original vs folded.
 *
 * Each configuration is its own process (wasm's thread count is fixed when wasm starts):
 * wasm 1 thread, wasm 2 threads (`useWasmThreads`), cpu (one unwarmed round: ~80 s a pass).
 * Per configuration it prints medians, min–max, ratios, load average before/after, peak RSS of this
 * process (the Python process prints its own on exit), peak tensor bytes (`tf.profile`) and, on wasm,
 * the time per kernel name of one profiled pass.
 *
 * `npm run bench -- zhang-inference` (all configurations), some of them:
 * `node --import tsx bench/zhang-inference.bench.ts --configs=wasm:1,wasm:2`, one without the summary:
 * `node --import tsx bench/zhang-inference.bench.ts --child=wasm:2`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
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
const CONFIGURATIONS = ['wasm:1', 'wasm:2', 'cpu:1'];
const SIZE = 256;

interface ZhangInferenceReport extends ProfiledChildReport {
  zhang: Timing[];
  resnet: Timing[];
}

const child = childConfiguration();
if (child) await runChild(child);
else runParent();

function runParent(): void {
  const date = new Date().toISOString();
  console.log(`zhang-inference ${date}`);
  runConfigurations(import.meta.url, chosenConfigurations(CONFIGURATIONS), printReport);
}

function printReport(report: ZhangInferenceReport): void {
  printReportHeader(report, formatPeakMemory(report));
  printRatios(`Zhang ECCV16 inference 1×${SIZE}×${SIZE}, ${report.configuration}`, report.zhang, 'pytorch');
  if (report.resnet.length)
    printRatios(`ResNet-18 inference 1×224×224×3, ${report.configuration}`, report.resnet, 'original');
  printKernelProfiles(report.kernels, { run: 'one pass', top: 10, kernelWidth: 24, callsWidth: 3 });
}

async function runChild(configuration: string): Promise<void> {
  const started = await startChildBackend(configuration);
  const { backend, notes } = started;
  const { registerKernels, unregisterKernels } = await import('../src/kernels/index.js');
  const { buildZhangModel, buildResNet18, foldBatchNorm } = await import('../src/models/index.js');
  const isWasm = backend === 'wasm';
  const useKernels = (on: boolean): void => {
    if (!isWasm) return;
    if (on) registerKernels();
    else unregisterKernels();
  };

  const zhang = buildZhangModel({ inputSize: SIZE, seed: 1 });
  const zhangFolded = foldBatchNorm(zhang);
  const lightness = tf.randomUniform([1, SIZE, SIZE, 1], -0.5, 0.5, 'float32', 2);
  const predict = (model: tfl.LayersModel, input: tf.Tensor) => async (): Promise<void> => {
    const out = model.predict(input) as tf.Tensor;
    await out.data();
    out.dispose();
  };
  const ours = (name: string, kernels: boolean, model: tfl.LayersModel, input: tf.Tensor): BenchCase => {
    const run = predict(model, input);
    return {
      name,
      run: async () => {
        useKernels(kernels);
        await run();
      },
    };
  };

  const torch = new PythonReference('pytorch', join(here, 'reference/zhang_eccv16.py'), ['infer', String(SIZE), '1']);
  const torchOne = new PythonReference(
    'pytorch 1 thread',
    join(here, 'reference/zhang_eccv16.py'),
    ['infer', String(SIZE), '1'],
    { TORCH_THREADS: '1', OMP_NUM_THREADS: '1' },
  );
  await Promise.all([torch.start(), torchOne.start()]);
  const zhangCases: BenchCase[] = [torch, torchOne, ours('stock', false, zhang, lightness)];
  if (isWasm)
    zhangCases.push(ours('kernels', true, zhang, lightness), ours('kernels + folded', true, zhangFolded, lightness));
  else zhangCases.push(ours('folded', false, zhangFolded, lightness));
  // cpu: one pass takes over a minute; one unwarmed round is its figure.
  const plan = isWasm ? { warmup: 1, rounds: 5 } : { warmup: 0, rounds: 1 };
  if (!isWasm) notes.push('cpu: 1 round without warm-up (a pass takes over a minute)');
  const zhangTimings = await timeInterleaved(zhangCases, plan);
  torch.stop();
  torchOne.stop();

  const peakTensorMiB: Record<string, number> = {};
  const kernels: Record<string, KernelShare[]> = {};
  if (isWasm) {
    for (const [name, on, model] of [
      ['stock', false, zhang],
      ['kernels + folded', true, zhangFolded],
    ] as const) {
      useKernels(on);
      const info = await tf.profile(predict(model, lightness));
      peakTensorMiB[`zhang ${name}`] = info.peakBytes / 2 ** 20;
      kernels[`zhang ${name}`] = kernelShares(info);
    }
  } else {
    peakTensorMiB['zhang (tensors held after runs)'] = tf.memory().numBytes / 2 ** 20;
    notes.push('cpu: no per-kernel profile (another minute-long pass)');
  }
  zhangFolded.dispose();
  zhang.dispose();
  lightness.dispose();

  useKernels(true);
  const resnet = buildResNet18({ seed: 3 });
  const resnetFolded = foldBatchNorm(resnet);
  const image = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 4);
  const resnetTimings = await timeInterleaved(
    [ours('original', isWasm, resnet, image), ours('folded', isWasm, resnetFolded, image)],
    isWasm ? { warmup: 1, rounds: 9 } : { warmup: 1, rounds: 3 },
  );
  if (isWasm) {
    for (const [name, model] of [
      ['resnet original', resnet],
      ['resnet folded', resnetFolded],
    ] as const) {
      const info = await tf.profile(predict(model, image));
      peakTensorMiB[name] = info.peakBytes / 2 ** 20;
      kernels[name] = kernelShares(info);
    }
  }
  resnet.dispose();
  resnetFolded.dispose();
  image.dispose();

  sendReport<ZhangInferenceReport>(started, { zhang: zhangTimings, resnet: resnetTimings, peakTensorMiB, kernels });
}
