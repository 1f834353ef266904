/**
 * MobileNetV2 (Sandler, Howard, Zhu, Zhmoginov, Chen 2018, "MobileNetV2: Inverted Residuals and Linear
 * Bottlenecks", Table 2) at width 1.0 as a tfjs-layers network, with the layer names of TensorFlow's slim
 * implementation (`Conv`, `expanded_conv_N/expand|depthwise|project`, `Conv_1`, `Logits`, with `/` written
 * `_`) so published weights map one to one, and named feature taps for colorization heads.
 *
 * Batch normalization is folded into the convolutions (as in TensorFlow Lite files), so every convolution
 * has a bias and no BN layer follows. Padding is tfjs's `'same'`, which is TensorFlow's: at stride 2 on an
 * even input the extra row and column go bottom and right, as the published graphs were trained.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange } from '../validate.js';

/**
 * Inverted residual settings (Sandler et al. 2018, Table 2): expansion t, output channels c, repeats n,
 * first stride s. Block 0 (t = 1) has no expansion convolution.
 * @example
 * MOBILENET_V2_BLOCKS.reduce((sum, b) => sum + b.repeats, 0); // 17 bottleneck blocks
 */
export const MOBILENET_V2_BLOCKS = [
  { expansion: 1, channels: 16, repeats: 1, stride: 1 },
  { expansion: 6, channels: 24, repeats: 2, stride: 2 },
  { expansion: 6, channels: 32, repeats: 3, stride: 2 },
  { expansion: 6, channels: 64, repeats: 4, stride: 2 },
  { expansion: 6, channels: 96, repeats: 3, stride: 1 },
  { expansion: 6, channels: 160, repeats: 3, stride: 2 },
  { expansion: 6, channels: 320, repeats: 1, stride: 1 },
] as const;

/**
 * Named outputs of {@link buildMobileNetV2}: block outputs at strides 4, 8, 16 and 32 (24, 32, 96 and 320
 * channels), `features` = `Conv_1` after ReLU6 (1280 channels, stride 32), `pooled` = its global average
 * `[N, 1280]`, `logits` = the classifier's `[N, classes]` scores (no softmax).
 * @example
 * buildMobileNetV2({ outputs: ['stride4', 'stride8', 'stride16', 'pooled'] });
 */
export const MOBILENET_V2_OUTPUTS = ['stride4', 'stride8', 'stride16', 'stride32', 'features', 'pooled', 'logits'] as const;

/** One of {@link MOBILENET_V2_OUTPUTS}. @example const tap: MobileNetV2Output = 'stride8'; */
export type MobileNetV2Output = (typeof MOBILENET_V2_OUTPUTS)[number];

/**
 * The layer whose output each named output is. Block outputs are the residual `add` (or the projection when
 * the block has no residual), as in the slim graph's `expanded_conv_2/add`, `expanded_conv_5/add`,
 * `expanded_conv_12/add` and `expanded_conv_16/project`.
 * @example
 * model.getLayer(MOBILENET_V2_OUTPUT_LAYERS.stride8).outputShape; // [null, 28, 28, 32] at 224²
 */
export const MOBILENET_V2_OUTPUT_LAYERS: Readonly<Record<MobileNetV2Output, string>> = {
  stride4: 'expanded_conv_2_add',
  stride8: 'expanded_conv_5_add',
  stride16: 'expanded_conv_12_add',
  stride32: 'expanded_conv_16_project',
  features: 'Conv_1',
  pooled: 'global_pool',
  logits: 'Logits',
};

/**
 * A layer with weights of MobileNetV2, in execution order: what it is, its kernel size, stride and fused
 * activation, and its output channels. The order is the order of the published graphs' convolutions.
 * @example
 * const first: MobileNetV2WeightLayer = mobileNetV2WeightLayers(1001)[0]; // Conv, 3×3/2, 32, relu6
 */
export interface MobileNetV2WeightLayer {
  /** Layer name (`'Conv'`, `'expanded_conv_3_depthwise'`, `'Logits'`, …). */
  readonly name: string;
  /** `'conv'` (2-D convolution), `'depthwise'` (depthwise 3×3, multiplier 1) or `'dense'` (the classifier). */
  readonly kind: 'conv' | 'depthwise' | 'dense';
  /** Kernel side (1 or 3; 1 for the classifier). */
  readonly kernelSize: number;
  /** Stride (1 or 2). */
  readonly stride: number;
  /** Fused activation after the bias. */
  readonly activation: 'relu6' | 'linear';
  /** Output channels. */
  readonly filters: number;
}

/**
 * The layers with weights of MobileNetV2 at width 1.0, in execution order (52 convolutions, then the
 * classifier).
 * @param classes  units of the classifier (1001 for the slim checkpoints: background + 1000).
 * @example
 * mobileNetV2WeightLayers(1001).length; // 53
 */
export function mobileNetV2WeightLayers(classes: number): MobileNetV2WeightLayer[] {
  const layers: MobileNetV2WeightLayer[] = [{ name: 'Conv', kind: 'conv', kernelSize: 3, stride: 2, activation: 'relu6', filters: 32 }];
  let inChannels = 32;
  let block = 0;
  for (const b of MOBILENET_V2_BLOCKS) {
    for (let r = 0; r < b.repeats; r++) {
      const prefix = block === 0 ? 'expanded_conv' : `expanded_conv_${block}`;
      const expanded = inChannels * b.expansion;
      if (b.expansion !== 1) layers.push({ name: `${prefix}_expand`, kind: 'conv', kernelSize: 1, stride: 1, activation: 'relu6', filters: expanded });
      layers.push({ name: `${prefix}_depthwise`, kind: 'depthwise', kernelSize: 3, stride: r === 0 ? b.stride : 1, activation: 'relu6', filters: expanded });
      layers.push({ name: `${prefix}_project`, kind: 'conv', kernelSize: 1, stride: 1, activation: 'linear', filters: b.channels });
      inChannels = b.channels;
      block++;
    }
  }
  layers.push({ name: 'Conv_1', kind: 'conv', kernelSize: 1, stride: 1, activation: 'relu6', filters: 1280 });
  layers.push({ name: 'Logits', kind: 'dense', kernelSize: 1, stride: 1, activation: 'linear', filters: classes });
  return layers;
}

/** Configuration of {@link buildMobileNetV2}. Every key is optional. */
export interface MobileNetV2Config {
  /** Square input side in pixels, or `null` for any size. Default 224. Input is RGB scaled to [−1, 1]. */
  inputSize?: number | null;
  /** Classifier units. Default 1001 (the slim checkpoints: index 0 is "background", then ImageNet's 1000). */
  classes?: number;
  /**
   * Named outputs, in this order (see {@link MOBILENET_V2_OUTPUTS}). Default `['logits']`. Layers past the
   * deepest requested output are not built, so a model of `['stride4', 'stride8']` stops after block 5.
   */
  outputs?: readonly MobileNetV2Output[];
  /** Name of the returned model. Default `'mobilenet_v2'`. */
  name?: string;
}

/** Defaults of {@link MobileNetV2Config}. @example MOBILENET_V2_DEFAULTS.classes; // 1001 */
export const MOBILENET_V2_DEFAULTS = {
  inputSize: 224 as number | null,
  classes: 1001,
  outputs: ['logits'] as readonly MobileNetV2Output[],
  name: 'mobilenet_v2',
} as const;

/** Validated, complete {@link MobileNetV2Config}. */
export type ResolvedMobileNetV2Config = Required<MobileNetV2Config>;

/**
 * Fill defaults into a {@link MobileNetV2Config} and validate every key (throws {@link ConfigError}).
 * @example
 * resolveMobileNetV2Config({ outputs: ['pooled'] }).inputSize; // 224
 */
export function resolveMobileNetV2Config(config: MobileNetV2Config = {}): ResolvedMobileNetV2Config {
  checkConfigKeys(config, Object.keys(MOBILENET_V2_DEFAULTS));
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as MobileNetV2Config;
  const c = { ...MOBILENET_V2_DEFAULTS, ...given };
  if (c.inputSize !== null) checkConfigRange('inputSize', c.inputSize, 1, Infinity, { integer: true });
  checkConfigRange('classes', c.classes, 1, Infinity, { integer: true });
  if (!Array.isArray(c.outputs) || c.outputs.length === 0) throw new ConfigError('outputs', `a non-empty array of ${MOBILENET_V2_OUTPUTS.join(' | ')}`, describeValue(c.outputs));
  for (const o of c.outputs) {
    if (!MOBILENET_V2_OUTPUTS.includes(o)) throw new ConfigError('outputs', MOBILENET_V2_OUTPUTS, describeValue(o));
  }
  if (new Set(c.outputs).size !== c.outputs.length) throw new ConfigError('outputs', 'no repeated output', c.outputs.join(', '));
  if (typeof c.name !== 'string' || c.name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(c.name));
  return c;
}

/**
 * Build MobileNetV2 at width 1.0 (Sandler et al. 2018, Table 2): a 3×3/2 convolution to 32 channels,
 * 17 inverted residual blocks (1×1 expansion with ReLU6, 3×3 depthwise with ReLU6, linear 1×1 projection,
 * a residual add when stride is 1 and channels match), a 1×1 convolution to 1280 channels with ReLU6,
 * global average pooling and a linear classifier.
 *
 * Layer names: `Conv`; per block `expanded_conv[_N]_expand|_depthwise|_project|_add` (block 0 has no
 * expansion, N = 1 … 16); `Conv_1`; `global_pool`; `Logits` (dense, 1280 → classes). Weights are randomly
 * initialized: fill them with {@link loadMobileNetV2FromTflite} or `tfjs-colorization/node`'s bundled backbone.
 *
 * @param config  see {@link MobileNetV2Config}.
 * @returns an uncompiled `tf.LayersModel` from `[N, S, S, 3]` RGB in [−1, 1] to the requested outputs,
 *   in the order given (one output: a single tensor). At input 224: stride4 `[N,56,56,24]`, stride8
 *   `[N,28,28,32]`, stride16 `[N,14,14,96]`, stride32 `[N,7,7,320]`, features `[N,7,7,1280]`, pooled
 *   `[N,1280]`, logits `[N,classes]`. Caller owns it (`dispose()`).
 * @throws ConfigError for an invalid or unknown key.
 * @example
 * const backbone = buildMobileNetV2({ inputSize: 256, outputs: ['stride4', 'stride8', 'stride16', 'pooled'] });
 * const [s4, s8, s16, pooled] = backbone.predict(rgbMinus1To1) as tf.Tensor[];
 */
export function buildMobileNetV2(config: MobileNetV2Config = {}): tfl.LayersModel {
  const c = resolveMobileNetV2Config(config);
  const wanted = new Set(c.outputs.map((o) => MOBILENET_V2_OUTPUT_LAYERS[o]));
  const built = new Map<string, tfl.SymbolicTensor>();
  const input = tfl.input({ shape: [c.inputSize, c.inputSize, 3], name: 'input' });
  const keep = (name: string, t: tfl.SymbolicTensor): tfl.SymbolicTensor => {
    if (wanted.has(name)) built.set(name, t);
    return t;
  };
  const done = (): boolean => built.size === wanted.size;
  const layers = mobileNetV2WeightLayers(c.classes);
  let x: tfl.SymbolicTensor = input;
  let blockInput: tfl.SymbolicTensor = input;
  for (const spec of layers) {
    if (done()) break;
    if (spec.kind === 'dense') {
      const pooled = keep('global_pool', tfl.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as tfl.SymbolicTensor);
      if (!done()) keep('Logits', tfl.layers.dense({ units: spec.filters, name: spec.name }).apply(pooled) as tfl.SymbolicTensor);
      break;
    }
    if (spec.name.endsWith('_expand') || (spec.name === 'expanded_conv_depthwise')) blockInput = x;
    const common = { kernelSize: spec.kernelSize, strides: spec.stride, padding: 'same' as const, useBias: true, activation: spec.activation, name: spec.name };
    x = (spec.kind === 'depthwise'
      ? tfl.layers.depthwiseConv2d({ ...common, depthMultiplier: 1 })
      : tfl.layers.conv2d({ ...common, filters: spec.filters })
    ).apply(x) as tfl.SymbolicTensor;
    keep(spec.name, x);
    if (spec.name.endsWith('_project')) {
      const prefix = spec.name.slice(0, -'_project'.length);
      const depthwise = layers.find((l) => l.name === `${prefix}_depthwise`);
      if (depthwise?.stride === 1 && blockInput.shape[3] === spec.filters) {
        x = keep(`${prefix}_add`, tfl.layers.add({ name: `${prefix}_add` }).apply([x, blockInput]) as tfl.SymbolicTensor);
      }
    }
  }
  const outputs = c.outputs.map((o) => built.get(MOBILENET_V2_OUTPUT_LAYERS[o]) as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: c.name });
}
