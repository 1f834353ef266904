/**
 * Workload 3 of the performance issue: colorize a 12-megapixel JPEG end to end — decode, Lab, the
 * ECCV16 network (Zhang et al. 2016, full width) at its own 256×256, ab upsampling to full size,
 * recombination with the full-size lightness, JPEG encode — against the authors' Python demo
 * pipeline (PIL + scikit-image + PyTorch, bench/reference/colorize_demo.py). Target: faster than Python.
 *
 * Ours: `readImageFile` (sharp) → `createColorizer({ model })` `.colorize` (full-size L, fit to 256,
 * model, annealed-mean decoding, bilinear ab upsampling, recombination to sRGB) → `writeImageFile`
 * (sharp, JPEG quality 92). The model is `foldBatchNorm(buildZhangModel())` with `registerKernels()`:
 * the library's fastest inference path (bench/zhang-inference.bench.ts).
 *
 * The photo: a /work/shared/data/photos image (or a synthetic gradient when absent) upscaled to
 * 4000×3000 with sharp, plus ±12 levels of uniform noise so the JPEG carries a real photo's detail
 * (a smooth upscale would decode unrealistically fast), written at quality 92 into a temp directory.
 *
 * One process per configuration: wasm 1 thread, wasm 2 threads. cpu is skipped: the network alone
 * takes ~80 s there (zhang-inference bench). After the timed rounds one instrumented run splits our
 * time into stages.
 *
 * `npm run bench -- end-to-end`, some configurations: `node --import tsx bench/end-to-end.bench.ts --configs=wasm:1`.
 * The demo also runs with torch on 1 thread ("python demo, torch 1 thread"), which a loaded machine slows less.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  childConfiguration,
  chosenConfigurations,
  printReportHeader,
  runConfigurations,
  sendReport,
  startChildBackend,
  type ChildReport,
} from './child-process.js';
import { ms, printRatios, PythonReference, timeInterleaved, type Timing } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIGURATIONS = ['wasm:1', 'wasm:2'];
const WIDTH = 4000;
const HEIGHT = 3000;
const PHOTOS = '/work/shared/data/photos/val';

interface EndToEndReport extends ChildReport {
  photo: { source: string; bytes: number };
  timings: Timing[];
  stages: Record<string, number>;
}

const child = childConfiguration();
if (child) await runChild(child);
else runParent();

function runParent(): void {
  console.log(`end-to-end ${new Date().toISOString()}`);
  console.log('cpu backend skipped: the network alone takes ~80 s per pass there (zhang-inference bench).');
  runConfigurations(import.meta.url, chosenConfigurations(CONFIGURATIONS), printReport);
}

function printReport(report: EndToEndReport): void {
  printReportHeader(
    report,
    `photo: ${report.photo.source} → ${WIDTH}×${HEIGHT} JPEG, ${(report.photo.bytes / 2 ** 20).toFixed(1)} MiB; peak RSS (node) ${report.peakRssMiB.toFixed(0)} MiB`,
  );
  printRatios(`12-MP JPEG colorized end to end, ${report.configuration}`, report.timings, 'python demo');
  console.log(
    `our stages (one instrumented run): ${Object.entries(report.stages)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join(', ')}`,
  );
}

async function runChild(configuration: string): Promise<void> {
  const started = await startChildBackend(configuration);
  const { registerKernels } = await import('../src/kernels/index.js');
  registerKernels();
  const { buildZhangModel, foldBatchNorm } = await import('../src/models/index.js');
  const { createColorizer } = await import('../src/colorize/index.js');
  const { readImageFile, writeImageFile } = await import('../src/node/index.js');
  const { loadSharp } = await import('../src/node/files/sharp.js');

  const dir = mkdtempSync(join(tmpdir(), 'tfjs-colorization-e2e-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const photoPath = join(dir, 'photo-12mp.jpg');
  const source = await makePhoto(await loadSharp(), photoPath);

  const built = buildZhangModel({ seed: 1 });
  const model = foldBatchNorm(built);
  built.dispose();
  const colorizer = await createColorizer({ model });
  const ourOutput = join(dir, 'ours.jpg');
  const colorizeFile = async (onStage?: (stage: string) => void): Promise<void> => {
    const image = await readImageFile(photoPath);
    onStage?.('jpeg decode');
    // A stage ends when the next one reports; the time up to then is the stage's.
    let current: string | undefined;
    const { rgb } = await colorizer.colorize(image, {
      onProgress: (p) => {
        if (p.stage === current) return;
        if (current !== undefined) onStage?.(current);
        current = p.stage;
      },
    });
    if (current !== undefined) onStage?.(current);
    await writeImageFile(ourOutput, rgb, { quality: 92 });
    onStage?.('jpeg encode');
  };

  const python = new PythonReference('python demo', join(here, 'reference/colorize_demo.py'), [
    photoPath,
    join(dir, 'python.jpg'),
  ]);
  const pythonOne = new PythonReference(
    'python demo, torch 1 thread',
    join(here, 'reference/colorize_demo.py'),
    [photoPath, join(dir, 'python1.jpg')],
    { TORCH_THREADS: '1', OMP_NUM_THREADS: '1' },
  );
  await Promise.all([python.start(), pythonOne.start()]);
  const timings = await timeInterleaved([python, pythonOne, { name: 'ours', run: () => colorizeFile() }], {
    warmup: 1,
    rounds: 5,
  });
  python.stop();
  pythonOne.stop();

  const stages: Record<string, number> = {};
  let last = performance.now();
  await colorizeFile((stage) => {
    const now = performance.now();
    stages[stage] = (stages[stage] ?? 0) + now - last;
    last = now;
  });
  colorizer.dispose();
  model.dispose();
  if (tf.memory().numTensors > 0) started.notes.push(`${tf.memory().numTensors} tensors still alive at the end`);
  sendReport<EndToEndReport>(started, { photo: { source, bytes: statSync(photoPath).size }, timings, stages });
}

/** Write the 12-MP test JPEG; returns what it was made from. */
async function makePhoto(
  sharp: Awaited<ReturnType<typeof import('../src/node/files/sharp.js').loadSharp>>,
  path: string,
): Promise<string> {
  const candidates = existsSync(PHOTOS)
    ? readdirSync(PHOTOS)
        .filter((f) => f.endsWith('.jpg'))
        .sort()
    : [];
  const base = candidates.length
    ? sharp(join(PHOTOS, candidates[0]))
    : sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 120, g: 90, b: 60 } } });
  const { data } = await base
    .resize(WIDTH, HEIGHT, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let seed = 12345;
  for (let i = 0; i < data.length; i++) {
    // xorshift noise, ±12 levels: sensor-like detail so the JPEG is as dense as a real photo's.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    data[i] = Math.max(0, Math.min(255, data[i] + ((seed >>> 0) % 25) - 12));
  }
  await sharp(data, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 92 })
    .toFile(path);
  return candidates.length ? join(PHOTOS, candidates[0]) : 'synthetic 64×48 flat colour';
}
