/**
 * WebAssembly SIMD's arithmetic ceiling on this CPU, one thread, and how close tfjs-wasm's convolutions
 * on MobileNetV2's shapes come to it.
 *
 * 1. Ceiling: a hand-written module (text below, assembled with wabt's wat2wasm, SIMD enabled) runs a loop of
 *    independent f32x4 multiply-adds, `acc = acc × m + a` on 8, 12 and 14 accumulators (independent chains
 *    cover the latency of a multiply then an add; 14 + 2 constants fill the 16 xmm registers). Baseline wasm
 *    SIMD has no fused multiply-add, so a multiply-add is two instructions and two flops per lane: 8 flops per
 *    pair. With `--relaxed`, a second module uses `f32x4.relaxed_madd` where Node accepts it (Node 20 needs
 *    `node --experimental-wasm-relaxed-simd`). The ceiling is the best baseline loop.
 * 2. tfjs-wasm (1 thread, XNNPACK): `tf.fused.conv2d` / `tf.fused.depthwiseConv2d` with bias and ReLU6, as the
 *    tfjs-layers MobileNetV2 calls them, on every convolution shape of the network at 224², grouped by kind;
 *    then the whole network's forward pass. flops = 2 × multiply-adds.
 * 3. The default model's training steps (bench/head-step.ts, 1 thread): the hypercolumn head on cached
 *    features, and the head with the backbone's top blocks; flops counted from a profiled step's kernels,
 *    and that step's per-kernel profile with each kernel's own rate.
 *
 * Rates are given per second of wall time and per second of this process's CPU time (`process.cpuUsage`):
 * on a shared machine the second is the one to compare, since other processes' load does not inflate it.
 * Each measurement is repeated; the best (ceiling) and the median are printed with the load averages.
 *
 *   npm run bench -- simd-ceiling            (or: node --import tsx bench/simd-ceiling.bench.ts [--rounds 7])
 */
import '@tensorflow/tfjs-backend-wasm';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import wabtFactory from 'wabt';
import { buildMobileNetV2, mobileNetV2WeightLayers } from '../src/models/mobilenet-v2.js';
import { registerKernels } from '../src/kernels/index.js';
import { kernelShares, machineInfo } from './harness.js';
import { defaultModelStep, kernelMultiplyAdds } from './head-step.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, relaxed: { type: 'boolean', default: false } },
});
const ROUNDS = Number(args.rounds);
/** Independent accumulator chains tried; the best is the ceiling (more chains hide more latency until registers run out). */
const ACCUMULATOR_COUNTS = [8, 12, 14];

/** The ceiling loop: `iterations` times, each of `count` accumulators gets acc × m + a. Returns a lane sum (kept live). */
function ceilingModule(madd: 'mul-add' | 'relaxed', count: number): string {
  const accs = Array.from({ length: count }, (_, i) => `$a${i}`);
  const step = accs
    .map((a) =>
      madd === 'relaxed'
        ? `(local.set ${a} (f32x4.relaxed_madd (local.get ${a}) (local.get $m) (local.get $c)))`
        : `(local.set ${a} (f32x4.add (f32x4.mul (local.get ${a}) (local.get $m)) (local.get $c)))`,
    )
    .join('\n        ');
  const sum = accs.slice(1).reduce((s, a) => `(f32x4.add ${s} (local.get ${a}))`, `(local.get ${accs[0]})`);
  return `(module
  (func (export "run") (param $n i32) (result f32)
    (local $m v128) (local $c v128) ${accs.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $m (v128.const f32x4 0.999999 0.999998 0.999997 0.999996))
    (local.set $c (v128.const f32x4 0.000001 0.000002 0.000003 0.000004))
    ${accs.map((a, i) => `(local.set ${a} (v128.const f32x4 ${i + 1} ${i + 2} ${i + 3} ${i + 4}))`).join('\n    ')}
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        ${step}
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.set $a0 ${sum})
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
             (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0))))))`;
}

interface Rate {
  name: string;
  /** flops of one call. */
  flops: number;
  /** GFLOP/s per wall second: best and median over rounds. */
  wallBest: number;
  wallMedian: number;
  /** GFLOP/s per CPU second of this process: best and median. */
  cpuBest: number;
  cpuMedian: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Time `run` (which does `flops` flops) over ROUNDS rounds of `repeat` calls each, after one warm-up round. */
function measure(name: string, flops: number, repeat: number, run: () => void): Rate {
  for (let i = 0; i < repeat; i++) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < repeat; i++) run();
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    wall.push((flops * repeat) / ((t1 - t0) * 1e-3) / 1e9);
    cpu.push((flops * repeat) / ((c1.user + c1.system) * 1e-6) / 1e9);
  }
  return {
    name,
    flops,
    wallBest: Math.max(...wall),
    wallMedian: median(wall),
    cpuBest: Math.max(...cpu),
    cpuMedian: median(cpu),
  };
}

async function ceiling(kind: 'mul-add' | 'relaxed', count: number): Promise<Rate | string> {
  const wabt = await wabtFactory();
  let bytes: Uint8Array;
  try {
    const module = wabt.parseWat('ceiling.wat', ceilingModule(kind, count), {
      simd: true,
      relaxed_simd: kind === 'relaxed',
    });
    module.validate();
    bytes = module.toBinary({}).buffer;
    module.destroy();
  } catch (e) {
    return `${kind}: wabt could not assemble it (${(e as Error).message.split('\n')[0]})`;
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)));
  } catch (e) {
    return `${kind}: this Node does not run it (${(e as Error).message})`;
  }
  const run = instance.exports.run as (n: number) => number;
  // About a second of CPU per round: process.cpuUsage is tick-based on many kernels, so short rounds mislead.
  const iterations = 20_000_000;
  const flopsPerCall = iterations * count * 4 * 2;
  let sink = 0;
  const label =
    kind === 'relaxed' ? 'f32x4.relaxed_madd (fused where the CPU has FMA)' : 'f32x4.mul + f32x4.add (baseline SIMD)';
  const rate = measure(`${label}, ${count} accumulators`, flopsPerCall, 4, () => {
    sink += run(iterations);
  });
  if (!Number.isFinite(sink)) throw new Error('the ceiling loop diverged');
  return rate;
}

/** Each convolution of MobileNetV2 at 224² with its input shape, grouped by kind. */
function convShapes(): {
  group: string;
  layer: string;
  input: [number, number, number];
  kind: 'conv' | 'depthwise';
  k: number;
  stride: number;
  filters: number;
}[] {
  const model = buildMobileNetV2({ outputs: ['features'] });
  const specs = mobileNetV2WeightLayers(1001).filter((s) => s.kind !== 'dense');
  const out = specs.map((s) => {
    const inShape =
      model.getLayer(s.name).inputSpec?.[0]?.shape ?? (model.getLayer(s.name).input as { shape: number[] }).shape;
    const input = [inShape[1], inShape[2], inShape[3]] as [number, number, number];
    const group =
      s.name === 'Conv'
        ? 'stem 3×3/2 conv'
        : s.name === 'Conv_1'
          ? 'Conv_1 1×1'
          : s.kind === 'depthwise'
            ? 'depthwise 3×3'
            : s.name.endsWith('_expand')
              ? 'expand 1×1'
              : 'project 1×1';
    return {
      group,
      layer: s.name,
      input,
      kind: s.kind as 'conv' | 'depthwise',
      k: s.kernelSize,
      stride: s.stride,
      filters: s.filters,
    };
  });
  model.dispose();
  return out;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  console.log(JSON.stringify({ ...machineInfo(), loadBefore: loadBefore.map((x) => x.toFixed(2)) }));
  const ceilings: Rate[] = [];
  for (const kind of args.relaxed ? (['mul-add', 'relaxed'] as const) : (['mul-add'] as const)) {
    for (const count of ACCUMULATOR_COUNTS) {
      const r = await ceiling(kind, count);
      if (typeof r === 'string') console.log(r);
      else ceilings.push(r);
    }
  }
  await tf.setBackend('wasm');
  await tf.ready();
  registerKernels({ backend: 'wasm' }); // the training steps need wasm's missing gradient kernels
  const convs = convShapes();
  const groups = new Map<string, { flops: number; layers: typeof convs }>();
  for (const c of convs) {
    const [h, w, cin] = c.input;
    const oh = Math.ceil(h / c.stride);
    const ow = Math.ceil(w / c.stride);
    const macs = c.kind === 'depthwise' ? oh * ow * cin * c.k * c.k : oh * ow * cin * c.filters * c.k * c.k;
    const g = groups.get(c.group) ?? { flops: 0, layers: [] };
    g.flops += 2 * macs;
    g.layers.push(c);
    groups.set(c.group, g);
  }
  const rates: Rate[] = [];
  for (const [group, { flops, layers }] of groups) {
    const tensors = layers.map((c) => {
      const [h, w, cin] = c.input;
      return {
        c,
        x: tf.randomUniform([1, h, w, cin], -1, 1),
        filter:
          c.kind === 'depthwise'
            ? tf.randomNormal([c.k, c.k, cin, 1], 0, 0.1)
            : tf.randomNormal([c.k, c.k, cin, c.filters], 0, 0.1),
        bias: tf.randomNormal([c.kind === 'depthwise' ? cin : c.filters], 0, 0.1),
      };
    });
    const run = (): void => {
      for (const t of tensors) {
        const y =
          t.c.kind === 'depthwise'
            ? tf.fused.depthwiseConv2d({
                x: t.x as tf.Tensor4D,
                filter: t.filter as tf.Tensor4D,
                strides: t.c.stride,
                pad: 'same',
                bias: t.bias,
                activation: 'relu6',
              })
            : tf.fused.conv2d({
                x: t.x as tf.Tensor4D,
                filter: t.filter as tf.Tensor4D,
                strides: t.c.stride,
                pad: 'same',
                bias: t.bias,
                activation: 'relu6',
              });
        y.dataSync();
        y.dispose();
      }
    };
    rates.push(measure(`${group} (${layers.length} layers)`, flops, Math.max(3, Math.round((0.5 * 8e9) / flops)), run));
    for (const t of tensors) tf.dispose([t.x, t.filter, t.bias]);
  }
  const totalFlops = [...groups.values()].reduce((s, g) => s + g.flops, 0);
  const net = buildMobileNetV2({ outputs: ['features'] });
  const input = tf.randomUniform([1, 224, 224, 3], -1, 1);
  rates.push(
    measure('whole backbone forward (to Conv_1), tfjs-layers predict', totalFlops, 5, () => {
      const y = net.predict(input) as tf.Tensor;
      y.dataSync();
      y.dispose();
    }),
  );
  net.dispose();
  input.dispose();
  const steps: { rate: Rate; profile: { kernel: string; calls: number; ms: number; flops: number }[] }[] = [];
  for (const withTop of [false, true]) {
    const step = defaultModelStep(withTop);
    step.run(); // warm-up: kernels set up, optimizer state made
    const info = await tf.profile(() => step.run());
    const flopsByKernel = new Map<string, number>();
    for (const k of info.kernels)
      flopsByKernel.set(k.name, (flopsByKernel.get(k.name) ?? 0) + 2 * kernelMultiplyAdds(k));
    const flops = [...flopsByKernel.values()].reduce((a, b) => a + b, 0);
    const profile = kernelShares(info).map((k) => ({ ...k, flops: flopsByKernel.get(k.kernel) ?? 0 }));
    steps.push({ rate: measure(step.name, flops, 1, () => step.run()), profile });
    step.dispose();
  }
  const loadAfter = loadavg();
  // The ceiling: the best baseline (non-relaxed) loop, by median CPU rate.
  const ref = ceilings.filter((r) => !r.name.startsWith('f32x4.relaxed')).sort((a, b) => b.cpuMedian - a.cpuMedian)[0];
  const fmt = (x: number): string => x.toFixed(2);
  console.log(`\n## WebAssembly SIMD ceiling, 1 thread (GFLOP/s; ${ROUNDS} rounds)\n`);
  console.log('| loop | per CPU-second: best / median | per wall-second: best / median |\n|---|---|---|');
  for (const r of ceilings)
    console.log(`| ${r.name} | ${fmt(r.cpuBest)} / ${fmt(r.cpuMedian)} | ${fmt(r.wallBest)} / ${fmt(r.wallMedian)} |`);
  console.log(
    `\n## tfjs-wasm (XNNPACK, 1 thread) on MobileNetV2's convolutions at 224² (${(totalFlops / 1e9).toFixed(3)} GFLOP per image)\n`,
  );
  console.log(
    '| workload | GFLOP | per CPU-second: best / median | of the ceiling (CPU, median/median) | per wall-second: best / median |\n|---|---|---|---|---|',
  );
  for (const r of rates) {
    console.log(
      `| ${r.name} | ${(r.flops / 1e9).toFixed(3)} | ${fmt(r.cpuBest)} / ${fmt(r.cpuMedian)} | ${ref ? `${((100 * r.cpuMedian) / ref.cpuMedian).toFixed(0)} %` : '—'} | ${fmt(r.wallBest)} / ${fmt(r.wallMedian)} |`,
    );
  }
  console.log(`\n## The default model's training steps, tfjs-wasm 1 thread (batch 16, crops 128 × 128)\n`);
  console.log(
    '| step | GFLOP | per CPU-second: best / median | of the ceiling (CPU, median/median) | ms per step (wall, median) |\n|---|---|---|---|---|',
  );
  for (const { rate: r } of steps) {
    console.log(
      `| ${r.name} | ${(r.flops / 1e9).toFixed(3)} | ${fmt(r.cpuBest)} / ${fmt(r.cpuMedian)} | ${ref ? `${((100 * r.cpuMedian) / ref.cpuMedian).toFixed(0)} %` : '—'} | ${((r.flops / r.wallMedian) * 1e-6).toFixed(0)} |`,
    );
  }
  for (const { rate, profile } of steps) {
    const total = profile.reduce((a, k) => a + k.ms, 0);
    console.log(`\nper-kernel profile of one ${rate.name} (wall ms, sum ${total.toFixed(0)} ms):\n`);
    console.log('| kernel | calls | ms | share | GFLOP | GFLOP/s |\n|---|---|---|---|---|---|');
    for (const k of profile.slice(0, 14)) {
      const rateText = k.flops > 0 && k.ms > 0 ? fmt(k.flops / (k.ms * 1e6)) : '—';
      console.log(
        `| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(1)} | ${((100 * k.ms) / total).toFixed(1)} % | ${(k.flops / 1e9).toFixed(3)} | ${rateText} |`,
      );
    }
  }
  console.log(
    `\nload averages (1, 5, 15 min): before ${loadBefore.map(fmt).join(', ')}; after ${loadAfter.map(fmt).join(', ')}`,
  );
}

await main();
