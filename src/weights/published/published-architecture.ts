/**
 * The published PyTorch layouts the library converts, recognised from a state dict's keys, and the
 * library model each one becomes, with its widths read from the file's shapes.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, WeightLayoutError } from '../../errors.js';
import { buildResNet18 } from '../../models/resnet18.js';
import { buildSiggraph17Model } from '../../models/siggraph17.js';
import { buildVgg16 } from '../../models/vgg16.js';
import { buildZhangModel } from '../../models/zhang-eccv16.js';
import { checkConfigChoice } from '../../validate.js';
import type { TorchStateDict } from '../torch/state-dict.js';
import { loadEccv16StateDict } from './eccv16-mapper.js';
import { loadResNet18StateDict } from './resnet18-mapper.js';
import { shapeText } from './state-dict-mapping.js';
import { loadSiggraph17StateDict } from './siggraph17-mapper.js';
import { loadVgg16StateDict } from './vgg16-mapper.js';

/**
 * The layouts {@link modelFromStateDict} converts: the authors' ECCV16 and SIGGRAPH17 colorizers
 * (richzhang/colorization) and torchvision's ImageNet ResNet-18 and VGG-16.
 * @example PUBLISHED_ARCHITECTURES.includes('siggraph17'); // true
 */
export const PUBLISHED_ARCHITECTURES = ['eccv16', 'siggraph17', 'resnet18', 'vgg16'] as const;

/** One of {@link PUBLISHED_ARCHITECTURES}. @example const architecture: PublishedArchitecture = 'eccv16'; */
export type PublishedArchitecture = (typeof PUBLISHED_ARCHITECTURES)[number];

/** Keys that only one layout has, checked in this order. */
const SIGNATURES: readonly {
  architecture: PublishedArchitecture;
  keys: readonly string[];
  absent?: readonly string[];
}[] = [
  { architecture: 'siggraph17', keys: ['model10up.0.weight', 'model1short10.0.weight', 'model_out.0.weight'] },
  { architecture: 'eccv16', keys: ['model8.6.weight', 'model_out.weight'] },
  // ResNet-34 has a third block in layer1; VGG-16-BN has BatchNorm statistics in its features.
  {
    architecture: 'resnet18',
    keys: ['conv1.weight', 'layer4.1.conv2.weight', 'fc.weight'],
    absent: ['layer1.2.conv1.weight', 'layer1.0.conv3.weight'],
  },
  {
    architecture: 'vgg16',
    keys: ['features.0.weight', 'features.28.weight'],
    absent: ['features.1.running_mean', 'features.30.weight'],
  },
];

/**
 * Which published layout a state dict follows, from its keys.
 *
 * @param dict  the state dict.
 * @returns the architecture.
 * @throws WeightLayoutError (key `keys`) when no layout matches, naming the first keys found.
 * @example detectPublishedArchitecture(readTorchStateDict(bytes)); // 'eccv16'
 */
export function detectPublishedArchitecture(dict: TorchStateDict): PublishedArchitecture {
  for (const { architecture, keys, absent = [] } of SIGNATURES) {
    if (keys.every((k) => dict.has(k)) && !absent.some((k) => dict.has(k))) return architecture;
  }
  const first = [...dict.keys()].slice(0, 4);
  throw new WeightLayoutError(
    'keys',
    `the keys of one of ${PUBLISHED_ARCHITECTURES.join(' | ')} (e.g. model1.0.weight … model_out.weight for eccv16)`,
    first.length === 0 ? 'an empty state dict' : `${dict.size} keys starting ${first.join(', ')}`,
  );
}

/** Options of {@link modelFromStateDict}. @example const options: ModelFromStateDictOptions = { architecture: 'eccv16', inputSize: 256 }; */
export interface ModelFromStateDictOptions {
  /** The layout; detected from the keys when absent. */
  architecture?: PublishedArchitecture;
  /**
   * Input side in pixels. Defaults: 256 for eccv16 and siggraph17 (the authors' demo), 224 for resnet18
   * and vgg16 (ImageNet).
   */
  inputSize?: number;
}

/**
 * A model made from a state dict and the builder configuration it was built with.
 * @example const { architecture, model, config } = modelFromStateDict(stateDict);
 */
export interface PublishedModel {
  architecture: PublishedArchitecture;
  model: tfl.LayersModel;
  /** The configuration passed to the builder (`buildZhangModel`, `buildSiggraph17Model`, `buildResNet18`, `buildVgg16`). */
  config: Record<string, number | string | boolean>;
}

function outChannels(dict: TorchStateDict, key: string): number {
  const tensor = dict.get(key);
  if (tensor === undefined || tensor.shape.length < 2)
    throw new WeightLayoutError(
      key,
      'a weight of rank 2 or more',
      tensor === undefined ? 'no such key' : `shape ${shapeText(tensor.shape)}`,
    );
  return tensor.shape[0];
}

/**
 * Build the library model for a published layout, at the widths the state dict's shapes give (so narrow
 * versions of the same layouts convert too), and load the state dict into it, checked key by key.
 *
 * @param dict  `readTorchStateDict(bytes)`.
 * @param options  `architecture` (default: detected), `inputSize`.
 * @returns the model (caller owns it) and its builder configuration.
 * @throws WeightLayoutError for keys or shapes that do not fit the layout; ConfigError for bad options.
 * @example
 * const { model } = modelFromStateDict(readTorchStateDict(await readFile('colorization_release_v2-9b330a0b.pth')));
 */
export function modelFromStateDict(dict: TorchStateDict, options: ModelFromStateDictOptions = {}): PublishedModel {
  const architecture = options.architecture ?? detectPublishedArchitecture(dict);
  checkConfigChoice('architecture', architecture, PUBLISHED_ARCHITECTURES);
  const inputSize = options.inputSize ?? (architecture === 'eccv16' || architecture === 'siggraph17' ? 256 : 224);
  if (!Number.isInteger(inputSize) || inputSize <= 0)
    throw new ConfigError('inputSize', 'a positive integer', String(inputSize));
  let config: PublishedModel['config'];
  let build: () => tfl.LayersModel;
  let load: (model: tfl.LayersModel) => void;
  switch (architecture) {
    case 'eccv16': {
      config = {
        inputSize,
        widthMultiplier: outChannels(dict, 'model1.0.weight') / 64,
        bins: outChannels(dict, 'model8.6.weight'),
      };
      build = () => buildZhangModel(config);
      load = (m) => loadEccv16StateDict(m, dict);
      break;
    }
    case 'siggraph17': {
      config = {
        inputSize,
        widthMultiplier: outChannels(dict, 'model1.0.weight') / 64,
        classes: outChannels(dict, 'model_class.0.weight'),
      };
      build = () => buildSiggraph17Model(config);
      load = (m) => loadSiggraph17StateDict(m, dict);
      break;
    }
    case 'resnet18': {
      const conv1 = dict.get('conv1.weight');
      config = {
        inputSize,
        stem: 'imagenet',
        inputChannels: conv1?.shape[1] ?? 3,
        widthMultiplier: outChannels(dict, 'conv1.weight') / 64,
        classes: outChannels(dict, 'fc.weight'),
      };
      build = () => buildResNet18(config);
      load = (m) => loadResNet18StateDict(m, dict);
      break;
    }
    case 'vgg16': {
      const includeTop = dict.has('classifier.6.weight');
      const first = dict.get('features.0.weight');
      config = {
        inputChannels: first?.shape[1] ?? 3,
        widthMultiplier: outChannels(dict, 'features.0.weight') / 64,
        includeTop,
        inputSize,
      };
      if (includeTop) config.classes = outChannels(dict, 'classifier.6.weight');
      build = () => buildVgg16(config);
      load = (m) => loadVgg16StateDict(m, dict);
      break;
    }
  }
  const model = build();
  try {
    load(model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { architecture, model, config };
}
