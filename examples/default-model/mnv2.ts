/**
 * The default model's frozen backbone: ImageNet-trained MobileNetV2 (width 1.0, the bundled
 * models/mobilenet-v2), tapped at strides 4, 8, 16 and 32 (24, 32, 96, 320 channels) for the hypercolumn,
 * with its pooled 1280-channel last feature map as the global feature.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { MOBILENET_V2_OUTPUT_LAYERS, buildHypercolumnFeatures } from 'tfjs-colorization';
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
 * The backbone's top, from its stride-16 block output (96 channels, any size) to the stride-32 tap and the
 * pooled global feature: the backbone's own layers applied again, so training this model trains the
 * backbone's weights in place (and a colorizer built from that backbone afterwards carries them).
 */
export function buildTopBlocks(backbone: tfl.LayersModel): tfl.LayersModel {
  const from = backbone.getLayer(TOP_FROM);
  const input = tfl.input({ shape: [null, null, from.outputShape[3] as number], name: 'stride16_in' });
  const made = new Map<string, tfl.SymbolicTensor>([[from.name, input]]);
  const order = backbone.layers;
  for (const layer of order.slice(order.indexOf(from) + 1)) {
    const sources = layer.inboundNodes[0].inboundLayers.map((l) => made.get(l.name));
    if (sources.some((s) => s === undefined)) continue; // a branch below the top (none in MobileNetV2)
    made.set(
      layer.name,
      layer.apply(sources.length === 1 ? sources[0]! : (sources as tfl.SymbolicTensor[])) as tfl.SymbolicTensor,
    );
  }
  const pooled = made.get(GLOBAL_NAME);
  const tap = made.get(TAP_NAMES[3]);
  if (pooled === undefined || tap === undefined)
    throw new Error(`the backbone has no path from ${TOP_FROM} to its stride-32 tap and ${GLOBAL_NAME}`);
  return tfl.model({ inputs: input, outputs: [tap, pooled], name: 'mobilenet_v2_top' });
}
