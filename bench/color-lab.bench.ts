/**
 * sRGB → CIE Lab of a 1024×1024 image: the typed path (`rgbToLab`, lookup tables) and the tensor path
 * (`rgbToLabTensor` on cpu and wasm) against scikit-image `rgb2lab` (bench/reference/rgb2lab.py) in the
 * same run, interleaved. Target: typed path on uint8 ≥ 10× faster than skimage.
 * The machine is shared, so the same cases are also timed in CPU time (process.cpuUsage here,
 * time.process_time in Python), which other processes' load does not inflate.
 * Then exhaustive accuracy checks: the float32 cube root of the uint8 kernel at every float32 in
 * [0.008856, 1] against Math.cbrt; every one of the 2^24 uint8 colours against float64 CIELAB, on the
 * WebAssembly SIMD kernel and its JavaScript twin (which must agree bit for bit); and RGB → Lab → RGB,
 * max error in uint8 levels.
 *
 * Run: npm run bench -- color-lab
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labToRgb, rgbToLab } from '../src/color/lab/lab.js';
import { convertBytesToLab, hasSimdLabKernel, labFTwin } from '../src/color/lab/lab-bytes-kernel.js';
import { rgbToLabTensor } from '../src/color/lab/lab-tensor.js';
import { createRandom } from '../src/random.js';
import {
  cpuMedianMs,
  PythonReference,
  machineInfo,
  printRatios,
  pythonCpuMedianMs,
  timeInterleaved,
  type Timing,
} from './harness.js';

const SIZE = 1024;
const here = dirname(fileURLToPath(import.meta.url));
const n = SIZE * SIZE;

// Uniform random colours, as the Python side (different generator, same distribution): the worst case
// for table lookups, since neighbouring pixels share nothing.
const rng = createRandom(0);
const rgb8 = new Uint8Array(3 * n).map(() => rng.int(256));
const rgba8 = new Uint8ClampedArray(4 * n);
for (let i = 0; i < n; i++) rgba8.set([rgb8[3 * i], rgb8[3 * i + 1], rgb8[3 * i + 2], 255], 4 * i);
const rgb01 = Float32Array.from(rgb8, (v) => v / 255);
const out = new Float32Array(3 * n);

const skimage = new PythonReference('skimage rgb2lab (uint8)', join(here, 'reference', 'rgb2lab.py'), [
  String(SIZE),
  '0',
  'uint8',
]);
await skimage.start();
const all: Timing[] = [];
try {
  const typed = await timeInterleaved(
    [
      { name: 'rgbToLab uint8 RGB → out', run: () => rgbToLab(rgb8, { out }) },
      {
        name: 'rgbToLab uint8 RGBA → planar out',
        run: () => rgbToLab(rgba8, { channels: 4, outLayout: 'planar', out }),
      },
      { name: 'rgbToLab float32 RGB → out', run: () => rgbToLab(rgb01, { out }) },
      skimage,
    ],
    { warmup: 3, rounds: 21 },
  );
  all.push(...typed);
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    await tf.ready();
    const input = tf.tensor3d(rgb01, [SIZE, SIZE, 3]);
    const timings = await timeInterleaved(
      [
        {
          name: `rgbToLabTensor [${backend}] (incl. readback)`,
          run: async () => {
            const lab = rgbToLabTensor(input);
            await lab.data();
            lab.dispose();
          },
        },
        skimage,
      ],
      { warmup: 1, rounds: backend === 'cpu' ? 5 : 9 },
    );
    input.dispose();
    all.push(timings[0]);
    all.push({ ...timings[1], name: `${skimage.name} (during ${backend} rounds)` });
  }
  console.log(
    JSON.stringify({ ...machineInfo(), python: skimage.info, image: `${SIZE}×${SIZE}×3, uniform random colours` }),
  );
  printRatios(`sRGB → Lab, ${SIZE}×${SIZE}`, all, skimage.name);
  const ref = typed[typed.length - 1].median;
  console.log(`typed uint8 path: ${(ref / typed[0].median).toFixed(1)}× faster than skimage rgb2lab (target ≥ 10×)\n`);
} finally {
  skimage.stop();
}

// CPU time: ours in this process, skimage in its own (single-threaded numpy; BLAS pinned to 1 thread).
const skimageMs = pythonCpuMedianMs(join(here, 'reference', 'rgb2lab.py'), [String(SIZE), '0', 'uint8'], 15);
const cpuCases: [string, () => unknown][] = [
  ['rgbToLab uint8 RGB → out', () => rgbToLab(rgb8, { out })],
  ['rgbToLab uint8 RGBA → planar out', () => rgbToLab(rgba8, { channels: 4, outLayout: 'planar', out })],
  ['rgbToLab float32 RGB → out', () => rgbToLab(rgb01, { out })],
];
console.log(`## sRGB → Lab, ${SIZE}×${SIZE}, CPU time (median of 15)\n`);
console.log('| case | CPU ms | skimage / ours |\n|---|---|---|');
console.log(`| skimage rgb2lab (uint8) | ${skimageMs.toFixed(1)} | 1.0× |`);
for (const [name, run] of cpuCases) {
  const t = cpuMedianMs(run, 15);
  console.log(`| ${name} | ${t.toFixed(1)} | ${(skimageMs / t).toFixed(1)}× |`);
}
console.log('');

// All 2^24 colours, in blocks of one red value (65536 colours each).
const block = new Uint8Array(3 * 65536);
for (let i = 0; i < 65536; i++) {
  block[3 * i + 1] = i >> 8;
  block[3 * i + 2] = i & 255;
}
const lab = new Float32Array(3 * 65536);
const back = new Uint8ClampedArray(3 * 65536);
let maxError = 0,
  offColours = 0;
const t0 = performance.now();
for (let r = 0; r < 256; r++) {
  for (let i = 0; i < 65536; i++) block[3 * i] = r;
  rgbToLab(block, { out: lab });
  labToRgb(lab, { out: back });
  for (let i = 0; i < 65536; i++) {
    const e = Math.max(
      Math.abs(back[3 * i] - r),
      Math.abs(back[3 * i + 1] - block[3 * i + 1]),
      Math.abs(back[3 * i + 2] - block[3 * i + 2]),
    );
    if (e > 0) offColours++;
    if (e > maxError) maxError = e;
  }
}
const seconds = (performance.now() - t0) / 1000;
console.log(`## Round trip over all 16,777,216 uint8 colours (rgbToLab → labToRgb)\n`);
console.log(
  `max error: ${maxError} uint8 level(s); colours not returned exactly: ${offColours}; time ${seconds.toFixed(2)} s`,
);

// The kernel's cube root at every float32 t in [0.008856, 1] (about 61 million values).
{
  const word = new Int32Array(1),
    value = new Float32Array(word.buffer);
  value[0] = 0.008856;
  const first = word[0];
  value[0] = 1;
  const last = word[0];
  let worst = 0,
    worstAt = 0;
  const start = performance.now();
  for (let bits = first; bits <= last; bits++) {
    word[0] = bits;
    const t = value[0];
    if (!(t > Math.fround(0.008856))) continue;
    const e = Math.abs(labFTwin(t) - Math.cbrt(t));
    if (e > worst) {
      worst = e;
      worstAt = t;
    }
  }
  console.log(`\n## Cube root of the uint8 kernel, every float32 in (0.008856, 1] (${last - first + 1} values)\n`);
  console.log(
    `max |f(t) − cbrt(t)| = ${worst.toExponential(3)} at t = ${worstAt}; ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
}

// Every uint8 colour: SIMD kernel vs JavaScript twin (bit for bit) and vs float64 CIELAB with Math.cbrt.
{
  const decode = (v: number): number => (v / 255 > 0.04045 ? ((v / 255 + 0.055) / 1.055) ** 2.4 : v / 255 / 12.92);
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const simdLab = new Float32Array(3 * 65536),
    twinLab = new Float32Array(3 * 65536);
  let worst = 0,
    mismatches = 0;
  for (let r = 0; r < 256; r++) {
    for (let i = 0; i < 65536; i++) block[3 * i] = r;
    convertBytesToLab(
      block,
      block.subarray(1),
      block.subarray(2),
      65536,
      3,
      simdLab,
      simdLab.subarray(1),
      simdLab.subarray(2),
      3,
      true,
    );
    convertBytesToLab(
      block,
      block.subarray(1),
      block.subarray(2),
      65536,
      3,
      twinLab,
      twinLab.subarray(1),
      twinLab.subarray(2),
      3,
      false,
    );
    for (let i = 0; i < 3 * 65536; i++) if (simdLab[i] !== twinLab[i]) mismatches++;
    const lr = decode(r);
    for (let i = 0; i < 65536; i++) {
      const lg = decode(block[3 * i + 1]),
        lb = decode(block[3 * i + 2]);
      const fx = f((0.412453 * lr + 0.35758 * lg + 0.180423 * lb) / 0.95047);
      const fy = f(0.212671 * lr + 0.71516 * lg + 0.072169 * lb);
      const fz = f((0.019334 * lr + 0.119193 * lg + 0.950227 * lb) / 1.08883);
      worst = Math.max(
        worst,
        Math.abs(116 * fy - 16 - simdLab[3 * i]),
        Math.abs(500 * (fx - fy) - simdLab[3 * i + 1]),
        Math.abs(200 * (fy - fz) - simdLab[3 * i + 2]),
      );
    }
  }
  console.log(`\n## uint8 kernel over all 16,777,216 colours (SIMD kernel in use: ${hasSimdLabKernel()})\n`);
  console.log(
    `max |Lab − float64 CIELAB| = ${worst.toExponential(3)} (L, a, b); values where SIMD and JavaScript twin differ: ${mismatches}`,
  );
}
