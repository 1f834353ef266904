/**
 * The key layout of the authors' SIGGRAPH17 PyTorch port (Zhang et al. 2017, "Real-Time User-Guided Image
 * Colorization with Learned Deep Priors"; richzhang/colorization `colorizers/siggraph17.py`, released as
 * `siggraph17-df00044c.pth`) and its loading into `buildSiggraph17Model`.
 *
 * Blocks 1–7 are laid out as ECCV16's (convs at even indices, BatchNorm last). The up-blocks start with a
 * ReLU, so their convs sit at odd indices: `model8.1, .3` and BatchNorm `model8.5`; `model9.1` and
 * BatchNorm `model9.3`; `model10.1`. The transposed convs and shortcuts are one-module sequentials
 * (`model8up.0`, `model3short8.0`, …), as are the heads `model_out.0` and `model_class.0`.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TorchStateDict } from '../torch/state-dict.js';
import { loadStateDictIntoModel, type StateDictMappingEntry } from './state-dict-mapping.js';

const SIGGRAPH17_BLOCK_CONVS = [2, 2, 3, 3, 3, 3, 3] as const;

/**
 * The SIGGRAPH17 port's modules and the `buildSiggraph17Model` layers that take their weights.
 * @example SIGGRAPH17_STATE_DICT_MAPPING.find((e) => e.torch === 'model8up.0')?.layer; // 'conv8_1'
 */
export const SIGGRAPH17_STATE_DICT_MAPPING: readonly StateDictMappingEntry[] = Object.freeze([
  ...SIGGRAPH17_BLOCK_CONVS.flatMap((convs, b) => [
    ...Array.from({ length: convs }, (_, j) => ({
      torch: `model${b + 1}.${2 * j}`,
      layer: `conv${b + 1}_${j + 1}`,
      kind: 'conv' as const,
    })),
    { torch: `model${b + 1}.${2 * convs}`, layer: `conv${b + 1}_${convs}norm`, kind: 'batch-norm' as const },
  ]),
  { torch: 'model8up.0', layer: 'conv8_1', kind: 'conv-transpose' },
  { torch: 'model3short8.0', layer: 'conv3_3_short', kind: 'conv' },
  { torch: 'model8.1', layer: 'conv8_2', kind: 'conv' },
  { torch: 'model8.3', layer: 'conv8_3', kind: 'conv' },
  { torch: 'model8.5', layer: 'conv8_3norm', kind: 'batch-norm' },
  { torch: 'model9up.0', layer: 'conv9_1', kind: 'conv-transpose' },
  { torch: 'model2short9.0', layer: 'conv2_2_short', kind: 'conv' },
  { torch: 'model9.1', layer: 'conv9_2', kind: 'conv' },
  { torch: 'model9.3', layer: 'conv9_2norm', kind: 'batch-norm' },
  { torch: 'model10up.0', layer: 'conv10_1', kind: 'conv-transpose' },
  { torch: 'model1short10.0', layer: 'conv1_2_short', kind: 'conv' },
  { torch: 'model10.1', layer: 'conv10_2', kind: 'conv' },
  { torch: 'model_out.0', layer: 'conv10_ab', kind: 'conv' },
  { torch: 'model_class.0', layer: 'conv8_class', kind: 'conv' },
]);

/**
 * Load the authors' SIGGRAPH17 state dict into a model from `buildSiggraph17Model` whose widths and
 * classes match the file, after checking every key and shape.
 *
 * @param model  `buildSiggraph17Model({ widthMultiplier, classes })`.
 * @param dict  `readTorchStateDict(bytes)` of e.g. `siggraph17-df00044c.pth`.
 * @throws WeightLayoutError for a missing, extra or misshapen key.
 * @example
 * const model = buildSiggraph17Model();
 * loadSiggraph17StateDict(model, readTorchStateDict(bytes));
 */
export function loadSiggraph17StateDict(model: tfl.LayersModel, dict: TorchStateDict): void {
  loadStateDictIntoModel(model, dict, SIGGRAPH17_STATE_DICT_MAPPING);
}
