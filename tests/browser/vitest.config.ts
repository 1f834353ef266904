/**
 * Real-browser tests (`npm run test:browser`): Node-side vitest files that drive Debian's chromium through
 * playwright-core against the production build of `examples/browser`. Kept apart from the main suite
 * (`tests/**\/*.test.ts`): they need the package's ESM build in `build/browser/` (`npm run build:browser`,
 * which leaves `dist/` alone) and Chromium (found or installed by tests/browser/find-chromium.ts).
 */
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = join(import.meta.dirname, '../..');

export default defineConfig({
  root,
  resolve: {
    // Node references run the same built package the page bundles.
    alias: [{ find: /^tfjs-colorization$/, replacement: join(root, 'build/browser/index.js') }],
  },
  test: {
    include: ['tests/browser/**/*.browser.ts'],
    globalSetup: ['tests/browser/global-setup.ts'],
    setupFiles: ['tests/browser/node-setup.ts'],
    // One browser at a time: the machine has two cores and the timings on the page should mean something.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
