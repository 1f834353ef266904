/**
 * The key layout of the authors' ECCV16 PyTorch port (Zhang, Isola & Efros 2016, "Colorful Image
 * Colorization"; richzhang/colorization `colorizers/eccv16.py`, released as
 * `colorization_release_v2-9b330a0b.pth`) and its loading into `buildZhangModel`.
 *
 * The port's blocks are `nn.Sequential`s in which ReLUs take the odd indices: `model<b>.0, .2, .4` are
 * convs and the last even index of blocks 1–7 is the BatchNorm; block 8 is a transposed conv (`model8.0`),
 * two convs and the 313-bin 1×1 conv (`model8.6`). `model_out` (a bias-free 1×1 conv 313 → 2 after a
 * softmax) holds the bin centres divided by 110, which makes the port's output the mean of the
 * distribution (Zhang et al. 2016, §3.3 with T = 1). The library decodes bins itself, so `model_out` is not
 * a layer here: it is checked against the library's gamut instead.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { AB_SCALE } from '../../color/lab/constants.js';
import { ZHANG_GAMUT, type AbGamut } from '../../color/bins/gamut.js';
import { WeightLayoutError } from '../../errors.js';
import type { TorchStateDict } from '../torch/state-dict.js';
import { loadStateDictIntoModel, requireTensor, type StateDictMappingEntry } from './state-dict-mapping.js';

/** Convs per block of the port (blocks 1–7); block b's BatchNorm follows its last conv. */
const ECCV16_BLOCK_CONVS = [2, 2, 3, 3, 3, 3, 3] as const;

/**
 * The ECCV16 port's modules and the `buildZhangModel` layers that take their weights.
 * @example ECCV16_STATE_DICT_MAPPING[0]; // { torch: 'model1.0', layer: 'conv1_1', kind: 'conv' }
 */
export const ECCV16_STATE_DICT_MAPPING: readonly StateDictMappingEntry[] = Object.freeze([
  ...ECCV16_BLOCK_CONVS.flatMap((convs, b) => [
    ...Array.from({ length: convs }, (_, j) => ({
      torch: `model${b + 1}.${2 * j}`,
      layer: `conv${b + 1}_${j + 1}`,
      kind: 'conv' as const,
    })),
    { torch: `model${b + 1}.${2 * convs}`, layer: `conv${b + 1}_${convs}norm`, kind: 'batch-norm' as const },
  ]),
  { torch: 'model8.0', layer: 'conv8_1', kind: 'conv-transpose' },
  { torch: 'model8.2', layer: 'conv8_2', kind: 'conv' },
  { torch: 'model8.4', layer: 'conv8_3', kind: 'conv' },
  { torch: 'model8.6', layer: 'conv8_313', kind: 'conv' },
]);

/**
 * Largest difference, in ab units, allowed between a `model_out` centre × 110 and the gamut's centre.
 * The bins are 10 apart, so a reordered or different gamut is far beyond it; float32 rounding is far below.
 * @example Math.abs(weight * 110 - centre) <= ECCV16_CENTRE_TOLERANCE; // the test checkEccv16Centres applies
 */
export const ECCV16_CENTRE_TOLERANCE = 0.01;

/**
 * Check the port's `model_out.weight` `[2, Q, 1, 1]` against a gamut: centre q of the file, × 110, must be
 * the gamut's centre q (same bins, same order).
 *
 * @param dict  the state dict.
 * @param gamut  default `ZHANG_GAMUT`.
 * @throws WeightLayoutError (key `model_out.weight`) naming the first bin that differs.
 * @example checkEccv16Centres(stateDict);
 */
export function checkEccv16Centres(dict: TorchStateDict, gamut: AbGamut = ZHANG_GAMUT): void {
  const key = 'model_out.weight';
  const values = requireTensor(dict, key, [2, gamut.size, 1, 1]).toFloat32();
  for (let q = 0; q < gamut.size; q++) {
    const a = values[q] * AB_SCALE,
      b = values[gamut.size + q] * AB_SCALE;
    const ga = gamut.centres[2 * q],
      gb = gamut.centres[2 * q + 1];
    if (!(Math.abs(a - ga) <= ECCV16_CENTRE_TOLERANCE && Math.abs(b - gb) <= ECCV16_CENTRE_TOLERANCE)) {
      throw new WeightLayoutError(
        key,
        `bin ${q} at ab (${ga}, ${gb}) / 110, as the library's ${gamut.size}-bin gamut in its order`,
        `ab (${a.toFixed(3)}, ${b.toFixed(3)}) / 110`,
      );
    }
  }
}

/**
 * Load the authors' ECCV16 state dict into a model from `buildZhangModel` (any `widthMultiplier`, 313
 * bins), after checking every key, every shape, and `model_out`'s bin centres against `ZHANG_GAMUT`.
 *
 * @param model  `buildZhangModel({ widthMultiplier })` whose widths match the file.
 * @param dict  `readTorchStateDict(bytes)` of e.g. `colorization_release_v2-9b330a0b.pth`.
 * @throws WeightLayoutError for a missing, extra or misshapen key, or other bin centres.
 * @example
 * const model = buildZhangModel();
 * loadEccv16StateDict(model, readTorchStateDict(bytes));
 */
export function loadEccv16StateDict(model: tfl.LayersModel, dict: TorchStateDict): void {
  checkEccv16Centres(dict);
  loadStateDictIntoModel(model, dict, ECCV16_STATE_DICT_MAPPING, { ignoreKey: (key) => key === 'model_out.weight' });
}
