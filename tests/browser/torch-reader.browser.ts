/**
 * readTorchStateDict in Chromium, from a production bundle of the built package: the same values as torch
 * (tests/fixtures/torch_state_dicts/expected.json) for the zip, legacy and deflated formats, and the
 * malicious pickle refused with its typed reason.
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, type Browser } from './chromium.js';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'tests/fixtures/torch_state_dicts');
const outDir = join(import.meta.dirname, 'dist', 'torch-reader');
const ORIGIN = 'http://torch-reader.test';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test("a production bundle reads zip, legacy and deflated state dicts in Chromium to torch's values, and refuses os.system", async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    resolve: { alias: [{ find: /^tfjs-colorization$/, replacement: join(root, 'build/browser/index.js') }] },
    build: {
      outDir,
      emptyOutDir: true,
      minify: 'esbuild',
      target: 'es2022',
      lib: {
        entry: join(import.meta.dirname, 'bundle-entries/torch-reader.ts'),
        formats: ['es'],
        fileName: 'torch-reader',
      },
      reportCompressedSize: false,
    },
  });
  const script = (
    await Promise.all(
      (await readdir(outDir)).filter((f) => extname(f) === '.js').map((f) => readFile(join(outDir, f), 'utf8')),
    )
  ).join('\n');

  const { page, errors } = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/')
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><link rel="icon" href="data:,"><body><script type="module" src="/bundle.js"></script></body>',
      });
    if (path === '/bundle.js') return route.fulfill({ contentType: 'text/javascript', body: script });
    if (/^\/torch\/(valid|refused)\/[\w.-]+\.pth$/.test(path))
      return route.fulfill({ path: join(fixtures, path.slice('/torch/'.length)) });
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForSelector('body[data-state]', { state: 'attached', timeout: 60_000 });
  const result = (await page.evaluate(() => (window as unknown as { torchResult: unknown }).torchResult)) as {
    files: { [name: string]: unknown };
    refusal: string;
  };
  const expected = JSON.parse(await readFile(join(fixtures, 'expected.json'), 'utf8'));
  for (const name of ['mixed-zip.pth', 'mixed-legacy.pth', 'mixed-zip-deflated.pth'])
    expect(result.files[name], name).toEqual(expected[name]);
  expect(result.refusal).toBe('unknown-global: os.system');
  expect(errors).toEqual([]);
});
