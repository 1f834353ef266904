/**
 * Choose the defaults of the points' edge-aware spreading (`hintPropagation`) on photos that the hints curve
 * does not use: mean PSNR of the colorized photos for each setting and number of points revealed from the truth,
 * with points placed and coloured as examples/hints/evaluate-hints.ts places them.
 *
 *   npx tsx examples/hints/tune-propagation.ts --model models/default --data ../shared/data/scenes/val --limit 24
 *
 * Flags: --model, --data (required), --limit (photos spread evenly over the folder; default 24), --points
 * (default 2,10,50), --sigma, --color-weight, --decay (comma lists; every combination is tried), --seed,
 * --backend, --out (a JSON of every mean; default out/tune-propagation.json).
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  computePsnr,
  createNodeColorizer,
  readImageFile,
  type PropagateHintsOptions,
} from 'tfjs-colorization/node';
import { truthPoints } from './truth-points.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    limit: { type: 'string', default: '24' },
    points: { type: 'string', default: '2,10,50' },
    sigma: { type: 'string', default: '3,6,12' },
    'color-weight': { type: 'string', default: '0,0.5' },
    decay: { type: 'string', default: '1e-4,1e-2' },
    seed: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: 'out/tune-propagation.json' },
  },
});
if (args.model === undefined) throw new ConfigError('--model', 'a hint-capable model folder', 'nothing');
if (args.data === undefined) throw new ConfigError('--data', 'a folder of colour photos', 'nothing');
const list = (s: string) => s.split(',').map(Number);
const counts = list(args.points);
const settings: (PropagateHintsOptions | false)[] = [false];
for (const sigma of list(args.sigma))
  for (const colorWeight of list(args['color-weight']))
    for (const decay of list(args.decay)) settings.push({ sigma, colorWeight, decay });

const colorizer = await createNodeColorizer({ model: args.model, backend: args.backend });
const grid = colorizer.inputSize;
const seed = Number(args.seed);

const files = (await readdir(args.data)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
const limit = Math.min(files.length, Number(args.limit));
const chosen = Array.from({ length: limit }, (_, i) => files[Math.floor((i * files.length) / limit)]);
const sums = settings.map(() => new Float64Array(counts.length));
const started = performance.now();
for (const [index, file] of chosen.entries()) {
  const photo = await readImageFile(join(args.data, file));
  const all = truthPoints(photo, grid, seed, index, Math.max(...counts));
  for (const [s, setting] of settings.entries()) {
    for (const [c, count] of counts.entries()) {
      const { rgb } = await colorizer.colorize(photo, { hints: all.slice(0, count), hintPropagation: setting });
      sums[s][c] += computePsnr(rgb, photo);
    }
  }
  console.log(`${index + 1}/${chosen.length} photos, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
const rows = settings.map((setting, s) => ({
  setting,
  meanPsnr: Array.from(sums[s], (v) => v / chosen.length),
}));
rows.sort((p, q) => q.meanPsnr.reduce((a, b) => a + b) - p.meanPsnr.reduce((a, b) => a + b));
for (const row of rows)
  console.log(`${JSON.stringify(row.setting).padEnd(48)} ${row.meanPsnr.map((v) => v.toFixed(3)).join('  ')}`);
await mkdir(dirname(args.out), { recursive: true });
await writeFile(
  args.out,
  `${JSON.stringify({ model: args.model, data: args.data, photos: chosen.length, points: counts, rows }, null, 2)}\n`,
);
