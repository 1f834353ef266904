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
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { machineInfo, ms, printRatios, PythonReference, timeInterleaved, type BenchCase, type Timing } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIGURATIONS = ['wasm:1', 'wasm:2', 'cpu:1'];
const SIZE = 256;

interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
}
interface ChildReport {
  configuration: string;
  machine: Record<string, string | number>;
  loadBefore: number[];
  loadAfter: number[];
  zhang: Timing[];
  resnet: Timing[];
  peakRssMiB: number;
  peakTensorMiB: Record<string, number>;
  kernels: Record<string, KernelShare[]>;
  notes: string[];
}

const childArg = process.argv.find((a) => a.startsWith('--child='));
if (childArg) await runChild(childArg.slice('--child='.length));
else runParent();

function runParent(): void {
  const date = new Date().toISOString();
  console.log(`zhang-inference ${date}`);
  for (const configuration of chosenConfigurations()) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--child=${configuration}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    if (!line) {
      console.error(`${configuration} failed (exit ${r.status})\n${r.stdout.slice(-2000)}`);
      continue;
    }
    printReport(JSON.parse(line.slice(7)) as ChildReport);
  }
}

/** `--configs=wasm:1,wasm:2` runs only those configurations; default all. */
function chosenConfigurations(): string[] {
  const arg = process.argv.find((a) => a.startsWith('--configs='));
  return arg ? arg.slice('--configs='.length).split(',') : CONFIGURATIONS;
}

function printReport(report: ChildReport): void {
  console.log(`\n### ${report.configuration}\n`);
  console.log(JSON.stringify(report.machine));
  console.log(`load average before ${report.loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${report.loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`peak RSS (node) ${report.peakRssMiB.toFixed(0)} MiB; peak tensor memory ${Object.entries(report.peakTensorMiB).map(([k, v]) => `${k} ${v.toFixed(0)} MiB`).join(', ')}`);
  for (const note of report.notes) console.log(`note: ${note}`);
  printRatios(`Zhang ECCV16 inference 1×${SIZE}×${SIZE}, ${report.configuration}`, report.zhang, 'pytorch');
  if (report.resnet.length) printRatios(`ResNet-18 inference 1×224×224×3, ${report.configuration}`, report.resnet, 'original');
  for (const [name, shares] of Object.entries(report.kernels)) {
    const total = shares.reduce((s, k) => s + k.ms, 0);
    console.log(`kernel profile (${name}, one pass, sum ${ms(total)}):`);
    for (const k of shares.slice(0, 10)) console.log(`  ${k.kernel.padEnd(24)} ${String(k.calls).padStart(3)} calls ${ms(k.ms).padStart(9)} ${((100 * k.ms) / total).toFixed(1).padStart(5)} %`);
  }
}

async function runChild(configuration: string): Promise<void> {
  const [backend, threadText] = configuration.split(':');
  const threads = Number(threadText);
  const loadBefore = loadavg();
  const notes: string[] = [];
  // tfjs-layers must load before the library's model builders; the library never imports a backend.
  await import('@tensorflow/tfjs-layers');
  const { registerKernels, unregisterKernels } = await import('../src/kernels/index.js');
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const { useWasmThreads } = await import('../src/node/wasm-threads.js');
    const result = await useWasmThreads({ threads, onWarning: (m) => notes.push(m) });
    if (result.threads !== threads) notes.push(`asked for ${threads} wasm threads, got ${result.threads}`);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
  }
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
  const torchOne = new PythonReference('pytorch 1 thread', join(here, 'reference/zhang_eccv16.py'), ['infer', String(SIZE), '1'], { TORCH_THREADS: '1', OMP_NUM_THREADS: '1' });
  await Promise.all([torch.start(), torchOne.start()]);
  const zhangCases: BenchCase[] = [torch, torchOne, ours('stock', false, zhang, lightness)];
  if (isWasm) zhangCases.push(ours('kernels', true, zhang, lightness), ours('kernels + folded', true, zhangFolded, lightness));
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
    for (const [name, on, model] of [['stock', false, zhang], ['kernels + folded', true, zhangFolded]] as const) {
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
    for (const [name, model] of [['resnet original', resnet], ['resnet folded', resnetFolded]] as const) {
      const info = await tf.profile(predict(model, image));
      peakTensorMiB[name] = info.peakBytes / 2 ** 20;
      kernels[name] = kernelShares(info);
    }
  }
  resnet.dispose();
  resnetFolded.dispose();
  image.dispose();

  const report: ChildReport = {
    configuration: isWasm ? `wasm ${threads} thread${threads > 1 ? 's' : ''}` : 'cpu',
    machine: machineInfo(),
    loadBefore,
    loadAfter: loadavg(),
    zhang: zhangTimings,
    resnet: resnetTimings,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakTensorMiB,
    kernels,
    notes,
  };
  console.log('REPORT ' + JSON.stringify(report));
  process.exit(0);
}

/** Time per kernel name of one profiled pass, largest first. */
function kernelShares(info: Awaited<ReturnType<typeof tf.profile>>): KernelShare[] {
  const byName = new Map<string, KernelShare>();
  // Entries named `<op>__op` are op scopes around the kernels (their time is counted again inside).
  for (const k of info.kernels.filter((kernel) => !kernel.name.endsWith('__op'))) {
    const entry = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}
