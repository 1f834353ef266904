/**
 * The joint global/local colorization network of Iizuka, Simo-Serra & Ishikawa 2016, "Let there be
 * Color!: Joint End-to-end Learning of Global and Local Image Priors for Automatic Image Colorization
 * with Simultaneous Classification" (SIGGRAPH), §3 and Table 1.
 *
 * Four parts share one low-level network (§3.1): its weights see both the image at a fixed size
 * (global path: global features net → a 256-d vector, and a scene-classification head, §3.4) and the
 * image at its own size (local path: mid-level features). The {@link FusionLayer} (§3.3, eq. 1) joins
 * the global vector to every mid-level location, and the colorization network (§3.2) upsamples the
 * fused map to chrominance at half the input size, which is then upsampled to the input size.
 * Every conv and fully-connected layer uses ReLU except the outputs (sigmoid chrominance, linear class
 * logits); with `batchNorm` (default, §4 of the paper trains with batch normalization) each hidden conv
 * is conv → BatchNorm → ReLU.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange } from '../validate.js';
import { FusionLayer } from './layers/fusion-layer.js';

/**
 * Configuration of {@link buildIizukaModel}. Every key is optional; defaults are the paper's.
 * @example const laptop: IizukaModelConfig = { globalInputSize: 64, widthMultiplier: 1 / 8, numClasses: 10 };
 */
export interface IizukaModelConfig {
  /**
   * Side of the square image the global path sees, in pixels; default 224 (§3.4). A positive
   * multiple of 32: the low-level net halves it 3 times and the global net twice more (224 → 7), and
   * the flattened 7×7×512 map feeds a fully-connected layer, so the size must divide exactly.
   */
  globalInputSize?: number;
  /**
   * Side of the local input, or `null` (default) to accept any height and width. Either way a local
   * input's height and width must be multiples of 8 (three stride-2 convs, three ×2 upsamplings), so
   * that the chrominance comes out at exactly the input size.
   */
  localInputSize?: number | null;
  /**
   * Multiplier of every hidden channel and unit count, in (0, 4]; default 1 (the paper's widths).
   * Counts are `max(1, round(c · widthMultiplier))`; 1/8 with a 64 px global input trains on a laptop.
   */
  widthMultiplier?: number;
  /** Number of scene classes of the classification head; default 205 (Places, §4). */
  numClasses?: number;
  /** Insert BatchNorm after every hidden conv; default true. */
  batchNorm?: boolean;
  /** Base seed of the Glorot-uniform kernel initializers (layer i uses seed + i); unseeded when absent. */
  seed?: number;
  /** Name of the returned model; default `'iizuka2016'`. */
  name?: string;
}

/**
 * The keys {@link IizukaModelConfig} accepts; any other key throws `ConfigError`.
 * @example const known = Object.fromEntries(Object.entries(flags).filter(([k]) => (IIZUKA_MODEL_CONFIG_KEYS as readonly string[]).includes(k)));
 */
export const IIZUKA_MODEL_CONFIG_KEYS = ['globalInputSize', 'localInputSize', 'widthMultiplier', 'numClasses', 'batchNorm', 'seed', 'name'] as const;

/**
 * {@link IizukaModelConfig} with every default filled in.
 * @example const { globalInputSize } = resolveIizukaModelConfig({}); // 224
 */
export type ResolvedIizukaModelConfig = Required<Omit<IizukaModelConfig, 'seed'>> & { seed: number | undefined };

/** One 3×3 conv of Table 1: output channels and stride. */
interface ConvSpec {
  readonly channels: number;
  readonly stride: 1 | 2;
}

/** Low-level features network (Table 1), shared by the global and the local path. */
const LOW_LEVEL: readonly ConvSpec[] = [
  { channels: 64, stride: 2 },
  { channels: 128, stride: 1 },
  { channels: 128, stride: 2 },
  { channels: 256, stride: 1 },
  { channels: 256, stride: 2 },
  { channels: 512, stride: 1 },
];
/** Mid-level features network (Table 1). */
const MID_LEVEL: readonly ConvSpec[] = [
  { channels: 512, stride: 1 },
  { channels: 256, stride: 1 },
];
/** Convs of the global features network (Table 1); then FC 1024, 512, 256. */
const GLOBAL_CONVS: readonly ConvSpec[] = [
  { channels: 512, stride: 2 },
  { channels: 512, stride: 1 },
  { channels: 512, stride: 2 },
  { channels: 512, stride: 1 },
];
const GLOBAL_UNITS = [1024, 512, 256] as const;
/** Output units of the fusion layer (§3.3). */
const FUSION_UNITS = 256;
/** Hidden units of the classification head, fed by the 512-unit global layer (§3.4). */
const CLASS_HIDDEN_UNITS = 256;

/**
 * Fill defaults into an {@link IizukaModelConfig} and validate it.
 *
 * @throws ConfigError naming the key, the valid values and what was received.
 * @example
 * resolveIizukaModelConfig({ globalInputSize: 64, widthMultiplier: 1 / 8 });
 */
export function resolveIizukaModelConfig(config: IizukaModelConfig = {}): ResolvedIizukaModelConfig {
  checkConfigKeys(config, IIZUKA_MODEL_CONFIG_KEYS);
  const { globalInputSize = 224, localInputSize = null, widthMultiplier = 1, numClasses = 205, batchNorm = true, seed, name = 'iizuka2016' } = config;
  checkConfigRange('globalInputSize', globalInputSize, 32, Infinity, { integer: true });
  if (globalInputSize % 32 !== 0) {
    throw new ConfigError('globalInputSize', 'a positive multiple of 32 (32, 64, …, 224, …)', describeValue(globalInputSize));
  }
  if (localInputSize !== null) {
    checkConfigRange('localInputSize', localInputSize, 8, Infinity, { integer: true });
    if (localInputSize % 8 !== 0) {
      throw new ConfigError('localInputSize', 'null (any size) or a positive multiple of 8 (8, 16, …, 224, …)', describeValue(localInputSize));
    }
  }
  checkConfigRange('widthMultiplier', widthMultiplier, 0, 4, { openLow: true });
  checkConfigRange('numClasses', numClasses, 1, Infinity, { integer: true });
  if (typeof batchNorm !== 'boolean') throw new ConfigError('batchNorm', [String(true), String(false)], describeValue(batchNorm));
  if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(name));
  return { globalInputSize, localInputSize, widthMultiplier, numClasses, batchNorm, seed, name };
}

/**
 * Build the network of Iizuka et al. 2016 (Fig. 2, Table 1).
 *
 * Inputs, in this order:
 * 1. `[N, globalInputSize, globalInputSize, 1]`: normalized lightness `(L − 50) / 100` of the image
 *    rescaled to the global size (e.g. `tf.image.resizeBilinear(local, [224, 224])`), §3.4;
 * 2. `[N, H, W, 1]`: the same lightness at its own size (H, W multiples of 8; any size unless
 *    `localInputSize` is set).
 *
 * Outputs, in this order:
 * 1. `ab` `[N, H, W, 2]`: sigmoid chrominance s ∈ [0, 1]. It maps to Lab as `ab = (2s − 1) · 110`
 *    (so the target for an ab image is `(ab / 110 + 1) / 2`), the paper's [0, 1] chrominance over
 *    this library's ab range `AB_SCALE` = 110;
 * 2. `class_logits` `[N, numClasses]`: unnormalized scene-class scores.
 * Train with `computeIizukaLoss` of `src/losses` (MSE + α·CE, eq. 2, α = 1/300).
 *
 * @param config  see {@link IizukaModelConfig}; validated (throws `ConfigError`).
 * @returns an uncompiled `tf.LayersModel`. The caller owns it (`model.dispose()`).
 * @example
 * const model = buildIizukaModel({ globalInputSize: 64, widthMultiplier: 1 / 8, numClasses: 10 });
 * const [ab01, classLogits] = model.predict([tf.image.resizeBilinear(l, [64, 64]), l]) as tf.Tensor[];
 */
export function buildIizukaModel(config: IizukaModelConfig = {}): tfl.LayersModel {
  const { globalInputSize, localInputSize, widthMultiplier, numClasses, batchNorm, seed, name } = resolveIizukaModelConfig(config);
  const width = (units: number): number => Math.max(1, Math.round(units * widthMultiplier));
  let layerIndex = 0;
  const nextSeed = (): number | undefined => (seed === undefined ? undefined : seed + layerIndex++);
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

  /** A 3×3 conv (then BatchNorm) then ReLU, as reusable layers so the low-level net can be shared. */
  const convBlock = (layerName: string, spec: ConvSpec): ((x: tfl.SymbolicTensor) => tfl.SymbolicTensor) => {
    const conv = tfl.layers.conv2d({
      filters: width(spec.channels),
      kernelSize: 3,
      strides: spec.stride,
      padding: 'same',
      activation: batchNorm ? 'linear' : 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }),
      name: layerName,
    });
    if (!batchNorm) return (x) => apply(conv, x);
    const norm = tfl.layers.batchNormalization({ axis: -1, name: `${layerName}_bn` });
    const relu = tfl.layers.activation({ activation: 'relu', name: `${layerName}_relu` });
    return (x) => apply(relu, apply(norm, apply(conv, x)));
  };
  const dense = (layerName: string, units: number, activation: 'relu' | 'linear') =>
    tfl.layers.dense({ units, activation, kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }), name: layerName });

  const globalInput = tfl.input({ shape: [globalInputSize, globalInputSize, 1], name: 'lightness_global' });
  const localInput = tfl.input({ shape: [localInputSize, localInputSize, 1], name: 'lightness' });

  const lowLevel = LOW_LEVEL.map((spec, i) => convBlock(`low_conv${i + 1}`, spec));
  const runLowLevel = (x: tfl.SymbolicTensor) => lowLevel.reduce((y, block) => block(y), x);

  // Global path (§3.4): shared low-level net, 4 convs, flatten, FC 1024 → 512 → 256.
  let g = runLowLevel(globalInput);
  GLOBAL_CONVS.forEach((spec, i) => (g = convBlock(`global_conv${i + 1}`, spec)(g)));
  g = apply(tfl.layers.flatten({ name: 'global_flatten' }), g);
  g = apply(dense('global_fc1', width(GLOBAL_UNITS[0]), 'relu'), g);
  const global512 = apply(dense('global_fc2', width(GLOBAL_UNITS[1]), 'relu'), g);
  const global256 = apply(dense('global_fc3', width(GLOBAL_UNITS[2]), 'relu'), global512);

  // Classification head (§3.4) on the 512-unit global features.
  const classHidden = apply(dense('class_fc1', width(CLASS_HIDDEN_UNITS), 'relu'), global512);
  const classLogits = apply(dense('class_logits', numClasses, 'linear'), classHidden);

  // Local path: shared low-level net, mid-level net, fusion (eq. 1).
  let m = runLowLevel(localInput);
  MID_LEVEL.forEach((spec, i) => (m = convBlock(`mid_conv${i + 1}`, spec)(m)));
  let c = apply(new FusionLayer({ units: width(FUSION_UNITS), activation: 'relu', seed: nextSeed(), name: 'fusion' }), [m, global256]);

  // Colorization network (§3.2): conv 128, ×2, conv 64, conv 64, ×2, conv 32, conv 2 sigmoid (at H/2).
  const upsample = (layerName: string, interpolation: 'nearest' | 'bilinear') => tfl.layers.upSampling2d({ size: [2, 2], interpolation, name: layerName });
  c = convBlock('color_conv1', { channels: 128, stride: 1 })(c);
  c = apply(upsample('color_up1', 'nearest'), c);
  c = convBlock('color_conv2', { channels: 64, stride: 1 })(c);
  c = convBlock('color_conv3', { channels: 64, stride: 1 })(c);
  c = apply(upsample('color_up2', 'nearest'), c);
  c = convBlock('color_conv4', { channels: 32, stride: 1 })(c);
  c = apply(
    tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }), name: 'color_output' }),
    c,
  );
  // The network predicts at half resolution; the paper upsamples the chrominance to the input size.
  const ab = apply(upsample('ab', 'bilinear'), c);

  return tfl.model({ inputs: [globalInput, localInput], outputs: [ab, classLogits], name });
}

