import { defineConfig } from 'tsup';

const external = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'sharp', 'ndarray'];

export default defineConfig([
  // ESM, one output file per source file: bundlers see each module on its own, so an app that imports
  // only the colour functions leaves tfjs-layers out, while the custom layers' files (listed in
  // package.json sideEffects) keep their registration when they are reachable.
  {
    entry: ['src/**/*.ts'],
    format: ['esm'],
    bundle: false,
    dts: { entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    external,
  },
  // CommonJS for require(): two entries sharing chunks.
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['cjs'],
    splitting: true,
    sourcemap: true,
    target: 'es2022',
    // import.meta.url in the CommonJS build (the Node entry finds the bundled model from it).
    shims: true,
    external,
  },
]);
