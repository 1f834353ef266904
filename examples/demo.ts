/**
 * `npm run demo`: contact sheets of the example photos in out/.
 *
 * For each colour photo: original | lightness as gray | lightness with its ab snapped to the nearest of
 * Zhang's 313 bins (what the quantization keeps of the colours) | and one sheet of the 313-bin palette.
 * Run from the repository root after `npm install`.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ZHANG_GAMUT,
  encodeHard,
  imageToLab,
  labPlanesToRgb,
  type ImageLike,
} from '../src/index.js';
import { readImageFile, writeContactSheet } from '../src/node/index.js';
import { renderGamutPalette } from './palette.js';

const IMAGES = 'examples/images';
const OUT = 'out';

/** L as a gray RGB image. */
function lightnessImage(lightness: Float32Array, width: number, height: number): ImageLike {
  const zeros = new Float32Array(lightness.length);
  return { data: labPlanesToRgb(lightness, zeros, zeros), width, height, channels: 3 };
}

/** The image with its ab replaced by the centre of its nearest bin. */
function snappedImage(photo: ImageLike): ImageLike {
  const lab = imageToLab(photo);
  const n = lab.width * lab.height;
  const ab = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    ab[2 * i] = lab.a[i];
    ab[2 * i + 1] = lab.b[i];
  }
  const bins = encodeHard(ab);
  const a = new Float32Array(n), b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ZHANG_GAMUT.centres[2 * bins[i]];
    b[i] = ZHANG_GAMUT.centres[2 * bins[i] + 1];
  }
  return { data: labPlanesToRgb(lab.lightness, a, b), width: lab.width, height: lab.height, channels: 3 };
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const files = (await readdir(IMAGES)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
  const rows: ImageLike[][] = [];
  for (const file of files) {
    const photo = await readImageFile(join(IMAGES, file));
    const lab = imageToLab(photo);
    rows.push([photo, lightnessImage(lab.lightness, lab.width, lab.height), snappedImage(photo)]);
  }
  const sheet = join(OUT, 'quantization.png');
  await writeContactSheet(sheet, rows, {
    titles: ['original', 'lightness (model input)', 'ab snapped to 313 bins'],
    cellHeight: 192,
  });
  console.log(`wrote ${sheet} (${rows.length} photos)`);
  const palette = join(OUT, 'gamut-313.png');
  await writeContactSheet(palette, [[renderGamutPalette(ZHANG_GAMUT, 50, 440), renderGamutPalette(ZHANG_GAMUT, 75, 440)]], {
    titles: ['313 ab bins at L = 50', 'at L = 75'],
    cellHeight: 440,
  });
  console.log(`wrote ${palette}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
