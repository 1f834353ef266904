/**
 * `npm run demo`: colorize the example photographs with the bundled model and write contact sheets to out/.
 *
 * - out/colour-photos.png: original | gray input | colorized | 3 sampled alternatives (Kodak photos never
 *   seen in training, so the original shows what the model should have found).
 * - out/historical.png: gray input | colorized | 3 sampled alternatives (public-domain historical photos).
 * - out/quantization.png and out/gamut-313.png: what the 313-bin quantization keeps of real colours.
 * Run from the repository root after `npm install`.
 */
import '@tensorflow/tfjs-backend-wasm';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZHANG_GAMUT, encodeHard, imageToLab, labPlanesToRgb, type ImageLike } from 'tfjs-colorization';
import { createNodeColorizer, readImageFile, writeContactSheet } from 'tfjs-colorization/node';
import { renderGamutPalette } from './palette.js';

const IMAGES = 'examples/images';
const HISTORICAL = join(IMAGES, 'historical');
const OUT = 'out';
const SAMPLES = 3;

/** L as a gray RGB image: what the model is given. */
function grayOf(photo: ImageLike): ImageLike {
  const lab = imageToLab(photo);
  const zeros = new Float32Array(lab.lightness.length);
  return { data: labPlanesToRgb(lab.lightness, zeros, zeros), width: lab.width, height: lab.height, channels: 3 };
}

/** The photo with its ab replaced by the centre of its nearest bin. */
function snappedImage(photo: ImageLike): ImageLike {
  const lab = imageToLab(photo);
  const n = lab.width * lab.height;
  const ab = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    ab[2 * i] = lab.a[i];
    ab[2 * i + 1] = lab.b[i];
  }
  const bins = encodeHard(ab);
  const a = new Float32Array(n),
    b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ZHANG_GAMUT.centres[2 * bins[i]];
    b[i] = ZHANG_GAMUT.centres[2 * bins[i] + 1];
  }
  return { data: labPlanesToRgb(lab.lightness, a, b), width: lab.width, height: lab.height, channels: 3 };
}

const listImages = async (dir: string): Promise<string[]> =>
  (await readdir(dir))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const colorizer = await createNodeColorizer();
  const sampleTitles = Array.from({ length: SAMPLES }, (_, i) => `sample ${i + 1}`);
  try {
    const colourRows: ImageLike[][] = [];
    const quantRows: ImageLike[][] = [];
    for (const file of await listImages(IMAGES)) {
      const photo = await readImageFile(file);
      const { rgb, samples = [] } = await colorizer.colorize(photo, { samples: SAMPLES, seed: 1 });
      colourRows.push([photo, grayOf(photo), rgb, ...samples]);
      quantRows.push([photo, grayOf(photo), snappedImage(photo)]);
      console.log(`colorized ${file}`);
    }
    await writeContactSheet(join(OUT, 'colour-photos.png'), colourRows, {
      titles: ['original', 'gray input', 'colorized', ...sampleTitles],
      cellHeight: 192,
    });
    console.log(`wrote ${join(OUT, 'colour-photos.png')}`);

    const historicalRows: ImageLike[][] = [];
    for (const file of await listImages(HISTORICAL)) {
      const photo = await readImageFile(file);
      const { rgb, samples = [] } = await colorizer.colorize(photo, { samples: SAMPLES, seed: 1 });
      historicalRows.push([grayOf(photo), rgb, ...samples]);
      console.log(`colorized ${file}`);
    }
    await writeContactSheet(join(OUT, 'historical.png'), historicalRows, {
      titles: ['gray input', 'colorized', ...sampleTitles],
      caption:
        'Public-domain photographs: Lange 1936, Gottlieb 1946, Detroit Publishing Co. 1900s, Ansel Adams 1941–42 (see examples/images/CREDITS.md)',
      cellHeight: 192,
    });
    console.log(`wrote ${join(OUT, 'historical.png')}`);

    await writeContactSheet(join(OUT, 'quantization.png'), quantRows, {
      titles: ['original', 'lightness (model input)', 'ab snapped to 313 bins'],
      cellHeight: 192,
    });
    await writeContactSheet(
      join(OUT, 'gamut-313.png'),
      [[renderGamutPalette(ZHANG_GAMUT, 50, 440), renderGamutPalette(ZHANG_GAMUT, 75, 440)]],
      {
        titles: ['313 ab bins at L = 50', 'at L = 75'],
        cellHeight: 440,
      },
    );
    console.log(`wrote ${join(OUT, 'quantization.png')} and ${join(OUT, 'gamut-313.png')}`);
  } finally {
    colorizer.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
