/**
 * The curve of Zhang et al. 2017 (Fig. 5 of "Real-Time User-Guided Image Colorization with Learned Deep Priors")
 * for any hint-capable model folder: mean PSNR of the colorized validation photos against the number of points
 * revealed from the ground truth (0, 1, 2, 5, 10, 20, 50, 100 by default), beside gray (no colour at all), and a
 * picture of one photo colorized with 0, 5 and 20 points.
 *
 *   npx tsx examples/hints/evaluate-hints.ts --model models/default --data ../shared/data/photos/val --out docs/hints
 *
 * Points go through the public API as a user's would: each point is a pixel of the photo drawn from the paper's
 * centred Gaussian (σ = a quarter of each side; the first k points of one sequence per photo, so more points
 * always include the fewer), and its colour is the mean truth ab over the square the point covers on the model's
 * grid. PSNR is computed on 8-bit RGB at the photo's size (`computePsnr`). Writes `<out>/hints-curve.csv`
 * (per photo), `<out>/hints-curve.json` (means), `<out>/hints-curve.svg` and `<out>/hints-points.jpg`.
 * Flags: --model, --data (folders, required), --limit (photos spread evenly over the sorted folder; default all),
 * --points, --seed, --picture (file name in --data), --backend (wasm | cpu), --out, --model-only (points go to the
 * model alone, without the edge-aware spreading after it: `hintPropagation: false`).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  computePsnr,
  createNodeColorizer,
  defaultHintPointSize,
  imageToLab,
  labPlanesToRgb,
  readImageFile,
  writeContactSheet,
  type ColorHint,
  type ImageLike,
} from 'tfjs-colorization/node';
import { truthPoints } from './truth-points.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string' },
    points: { type: 'string', default: '0,1,2,5,10,20,50,100' },
    seed: { type: 'string', default: '1' },
    picture: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'out/hints-eval' },
    'model-only': { type: 'boolean', default: false },
  },
});
if (args.model === undefined) throw new ConfigError('--model', 'a hint-capable model folder', 'nothing');
if (args.data === undefined) throw new ConfigError('--data', 'a folder of colour validation photos', 'nothing');
const counts = args.points.split(',').map(Number);
const maxPoints = Math.max(...counts);
const seed = Number(args.seed);
const hintPropagation = !args['model-only'];

const colorizer = await createNodeColorizer({ model: args.model, backend: args.backend });
if (!colorizer.layout.acceptsHints)
  throw new ConfigError(
    '--model',
    'a hint-capable model (inputs [lightness, hint_ab, hint_mask])',
    `a model with ${colorizer.model.inputs.length} input(s)`,
  );
const grid = colorizer.inputSize;
const pointSize = defaultHintPointSize(grid);

function grayOf(photo: ImageLike): ImageLike {
  const lab = imageToLab(photo);
  const zeros = new Float32Array(lab.lightness.length);
  return { data: labPlanesToRgb(lab.lightness, zeros, zeros), width: lab.width, height: lab.height, channels: 3 };
}

/** The colorized picture with each point drawn as a small square of its colour in a black-and-white frame. */
function withMarkers(image: ImageLike, points: readonly ColorHint[]): ImageLike {
  const data = Uint8ClampedArray.from(image.data as Uint8ClampedArray);
  const { width, height } = image;
  for (const p of points) {
    const { a, b } = p.color as { a: number; b: number };
    const rgb = labPlanesToRgb(Float32Array.of(60), Float32Array.of(a), Float32Array.of(b));
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = p.x + dx,
          y = p.y + dy;
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const ring = Math.max(Math.abs(dx), Math.abs(dy));
        const colour = ring === 4 ? [0, 0, 0] : ring === 3 ? [255, 255, 255] : [rgb[0], rgb[1], rgb[2]];
        data.set(colour, 3 * (y * width + x));
      }
    }
  }
  return { data, width, height, channels: 3 };
}

const files = (await readdir(args.data)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
const limit = args.limit === undefined ? files.length : Math.min(files.length, Number(args.limit));
const chosen = Array.from({ length: limit }, (_, i) => files[Math.floor((i * files.length) / limit)]);
const pictureName = args.picture ?? chosen[0];
await mkdir(args.out, { recursive: true });

const rows: string[] = [`file,gray,${counts.map((k) => `points_${k}`).join(',')}`];
const sums = new Float64Array(counts.length);
let graySum = 0;
const started = performance.now();
for (const [index, file] of chosen.entries()) {
  const photo = await readImageFile(join(args.data, file));
  const all = truthPoints(photo, grid, seed, index, maxPoints);
  const gray = computePsnr(grayOf(photo), photo);
  const psnrs: number[] = [];
  for (const count of counts) {
    const { rgb } = await colorizer.colorize(photo, { hints: all.slice(0, count), hintPropagation });
    psnrs.push(computePsnr(rgb, photo));
  }
  graySum += gray;
  psnrs.forEach((p, i) => (sums[i] += p));
  rows.push([file, gray.toFixed(3), ...psnrs.map((p) => p.toFixed(3))].join(','));
  if ((index + 1) % 10 === 0)
    console.log(`${index + 1}/${chosen.length} photos, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
const means = counts.map((_, i) => sums[i] / chosen.length);
const grayMean = graySum / chosen.length;
const monotone = means.every((m, i) => i === 0 || m >= means[i - 1]);
const summary = {
  model: args.model,
  photos: chosen.length,
  data: args.data,
  seed,
  inputSize: grid,
  pointSize,
  hintPropagation,
  gray: grayMean,
  points: counts,
  meanPsnr: means,
  moreNeverLower: monotone,
};
await writeFile(join(args.out, 'hints-curve.csv'), `${rows.join('\n')}\n`);
await writeFile(join(args.out, 'hints-curve.json'), `${JSON.stringify(summary, null, 2)}\n`);

// The curve as SVG: x on a log(1 + k) axis, as the paper plots it.
const W = 560,
  H = 320,
  left = 56,
  right = 16,
  top = 20,
  bottom = 44;
const lo = Math.floor(Math.min(grayMean, ...means) - 0.5),
  hi = Math.ceil(Math.max(grayMean, ...means) + 0.5);
const px = (k: number) => left + ((W - left - right) * Math.log1p(k)) / Math.log1p(maxPoints);
const py = (v: number) => top + ((H - top - bottom) * (hi - v)) / (hi - lo);
const ticksY = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
  ...ticksY.map(
    (v) =>
      `<line x1="${left}" x2="${W - right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/><text x="${left - 6}" y="${py(v) + 4}" text-anchor="end">${v}</text>`,
  ),
  ...counts.map((k) => `<text x="${px(k)}" y="${H - bottom + 16}" text-anchor="middle">${k}</text>`),
  `<text x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle">points revealed from the truth</text>`,
  `<text x="14" y="${(top + H - bottom) / 2}" transform="rotate(-90 14 ${(top + H - bottom) / 2})" text-anchor="middle">mean PSNR (dB)</text>`,
  `<line x1="${left}" x2="${W - right}" y1="${py(grayMean)}" y2="${py(grayMean)}" stroke="#888" stroke-dasharray="4 3"/>`,
  `<text x="${W - right}" y="${py(grayMean) - 4}" text-anchor="end" fill="#666">gray ${grayMean.toFixed(2)} dB</text>`,
  `<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="${counts.map((k, i) => `${px(k)},${py(means[i])}`).join(' ')}"/>`,
  ...counts.map((k, i) => `<circle cx="${px(k)}" cy="${py(means[i])}" r="3.5" fill="#1f5fa8"/>`),
  `</svg>`,
].join('\n');
await writeFile(join(args.out, 'hints-curve.svg'), `${svg}\n`);

// The picture: gray | 0 points | 5 points | 20 points | truth, points marked.
const photo = await readImageFile(join(args.data, pictureName));
const pictureIndex = Math.max(0, chosen.indexOf(pictureName));
const cells: ImageLike[] = [grayOf(photo)];
for (const count of [0, 5, 20]) {
  const points = truthPoints(photo, grid, seed, pictureIndex, maxPoints).slice(0, count);
  const { rgb } = await colorizer.colorize(photo, { hints: points, hintPropagation });
  cells.push(withMarkers(rgb, points));
}
cells.push(photo);
await writeContactSheet(join(args.out, 'hints-points.jpg'), [cells], {
  cellHeight: 256,
  titles: ['gray input', '0 points', '5 points', '20 points', 'truth'],
});
console.log(JSON.stringify(summary));
colorizer.dispose();
