/**
 * The key layout of torchvision's `resnet18` (He et al. 2016; `torchvision/models/resnet.py`, ImageNet
 * weights `resnet18-f37072fd.pth`) and its loading into `buildResNet18` with the ImageNet stem.
 *
 * torchvision names: `conv1`/`bn1` (stem), `layer<s>.<b>.conv1|bn1|conv2|bn2` for stage s ∈ 1…4 and
 * block b ∈ {0, 1}, `layer<s>.0.downsample.0|1` for the 1×1 projection conv and its BatchNorm (stages
 * 2–4), and `fc`. Convs have no bias.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TorchStateDict } from '../torch/state-dict.js';
import { loadStateDictIntoModel, type StateDictMappingEntry } from './state-dict-mapping.js';

/**
 * torchvision ResNet-18's modules and the `buildResNet18` layers that take their weights.
 * @example RESNET18_STATE_DICT_MAPPING[0]; // { torch: 'conv1', layer: 'stem_conv', kind: 'conv' }
 */
export const RESNET18_STATE_DICT_MAPPING: readonly StateDictMappingEntry[] = Object.freeze([
  { torch: 'conv1', layer: 'stem_conv', kind: 'conv' },
  { torch: 'bn1', layer: 'stem_bn', kind: 'batch-norm' },
  ...[1, 2, 3, 4].flatMap((stage) =>
    [0, 1].flatMap((block) => {
      const torch = `layer${stage}.${block}`,
        layer = `stage${stage}_block${block + 1}_`;
      const rows: StateDictMappingEntry[] = [
        { torch: `${torch}.conv1`, layer: `${layer}conv1`, kind: 'conv' },
        { torch: `${torch}.bn1`, layer: `${layer}bn1`, kind: 'batch-norm' },
        { torch: `${torch}.conv2`, layer: `${layer}conv2`, kind: 'conv' },
        { torch: `${torch}.bn2`, layer: `${layer}bn2`, kind: 'batch-norm' },
      ];
      if (stage > 1 && block === 0) {
        rows.push(
          { torch: `${torch}.downsample.0`, layer: `${layer}proj_conv`, kind: 'conv' },
          { torch: `${torch}.downsample.1`, layer: `${layer}proj_bn`, kind: 'batch-norm' },
        );
      }
      return rows;
    }),
  ),
  { torch: 'fc', layer: 'fc', kind: 'linear' },
]);

/**
 * Load a torchvision ResNet-18 state dict into `buildResNet18({ stem: 'imagenet' })` with matching
 * widths, input channels and classes, after checking every key and shape.
 *
 * @param model  `buildResNet18({ inputChannels, classes, widthMultiplier })`.
 * @param dict  `readTorchStateDict(bytes)` of e.g. torchvision's `resnet18-f37072fd.pth`.
 * @throws WeightLayoutError for a missing, extra or misshapen key.
 * @example
 * const model = buildResNet18();
 * loadResNet18StateDict(model, readTorchStateDict(bytes));
 */
export function loadResNet18StateDict(model: tfl.LayersModel, dict: TorchStateDict): void {
  loadStateDictIntoModel(model, dict, RESNET18_STATE_DICT_MAPPING);
}
