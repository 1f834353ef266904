/**
 * What spreading colour points costs (`propagateHints`, run by `colorize` whenever points are given): the
 * library's preconditioned conjugate gradients (plain JavaScript, at most 500 iterations per ab channel) against
 * SciPy's sparse direct solve of the same system (SuperLU, `bench/reference/propagate_hints.py`), on the grids
 * of a 256- and a 512-pixel model input at 1/4 (64 × 64 and 128 × 128), built from a photo's lightness with 10
 * points of its true colour over a gray prediction. Prints both times, their ratio, how far the capped
 * iteration lands from the exact solution, and the share of one `colorize` call of the bundled model.
 *
 * `npm run bench -- propagate-hints`
 */
import '@tensorflow/tfjs-backend-wasm';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { imageToLab } from '../src/color/image/image.js';
import { createNodeColorizer } from '../src/node/create-node-colorizer.js';
import { readImageFile } from '../src/node/files/image-files.js';
import {
  HINT_FIDELITY,
  PROPAGATE_HINTS_DEFAULTS,
  poolPlane,
  propagateHints,
  type HintGrid,
} from '../src/hints/propagate-hints.js';
import { createRandom } from '../src/random.js';
import { PythonReference, machineInfo, printRatios, timeInterleaved } from './harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const photo = await readImageFile(join(here, '..', 'examples', 'images', 'kodak_kodim23.jpg'));
const lab = imageToLab(photo);
const full = { width: photo.width, height: photo.height };

/** The grid of a `side`-pixel model input at 1/4: the photo's pooled lightness, gray prediction, 10 true points. */
function grid(side: number): HintGrid {
  const size = { width: side / 4, height: side / 4 };
  const n = size.width * size.height;
  const a = poolPlane(lab.a, full, size);
  const b = poolPlane(lab.b, full, size);
  const hintAb = new Float32Array(2 * n);
  const hintWeight = new Float32Array(n);
  const rng = createRandom(1);
  for (let k = 0; k < 10; k++) {
    const cell = rng.int(n);
    hintWeight[cell] = 1;
    hintAb.set([a[cell], b[cell]], 2 * cell);
  }
  return { ...size, lightness: poolPlane(lab.lightness, full, size), ab: new Float32Array(2 * n), hintAb, hintWeight };
}

tf.env().set('IS_TEST', true);
console.log(machineInfo());
const dir = await mkdtemp(join(tmpdir(), 'propagate-bench-'));
const colorizer = await createNodeColorizer({ model: join(here, '..', 'models', 'default'), backend: 'wasm' });
for (const side of [256, 512]) {
  const g = grid(side);
  const planesPath = join(dir, `planes-${side}.f32`);
  const exactPath = join(dir, `exact-${side}.f32`);
  const planes = new Float32Array([...g.lightness, ...g.ab, ...g.hintAb, ...g.hintWeight]);
  await writeFile(planesPath, new Uint8Array(planes.buffer));
  const { sigma, colorWeight, decay } = PROPAGATE_HINTS_DEFAULTS;
  const args = [planesPath, g.width, g.height, sigma, colorWeight, decay, HINT_FIDELITY, exactPath].map(String);
  const scipy = new PythonReference('SciPy spsolve (SuperLU)', join(here, 'reference', 'propagate_hints.py'), args);
  await scipy.start();
  const timings = await timeInterleaved(
    [scipy, { name: 'propagateHints (CG, JavaScript)', run: () => propagateHints(g) }],
    { warmup: 2, rounds: 9 },
  );
  scipy.stop();
  printRatios(
    `${g.width} × ${g.height} grid (${side}-pixel input), 10 points; ${JSON.stringify(scipy.info)}`,
    timings,
    scipy.name,
  );
  const exact = new Float32Array((await readFile(exactPath)).buffer.slice(0));
  const ours = propagateHints(g);
  let max = 0,
    sum = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - exact[i]);
    max = Math.max(max, d);
    sum += d;
  }
  console.log(`against the exact solve: max |Δab| ${max.toFixed(3)}, mean ${(sum / ours.length).toFixed(4)} Lab units`);
}
const colorizeMs: number[] = [];
for (let r = 0; r < 4; r++) {
  const t0 = performance.now();
  await colorizer.colorize(photo);
  if (r > 0) colorizeMs.push(performance.now() - t0);
}
colorizeMs.sort((p, q) => p - q);
console.log(
  `one colorize call of the bundled model without points (${photo.width} × ${photo.height}, wasm): median ${colorizeMs[1].toFixed(0)} ms`,
);
colorizer.dispose();
await rm(dir, { recursive: true });
