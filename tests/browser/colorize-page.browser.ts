/**
 * The example page in a real browser: upload a photo, wait for the result, and compare what the page
 * shows with the same model run by the same library build in Node on wasm.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createColorizer, labPlanesToRgb, rgbToLab, type LabPlanes } from 'tfjs-colorization';
import { launchChromium, SOFTWARE_WEBGL_FLAGS, type Browser } from './chromium.js';
import { readModelFolder } from './test-models.js';

const appUrl = inject('appUrl');
const modelsDir = inject('modelsDir');
const MODEL_URL = '/models/zhang/model.json';
const PHOTO_SOURCE = join(import.meta.dirname, '../../examples/images/historical/adams_tetons_snake_river_1942.jpg');
/** The package's bundled model, which the page serves as `./default/`. */
const BUNDLED_MODEL_DIR = join(import.meta.dirname, '../../models/default');

let workDir: string;
/** Size of the historical photo itself (the quick start and the sample picker use it unscaled). */
let photoSourceSize: { width: number; height: number };
let photoPath: string;
let photo: { data: Uint8Array; width: number; height: number };
/** The Node wasm result for {@link photo}: RGBA bytes, temperature 0.38. */
let nodeRgba: Uint8ClampedArray;
/** Its Lab planes before the conversion to bytes. */
let nodeLab: LabPlanes;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tfjs-colorization-page-'));
  // A PNG: lossless, so the browser and Node decode exactly the same pixels (JPEG decoders differ).
  photoPath = join(workDir, 'tetons.png');
  const sourceInfo = await sharp(PHOTO_SOURCE).metadata();
  photoSourceSize = { width: sourceInfo.width!, height: sourceInfo.height! };
  await sharp(PHOTO_SOURCE).resize({ width: 240 }).toColourspace('srgb').removeAlpha().png().toFile(photoPath);
  const { data, info } = await sharp(photoPath).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  photo = { data: new Uint8Array(data), width: info.width, height: info.height };
  await tf.setBackend('wasm');
  const colorizer = await createColorizer({ model: await readModelFolder(join(modelsDir, 'zhang')) });
  try {
    const result = await colorizer.colorize(
      { ...photo, channels: 3 },
      { temperature: 0.38, channels: 4, returnLab: true },
    );
    nodeRgba = result.rgb.data;
    nodeLab = result.lab!;
  } finally {
    colorizer.dispose();
  }
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** RGBA bytes of a canvas on the page. */
async function readCanvas(page: Page, id: string): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, width, height } = await page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(pixels.data), width: canvas.width, height: canvas.height };
  }, id);
  return { data: new Uint8ClampedArray(data), width, height };
}

/** Open the page on `backend` with the test model, upload the test photo and wait until it is colorized. */
async function colorizeOnPage(page: Page, backend: string): Promise<void> {
  await page.goto(`${appUrl}?backend=${backend}&model=${encodeURIComponent(MODEL_URL)}`);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
  expect(await page.locator('#error').isHidden()).toBe(true);
  expect(await page.locator('#backend-select').inputValue()).toBe(backend);
  expect(await page.locator('body').getAttribute('data-backend')).toBe(backend);
  await page.setInputFiles('#photo-input', photoPath);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
  expect(await page.locator('#error').textContent()).toBe('');
  const rows = await page
    .locator('#timings tr')
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => c.textContent!.trim()).join(' ')),
    );
  console.log(`${backend} page timings: ${rows.join('; ')}`);
}

/** Largest channel difference of each pixel (alpha included). */
function pixelDifferences(a: Uint8ClampedArray, b: Uint8ClampedArray): Int32Array {
  const out = new Int32Array(a.length / 4);
  for (let i = 0; i < a.length; i++) out[i >> 2] = Math.max(out[i >> 2], Math.abs(a[i] - b[i]));
  return out;
}

function fractionAtMost(differences: Int32Array, limit: number): number {
  let n = 0;
  for (const d of differences) if (d <= limit) n++;
  return n / differences.length;
}

/** Mean chroma of RGBA bytes: guards the comparisons against a model whose output is just gray. */
function meanChroma(rgba: Uint8ClampedArray): number {
  const lab = rgbToLab(rgba, { channels: 4 });
  let sum = 0;
  for (let i = 0; i < lab.length; i += 3) sum += Math.hypot(lab[i + 1], lab[i + 2]);
  return sum / (lab.length / 3);
}

describe('example page, wasm backend', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('the colorized photo matches Node on wasm within 1 level on 99 % of pixels, keeps the input lightness, and logs no console error', async () => {
    const { page, errors } = await browser.newPage();
    await colorizeOnPage(page, 'wasm');
    const shown = await readCanvas(page, 'colorized');
    expect([shown.width, shown.height]).toEqual([photo.width, photo.height]);
    expect(meanChroma(nodeRgba)).toBeGreaterThan(3);
    const differences = pixelDifferences(shown.data, nodeRgba);
    console.log(
      `wasm page vs Node wasm: ${(100 * fractionAtMost(differences, 0)).toFixed(2)} % identical, ${(100 * fractionAtMost(differences, 1)).toFixed(2)} % within 1 level, max ${Math.max(...differences)}`,
    );
    expect(fractionAtMost(differences, 1)).toBeGreaterThanOrEqual(0.99);

    // Lightness: where the colour is inside the sRGB gamut (no channel clipped to 0 or 1 in the float
    // conversion of Node's Lab result), the output's L is the input's up to the rounding of R, G and B to
    // bytes: ±0.5 level on each channel moves L by at most ~0.26 (steepest near sRGB 0.1), so 0.3.
    const inputL = rgbToLab(photo.data);
    const outputL = rgbToLab(shown.data, { channels: 4 });
    const floatRgb = labPlanesToRgb(nodeLab.lightness, nodeLab.a, nodeLab.b, { format: 'float32' });
    let inGamut = 0;
    let worst = 0;
    for (let p = 0; p < inputL.length / 3; p++) {
      const r = floatRgb[3 * p],
        g = floatRgb[3 * p + 1],
        b = floatRgb[3 * p + 2];
      if (r <= 0 || r >= 1 || g <= 0 || g >= 1 || b <= 0 || b >= 1) continue;
      inGamut++;
      worst = Math.max(worst, Math.abs(inputL[3 * p] - outputL[3 * p]));
    }
    console.log(
      `lightness: ${((100 * inGamut) / (inputL.length / 3)).toFixed(1)} % of pixels in gamut, largest |ΔL| there ${worst.toFixed(3)}`,
    );
    expect(inGamut / (inputL.length / 3)).toBeGreaterThan(0.5);
    expect(worst).toBeLessThanOrEqual(0.3);

    // The gray panel is the input's lightness.
    const gray = await readCanvas(page, 'gray');
    const grayL = rgbToLab(gray.data, { channels: 4 });
    let grayWithin = 0;
    for (let p = 0; p < inputL.length / 3; p++) if (Math.abs(inputL[3 * p] - grayL[3 * p]) <= 0.5) grayWithin++;
    expect(grayWithin / (inputL.length / 3)).toBe(1);

    // Three samples, full size, different from each other.
    const samples = await Promise.all([0, 1, 2].map((i) => readCanvas(page, `sample-${i}`)));
    for (const s of samples) expect([s.width, s.height]).toEqual([photo.width, photo.height]);
    expect(fractionAtMost(pixelDifferences(samples[0].data, samples[1].data), 0)).toBeLessThan(0.5);

    // Timings of every step are on screen.
    const steps = await page
      .locator('#timings tr')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.step));
    expect(steps).toEqual(
      expect.arrayContaining([
        'start backend wasm',
        'load model',
        'decode photo',
        'colorize (total)',
        '  model',
        'draw results',
      ]),
    );

    // The download is the full-resolution colorized picture.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('tetons-colorized.png');
    const downloaded = await sharp(await download.path())
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([downloaded.info.width, downloaded.info.height]).toEqual([photo.width, photo.height]);
    expect(fractionAtMost(pixelDifferences(new Uint8ClampedArray(downloaded.data), shown.data), 0)).toBe(1);

    // Another temperature gives another colorization.
    await page.locator('#temperature').fill('1');
    await page.locator('#temperature').dispatchEvent('change');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.includes('T = 1.00'));
    const hotter = await readCanvas(page, 'colorized');
    expect(fractionAtMost(pixelDifferences(hotter.data, shown.data), 0)).toBeLessThan(0.5);

    expect(errors).toEqual([]);
  });

  test('without a model parameter the page colorizes with the bundled model, as Node does on wasm', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${appUrl}?backend=wasm`);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
    expect(await page.locator('#error').textContent()).toBe('');
    expect(await page.locator('#model-name').textContent()).toBe('bundled default model');
    await page.setInputFiles('#photo-input', photoPath);
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    const shown = await readCanvas(page, 'colorized');

    await tf.setBackend('wasm');
    const colorizer = await createColorizer({ model: await readModelFolder(BUNDLED_MODEL_DIR) });
    let expected: Uint8ClampedArray;
    try {
      expected = (await colorizer.colorize({ ...photo, channels: 3 }, { temperature: 0.38, channels: 4 })).rgb.data;
    } finally {
      colorizer.dispose();
    }
    const differences = pixelDifferences(shown.data, expected);
    console.log(
      `bundled model, wasm page vs Node wasm: ${(100 * fractionAtMost(differences, 1)).toFixed(2)} % within 1 level, max ${Math.max(...differences)}; mean chroma ${meanChroma(expected).toFixed(1)}`,
    );
    expect(fractionAtMost(differences, 1)).toBeGreaterThanOrEqual(0.99);
    expect(errors).toEqual([]);
  });

  test('a text file renamed .jpg shows a clear message and no console error', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${appUrl}?backend=wasm&model=${encodeURIComponent(MODEL_URL)}`);
    await page.waitForSelector('body[data-state="ready"]');
    const fake = join(workDir, 'notes.jpg');
    await writeFile(fake, 'these are notes, not a photo\n');
    await page.setInputFiles('#photo-input', fake);
    await page.waitForSelector('body[data-state="error"]');
    expect(await page.locator('#error').textContent()).toMatch(/“notes\.jpg” is not an image this browser can read/);
    expect(errors).toEqual([]);
  });
});

describe('example page, webgl backend (SwiftShader)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium(SOFTWARE_WEBGL_FLAGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  // webgl computes in float32 too, but sums in another order (and SwiftShader's exp/log are approximate);
  // the annealed mean divides logits by T = 0.38, which magnifies those differences. Stated tolerance:
  // within 2 levels on 99 % of pixels, and no pixel further than 8 levels.
  test('the colorized photo matches Node on wasm within 2 levels on 99 % of pixels', async () => {
    const { page, errors } = await browser.newPage();
    await colorizeOnPage(page, 'webgl');
    const shown = await readCanvas(page, 'colorized');
    const differences = pixelDifferences(shown.data, nodeRgba);
    console.log(
      `webgl vs Node wasm: ${(100 * fractionAtMost(differences, 1)).toFixed(2)} % within 1 level, ${(100 * fractionAtMost(differences, 2)).toFixed(2)} % within 2, max ${Math.max(...differences)}`,
    );
    expect(fractionAtMost(differences, 2)).toBeGreaterThanOrEqual(0.99);
    expect(Math.max(...differences)).toBeLessThanOrEqual(8);
    expect(errors).toEqual([]);
  });

  test('the quick start of docs/browser.md colorizes the photo on the page on webgl', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${appUrl}quick-start.html`);
    await page.waitForSelector('body[data-state="done"]', { state: 'attached' });
    const { width, height, chroma } = await page.evaluate(() => {
      const canvas = document.getElementById('result') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let spread = 0;
      for (let i = 0; i < data.length; i += 4)
        spread += Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]);
      return { width: canvas.width, height: canvas.height, chroma: spread / (data.length / 4) };
    });
    // The photo's own size (the source JPEG), and colours where the input was gray.
    expect([width, height]).toEqual([photoSourceSize.width, photoSourceSize.height]);
    expect(chroma).toBeGreaterThan(3);
    expect(errors).toEqual([]);
  });

  test('picking a historical photo colorizes it with the bundled model at full size with three samples', async () => {
    const { page, errors } = await browser.newPage();
    await page.goto(`${appUrl}?backend=webgl`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.selectOption('#sample-select', { label: 'adams_tetons_snake_river_1942.jpg' });
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    for (const id of ['gray', 'colorized', 'sample-0', 'sample-1', 'sample-2']) {
      const size = await page
        .locator(`#${id}`)
        .evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
      expect(size).toEqual([photoSourceSize.width, photoSourceSize.height]);
    }
    const screenshot = process.env.BROWSER_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    expect(errors).toEqual([]);
  });
});
