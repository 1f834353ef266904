/**
 * The key layout of torchvision's `vgg16` (Simonyan & Zisserman 2015, configuration D;
 * `torchvision/models/vgg.py`, ImageNet weights `vgg16-397923af.pth`) and its loading into `buildVgg16`.
 *
 * `features` is one `nn.Sequential` of conv, ReLU and max-pool modules, so the 13 convs sit at indices
 * 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28; `classifier` is Linear, ReLU, Dropout, Linear, ReLU,
 * Dropout, Linear: indices 0, 3, 6.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { VGG16_BLOCKS } from '../../models/vgg16.js';
import type { TorchStateDict } from '../torch/state-dict.js';
import { loadStateDictIntoModel, type StateDictMappingEntry } from './state-dict-mapping.js';

function featureRows(): StateDictMappingEntry[] {
  const rows: StateDictMappingEntry[] = [];
  let index = 0;
  VGG16_BLOCKS.forEach((block, b) => {
    block.forEach((_, i) => {
      rows.push({ torch: `features.${index}`, layer: `block${b + 1}_conv${i + 1}`, kind: 'conv' });
      index += 2; // conv, ReLU
    });
    index += 1; // max pool
  });
  return rows;
}

/**
 * torchvision VGG-16's feature convs and the `buildVgg16` layers that take their weights.
 * @example VGG16_FEATURES_MAPPING[12]; // { torch: 'features.28', layer: 'block5_conv3', kind: 'conv' }
 */
export const VGG16_FEATURES_MAPPING: readonly StateDictMappingEntry[] = Object.freeze(featureRows());

/**
 * torchvision VGG-16's classifier and the `buildVgg16` layers that take its weights.
 * @example VGG16_CLASSIFIER_MAPPING[2].layer; // 'predictions'
 */
export const VGG16_CLASSIFIER_MAPPING: readonly StateDictMappingEntry[] = Object.freeze([
  { torch: 'classifier.0', layer: 'fc1', kind: 'linear' },
  { torch: 'classifier.3', layer: 'fc2', kind: 'linear' },
  { torch: 'classifier.6', layer: 'predictions', kind: 'linear' },
]);

/**
 * Load a torchvision VGG-16 state dict into `buildVgg16` with matching widths, input channels and classes,
 * after checking every key and shape. A model built with `includeTop: false` (a hypercolumn backbone)
 * takes the feature convs and leaves the file's `classifier.*` unread.
 *
 * @param model  `buildVgg16({ … })`.
 * @param dict  `readTorchStateDict(bytes)` of e.g. torchvision's `vgg16-397923af.pth`.
 * @throws WeightLayoutError for a missing, extra or misshapen key.
 * @example
 * const backbone = buildVgg16({ includeTop: false, inputSize: null });
 * loadVgg16StateDict(backbone, readTorchStateDict(bytes));
 */
export function loadVgg16StateDict(model: tfl.LayersModel, dict: TorchStateDict): void {
  const withTop = model.layers.some((layer) => layer.name === 'predictions');
  const mapping = withTop ? [...VGG16_FEATURES_MAPPING, ...VGG16_CLASSIFIER_MAPPING] : VGG16_FEATURES_MAPPING;
  loadStateDictIntoModel(model, dict, mapping, { ignoreKey: (key) => !withTop && key.startsWith('classifier.') });
}
