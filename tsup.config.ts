import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
// @ts-expect-error: a plain .mjs script without declarations
import { relativeSourceMaps } from './scripts/relative-source-maps.mjs';

const external = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'sharp', 'ndarray'];

// The public entries are package.json's `exports` ('.' → src/index.ts, './color' → src/color/index.ts, …):
// one list, so an entry added there is built here and type-checked through tsconfig.json's paths.
const exportsField = (
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }
).exports;
const entries: Record<string, string> = Object.fromEntries(
  Object.keys(exportsField)
    .filter((key) => key !== './package.json')
    .map((key) =>
      key === '.' ? ['index', 'src/index.ts'] : [`${key.slice(2)}/index`, `src/${key.slice(2)}/index.ts`],
    ),
);

/**
 * ESM, one output file per source file: bundlers see each module on its own, so an app that imports
 * only the colour functions leaves tfjs-layers out, while the custom layers' files (listed in
 * package.json sideEffects) keep their registration when they are reachable. Also the browser tests'
 * build (tsup.browser.config.ts), into a folder of its own.
 */
export const esmOptions: Options = {
  entry: ['src/**/*.ts'],
  format: ['esm'],
  bundle: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external,
};

export default defineConfig([
  { ...esmOptions, dts: { entry: entries } },
  // CommonJS for require(): the entries sharing chunks.
  {
    entry: entries,
    format: ['cjs'],
    splitting: true,
    sourcemap: true,
    target: 'es2022',
    // import.meta.url in the CommonJS build (the Node entry finds the bundled model from it).
    shims: true,
    external,
    // The CommonJS chunks' maps name their own file by its absolute path: made relative.
    onSuccess: async () => {
      relativeSourceMaps('dist');
    },
  },
]);
