/**
 * Once per browser-test run: build the example app for production (against the package's ESM build in
 * `build/browser/`),
 * save the small test models into a temporary folder, and serve both with Vite's preview server on
 * 127.0.0.1. Tests get the address and the folder through `inject`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { findOrInstallChromium } from './find-chromium.js';
import { saveTestModels } from './test-models.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>/` of the built example app. */
    appUrl: string;
    /** Folder of the saved test models, served under `/models/`. */
    modelsDir: string;
  }
}

const EXAMPLE_CONFIG = join(import.meta.dirname, '../../examples/browser/vite.config.ts');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(join(import.meta.dirname, '../../build/browser/index.js')))
    throw new Error('build/browser/ is missing: run `npm run build:browser` first (npm run test:browser does)');
  // Test files run in worker processes started after this: they inherit the variable (tests/browser/chromium.ts).
  process.env.CHROMIUM_PATH = findOrInstallChromium();
  const modelsDir = await mkdtemp(join(tmpdir(), 'tfjs-colorization-models-'));
  tf.env().set('IS_TEST', true); // no Node banner
  await tf.setBackend('cpu');
  await saveTestModels(modelsDir);
  process.env.COLORIZATION_MODELS_DIR = modelsDir;
  await build({ configFile: EXAMPLE_CONFIG, logLevel: 'warn' });
  const server: PreviewServer = await preview({
    configFile: EXAMPLE_CONFIG,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('the preview server has no TCP address');
  project.provide('appUrl', `http://127.0.0.1:${address.port}/`);
  project.provide('modelsDir', modelsDir);
  return async () => {
    await server.close();
    await rm(modelsDir, { recursive: true, force: true });
  };
}
