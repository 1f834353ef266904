/**
 * `npm run example:browser` serves the page with Vite's dev server, which loads dependencies differently
 * from the production build (pre-bundled by esbuild, not rolled up): the page must work there too.
 */
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, type Browser } from './chromium.js';

const EXAMPLE_CONFIG = join(import.meta.dirname, '../../examples/browser/vite.config.ts');
const PHOTO = join(import.meta.dirname, '../../examples/images/historical/adams_tetons_snake_river_1942.jpg');

let server: ViteDevServer;
let browser: Browser;
beforeAll(async () => {
  // The example's config reads this when it loads: the test models are served under /models/.
  process.env.COLORIZATION_MODELS_DIR = inject('modelsDir');
  server = await createServer({
    configFile: EXAMPLE_CONFIG,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the dev server serves a working page: model loads on wasm and a JPEG is colorized', async () => {
  const address = server.httpServer!.address();
  if (address === null || typeof address === 'string') throw new Error('the dev server has no TCP address');
  const { page, errors } = await browser.newPage();
  await page.goto(
    `http://127.0.0.1:${address.port}/?backend=wasm&model=${encodeURIComponent('/models/zhang/model.json')}`,
  );
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', {
    state: 'attached',
    timeout: 90_000,
  });
  expect(await page.locator('#error').textContent()).toBe('');
  await page.setInputFiles('#photo-input', PHOTO);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', {
    state: 'attached',
    timeout: 60_000,
  });
  expect(await page.locator('#error').textContent()).toBe('');
  expect(
    await page.locator('#colorized').evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]),
  ).toEqual([375, 331]);
  expect(errors).toEqual([]);
});
