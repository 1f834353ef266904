/**
 * Soft encoding of a 256×256 ab map over Zhang's 313 bins (k = 5, σ = 5; Zhang et al., ECCV 2016, §3.1):
 * our grid-based encoder against the authors' approach (scikit-learn NearestNeighbors over all 313 bins,
 * Gaussian weights, scatter into a dense (P, 313) array; bench/reference/nn_encode.py), in the same run,
 * interleaved. Both fill a preallocated dense float32 output. Target: ours ≥ 20× faster.
 *
 * Two ab maps: a photo-like one (Lab of a smooth synthetic sRGB image: the case a training pipeline
 * sees) and a uniform one (a, b uniform in [−110, 110): ~40 % out of gamut, the worst case for us).
 *
 * The machine is shared, so the same cases are also timed in CPU time (process.cpuUsage here,
 * time.process_time in Python, each a median of 15 after warm-up), which other processes' load does not
 * inflate; the load average is printed with each table.
 *
 * For k = 5 the encoders run the WebAssembly SIMD kernel (src/color/bins/soft-encode-kernel.ts) and send the
 * pixels it cannot prove exact to the general encoder; the CPU table also gives the share of pixels the
 * kernel accepts, the general encoder alone (the path before the kernel) and the kernel's JavaScript twin.
 *
 * Run: npm run bench -- soft-encode        (SOFT_ENCODE_K=10 for the authors' training setting)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  cpuMedianMs,
  PythonReference,
  machineInfo,
  printRatios,
  pythonCpuMedianMs,
  timeInterleaved,
} from './harness.js';
import { encodeSoft, encodeSoftSparse } from '../src/color/bins/encode-soft.js';
import { encodeSoftRows } from '../src/color/bins/soft-weights.js';
import {
  encodeSoftRowsWithKernel,
  hasSimdSoftEncodeKernel,
  runSoftEncodeKernel,
  softEncodeKernelServes,
} from '../src/color/bins/soft-encode-kernel.js';
import { ZHANG_GAMUT } from '../src/color/bins/gamut.js';
import { rgbToLab } from '../src/color/lab/lab.js';
import { createRandom } from '../src/random.js';

const SIZE = 256;
const PIXELS = SIZE * SIZE;
const K = Number(process.env.SOFT_ENCODE_K ?? 5);
const SIGMA = 5;
const here = dirname(fileURLToPath(import.meta.url));
const rng = createRandom(0);

function uniformMap(): Float32Array {
  const ab = new Float32Array(PIXELS * 2);
  for (let i = 0; i < ab.length; i++) ab[i] = rng.next() * 220 - 110;
  return ab;
}

/** ab of a smooth synthetic photo: gradients plus 12 soft colour blobs, converted sRGB → Lab. */
function photoLikeMap(): Float32Array {
  const blobs = Array.from({ length: 12 }, () => ({
    x: rng.next() * SIZE,
    y: rng.next() * SIZE,
    r: 20 + rng.next() * 60,
    c: [rng.next(), rng.next(), rng.next()],
  }));
  const rgb = new Float32Array(PIXELS * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const c = [(x / SIZE) * 0.5, (y / SIZE) * 0.5, 0.3];
      let total = 1;
      for (const b of blobs) {
        const w = 3 * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
        for (let i = 0; i < 3; i++) c[i] += w * b.c[i];
        total += w;
      }
      for (let i = 0; i < 3; i++) rgb[3 * (y * SIZE + x) + i] = Math.min(1, Math.max(0, (1.2 * c[i]) / total));
    }
  }
  const lab = rgbToLab(rgb);
  const ab = new Float32Array(PIXELS * 2);
  for (let p = 0; p < PIXELS; p++) {
    ab[2 * p] = lab[3 * p + 1];
    ab[2 * p + 1] = lab[3 * p + 2];
  }
  return ab;
}

const dir = mkdtempSync(join(tmpdir(), 'soft-encode-'));
const out = new Float32Array(PIXELS * ZHANG_GAMUT.size);
const config = { neighbours: K, sigma: SIGMA };
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const kernelServes = softEncodeKernelServes(ZHANG_GAMUT, K, SIGMA);
console.log(
  JSON.stringify({
    ...machineInfo(),
    size: `${SIZE}×${SIZE}`,
    k: K,
    sigma: SIGMA,
    simdKernel: kernelServes && hasSimdSoftEncodeKernel(),
    load: load(),
  }),
);

for (const [label, ab] of [
  ['photo-like', photoLikeMap()],
  ['uniform', uniformMap()],
] as const) {
  const file = join(dir, `${label}.f32`);
  writeFileSync(file, ab);
  encodeSoft(ab, config, out); // builds the candidate tables once, as a training run would
  const reference = new PythonReference('sklearn NearestNeighbors (Zhang)', join(here, 'reference', 'nn_encode.py'), [
    String(K),
    String(SIGMA),
    file,
  ]);
  await reference.start();
  try {
    const timings = await timeInterleaved(
      [
        { name: 'encodeSoft (dense [P, 313])', run: () => encodeSoft(ab, config, out) },
        { name: 'encodeSoftSparse ([P, k])', run: () => encodeSoftSparse(ab, config) },
        reference,
      ],
      { warmup: 2, rounds: 15 },
    );
    if (label === 'photo-like') console.log(JSON.stringify({ python: reference.info }));
    printRatios(
      `Soft encoding, ${label} ${SIZE}×${SIZE} ab map, k = ${K}, σ = ${SIGMA} (load average ${load()})`,
      timings,
      reference.name,
    );
    const ref = timings[2].median;
    for (const t of timings.slice(0, 2))
      console.log(`${label}: ${t.name} is ${(ref / t.median).toFixed(1)}× faster than the reference`);
    console.log('');
  } finally {
    reference.stop();
  }
}

// CPU time: ours in this process, scikit-learn in its own (single-threaded; BLAS pinned to 1 thread).
console.log(
  `## Soft encoding, ${SIZE}×${SIZE}, k = ${K}, σ = ${SIGMA}, CPU time (median of 15; load average ${load()})\n`,
);
console.log(
  '| map | sklearn CPU ms | encodeSoft dense | encodeSoftSparse | speed-up dense / sparse | kernel accepts | general encoder alone | JS twin |\n|---|---|---|---|---|---|---|---|',
);
const rowIndices = new Int32Array(PIXELS * K),
  rowWeights = new Float32Array(PIXELS * K);
for (const label of ['photo-like', 'uniform']) {
  const file = join(dir, `${label}.f32`);
  const ab = new Float32Array(readFileSync(file).buffer.slice(0));
  const reference = pythonCpuMedianMs(join(here, 'reference', 'nn_encode.py'), [String(K), String(SIGMA), file], 15);
  const dense = cpuMedianMs(() => encodeSoft(ab, config, out), 15);
  const sparse = cpuMedianMs(() => encodeSoftSparse(ab, config), 15);
  const general = cpuMedianMs(() => encodeSoftRows(ZHANG_GAMUT, K, SIGMA, ab, 0, PIXELS, rowIndices, rowWeights), 15);
  let accepted = '—',
    twin = '—';
  if (kernelServes) {
    accepted = `${(100 * (1 - runSoftEncodeKernel(ZHANG_GAMUT, SIGMA, ab, rowIndices, rowWeights).length / PIXELS)).toFixed(1)} %`;
    twin = `${cpuMedianMs(() => encodeSoftRowsWithKernel(ZHANG_GAMUT, SIGMA, ab, 0, PIXELS, rowIndices, rowWeights, false), 15).toFixed(2)} ms`;
  }
  console.log(
    `| ${label} | ${reference.toFixed(1)} | ${dense.toFixed(2)} | ${sparse.toFixed(2)} | ${(reference / dense).toFixed(1)}× / ${(reference / sparse).toFixed(1)}× | ${accepted} | ${general.toFixed(2)} ms | ${twin} |`,
  );
}
const clear = cpuMedianMs(() => out.fill(0), 15);
console.log(
  `\nclearing the dense [P, 313] float32 output alone (${(out.byteLength / 1e6).toFixed(0)} MB): ${clear.toFixed(2)} ms CPU`,
);
const scatterFrom = new Int32Array(PIXELS * K),
  scatterWeights = new Float32Array(PIXELS * K);
encodeSoftRows(
  ZHANG_GAMUT,
  K,
  SIGMA,
  new Float32Array(readFileSync(join(dir, 'photo-like.f32')).buffer.slice(0)),
  0,
  PIXELS,
  scatterFrom,
  scatterWeights,
);
const clearAndScatter = cpuMedianMs(() => {
  out.fill(0);
  for (let p = 0, row = 0; p < PIXELS; p++, row += K)
    for (let m = 0; m < K; m++) out[p * ZHANG_GAMUT.size + scatterFrom[row + m]] = scatterWeights[row + m];
}, 15);
console.log(
  `clearing it and scattering k precomputed weights per pixel, no encoding: ${clearAndScatter.toFixed(2)} ms CPU (load average ${load()})`,
);
