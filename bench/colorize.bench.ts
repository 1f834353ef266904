/**
 * What `colorize` costs on top of the model: Zhang et al.'s ECCV16 network at 1/4 width (the size of a
 * bundled default model), input 256, wasm with 2 threads, photos of 0.3, 3 and 12 megapixels.
 * The reference case is the model alone (`predict` + annealed-mean decoding + read-back at 64 × 64),
 * so each ratio shows what the full-resolution steps add (Lab conversion, fitting, ab upsampling,
 * Lab → sRGB). Also reports the process's peak resident memory around one 12 MP colorization.
 *
 * A second, optional part compares `fit: 'squash'` and `fit: 'letterbox'` on held-out photos cropped to
 * 3:2 and 2:1: with `COLORIZE_MODEL=<folder written by saveModelFiles>` it prints the mean ab error and
 * the RGB PSNR of both against the true colours (data from /work/shared/data/photos/val).
 *
 * `npm run bench -- colorize` or `COLORIZE_MODEL=models/default npm run bench -- colorize`.
 */
import '@tensorflow/tfjs-backend-wasm';
import { readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeAnnealedMean } from '../src/color/decode/decode-annealed-mean.js';
import { imageToLab, type ImageLike } from '../src/color/image/image.js';
import { createColorizer } from '../src/colorize/create-colorizer.js';
import type { FitMode } from '../src/colorize/fit-lightness.js';
import { buildZhangModel } from '../src/models/zhang-eccv16.js';
import { readImageFile } from '../src/node/files/image-files.js';
import { loadModelFiles } from '../src/node/files/model-files.js';
import { useWasmThreads } from '../src/node/wasm-threads.js';
import { registerKernels } from '../src/kernels/kernel-replacements.js';
import { machineInfo, printRatios, timeInterleaved } from './harness.js';

tf.env().set('IS_TEST', true);
await useWasmThreads({ threads: 2 });
registerKernels({ backend: 'wasm' });
console.log(
  machineInfo(),
  'load average before',
  loadavg()
    .map((v) => v.toFixed(1))
    .join(' '),
);

function photo(width: number, height: number): ImageLike {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = (x * 7 + y * 13 + ((x * y) >> 6)) & 255;
  return { data, width, height, channels: 1 };
}

const model = buildZhangModel({ inputSize: 256, widthMultiplier: 0.25, seed: 1 });
const colorizer = await createColorizer({ model });
const input = tf.zeros([1, 256, 256, 1]);
const photos = {
  '0.3 MP (640 × 480)': photo(640, 480),
  '3 MP (2000 × 1500)': photo(2000, 1500),
  '12 MP (4000 × 3000)': photo(4000, 3000),
};
const timings = await timeInterleaved(
  [
    {
      name: 'model only',
      run: async () => {
        // The colorizer's own model: the inference copy with BatchNorm folded.
        const ab = tf.tidy(() => decodeAnnealedMean(colorizer.model.predict(input) as tf.Tensor4D));
        await ab.data();
        ab.dispose();
      },
    },
    ...Object.entries(photos).map(([name, image]) => ({
      name: `colorize ${name}`,
      run: () => colorizer.colorize(image),
    })),
  ],
  { warmup: 1, rounds: 5 },
);
printRatios('colorize vs the model alone (Zhang 1/4 width, 256, wasm 2 threads)', timings, 'model only');

// Peak resident memory is the one peak the OS keeps for us (the big steps are synchronous, so sampling
// from a timer would miss them).
const rssBefore = process.resourceUsage().maxRSS;
await colorizer.colorize(photos['12 MP (4000 × 3000)']);
const rssAfter = process.resourceUsage().maxRSS;
console.log(
  `12 MP: peak RSS of the process ${(rssAfter / 1024).toFixed(0)} MB (+${((rssAfter - rssBefore) / 1024).toFixed(0)} MB over the peak before this call); load average after ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
colorizer.dispose();
model.dispose();
input.dispose();

const modelDir = process.env.COLORIZE_MODEL;
if (modelDir === undefined) {
  console.log('\nsquash vs letterbox: skipped (set COLORIZE_MODEL=<model folder> to compare on held-out photos)');
} else {
  const trained = await createColorizer({ model: await loadModelFiles(modelDir) });
  const folder = '/work/shared/data/photos/val';
  const files = (await readdir(folder))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .slice(0, 100);
  const crop = (image: ImageLike, width: number, height: number): ImageLike => {
    const x0 = (image.width - width) >> 1,
      y0 = (image.height - height) >> 1;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      data.set(
        image.data.subarray(((y0 + y) * image.width + x0) * 3, ((y0 + y) * image.width + x0 + width) * 3),
        y * width * 3,
      );
    return { data, width, height, channels: 3 };
  };
  console.log(
    `\n## squash vs letterbox on ${files.length} held-out photos (${modelDir})\n\n| aspect | fit | mean ab error (Lab units) | RGB PSNR (dB) |\n|---|---|---|---|`,
  );
  for (const [aspect, w, h] of [
    ['3:2', 256, 170],
    ['2:1', 256, 128],
  ] as const) {
    for (const fit of ['squash', 'letterbox'] as FitMode[]) {
      let abError = 0,
        psnr = 0;
      for (const file of files) {
        const truth = crop(await readImageFile(join(folder, file)), w, h);
        const { rgb, lab } = await trained.colorize(truth, { fit, returnLab: true });
        const truthLab = imageToLab(truth);
        let e = 0,
          se = 0;
        for (let i = 0; i < w * h; i++) e += Math.hypot(lab!.a[i] - truthLab.a[i], lab!.b[i] - truthLab.b[i]);
        for (let i = 0; i < rgb.data.length; i++) se += (rgb.data[i] - truth.data[i]) ** 2;
        abError += e / (w * h);
        psnr += 10 * Math.log10((255 * 255) / Math.max(se / rgb.data.length, 1e-10));
      }
      console.log(
        `| ${aspect} | ${fit} | ${(abError / files.length).toFixed(2)} | ${(psnr / files.length).toFixed(2)} |`,
      );
    }
  }
  trained.dispose();
}
process.exit(0);
