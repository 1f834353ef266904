/**
 * The default model's frozen backbone: ImageNet-trained MobileNetV2 (width 1.0, the bundled
 * models/mobilenet-v2), tapped at strides 4, 8, 16 and 32 (24, 32, 96, 320 channels) for the hypercolumn,
 * with its pooled 1280-channel last feature map as the global feature.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { MOBILENET_V2_OUTPUT_LAYERS, buildHypercolumnFeatures, copyBackboneTop } from 'tfjs-colorization';
import { loadBundledMobileNetV2 } from 'tfjs-colorization/node';

/** Block outputs at strides 4, 8, 16, 32. */
export const TAP_NAMES: readonly string[] = [
  MOBILENET_V2_OUTPUT_LAYERS.stride4,
  MOBILENET_V2_OUTPUT_LAYERS.stride8,
  MOBILENET_V2_OUTPUT_LAYERS.stride16,
  MOBILENET_V2_OUTPUT_LAYERS.stride32,
];
/** The pooled 1280-channel last feature map (`Conv_1` after ReLU6, globally averaged). */
export const GLOBAL_NAME = MOBILENET_V2_OUTPUT_LAYERS.pooled;

/** Load the bundled MobileNetV2 backbone (RGB in [−1, 1], any input size) up to the pooled features. */
export async function loadBackbone(): Promise<tfl.LayersModel> {
  return loadBundledMobileNetV2({ inputSize: null, outputs: ['stride4', 'stride8', 'stride16', 'stride32', 'pooled'] });
}

/** The frozen backbone reading lightness, with the taps and the pooled global feature as outputs. */
export async function loadBackboneFeatures(): Promise<{ model: tfl.LayersModel; names: string[] }> {
  const backbone = await loadBackbone();
  const model = buildHypercolumnFeatures({ backbone, tapNames: TAP_NAMES, globalName: GLOBAL_NAME });
  backbone.dispose();
  return { model, names: [...TAP_NAMES.map((_, i) => `tap${i + 1}`), 'global'] };
}

/** The layers the fine-tuned system trains: blocks 13–16 (stride 32) and `Conv_1`, read from the stride-16 tap. */
export const TOP_FROM = MOBILENET_V2_OUTPUT_LAYERS.stride16;

/**
 * A copy of the backbone's top, from its stride-16 block output (96 channels, any size) to the stride-32 tap
 * and the pooled global feature, for fine-tuning on cached stride-16 features; `copyLayerWeights(top,
 * backbone)` puts the trained weights back.
 */
export function buildTopBlocks(backbone: tfl.LayersModel): tfl.LayersModel {
  return copyBackboneTop(backbone, TOP_FROM, [TAP_NAMES[3], GLOBAL_NAME]);
}
