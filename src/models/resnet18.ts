/**
 * ResNet-18 (He, Zhang, Ren, Sun 2016, "Deep Residual Learning for Image Recognition", Table 1 and
 * §3.3) as a tfjs-layers classifier, with stable layer names so colorization heads can tap its features.
 *
 * Padding follows PyTorch/torchvision exactly (symmetric zero padding, then a 'valid' strided conv or
 * pool), not TensorFlow's asymmetric 'same': feature maps then line up pixel for pixel with
 * torchvision's ResNet-18, so its weights can be converted and used as they are.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError, describeValue } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';

/**
 * Stems of {@link buildResNet18}: ImageNet's 7×7/2 conv + 3×3/2 max pool (He et al. 2016), or a 3×3/1 conv for 32–64 px images.
 * @example
 * RESNET18_STEMS.map((stem) => buildResNet18({ stem, inputSize: 64, classes: 10 }));
 */
export const RESNET18_STEMS = ['imagenet', 'small'] as const;

/** One of {@link RESNET18_STEMS}. @example const stem: ResNet18Stem = 'small'; // for CIFAR-10's 32×32 images */
export type ResNet18Stem = (typeof RESNET18_STEMS)[number];

/** Configuration of {@link buildResNet18}. Every key is optional; defaults are ImageNet's. */
export interface ResNet18Config {
  /** Input channels: 1 for normalized lightness `(L − 50) / 100`, 3 for RGB. Default 3. */
  inputChannels?: number;
  /** Square input side in pixels, or `null` for any size (≥ 1). Default 224. */
  inputSize?: number | null;
  /** Number of classes of the final fully connected layer (logits). Default 1000 (ImageNet). */
  classes?: number;
  /** Multiplies every width (64, 128, 256, 512), rounded, at least 1. Default 1; 1/16 gives 4…32. */
  widthMultiplier?: number;
  /** `'imagenet'` (7×7/2 conv + 3×3/2 max pool, total stride 32) or `'small'` (3×3/1 conv, no pool, total stride 8). Default `'imagenet'`. */
  stem?: ResNet18Stem;
  /** Seed of the weight initializers; unseeded when absent. */
  seed?: number;
  /** Name of the returned model. Default `'resnet18'`. */
  name?: string;
}

const RESNET18_CONFIG_KEYS = configKeys<ResNet18Config>({
  inputChannels: true, inputSize: true, classes: true, widthMultiplier: true, stem: true, seed: true, name: true,
});

/** Defaults of {@link ResNet18Config}. @example const cifar = buildResNet18({ ...RESNET18_DEFAULTS, inputSize: 32, stem: 'small', classes: 10 }); */
export const RESNET18_DEFAULTS = {
  inputChannels: 3,
  inputSize: 224 as number | null,
  classes: 1000,
  widthMultiplier: 1,
  stem: 'imagenet' as ResNet18Stem,
  name: 'resnet18',
} as const;

/**
 * Channel widths of stages 1–4 at width multiplier 1 (He et al. 2016, Table 1).
 * @example
 * RESNET18_WIDTHS.map((w) => Math.round(w / 4)); // [16, 32, 64, 128] at widthMultiplier 1/4
 */
export const RESNET18_WIDTHS = [64, 128, 256, 512] as const;

/**
 * Name of the layer whose output is the given stage's output (the ReLU after its second block).
 *
 * @param stage  1 … 4. Stage s has stride 4·2^(s−1) with the ImageNet stem (4, 8, 16, 32) and 2^(s−1) with the small stem.
 * @example
 * resnet18StageOutput(2); // 'stage2_block2_out'
 */
export function resnet18StageOutput(stage: 1 | 2 | 3 | 4): string {
  if (![1, 2, 3, 4].includes(stage)) throw new InputError('stage', 'one of 1 | 2 | 3 | 4', describeValue(stage));
  return `stage${stage}_block2_out`;
}

/**
 * The feature layers of a ResNet-18 built here that a colorization head usually taps, shallow to deep.
 * @example
 * buildLarssonModel({ backbone: buildResNet18({ inputChannels: 1 }), layerNames: RESNET18_FEATURE_LAYERS });
 */
export const RESNET18_FEATURE_LAYERS = [
  'stem_relu',
  'stage1_block2_out',
  'stage2_block2_out',
  'stage3_block2_out',
  'stage4_block2_out',
] as const;

/** Round a paper width by the multiplier, keeping at least one channel. */
export function scaleWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Validated, complete {@link ResNet18Config}. */
export type ResolvedResNet18Config = Required<Omit<ResNet18Config, 'seed'>> & { seed: number | undefined };

/**
 * Fill defaults into a {@link ResNet18Config} and validate every key (throws {@link ConfigError}).
 * @example
 * resolveResNet18Config({ stem: 'small' }).inputSize; // 224
 * resolveResNet18Config({ classes: 0 }); // throws ConfigError: classes
 */
export function resolveResNet18Config(config: ResNet18Config = {}): ResolvedResNet18Config {
  checkConfigKeys(config, RESNET18_CONFIG_KEYS);
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as ResNet18Config;
  const c = { ...RESNET18_DEFAULTS, ...given, seed: config.seed };
  checkConfigRange('inputChannels', c.inputChannels, 1, Infinity, { integer: true });
  if (c.inputSize !== null) checkConfigRange('inputSize', c.inputSize, 1, Infinity, { integer: true });
  checkConfigRange('classes', c.classes, 1, Infinity, { integer: true });
  checkConfigRange('widthMultiplier', c.widthMultiplier, 0, Infinity, { openLow: true });
  checkConfigChoice('stem', c.stem, RESNET18_STEMS);
  if (c.seed !== undefined) checkConfigRange('seed', c.seed, -Infinity, Infinity, { integer: true });
  if (typeof c.name !== 'string' || c.name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(c.name));
  return c;
}

/** He-normal initialization over fan-out, as torchvision initializes ResNet convolutions (He et al. 2015, eq. 14). */
function heFanOut(rng: Random | null): ReturnType<typeof tfl.initializers.varianceScaling> {
  return tfl.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: rng?.int(2 ** 31) });
}

/**
 * Builds conv → BN → (ReLU). Convolutions have no bias because BN's offset replaces it.
 * BN uses PyTorch's ε = 1e-5 and momentum 0.1 (tfjs's 0.9) so converted statistics behave the same.
 */
function convBn(
  x: tfl.SymbolicTensor,
  prefix: string,
  suffix: string,
  filters: number,
  kernelSize: number,
  strides: number,
  rng: Random | null,
  relu: boolean,
): tfl.SymbolicTensor {
  // torchvision pads k//2 on every side; 'same' equals that only at stride 1 (TF pads asymmetrically at stride 2).
  const symmetric = strides === 1 || kernelSize === 1;
  let y = x;
  if (!symmetric) y = tfl.layers.zeroPadding2d({ padding: Math.floor(kernelSize / 2), name: `${prefix}pad${suffix}` }).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers
    .conv2d({
      filters,
      kernelSize,
      strides,
      padding: symmetric && kernelSize > 1 ? 'same' : 'valid',
      useBias: false,
      kernelInitializer: heFanOut(rng),
      name: `${prefix}conv${suffix}`,
    })
    .apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: `${prefix}bn${suffix}` }).apply(y) as tfl.SymbolicTensor;
  if (relu) y = tfl.layers.reLU({ name: `${prefix}relu${suffix}` }).apply(y) as tfl.SymbolicTensor;
  return y;
}

/** A basic block (He et al. 2016, Fig. 2 left): two 3×3 convs plus an identity or 1×1 projection shortcut (option B). */
function basicBlock(x: tfl.SymbolicTensor, prefix: string, filters: number, strides: number, rng: Random | null): tfl.SymbolicTensor {
  const inChannels = x.shape[3];
  let y = convBn(x, prefix, '1', filters, 3, strides, rng, true);
  y = convBn(y, prefix, '2', filters, 3, 1, rng, false);
  const shortcut = strides !== 1 || inChannels !== filters ? convBn(x, `${prefix}proj_`, '', filters, 1, strides, rng, false) : x;
  const sum = tfl.layers.add({ name: `${prefix}add` }).apply([y, shortcut]) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `${prefix}out` }).apply(sum) as tfl.SymbolicTensor;
}

/**
 * Build a ResNet-18 classifier (He et al. 2016, Table 1, "18-layer"): stem, four stages of two basic
 * blocks (widths 64, 128, 256, 512; stride 2 and a 1×1 projection shortcut at the start of stages 2–4),
 * global average pooling and a fully connected layer to `classes` logits (no softmax: train with
 * softmax cross-entropy on logits).
 *
 * Layer names: `stem_conv`, `stem_bn`, `stem_relu` (`stem_pad`, `stem_pool_pad`, `stem_pool` with the
 * ImageNet stem); per block `stage{s}_block{b}_conv1|bn1|relu1|conv2|bn2|add|out`, `…_pad1` before a
 * strided conv, `…_proj_conv|proj_bn` for a projection; then `pool` and `fc`. Stage outputs:
 * {@link resnet18StageOutput}.
 *
 * Parameters at full width, 3 input channels, 1000 classes: 11,689,512 trainable (torchvision's count,
 * BN scale and offset included) and 11,699,112 in tfjs's `countParams()`, which also counts BN's moving
 * mean and variance (2 × 4,800 channels).
 *
 * @param config  see {@link ResNet18Config}; ImageNet defaults.
 * @returns an uncompiled `tf.LayersModel` `[N, S, S, inputChannels]` → `[N, classes]` logits. Caller owns it (`dispose()`).
 * @throws ConfigError for an invalid key, naming it, the valid choices and the value received.
 * @example
 * const classifier = buildResNet18({ inputChannels: 1, inputSize: 64, classes: 200, stem: 'small' });
 */
export function buildResNet18(config: ResNet18Config = {}): tfl.LayersModel {
  const c = resolveResNet18Config(config);
  const rng = c.seed === undefined ? null : createRandom(c.seed);
  const input = tfl.input({ shape: [c.inputSize, c.inputSize, c.inputChannels], name: 'input' });
  const stemWidth = scaleWidth(RESNET18_WIDTHS[0], c.widthMultiplier);
  let x: tfl.SymbolicTensor;
  if (c.stem === 'imagenet') {
    x = convBn(input, 'stem_', '', stemWidth, 7, 2, rng, true);
    // Zero padding before the max pool equals PyTorch's −∞ padding here: inputs are ReLU outputs (≥ 0).
    x = tfl.layers.zeroPadding2d({ padding: 1, name: 'stem_pool_pad' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'stem_pool' }).apply(x) as tfl.SymbolicTensor;
  } else {
    x = convBn(input, 'stem_', '', stemWidth, 3, 1, rng, true);
  }
  RESNET18_WIDTHS.forEach((width, i) => {
    const filters = scaleWidth(width, c.widthMultiplier);
    x = basicBlock(x, `stage${i + 1}_block1_`, filters, i === 0 ? 1 : 2, rng);
    x = basicBlock(x, `stage${i + 1}_block2_`, filters, 1, rng);
  });
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ units: c.classes, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng?.int(2 ** 31) }), name: 'fc' })
    .apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: c.name });
}
