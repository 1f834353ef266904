/**
 * The authors' published colorizers at full width, 256 × 256, batch 1, on wasm: the library's models
 * (`buildZhangModel`, `buildSiggraph17Model`, as `createColorizer` runs them: BatchNorm folded, the
 * library's wasm kernels) against PyTorch running the same networks (bench/reference/published_models.py,
 * 2 threads and 1) and onnxruntime-web (npm `onnxruntime-web`, its own wasm build, in Node) running
 * their ONNX export, written by the same Python process at the start of the run. Random weights: only
 * the time matters, and it does not depend on the values.
 *
 * Timed: ECCV16's logits (what the model computes; the decoding is the colorizer's) and SIGGRAPH17's two
 * outputs. Cases interleaved round by round after one warm-up round.
 *
 * `node --import tsx bench/published-models.bench.ts [--configs=wasm:2,wasm:1]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  childConfiguration,
  chosenConfigurations,
  printReportHeader,
  runConfigurations,
  sendReport,
  startChildBackend,
  type ChildReport,
} from './child-process.js';
import { printRatios, PythonReference, timeInterleaved, type BenchCase, type Timing } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIZE = 256;

interface PublishedReport extends ChildReport {
  eccv16: Timing[];
  siggraph17: Timing[];
}

const child = childConfiguration();
if (child) await runChild(child);
else {
  console.log(`published-models ${new Date().toISOString()}`);
  runConfigurations(import.meta.url, chosenConfigurations(['wasm:2', 'wasm:1']), (report: PublishedReport) => {
    printReportHeader(report, `peak RSS (node) ${report.peakRssMiB.toFixed(0)} MiB`);
    printRatios(`ECCV16 logits 1×${SIZE}×${SIZE}, ${report.configuration}`, report.eccv16, 'pytorch');
    printRatios(`SIGGRAPH17 ab + classes 1×${SIZE}×${SIZE}, ${report.configuration}`, report.siggraph17, 'pytorch');
  });
}

async function runChild(configuration: string): Promise<void> {
  const started = await startChildBackend(configuration);
  const { notes, threads } = started;
  const { registerKernels } = await import('../src/kernels/index.js');
  const { buildZhangModel, buildSiggraph17Model, foldBatchNorm } = await import('../src/models/index.js');
  registerKernels();
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const folder = mkdtempSync(join(tmpdir(), 'published-bench-'));

  const folded = (model: tfl.LayersModel): tfl.LayersModel => {
    try {
      return foldBatchNorm(model);
    } catch (e) {
      notes.push(`${model.name}: not folded (${(e as Error).message})`);
      return model;
    }
  };
  const tfjsCase = (model: tfl.LayersModel, inputs: tf.Tensor[]): BenchCase => ({
    name: 'tfjs wasm',
    run: async () => {
      const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
      const outs = Array.isArray(out) ? out : [out];
      await Promise.all(outs.map((o) => o.data()));
      tf.dispose(outs);
    },
  });
  const ortCase = async (
    path: string,
    feeds: Record<string, Float32Array>,
    shapes: Record<string, number[]>,
  ): Promise<BenchCase> => {
    const session = await ort.InferenceSession.create(path, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const tensors = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, shapes[k])]),
    );
    return {
      name: 'onnxruntime-web',
      run: async () => {
        const out = await session.run(tensors);
        for (const t of Object.values(out)) t.dispose();
      },
    };
  };

  const measure = async (arch: 'eccv16' | 'siggraph17'): Promise<Timing[]> => {
    const onnx = join(folder, `${arch}.onnx`);
    const torch = new PythonReference('pytorch', join(here, 'reference/published_models.py'), [
      arch,
      String(SIZE),
      '--onnx',
      onnx,
    ]);
    const torchOne = new PythonReference(
      'pytorch 1 thread',
      join(here, 'reference/published_models.py'),
      [arch, String(SIZE)],
      { TORCH_THREADS: '1', OMP_NUM_THREADS: '1' },
    );
    await torch.start();
    await torchOne.start();
    const n = SIZE * SIZE;
    const lightness = new Float32Array(n).map(() => Math.random() * 100);
    let ours: BenchCase, runtime: BenchCase, dispose: () => void;
    if (arch === 'eccv16') {
      const model = buildZhangModel({ inputSize: SIZE, seed: 1 });
      const run = folded(model);
      const x = tf.tensor4d(
        lightness.map((l) => (l - 50) / 100),
        [1, SIZE, SIZE, 1],
      );
      ours = tfjsCase(run, [x]);
      runtime = await ortCase(onnx, { lightness }, { lightness: [1, 1, SIZE, SIZE] });
      dispose = () => tf.dispose([x, model, ...(run === model ? [] : [run])] as never);
    } else {
      const model = buildSiggraph17Model({ inputSize: SIZE, seed: 1 });
      const run = folded(model);
      const inputs = [
        tf.tensor4d(
          lightness.map((l) => (l - 50) / 100),
          [1, SIZE, SIZE, 1],
        ),
        tf.zeros([1, SIZE, SIZE, 2]),
        tf.zeros([1, SIZE, SIZE, 1]),
      ];
      ours = tfjsCase(run, inputs);
      runtime = await ortCase(
        onnx,
        { lightness, hint_ab: new Float32Array(2 * n), hint_mask: new Float32Array(n).fill(-0.5) },
        { lightness: [1, 1, SIZE, SIZE], hint_ab: [1, 2, SIZE, SIZE], hint_mask: [1, 1, SIZE, SIZE] },
      );
      dispose = () => {
        tf.dispose(inputs);
        model.dispose();
        if (run !== model) run.dispose();
      };
    }
    const timings = await timeInterleaved([torch, torchOne, ours, runtime], { warmup: 1, rounds: 5 });
    torch.stop();
    torchOne.stop();
    dispose();
    return timings;
  };

  const eccv16 = await measure('eccv16');
  const siggraph17 = await measure('siggraph17');
  rmSync(folder, { recursive: true, force: true });
  notes.push(`onnxruntime-web ${ort.env.versions?.web ?? ''} wasm, ${threads} thread(s)`);
  sendReport<PublishedReport>(started, { eccv16, siggraph17 });
}
