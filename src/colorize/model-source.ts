/**
 * The forms in which a colorization model can be handed to `createColorizer`, and how each is loaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
// Custom layers must be registered before a serialized model that uses them is deserialized.
import '../models/layers/dilated-conv2d.js';
import '../models/layers/fusion-layer.js';
import '../models/layers/freezable-batch-norm.js';
import '../models/layers/resize-to-match.js';
import { loadBundledModel } from './bundled-model.js';

/**
 * A model for `createColorizer`:
 * - a `tf.LayersModel` (used as is; the caller keeps ownership);
 * - a string: URL of a `model.json` (or any path a registered tfjs IO router understands, e.g.
 *   `indexeddb://name`), loaded with `tfl.loadLayersModel`. In Node use `createNodeColorizer` or
 *   `loadModelFiles` from `tfjs-colorization/node` for plain file paths;
 * - a `tf.io.IOHandler` (e.g. `tf.io.browserFiles([json, weights])`);
 * - in-memory `tf.io.ModelArtifacts` (topology, weight specs and weight data).
 * @example const source: ModelSource = 'https://example.org/colorizer/model.json';
 */
export type ModelSource = tfl.LayersModel | string | tf.io.IOHandler | tf.io.ModelArtifacts;

/** A loaded model and whether the colorizer owns (and so disposes) it. @example const { model, owned } = await loadModelSource(url); */
export interface LoadedModel {
  model: tfl.LayersModel;
  owned: boolean;
}

function isLayersModel(x: unknown): x is tfl.LayersModel {
  if (x instanceof tfl.LayersModel) return true;
  // Another copy of tfjs-layers (a second bundle) fails instanceof; its models still look like this.
  const m = x as Partial<tfl.LayersModel> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.predict === 'function' &&
    Array.isArray(m.inputs) &&
    Array.isArray(m.outputs)
  );
}

/**
 * Load a {@link ModelSource}; with `undefined`, the bundled default model (see `registerBundledModel`).
 *
 * @param source  the model or where to find it.
 * @param onProgress  receives the loaded fraction in [0, 1] for sources that download.
 * @returns the model and `owned: true` when it was loaded here (the caller must then dispose it).
 * @throws ConfigError (key `model`) for anything else, or when the source does not hold a layers model.
 * @example
 * const { model, owned } = await loadModelSource('https://example.org/colorizer/model.json');
 */
export async function loadModelSource(
  source: ModelSource | undefined,
  onProgress?: (fraction: number) => void,
): Promise<LoadedModel> {
  if (source === undefined) return { model: await loadBundledModel(onProgress), owned: true };
  if (isLayersModel(source)) return { model: source, owned: false };
  let handler: string | tf.io.IOHandler;
  if (typeof source === 'string') {
    if (source.length === 0) throw new ConfigError('model', 'a non-empty model.json URL', '""');
    handler = source;
  } else if (typeof source === 'object' && source !== null && typeof (source as tf.io.IOHandler).load === 'function') {
    handler = source as tf.io.IOHandler;
  } else if (typeof source === 'object' && source !== null && 'modelTopology' in source) {
    handler = tf.io.fromMemory(source as tf.io.ModelArtifacts);
  } else {
    throw new ConfigError(
      'model',
      'a tf.LayersModel, a model.json URL, a tf.io.IOHandler or tf.io.ModelArtifacts',
      describeValue(source),
    );
  }
  try {
    return { model: await tfl.loadLayersModel(handler, { onProgress }), owned: true };
  } catch (e) {
    const where = typeof source === 'string' ? JSON.stringify(source) : 'the given handler or artifacts';
    throw new ConfigError(
      'model',
      'a loadable tfjs-layers model',
      `${where}, which failed to load: ${(e as Error).message}`,
    );
  }
}
