/**
 * The bundled MobileNetV2 backbone in Node: `models/mobilenet-v2/` of the package, converted from the
 * Apache-2.0 TFLite classifier `mobilenet_v2_1.0_224_quant.tflite` (see THIRD_PARTY_NOTICES.md).
 */
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { MobileNetV2Config } from '../../models/mobilenet-v2.js';
import { mobileNetV2FromArtifacts } from '../../models/mobilenet-v2-weights-file.js';
import { findBundledFolder } from './bundled-folder.js';
import { readModelArtifacts } from './model-files.js';

/**
 * Folder of the bundled MobileNetV2 weights, relative to the package root.
 * @example
 * MOBILENET_V2_FOLDER; // 'models/mobilenet-v2' (joined with the platform's separator)
 */
export const MOBILENET_V2_FOLDER = join('models', 'mobilenet-v2');

/**
 * Absolute path of the bundled MobileNetV2 folder, found by walking up from this module (it runs from
 * `src/node/files/` in a checkout and from a chunk in `dist/`).
 * @throws ColorizationError when the package holds no bundled MobileNetV2.
 * @example
 * bundledMobileNetV2Directory(); // '/…/node_modules/tfjs-colorization/models/mobilenet-v2'
 */
export function bundledMobileNetV2Directory(): string {
  return findBundledFolder(MOBILENET_V2_FOLDER, 'the bundled MobileNetV2');
}

/**
 * Load the bundled ImageNet-trained MobileNetV2 (width 1.0, 1001 classes) into a network built with
 * `config`, for example a frozen backbone that returns feature taps.
 *
 * @param config  builder options: `inputSize` (default 224, or `null` for any), `outputs` (default
 *   `['logits']`; `'stride4' | 'stride8' | 'stride16' | 'stride32' | 'features' | 'pooled' | 'logits'`).
 * @returns a new model from `[N, S, S, 3]` RGB in [−1, 1]; the caller owns it.
 * @example
 * const backbone = await loadBundledMobileNetV2({ inputSize: 256, outputs: ['stride4', 'stride8', 'stride16', 'pooled'] });
 */
export async function loadBundledMobileNetV2(config: MobileNetV2Config = {}): Promise<tfl.LayersModel> {
  return mobileNetV2FromArtifacts(await readModelArtifacts(bundledMobileNetV2Directory()), config);
}
