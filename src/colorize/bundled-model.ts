/**
 * The default model behind `createColorizer()` without a `model` option. The library core does not know
 * where the bundled weights live (a file next to the package in Node, a URL in a browser), so the entry
 * points register a loader here and `createColorizer` asks for it.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';

/**
 * Loads the bundled model. Called at most once per `createColorizer` call; the colorizer owns the
 * returned model and disposes it with itself. `onProgress` receives the loaded fraction in [0, 1].
 * @example
 * const loader: BundledModelLoader = () => loadModelFiles(new URL('../models/default', import.meta.url));
 */
export type BundledModelLoader = (onProgress?: (fraction: number) => void) => Promise<tfl.LayersModel>;

let bundledLoader: BundledModelLoader | undefined;

/**
 * Register (or, with `undefined`, remove) the loader of the bundled default model.
 * @param loader  a function returning a fresh `tf.LayersModel` each call.
 * @example
 * registerBundledModel(() => tfl.loadLayersModel('https://example.org/colorizer/model.json'));
 */
export function registerBundledModel(loader: BundledModelLoader | undefined): void {
  if (loader !== undefined && typeof loader !== 'function')
    throw new ConfigError('loader', 'a function returning Promise<tf.LayersModel>, or undefined', typeof loader);
  bundledLoader = loader;
}

/** Whether a bundled model loader is registered. @example if (!hasBundledModel()) console.log('pass { model }'); */
export function hasBundledModel(): boolean {
  return bundledLoader !== undefined;
}

/**
 * Load the bundled default model through the registered loader.
 * @returns a new model; the caller owns it.
 * @throws ConfigError (key `model`) when no bundled model is registered.
 * @example
 * const model = await loadBundledModel();
 */
export async function loadBundledModel(onProgress?: (fraction: number) => void): Promise<tfl.LayersModel> {
  if (bundledLoader === undefined) {
    throw new ConfigError(
      'model',
      'a tf.LayersModel, a model.json URL, an IOHandler or model artifacts (no bundled default model is registered in this build)',
      'undefined',
    );
  }
  return bundledLoader(onProgress);
}
