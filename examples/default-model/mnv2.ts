/**
 * The default model's frozen backbone: ImageNet-trained MobileNetV2 (width 1.0), its hypercolumn taps at
 * strides 4, 8, 16 and 32 and the 1280-channel last feature map (pooled into the global feature).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildHypercolumnFeatures } from 'tfjs-colorization';

/** Block outputs at strides 4, 8, 16, 32 (24, 32, 96, 320 channels). */
export const TAP_NAMES: readonly string[] = [];
/** The 1280-channel last feature map. */
export const GLOBAL_NAME = '';

/** Load the bundled MobileNetV2 backbone (RGB in [−1, 1]). */
export async function loadBackbone(): Promise<tfl.LayersModel> {
  throw new Error('backbone not available yet');
}

/** The frozen backbone reading lightness, with the taps and the pooled global feature as outputs. */
export async function loadBackboneFeatures(): Promise<{ model: tfl.LayersModel; names: string[] }> {
  const backbone = await loadBackbone();
  const model = buildHypercolumnFeatures({ backbone, tapNames: TAP_NAMES, globalName: GLOBAL_NAME });
  backbone.dispose();
  return { model, names: [...TAP_NAMES.map((_, i) => `tap${i + 1}`), 'global'] };
}
