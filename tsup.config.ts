import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  // import.meta.url in the CommonJS build (the Node entry finds the bundled model from it).
  shims: true,
  external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', 'sharp', 'ndarray'],
});
