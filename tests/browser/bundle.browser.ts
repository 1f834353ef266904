/**
 * What an application's production bundle gets from the package: tree-shaking (the colour module alone
 * pulls in no tfjs-layers), custom layers that still deserialize after bundling and minification, and the
 * library's own minified + gzipped size without its tfjs peers.
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import 'tfjs-colorization';
import { launchChromium, type Browser } from './chromium.js';
import { readModelFolder } from './test-models.js';

const root = join(import.meta.dirname, '../..');
const entries = join(import.meta.dirname, 'bundle-entries');
// Under a `dist/` folder: ignored by git, like every build output here.
const outRoot = join(import.meta.dirname, 'dist');
const modelsDir = inject('modelsDir');
const ORIGIN = 'http://bundle.test';

/**
 * A name only tfjs-layers code holds: the `kerasVersion` field it writes into every saved model (a
 * property name, so minification keeps it; the library itself never writes it).
 */
const TFJS_LAYERS_MARKER = 'kerasVersion';

const bundles = new Map<string, Promise<string>>();

/** Bundle `entry` for production (minified, everything inlined unless `external`); returns the emitted JS. Built once per name. */
function bundle(name: string, entry: string, external: RegExp[] = []): Promise<string> {
  if (!bundles.has(name)) bundles.set(name, buildBundle(name, entry, external));
  return bundles.get(name)!;
}

async function buildBundle(name: string, entry: string, external: RegExp[]): Promise<string> {
  const outDir = join(outRoot, name);
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
      lib: { entry, formats: ['es'], fileName: name },
      rollupOptions: { external },
      reportCompressedSize: false,
    },
  });
  const files = (await readdir(outDir)).filter((f) => extname(f) === '.js');
  return (await Promise.all(files.map((f) => readFile(join(outDir, f), 'utf8')))).join('\n');
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Run a bundled script on an empty page; files come from disk through request interception (no server). */
async function runBundle(script: string, until: string) {
  const { page, errors } = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/')
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><link rel="icon" href="data:,"><body><script type="module" src="/bundle.js"></script></body>',
      });
    if (path === '/bundle.js') return route.fulfill({ contentType: 'text/javascript', body: script });
    if (path.startsWith('/models/')) return route.fulfill({ path: join(modelsDir, path.slice('/models/'.length)) });
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForSelector(until, { state: 'attached', timeout: 60_000 });
  return { page, errors };
}

describe('production bundles', () => {
  // The ESM build keeps one file per source file, so only the layers' files (package.json sideEffects)
  // carry registration side effects; an app that uses colour functions alone leaves tfjs-layers out.
  test('a bundle importing only the colour module contains no tfjs-layers code', async () => {
    const colorOnly = await bundle('color-only', join(entries, 'color-only.ts'));
    const withLayers = await bundle('saved-layers', join(entries, 'saved-layers.ts'));
    // The marker is real: a bundle that uses tfjs-layers has it.
    expect(withLayers).toContain(TFJS_LAYERS_MARKER);
    console.log(
      `colour-only bundle (tfjs-core included): ${kib(colorOnly.length)} minified, ${kib(gzipSync(colorOnly, { level: 9 }).length)} gzipped`,
    );
    expect(colorOnly.includes(TFJS_LAYERS_MARKER)).toBe(false);
  });

  test('a bundle importing only the colour module runs and converts like scikit-image', async () => {
    const colorOnly = await bundle('color-only', join(entries, 'color-only.ts'));
    const { page, errors } = await runBundle(colorOnly, 'body[data-result]');
    const lab = JSON.parse((await page.locator('body').getAttribute('data-result'))!);
    // skimage.color.rgb2lab of pure red: L 53.241, a 80.092, b 67.203.
    expect(lab.slice(0, 3).map((v: number) => Math.round(v * 10) / 10)).toEqual([53.2, 80.1, 67.2]);
    expect(errors).toEqual([]);
  });

  test('saved models with DilatedConv2D and FusionLayer load in a production bundle and predict as in Node', async () => {
    const script = await bundle('saved-layers', join(entries, 'saved-layers.ts'));
    const { page, errors } = await runBundle(script, 'body[data-state]');
    expect(await page.locator('body').getAttribute('data-error')).toBe(null);
    const result = (await page.evaluate(() => (window as unknown as { bundleResult: unknown }).bundleResult)) as {
      zhang: number[];
      iizuka: number[][];
      classNames: string[];
      colorized: number[];
    };
    expect(result.classNames).toEqual(expect.arrayContaining(['DilatedConv2D', 'FusionLayer']));
    expect(result.colorized).toEqual([48, 32, 3]);

    await tf.setBackend('cpu');
    const zhang = await tfl.loadLayersModel(tf.io.fromMemory(await readModelFolder(join(modelsDir, 'zhang'))));
    const iizuka = await tfl.loadLayersModel(tf.io.fromMemory(await readModelFolder(join(modelsDir, 'iizuka'))));
    try {
      const expected = tf.tidy(() => {
        const zhangInput = tf.reshape(tf.mul(tf.sin(tf.mul(tf.range(0, 64 * 64), 0.37)), 0.5), [1, 64, 64, 1]);
        const iizukaInput = tf.reshape(tf.mul(tf.cos(tf.mul(tf.range(0, 32 * 32), 0.21)), 0.5), [1, 32, 32, 1]);
        return [
          zhang.predict(zhangInput) as tf.Tensor,
          ...(iizuka.predict([iizukaInput, iizukaInput]) as tf.Tensor[]),
        ].map((t) => Array.from(t.dataSync()));
      });
      // Same backend (cpu), same weights: equal up to float32 rounding of a different JS engine build.
      const close = (a: number[], b: number[]) => {
        expect(a.length).toBe(b.length);
        const scale = Math.max(...b.map(Math.abs));
        expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThanOrEqual(1e-5 * scale);
      };
      close(result.zhang, expected[0]);
      expect(result.iizuka.length).toBe(2);
      close(result.iizuka[0], expected[1]);
      close(result.iizuka[1], expected[2]);
    } finally {
      zhang.dispose();
      iizuka.dispose();
    }
    expect(errors).toEqual([]);
  });

  test('library size, minified and gzipped, without the tfjs peers', async () => {
    const library = await bundle('library', join(root, 'build/browser/index.js'), [/^@tensorflow\//]);
    const gzipped = gzipSync(library, { level: 9 }).length;
    console.log(
      `tfjs-colorization (build/browser/index.js, ndarray included, @tensorflow/* external): ${kib(library.length)} minified, ${kib(gzipped)} gzipped`,
    );
    // The peers stay imports: none of their code is inside.
    expect(library).not.toContain(TFJS_LAYERS_MARKER);
    expect(library).toMatch(/from ?"@tensorflow\/tfjs-layers"/);
    // A budget, so growth is noticed: the colour science tables and all model builders fit well within it.
    expect(gzipped).toBeLessThan(150 * 1024);
  });
});
