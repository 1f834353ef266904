/**
 * The build the browser example and the browser tests run (`npm run build:browser`): the package's ESM
 * files without type declarations, into build/browser/ so that it never touches dist/ (whose types
 * `npm pack` ships).
 */
import { defineConfig } from 'tsup';
import { esmOptions } from './tsup.config.js';

export default defineConfig({ ...esmOptions, outDir: 'build/browser' });
