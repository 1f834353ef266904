/**
 * VGG-16 (Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", ICLR, Table 1 configuration D) as a tfjs-layers model, laid out as torchvision's `vgg16`
 * so its ImageNet weights convert one to one, and usable as the backbone of Larsson et al. 2016's
 * hypercolumns (`buildLarssonModel`), which taps exactly this network.
 *
 * Every 3×3 conv is stride 1 with one pixel of zero padding (tfjs 'same' at stride 1 is the same
 * padding), followed by ReLU; each of the five blocks ends in a 2×2 stride-2 max pool (floor, as PyTorch).
 * With the classifier, the last map must be 7 × 7 (inputs of 224…255 pixels), where torchvision's
 * `AdaptiveAvgPool2d((7, 7))` is the identity; it is then flattened in PyTorch's channel-major order
 * (a `Permute` before the `Flatten`) so `classifier.0`'s weights apply unchanged.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange } from '../validate.js';

/**
 * Configuration of {@link buildVgg16}. Every key is optional; defaults are torchvision's ImageNet model.
 * @example const backbone: Vgg16Config = { inputChannels: 1, inputSize: null, includeTop: false };
 */
export interface Vgg16Config {
  /** Input channels: 3 for RGB (torchvision), 1 for lightness. Default 3. */
  inputChannels?: number;
  /** Square input side in pixels, or `null` for any size (only without the classifier). Default 224. */
  inputSize?: number | null;
  /** Append torchvision's classifier (fc 4096, fc 4096, fc classes; ReLU between, dropout 0.5 in training). Default true. */
  includeTop?: boolean;
  /** Number of classes of the last layer (logits). Default 1000 (ImageNet). */
  classes?: number;
  /** Multiplies every width (64…512 channels and the 4096 of the classifier), rounded, at least 1. Default 1. */
  widthMultiplier?: number;
  /** Base seed of the Glorot-uniform initializers (layer i uses seed + i); unseeded when absent. */
  seed?: number;
  /** Name of the returned model. Default `'vgg16'`. */
  name?: string;
}

/**
 * The keys {@link Vgg16Config} accepts; any other key throws `ConfigError`.
 * @example VGG16_CONFIG_KEYS.includes('includeTop'); // true
 */
export const VGG16_CONFIG_KEYS = ['inputChannels', 'inputSize', 'includeTop', 'classes', 'widthMultiplier', 'seed', 'name'] as const;

/**
 * Output channels of the convs of blocks 1–5 at width multiplier 1 (Table 1, configuration D).
 * @example VGG16_BLOCKS[2]; // [256, 256, 256]
 */
export const VGG16_BLOCKS: readonly (readonly number[])[] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];

/**
 * Layers of {@link buildVgg16} whose outputs a hypercolumn usually taps, shallow to deep (Larsson et al.
 * 2016 use conv1_2 … conv5_3 and fc6, fc7).
 * @example buildLarssonModel({ backbone: buildVgg16({ inputChannels: 1, inputSize: null, includeTop: false }), layerNames: VGG16_FEATURE_LAYERS });
 */
export const VGG16_FEATURE_LAYERS = ['block1_conv2', 'block2_conv2', 'block3_conv3', 'block4_conv3', 'block5_conv3'] as const;

/** {@link Vgg16Config} with every default filled in. @example const { classes } = resolveVgg16Config({}); // 1000 */
export type ResolvedVgg16Config = Required<Omit<Vgg16Config, 'seed'>> & { seed: number | undefined };

/**
 * Fill defaults into a {@link Vgg16Config} and validate it.
 * @throws ConfigError naming the key, the valid values and what was received.
 * @example resolveVgg16Config({ includeTop: false, inputSize: null }).inputChannels; // 3
 */
export function resolveVgg16Config(config: Vgg16Config = {}): ResolvedVgg16Config {
  checkConfigKeys(config, VGG16_CONFIG_KEYS);
  const { inputChannels = 3, inputSize = 224, includeTop = true, classes = 1000, widthMultiplier = 1, seed, name = 'vgg16' } = config;
  checkConfigRange('inputChannels', inputChannels, 1, Infinity, { integer: true });
  if (typeof includeTop !== 'boolean') throw new ConfigError('includeTop', ['true', 'false'], describeValue(includeTop));
  if (inputSize !== null) checkConfigRange('inputSize', inputSize, 32, Infinity, { integer: true });
  if (includeTop && (inputSize === null || Math.floor(inputSize / 32) !== 7)) {
    throw new ConfigError('inputSize', 'a size from 224 to 255 with includeTop (the classifier reads a 7 × 7 map), or includeTop: false', describeValue(inputSize));
  }
  checkConfigRange('classes', classes, 1, Infinity, { integer: true });
  checkConfigRange('widthMultiplier', widthMultiplier, 0, 4, { openLow: true });
  if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(name));
  return { inputChannels, inputSize, includeTop, classes, widthMultiplier, seed, name };
}

/**
 * Build VGG-16 (configuration D of Simonyan & Zisserman 2015) in torchvision's layout.
 *
 * Layer names (Keras's): `block<b>_conv<i>` and `block<b>_pool` for the features; with the classifier
 * `flatten_chw`, `flatten`, `fc1`, `fc1_dropout`, `fc2`, `fc2_dropout`, `predictions` (logits, no softmax).
 *
 * @param config  see {@link Vgg16Config}; validated (throws `ConfigError`).
 * @returns an uncompiled `tf.LayersModel` `[N, S, S, inputChannels]` → `[N, classes]` logits, or the
 *   block-5 pool `[N, S/32, S/32, 512]` without the classifier. The caller owns it.
 * @example
 * const backbone = buildVgg16({ inputChannels: 1, inputSize: null, includeTop: false, widthMultiplier: 0.25 });
 * const model = buildLarssonModel({ backbone, layerNames: VGG16_FEATURE_LAYERS });
 */
export function buildVgg16(config: Vgg16Config = {}): tfl.LayersModel {
  const c = resolveVgg16Config(config);
  const width = (channels: number): number => Math.max(1, Math.round(channels * c.widthMultiplier));
  let layerIndex = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: c.seed === undefined ? undefined : c.seed + layerIndex++ });
  const input = tfl.input({ shape: [c.inputSize, c.inputSize, c.inputChannels], name: 'input' });
  let x: tfl.SymbolicTensor = input;
  VGG16_BLOCKS.forEach((block, b) => {
    block.forEach((channels, i) => {
      x = tfl.layers.conv2d({ filters: width(channels), kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: `block${b + 1}_conv${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    });
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `block${b + 1}_pool` }).apply(x) as tfl.SymbolicTensor;
  });
  if (c.includeTop) {
    // NHWC → NCHW before flattening, so the 25,088 features come in torch.flatten's order.
    x = tfl.layers.permute({ dims: [3, 1, 2], name: 'flatten_chw' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
    for (const fc of ['fc1', 'fc2']) {
      x = tfl.layers.dense({ units: width(4096), activation: 'relu', kernelInitializer: init(), name: fc }).apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.dropout({ rate: 0.5, name: `${fc}_dropout` }).apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.dense({ units: c.classes, kernelInitializer: init(), name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: x, name: c.name });
}

