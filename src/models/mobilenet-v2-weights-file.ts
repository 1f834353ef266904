/**
 * MobileNetV2 weights saved as a tfjs-layers model folder (`model.json` + weight files), such as the
 * package's bundled `models/mobilenet-v2/`: load them into a {@link buildMobileNetV2} network of any
 * `outputs` (a truncated backbone takes the weights of the layers it has), from artifacts or from a URL.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { InputError, TfliteFormatError, describeValue } from '../errors.js';
import { buildMobileNetV2, type MobileNetV2Config } from './mobilenet-v2.js';

/**
 * Copy weights by name (`Conv/kernel`, `expanded_conv_1_depthwise/depthwise_kernel`, …) from saved
 * artifacts into a MobileNetV2 built here; quantized (uint8, float16) weights come back as float32.
 *
 * @param model      a {@link buildMobileNetV2} model; its weights are replaced.
 * @param artifacts  `weightSpecs` and `weightData` of a saved MobileNetV2 (any outputs).
 * @throws TfliteFormatError `'mismatch'` naming the weight, expected and found shape, or a missing weight.
 * @example
 * setMobileNetV2WeightsFromArtifacts(buildMobileNetV2({ outputs: ['pooled'] }), await tf.io.http(url).load());
 */
export function setMobileNetV2WeightsFromArtifacts(model: tfl.LayersModel, artifacts: tf.io.ModelArtifacts): void {
  if (artifacts?.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new InputError('artifacts', 'model artifacts with weightSpecs and weightData', describeValue(artifacts));
  }
  const data = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : tf.io.concatenateArrayBuffers(artifacts.weightData);
  const named = tf.io.decodeWeights(data, artifacts.weightSpecs);
  try {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const values = layer.weights.map((w) => {
        const name = w.originalName ?? w.name;
        const saved = named[name];
        if (saved === undefined) throw new TfliteFormatError('mismatch', `weight ${name} of the model is missing from the saved weights`);
        if (saved.shape.join(',') !== w.shape.join(',')) {
          throw new TfliteFormatError('mismatch', `weight ${name}: expected shape [${w.shape.join(', ')}], found [${saved.shape.join(', ')}]`);
        }
        return saved;
      });
      layer.setWeights(values);
    }
  } finally {
    tf.dispose(named);
  }
}

/**
 * Build MobileNetV2 with weights from saved artifacts (see {@link setMobileNetV2WeightsFromArtifacts}).
 * @param artifacts  of a saved MobileNetV2 (for example the bundled `models/mobilenet-v2/`).
 * @param config     builder options (input size, outputs).
 * @returns a new model; the caller owns it.
 * @example
 * const backbone = mobileNetV2FromArtifacts(artifacts, { outputs: ['stride8', 'pooled'] });
 */
export function mobileNetV2FromArtifacts(artifacts: tf.io.ModelArtifacts, config: MobileNetV2Config = {}): tfl.LayersModel {
  const model = buildMobileNetV2(config);
  try {
    setMobileNetV2WeightsFromArtifacts(model, artifacts);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Load MobileNetV2 from a `model.json` URL (browser or Node ≥ 20 `fetch`), for example where an app
 * serves the package's `models/mobilenet-v2/` folder.
 *
 * @param url     URL of `model.json`; its weight files are fetched from beside it.
 * @param config  builder options (input size, outputs).
 * @returns a new model with the saved weights; the caller owns it.
 * @example
 * const backbone = await loadMobileNetV2FromUrl('/models/mobilenet-v2/model.json', { outputs: ['stride4', 'stride8', 'pooled'] });
 */
export async function loadMobileNetV2FromUrl(url: string, config: MobileNetV2Config = {}): Promise<tfl.LayersModel> {
  if (typeof url !== 'string' || url.length === 0) throw new InputError('url', 'the URL of a model.json', describeValue(url));
  const handler = tf.io.http(url);
  const artifacts = await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
  return mobileNetV2FromArtifacts(artifacts, config);
}
