/**
 * The baseline colorization network: a ResNet-18 trunk (optionally pre-trained as a classifier) cut at
 * a named stage, then six convolutions and a bilinear upsampling to the input size.
 *
 * This is the common "pre-trained classifier features + small decoder" baseline against which the
 * papers' systems are compared; it is not from one paper. Trunk: He et al. 2016 (see {@link buildResNet18}).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import { copyBackboneFeatures } from './copy-backbone.js';
import { ResizeToMatch } from './layers/resize-to-match.js';
import { buildResNet18, resnet18StageOutput, scaleWidth, type ResNet18Config } from './resnet18.js';

/**
 * Outputs of the colorization heads: `'ab'` regression or `'bins'` logits over Q ab bins.
 * @example
 * COLORIZATION_OUTPUTS.map((output) => buildBaselineModel({ output, backbone: { widthMultiplier: 1 / 8 } }));
 */
export const COLORIZATION_OUTPUTS = ['ab', 'bins'] as const;

/** One of {@link COLORIZATION_OUTPUTS}. @example const output: ColorizationOutput = 'bins'; */
export type ColorizationOutput = (typeof COLORIZATION_OUTPUTS)[number];

/** Final activations of an `'ab'` head. @example AB_ACTIVATIONS.map((abActivation) => buildBaselineModel({ abActivation, backbone: { widthMultiplier: 1 / 8 } })); */
export const AB_ACTIVATIONS = ['tanh', 'linear'] as const;

/**
 * One of {@link AB_ACTIVATIONS}.
 * @example
 * const abActivation: AbActivation = 'linear';
 * buildBaselineModel({ output: 'ab', abActivation });
 */
export type AbActivation = (typeof AB_ACTIVATIONS)[number];

/**
 * How the first (4×4, stride 2) head convolution changes the resolution.
 * @example
 * BASELINE_FIRST_CONVS.map((firstConv) => buildBaselineModel({ firstConv, upsample: false }));
 */
export const BASELINE_FIRST_CONVS = ['transposed', 'strided'] as const;

/** One of {@link BASELINE_FIRST_CONVS}. @example const firstConv: BaselineFirstConv = 'strided'; */
export type BaselineFirstConv = (typeof BASELINE_FIRST_CONVS)[number];

/**
 * Configuration of {@link buildBaselineModel}.
 * @example
 * const model = buildBaselineModel({
 *   backbone: { inputChannels: 1, inputSize: 64, stem: 'small', widthMultiplier: 0.25 },
 *   output: 'bins',
 *   bins: 313,
 *   seed: 1,
 * });
 */
export interface BaselineConfig {
  /**
   * The trunk: a built ResNet-18 (e.g. a classifier pre-trained with {@link buildResNet18}; its weights
   * are copied, the model itself is left untouched) or a {@link ResNet18Config} to build a fresh one,
   * whose missing keys default to `{ inputChannels: 1, inputSize: 224 }` (lightness in, ImageNet stem).
   */
  backbone?: tfl.LayersModel | ResNet18Config;
  /** Layer of the trunk whose 4-D output feeds the head. Default `'stage2_block2_out'` (stage 2: 128 channels, stride 8). */
  featureLayer?: string;
  /** `'ab'`: `[N, H, W, 2]` ab / 110, trained with MSE; `'bins'`: `[N, H, W, bins]` logits, trained with softmax cross-entropy. Default `'ab'`. */
  output?: ColorizationOutput;
  /** Number of ab bins Q for `output: 'bins'`. Default 313 (Zhang et al. 2016's in-gamut bins). */
  bins?: number;
  /**
   * Mark every trunk layer non-trainable; its BatchNorm layers then use their moving statistics even
   * under `training: true` (Keras ≥ 2.1.3 semantics, {@link FreezableBatchNormalization}). Default false.
   */
  freezeBackbone?: boolean;
  /** Widths of the five hidden head convolutions (first 4×4/2, then 3×3). Default [128, 128, 64, 64, 32]. */
  headWidths?: readonly number[];
  /** Multiplies `headWidths` (rounded, at least 1). Default 1. */
  widthMultiplier?: number;
  /**
   * `'tanh'` (default) or `'linear'` for `output: 'ab'`. Tanh keeps predictions inside (−1, 1), which
   * holds every sRGB colour once ab is divided by 110 (|a|, |b| ≤ 108), so an untrained or
   * over-shooting head still decodes to valid colours, at the cost of a vanishing gradient only for
   * targets near ±1 that real photos rarely have.
   */
  abActivation?: AbActivation;
  /**
   * `'transposed'` (default): the 4×4/2 convolution is transposed and doubles the resolution (stride 8 → 4
   * for stage 2), like Zhang et al. 2016's conv8_1; `'strided'`: an ordinary 4×4/2 conv that halves it.
   */
  firstConv?: BaselineFirstConv;
  /**
   * Upsample the prediction bilinearly to the input size (default true). False returns it at the head's
   * resolution (1/4 of the input for stage 2 with the ImageNet stem), which is much cheaper for Q = 313
   * logits when the colorization pipeline decodes to ab first and upsamples ab (2 channels) afterwards.
   */
  upsample?: boolean;
  /** Seed of the head's initializers (and of the trunk's when it is built from a config without its own seed). */
  seed?: number;
}

/** Defaults of {@link BaselineConfig}. @example buildBaselineModel({ backbone: { ...BASELINE_DEFAULTS.backbone, widthMultiplier: 1 / 4 } }); */
export const BASELINE_DEFAULTS = {
  backbone: { inputChannels: 1, inputSize: 224 } as ResNet18Config,
  featureLayer: resnet18StageOutput(2),
  output: 'ab' as ColorizationOutput,
  bins: 313,
  freezeBackbone: false,
  headWidths: [128, 128, 64, 64, 32] as readonly number[],
  widthMultiplier: 1,
  abActivation: 'tanh' as AbActivation,
  firstConv: 'transposed' as BaselineFirstConv,
  upsample: true,
} as const;

const BASELINE_CONFIG_KEYS = configKeys<BaselineConfig>({
  backbone: true, featureLayer: true, output: true, bins: true, freezeBackbone: true, headWidths: true,
  widthMultiplier: true, abActivation: true, firstConv: true, upsample: true, seed: true,
});

function isLayersModel(value: unknown): value is tfl.LayersModel {
  return value instanceof tfl.LayersModel;
}

function withoutUndefined<T extends object>(config: T): Partial<T> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Conv (or transposed conv) → BN → ReLU, named `head_conv{i}`, `head_bn{i}`, `head_relu{i}`. */
function headBlock(x: tfl.SymbolicTensor, index: number, filters: number, kind: 'conv3' | BaselineFirstConv, rng: Random | null): tfl.SymbolicTensor {
  const common = {
    filters,
    padding: 'same' as const,
    useBias: false,
    kernelInitializer: tfl.initializers.heNormal({ seed: rng?.int(2 ** 31) }),
    name: `head_conv${index}`,
  };
  const conv =
    kind === 'transposed'
      ? tfl.layers.conv2dTranspose({ ...common, kernelSize: 4, strides: 2 })
      : tfl.layers.conv2d({ ...common, kernelSize: kind === 'strided' ? 4 : 3, strides: kind === 'strided' ? 2 : 1 });
  let y = conv.apply(x) as tfl.SymbolicTensor;
  y = tfl.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: `head_bn${index}` }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers.reLU({ name: `head_relu${index}` }).apply(y) as tfl.SymbolicTensor;
}

/**
 * Build the baseline colorization model: ResNet-18 trunk → head → bilinear upsampling to the input size.
 *
 * Head (widths at multiplier 1): 4×4/2 conv (transposed by default) → 128, 3×3 convs → 128, 64, 64, 32
 * (each with BatchNorm and ReLU), a 1×1 conv → 2 or Q, bilinear upsampling (half-pixel centres) to the
 * input's height and width, then tanh/linear for ab. Layer names: trunk names as in the backbone;
 * `head_conv1…5`, `head_bn1…5`, `head_relu1…5`, `head_out`, `upsample`, and the output layer `ab` or `logits`.
 *
 * Input: the trunk's input `[N, S, S, C]`, with C = 1 for normalized lightness `(L − 50) / 100`.
 * Output: `[N, S, S, 2]` ab / 110 or `[N, S, S, Q]` logits (at the head's resolution with `upsample: false`).
 * A passed-in model's weights are copied (it is neither modified nor disposed). With `freezeBackbone`
 * the trunk is fixed in every respect: no weight trains and its BatchNorm layers keep and use their
 * moving statistics during training.
 *
 * @param config  see {@link BaselineConfig}.
 * @returns an uncompiled `tf.LayersModel`; caller owns it (`dispose()`).
 * @throws ConfigError for an unknown `featureLayer` (listing the trunk's layers), an input size not
 *   divisible by the feature stride, or any invalid key.
 * @example
 * const classifier = buildResNet18({ inputChannels: 1, inputSize: 64, classes: 200, stem: 'small' });
 * // … pre-train the classifier …
 * const model = buildBaselineModel({ backbone: classifier, featureLayer: 'stage3_block2_out', output: 'bins' });
 */
export function buildBaselineModel(config: BaselineConfig = {}): tfl.LayersModel {
  checkConfigKeys(config, BASELINE_CONFIG_KEYS);
  const c = { ...BASELINE_DEFAULTS, ...withoutUndefined(config) };
  checkConfigChoice('output', c.output, COLORIZATION_OUTPUTS);
  checkConfigRange('bins', c.bins, 2, Infinity, { integer: true });
  checkConfigChoice('abActivation', c.abActivation, AB_ACTIVATIONS);
  checkConfigChoice('firstConv', c.firstConv, BASELINE_FIRST_CONVS);
  if (typeof c.upsample !== 'boolean') throw new ConfigError('upsample', [String(true), String(false)], describeValue(c.upsample));
  if (typeof c.freezeBackbone !== 'boolean') throw new ConfigError('freezeBackbone', [String(true), String(false)], describeValue(c.freezeBackbone));
  checkConfigRange('widthMultiplier', c.widthMultiplier, 0, Infinity, { openLow: true });
  if (!Array.isArray(c.headWidths) || c.headWidths.length !== 5) {
    throw new ConfigError('headWidths', 'an array of 5 positive integers', describeValue(c.headWidths));
  }
  c.headWidths.forEach((w, i) => checkConfigRange(`headWidths[${i}]`, w, 1, Infinity, { integer: true }));
  if (c.seed !== undefined) checkConfigRange('seed', c.seed, -Infinity, Infinity, { integer: true });
  if (typeof c.featureLayer !== 'string') throw new ConfigError('featureLayer', 'a layer name', describeValue(c.featureLayer));

  const rng = c.seed === undefined ? null : createRandom(c.seed);
  let trunk: tfl.LayersModel;
  if (isLayersModel(c.backbone)) {
    trunk = copyBackboneFeatures(c.backbone, [c.featureLayer], { key: 'featureLayer', freeze: c.freezeBackbone });
  } else {
    if (typeof c.backbone !== 'object' || c.backbone === null) {
      throw new ConfigError('backbone', 'a tf.LayersModel or a ResNet18Config object', describeValue(c.backbone));
    }
    const full = buildResNet18({ seed: c.seed === undefined ? undefined : c.seed + 1, ...BASELINE_DEFAULTS.backbone, ...withoutUndefined(c.backbone) });
    // Copy the trunk out and free the rest (stages after the feature layer, pool, fc).
    try {
      trunk = copyBackboneFeatures(full, [c.featureLayer], { key: 'featureLayer', freeze: c.freezeBackbone });
    } finally {
      full.dispose();
    }
  }
  const input = trunk.inputs[0];
  const features = trunk.outputs[0];
  for (const axis of [1, 2]) {
    const inputSize = input.shape[axis];
    const featureSize = features.shape[axis];
    if (inputSize != null && featureSize != null && inputSize % featureSize !== 0) {
      trunk.dispose();
      throw new ConfigError(
        'backbone.inputSize',
        `a multiple of the feature map's size at ${c.featureLayer} (${featureSize} px for ${inputSize} px), so the upsampling factor is an integer`,
        describeValue(inputSize),
      );
    }
  }

  const widths = c.headWidths.map((w) => scaleWidth(w, c.widthMultiplier));
  let x = headBlock(features, 1, widths[0], c.firstConv, rng);
  for (let i = 1; i < widths.length; i++) x = headBlock(x, i + 1, widths[i], 'conv3', rng);
  const channels = c.output === 'ab' ? 2 : c.bins;
  x = tfl.layers
    .conv2d({ filters: channels, kernelSize: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng?.int(2 ** 31) }), name: 'head_out' })
    .apply(x) as tfl.SymbolicTensor;
  if (c.upsample) x = new ResizeToMatch({ name: 'upsample' }).apply([x, input]) as tfl.SymbolicTensor;
  const activation = c.output === 'ab' ? c.abActivation : 'linear';
  const output = tfl.layers.activation({ activation, name: c.output === 'ab' ? 'ab' : 'logits' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: `baseline_${c.output}` });
}
