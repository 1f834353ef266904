/**
 * Kernel replacements and wasm threads: wasm with 1 and 2 threads, each with the stock kernels and
 * with this library's replacements (src/kernels), on three workloads:
 *   - filter gradient: Conv2DBackpropFilter, x 8×32×32×128, 3×3 128→128, stride 1 'same';
 *   - transposed conv: Zhang conv8, 4×4 stride 2, 512→256 channels, 32×32 → 64×64, batch 1;
 *   - training step: a Zhang-like net (ECCV16 layout at ¼ width, no dilation), 16×64×64×1,
 *     softmax cross-entropy over 313 bins at 16×16, Adam; tfjs-layers trainOnBatch.
 * References: the stock wasm path at 1 thread, and the cpu backend where it finishes (not the
 * training step, which takes over a minute a step there). Stock wasm has no Conv2DBackpropFilter, so
 * its filter-gradient and training rows use the filter kernel alone ("filter only").
 *
 * Each thread count runs in its own process (wasm's thread count is fixed at initialization):
 * `npm run bench -- kernels` runs this file, which spawns itself with `--child=<backend>:<threads>`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { childConfiguration } from './child-process.js';
import { machineInfo, printRatios, timeInterleaved, type BenchCase, type Timing } from './harness.js';

type Workload = 'filter gradient' | 'transposed conv' | 'training step';
interface ChildReport {
  backend: string;
  threads: number;
  timings: Record<Workload, Timing[]>;
}

const child = childConfiguration();
if (child) await runChild(child);
else runParent();

function runParent(): void {
  console.log(JSON.stringify(machineInfo()));
  const reports: ChildReport[] = [];
  // KERNELS_BENCH_CPU=0 skips the cpu reference (minutes per case; > 20 min on a loaded machine).
  const specs = process.env.KERNELS_BENCH_CPU === '0' ? ['wasm:1', 'wasm:2'] : ['wasm:1', 'wasm:2', 'cpu:1'];
  for (const spec of specs) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--child=${spec}`], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPORT '));
    if (!line) {
      console.error(`${spec} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
      continue;
    }
    reports.push(JSON.parse(line.slice(7)) as ChildReport);
  }
  const workloads: Workload[] = ['filter gradient', 'transposed conv', 'training step'];
  for (const workload of workloads) {
    const rows: Timing[] = [];
    for (const report of reports) {
      for (const t of report.timings[workload] ?? [])
        rows.push({ ...t, name: `${report.backend} ${report.threads} thr, ${t.name}` });
    }
    const reference = rows.find((t) => t.name.startsWith('wasm 1 thr'))?.name ?? rows[0]?.name ?? '';
    printRatios(workload, rows, reference);
  }
}

async function runChild(spec: string): Promise<void> {
  const [backend, threadText] = spec.split(':');
  const threads = Number(threadText);
  // Not IS_TEST: its per-kernel leak check fires inside wasm's own softmax/fused-conv gradient path (not ours).
  const { registerKernels, unregisterKernels } = await import('../src/kernels/index.js');
  if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const { useWasmThreads } = await import('../src/node/wasm-threads.js');
    const result = await useWasmThreads({ threads, onWarning: (m) => console.error(m) });
    if (result.threads !== threads) console.error(`asked for ${threads} threads, got ${result.threads}`);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  }
  const use = (kernels: 'stock' | 'filter only' | 'all'): void => {
    if (backend !== 'wasm') return;
    unregisterKernels();
    if (kernels === 'filter only') registerKernels({ kernels: ['Conv2DBackpropFilter'] });
    if (kernels === 'all') registerKernels();
  };
  const timed = (name: string, kernels: 'stock' | 'filter only' | 'all', make: () => tf.Tensor): BenchCase => ({
    name,
    run: async () => {
      use(kernels);
      const out = make();
      await out.data();
      out.dispose();
    },
  });

  const isCpu = backend === 'cpu';
  // cpu takes minutes per round at these sizes: one unwarmed round is its reference.
  const plan = isCpu ? { warmup: 0, rounds: 1 } : { warmup: 1, rounds: 5 };
  const timings = {} as Record<Workload, Timing[]>;

  const x = tf.randomNormal([8, 32, 32, 128], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([8, 32, 32, 128], 0, 1, 'float32', 2) as tf.Tensor4D;
  const filterGrad = (): tf.Tensor =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape: [3, 3, 128, 128],
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
  timings['filter gradient'] = await timeInterleaved(
    isCpu ? [timed('stock', 'stock', filterGrad)] : [timed('filter only', 'filter only', filterGrad)],
    plan,
  );

  const y8 = tf.randomNormal([1, 32, 32, 512], 0, 1, 'float32', 3) as tf.Tensor4D;
  const w8 = tf.randomNormal([4, 4, 256, 512], 0, 0.02, 'float32', 4) as tf.Tensor4D;
  const convT = (): tf.Tensor => tf.conv2dTranspose(y8, w8, [1, 64, 64, 256], 2, 'same');
  timings['transposed conv'] = await timeInterleaved(
    isCpu ? [timed('stock', 'stock', convT)] : [timed('stock', 'stock', convT), timed('replaced', 'all', convT)],
    plan,
  );

  if (!isCpu) {
    const model = buildZhangLike();
    model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
    const input = tf.randomNormal([16, 64, 64, 1], 0, 1, 'float32', 5);
    const target = tf.tidy(() =>
      tf.cast(tf.oneHot(tf.randomUniform([16, 16, 16], 0, 313, 'int32', 6) as tf.Tensor3D, 313), 'float32'),
    );
    const step = (kernels: 'filter only' | 'all'): BenchCase => ({
      name: kernels,
      run: async () => {
        use(kernels);
        await model.trainOnBatch(input, target);
      },
    });
    timings['training step'] = await timeInterleaved([step('filter only'), step('all')], plan);
  }
  console.log('REPORT ' + JSON.stringify({ backend, threads, timings } satisfies ChildReport));
}

/** Zhang et al. 2016 (ECCV) conv1–conv8 + 313-way 1×1 head at ¼ width; conv5/6 undilated (tfjs cannot train dilated convs). */
function buildZhangLike(): tfl.LayersModel {
  const blocks: [number, number, number][] = [
    // [filters, convs, stride of the last conv]
    [16, 2, 2],
    [32, 2, 2],
    [64, 3, 2],
    [128, 3, 1],
    [128, 3, 1],
    [128, 3, 1],
    [128, 3, 1],
  ];
  const layers: tfl.layers.Layer[] = [];
  let first = true;
  for (const [filters, convs, stride] of blocks) {
    for (let i = 0; i < convs; i++) {
      const strides = i === convs - 1 ? stride : 1;
      layers.push(
        tfl.layers.conv2d({
          ...(first ? { inputShape: [64, 64, 1] } : {}),
          filters,
          kernelSize: 3,
          strides,
          padding: 'same',
          activation: 'relu',
        }),
      );
      first = false;
    }
    layers.push(tfl.layers.batchNormalization());
  }
  layers.push(
    tfl.layers.conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
  );
  layers.push(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  layers.push(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
  layers.push(tfl.layers.conv2d({ filters: 313, kernelSize: 1, activation: 'softmax' }));
  return tfl.sequential({ layers });
}
