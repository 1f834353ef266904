/**
 * Colour points on the example page in a real browser: place a point by clicking, recolour it, drag it,
 * remove it, save and load the points file, and compare the page's result with the same points run in Node.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createColorizer, type ColorHint } from 'tfjs-colorization';
import { grayPicture } from '../colorize/tiny-models.js';
import { launchChromium, SOFTWARE_WEBGL_FLAGS, type Browser } from './chromium.js';
import { readModelFolder } from './test-models.js';

const appUrl = inject('appUrl');
const modelsDir = inject('modelsDir');
const MODEL_URL = '/models/hints/model.json';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tfjs-colorization-hints-page-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A gray PNG with structure, `width × height`. */
async function grayPng(name: string, width: number, height: number): Promise<string> {
  const path = join(workDir, name);
  await sharp(Buffer.from(grayPicture(width, height)), { raw: { width, height, channels: 1 } })
    .png()
    .toFile(path);
  return path;
}

async function readCanvas(page: Page): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, width, height } = await page.evaluate(() => {
    const canvas = document.getElementById('colorized') as HTMLCanvasElement;
    return {
      data: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
      width: canvas.width,
      height: canvas.height,
    };
  });
  return { data: new Uint8ClampedArray(data), width, height };
}

const runs = (page: Page) => page.evaluate(() => Number(document.body.dataset.runs ?? '0'));

/** Do `action`, then wait until the page finished one more colorization (or shows an error). */
async function andWaitForRun(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await runs(page);
  await action();
  await page.waitForFunction(
    (n) => Number(document.body.dataset.runs ?? '0') > n || document.body.dataset.state === 'error',
    before,
    { timeout: 60_000 },
  );
  expect(await page.locator('#error').textContent()).toBe('');
}

/** Page coordinates of the centre of photo pixel (x, y) on the colorized canvas. */
async function pagePoint(
  page: Page,
  width: number,
  height: number,
  x: number,
  y: number,
): Promise<{ x: number; y: number }> {
  const box = (await page.locator('#colorized').boundingBox())!;
  return { x: box.x + ((x + 0.5) / width) * box.width, y: box.y + ((y + 0.5) / height) * box.height };
}

/** Blue minus red of the pixel (x, y) of RGBA bytes: how blue the point's colour made it. */
function blueness(image: { data: Uint8ClampedArray; width: number }, x: number, y: number): number {
  const i = 4 * (y * image.width + x);
  return image.data[i + 2] - image.data[i];
}

function redness(image: { data: Uint8ClampedArray; width: number }, x: number, y: number): number {
  const i = 4 * (y * image.width + x);
  return image.data[i] - image.data[i + 2];
}

function maxDifference(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function openWithPhoto(page: Page, backend: string, photoPath: string): Promise<void> {
  await page.goto(`${appUrl}?backend=${backend}&model=${encodeURIComponent(MODEL_URL)}`);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
  expect(await page.locator('#error').isHidden()).toBe(true);
  await andWaitForRun(page, () => page.setInputFiles('#photo-input', photoPath));
}

describe('colour points on the example page, wasm backend', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('a click places a point whose colour appears there; recolour, drag and remove it; save and load the points file', async () => {
    const { page, errors } = await browser.newPage();
    const W = 160,
      H = 120;
    await openWithPhoto(page, 'wasm', await grayPng('small.png', W, H));
    const plain = await readCanvas(page);
    expect([plain.width, plain.height]).toEqual([W, H]);

    // Place a point at (40, 60) with the default blue.
    const p = await pagePoint(page, W, H, 40, 60);
    await andWaitForRun(page, () => page.mouse.click(p.x, p.y));
    const placed = await readCanvas(page);
    expect(await page.locator('#hint-list li').count()).toBe(1);
    expect(await page.locator('#hint-list li').first().textContent()).toMatch(/^\(40, 60\) #0050ff/);
    expect(blueness(placed, 40, 60) - blueness(plain, 40, 60)).toBeGreaterThan(60);
    expect(Math.abs(blueness(placed, 130, 20) - blueness(plain, 130, 20))).toBeLessThanOrEqual(2);

    // The selected point takes a new colour: red there now.
    await andWaitForRun(page, () => page.locator('#hint-color').fill('#ff2000'));
    const red = await readCanvas(page);
    expect(redness(red, 40, 60) - redness(plain, 40, 60)).toBeGreaterThan(60);

    // Drag it to (120, 30): the colour moves with it. The drag is dispatched as pointer events on the page (a
    // press on the picture, moves and the release on the window, as a browser sends them).
    const from = await pagePoint(page, W, H, 40, 60);
    const q = await pagePoint(page, W, H, 120, 30);
    await andWaitForRun(page, () =>
      page.evaluate(
        ({ from, to }) => {
          const init = (x: number, y: number, buttons: number): PointerEventInit => ({
            clientX: x,
            clientY: y,
            pointerId: 1,
            pointerType: 'mouse',
            button: 0,
            buttons,
            bubbles: true,
            cancelable: true,
          });
          document
            .getElementById('hint-stage')!
            .dispatchEvent(new PointerEvent('pointerdown', init(from.x, from.y, 1)));
          for (let step = 1; step <= 4; step++) {
            window.dispatchEvent(
              new PointerEvent(
                'pointermove',
                init(from.x + ((to.x - from.x) * step) / 4, from.y + ((to.y - from.y) * step) / 4, 1),
              ),
            );
          }
          window.dispatchEvent(new PointerEvent('pointerup', init(to.x, to.y, 0)));
        },
        { from, to: q },
      ),
    );
    console.log(`points after the drag: ${(await page.locator('#hint-list').textContent())!}`);
    const moved = await readCanvas(page);
    expect(await page.locator('#hint-list li').first().textContent()).toMatch(/^\(120, 30\) #ff2000/);
    expect(redness(moved, 120, 30) - redness(plain, 120, 30)).toBeGreaterThan(60);
    expect(Math.abs(redness(moved, 40, 60) - redness(plain, 40, 60))).toBeLessThanOrEqual(2);

    // A second point (placed with the current colour, then recoloured while selected), then save both: the file
    // is the command line's hints JSON.
    const r = await pagePoint(page, W, H, 20, 100);
    await andWaitForRun(page, () => page.mouse.click(r.x, r.y));
    await andWaitForRun(page, () => page.locator('#hint-color').fill('#00a000'));
    const twoPoints = await readCanvas(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#hints-save').click()]);
    expect(download.suggestedFilename()).toBe('small.hints.json');
    const saved = join(workDir, 'saved.hints.json');
    await download.saveAs(saved);
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual({
      points: [
        { x: 120, y: 30, color: '#ff2000' },
        { x: 20, y: 100, color: '#00a000' },
      ],
    });

    // Remove one, then all: back to the picture without points.
    await andWaitForRun(page, () => page.locator('.remove-hint').first().click());
    expect(await page.locator('#hint-list li').count()).toBe(1);
    await andWaitForRun(page, () => page.locator('#hints-clear').click());
    expect(maxDifference((await readCanvas(page)).data, plain.data)).toBe(0);

    // Loading the saved file gives the same points and the same picture.
    await andWaitForRun(page, () => page.setInputFiles('#hints-load', saved));
    expect(await page.locator('#hint-list li').count()).toBe(2);
    expect(maxDifference((await readCanvas(page)).data, twoPoints.data)).toBe(0);

    // A malformed file is shown as an error naming it, and the points stay.
    const broken = join(workDir, 'broken.hints.json');
    await writeFile(broken, '{"points":[{"x":1,"y":1,"color":"navy"}]}');
    await page.setInputFiles('#hints-load', broken);
    await page.waitForSelector('body[data-state="error"]');
    expect(await page.locator('#error').textContent()).toMatch(
      /broken\.hints\.json\.points\[0\]\.color: expected '#rrggbb'/,
    );
    expect(errors).toEqual([]);
  });
});

describe('colour points on the example page, webgl backend (SwiftShader)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium(SOFTWARE_WEBGL_FLAGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('on a 1-megapixel photo a placed point gives the result Node gives for the same point (within 2 levels on 99 % of pixels)', async () => {
    const W = 1200,
      H = 840;
    const photoPath = await grayPng('large.png', W, H);
    const { page } = await browser.newPage();
    await openWithPhoto(page, 'webgl', photoPath);
    expect(await page.locator('body').getAttribute('data-backend')).toBe('webgl');
    const p = await pagePoint(page, W, H, 700, 300);
    const started = Date.now();
    await andWaitForRun(page, () => page.mouse.click(p.x, p.y));
    console.log(`webgl (SwiftShader), ${W} × ${H}: point placed → picture updated in ${Date.now() - started} ms`);
    const shown = await readCanvas(page);
    const hints: ColorHint[] = [{ x: 700, y: 300, color: '#0050ff' }];
    expect(await page.locator('#hint-list li').first().textContent()).toMatch(/^\(700, 300\) #0050ff/);

    await tf.setBackend('wasm');
    const colorizer = await createColorizer({ model: await readModelFolder(join(modelsDir, 'hints')) });
    const { data, info } = await sharp(photoPath).raw().toBuffer({ resolveWithObject: true });
    const node = (
      await colorizer.colorize(
        { data: new Uint8Array(data), width: W, height: H, channels: info.channels as 1 | 3 },
        { hints, channels: 4 },
      )
    ).rgb.data;
    colorizer.dispose();
    let close = 0;
    for (let i = 0; i < node.length; i += 4) {
      const d = Math.max(
        Math.abs(node[i] - shown.data[i]),
        Math.abs(node[i + 1] - shown.data[i + 1]),
        Math.abs(node[i + 2] - shown.data[i + 2]),
      );
      if (d <= 2) close++;
    }
    expect(close / (W * H)).toBeGreaterThan(0.99);
    expect(blueness(shown, 700, 300)).toBeGreaterThan(blueness(shown, 100, 100) + 60);
  });
});
