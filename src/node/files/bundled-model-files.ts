/**
 * The bundled default model in Node: the `models/default/` folder shipped in the package. Importing
 * `tfjs-colorization/node` registers its loader, so `createColorizer()` and the CLI work without a model.
 */
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { registerBundledModel } from '../../colorize/bundled-model.js';
import { findBundledFolder } from './bundled-folder.js';
import { loadModelFiles } from './model-files.js';

/**
 * Folder of the bundled model, relative to the package root.
 * @example
 * BUNDLED_MODEL_FOLDER; // 'models/default' (joined with the platform's separator)
 */
export const BUNDLED_MODEL_FOLDER = join('models', 'default');

/**
 * Absolute path of the bundled model's folder: found by walking up from this module (the same code runs
 * from `src/node/files/` in a checkout and from a bundled chunk in `dist/`).
 * @throws ColorizationError when the package holds no bundled model.
 * @example
 * bundledModelDirectory(); // '/…/node_modules/tfjs-colorization/models/default'
 */
export function bundledModelDirectory(): string {
  return findBundledFolder(BUNDLED_MODEL_FOLDER, 'the bundled model');
}

/**
 * Load the bundled default model from the package's files (float16 weights come back as float32).
 * @returns a new model; the caller owns it.
 * @example
 * const model = await loadBundledModelFiles();
 */
export function loadBundledModelFiles(): Promise<tfl.LayersModel> {
  return loadModelFiles(bundledModelDirectory());
}

registerBundledModel(loadBundledModelFiles);
