/**
 * A hint-capable hypercolumn colorizer on a frozen pretrained backbone, after Larsson, Maire &
 * Shakhnarovich 2016 ("Learning Representations for Automatic Colorization", ECCV: hypercolumns of an
 * ImageNet-trained network + a small per-pixel head predicting a colour distribution), with Zhang et al.
 * 2016's 313 ab bins as the output and Zhang et al. 2017's user points ("Real-Time User-Guided Image
 * Colorization with Learned Deep Priors", SIGGRAPH, §3.1: hint ab and mask planes as extra inputs).
 *
 * The model has three inputs, the library's hint contract: `lightness` `[N, H, W, 1]` = (L − 50) / 100,
 * `hint_ab` `[N, H, W, 2]` = hint ab / 110 (0 where no hint) and `hint_mask` `[N, H, W, 1]` (1 at a hint).
 * The backbone is any functional RGB model taking values in [−1, 1] (e.g. MobileNetV2); a gray photo
 * enters it as its lightness replicated to three channels, (L − 50) / 50 = 2 · lightness. That replication
 * is folded exactly into the backbone's first convolution (its kernel summed over the input channels and
 * doubled), so the backbone reads the lightness input directly.
 *
 * The head, at 1/`outputStride` of the input:
 * - each tapped backbone feature map is projected by its own 1×1 convolution at its own resolution and
 *   then resized bilinearly (half-pixel centres) to the output grid. Projecting before resizing is the
 *   same linear map as projecting the resized concatenation (Larsson's hypercolumn), at a fraction of the
 *   cost;
 * - the full-resolution lightness and hint planes enter through a `outputStride × outputStride` convolution
 *   with the same stride (a learned space-to-depth), so a one-pixel hint is not averaged away;
 * - the sum goes through Iizuka et al. 2016's fusion layer with the backbone's globally pooled last feature
 *   (scene context for every pixel), then `convs` 3×3 convolutions with ReLU and a 1×1 convolution to the
 *   bins' logits.
 *
 * The head also exists alone ({@link buildHypercolumnHead}), taking the backbone's features as inputs,
 * so it can be trained on features computed once (the backbone is frozen); its weights load into the
 * whole model by layer name ({@link buildHypercolumnColorizer} with `head`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { createRandom, type Random } from '../random.js';
import { checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import { FusionLayer } from './layers/fusion-layer.js';
import { ResizeToMatch } from './layers/resize-to-match.js';

/**
 * The head's shape, shared by {@link buildHypercolumnHead} and {@link buildHypercolumnColorizer}.
 * @example const head: HypercolumnHeadShape = { width: 64, convs: 2, outputStride: 4, bins: 313 };
 */
export interface HypercolumnHeadShape {
  /** Channels of every hidden layer of the head; a positive integer. Default 64. */
  width?: number;
  /** Number of 3×3 convolutions (with ReLU) after the fusion; an integer ≥ 0. Default 2. */
  convs?: number;
  /** Output side = ceil(input side / outputStride); a positive integer. Default 4 (Zhang et al. 2016's 1/4). */
  outputStride?: number;
  /** Number of ab bins Q of the output logits. Default 313 (Zhang et al. 2016's gamut). */
  bins?: number;
  /** Seed of the head's initializers; unseeded when absent. */
  seed?: number;
}

/** Defaults of {@link HypercolumnHeadShape}. @example HYPERCOLUMN_HEAD_DEFAULTS.width; // 64 */
export const HYPERCOLUMN_HEAD_DEFAULTS = { width: 64, convs: 2, outputStride: 4, bins: 313 } as const;

/**
 * Configuration of {@link buildHypercolumnHead}: the channels of the features it reads.
 * @example
 * const config: HypercolumnHeadConfig = { tapChannels: [24, 32, 96, 320], globalChannels: 1280 };
 */
export interface HypercolumnHeadConfig extends HypercolumnHeadShape {
  /** Channels of each tapped feature map, in the order of the inputs `tap1`, `tap2`, …; at least one. */
  tapChannels: readonly number[];
  /** Channels of the pooled global feature vector (input `global`, `[N, G]`); 0 for none. */
  globalChannels: number;
}

/**
 * Configuration of {@link buildHypercolumnColorizer}. `backbone`, `tapNames` are required.
 * @example
 * const config: HypercolumnColorizerConfig = {
 *   backbone, tapNames: ['block_2_add', 'block_5_add', 'block_12_add', 'block_16_project'], globalName: 'out_relu',
 * };
 */
export interface HypercolumnColorizerConfig extends HypercolumnHeadShape {
  /**
   * A functional `tf.LayersModel` with one RGB input `[N, H, W, 3]` in [−1, 1] whose first layer after the
   * input (and any zero padding) is a `Conv2D`; its weights are copied, frozen; it is left untouched.
   */
  backbone: tfl.LayersModel;
  /** Backbone layers with 4-D outputs tapped for the hypercolumn (finest first is customary); at least one. */
  tapNames: readonly string[];
  /** A backbone layer whose output (4-D, pooled here, or 2-D) is the global feature; none when absent. */
  globalName?: string;
  /**
   * A trained head from {@link buildHypercolumnHead} with the same shape and channels: its weights are
   * copied by layer name. Absent: the head starts from its initializers.
   */
  head?: tfl.LayersModel;
}

const SHAPE_KEYS = { width: true, convs: true, outputStride: true, bins: true, seed: true } as const;
const HEAD_CONFIG_KEYS = configKeys<HypercolumnHeadConfig>({ ...SHAPE_KEYS, tapChannels: true, globalChannels: true });
const COLORIZER_CONFIG_KEYS = configKeys<HypercolumnColorizerConfig>({
  ...SHAPE_KEYS,
  backbone: true,
  tapNames: true,
  globalName: true,
  head: true,
});
const FEATURES_CONFIG_KEYS = configKeys<Pick<HypercolumnColorizerConfig, 'backbone' | 'tapNames' | 'globalName'>>({
  backbone: true,
  tapNames: true,
  globalName: true,
});

interface ResolvedShape {
  width: number;
  convs: number;
  outputStride: number;
  bins: number;
  seed: number | undefined;
}

function resolveShape(config: HypercolumnHeadShape): ResolvedShape {
  const width = config.width ?? HYPERCOLUMN_HEAD_DEFAULTS.width;
  const convs = config.convs ?? HYPERCOLUMN_HEAD_DEFAULTS.convs;
  const outputStride = config.outputStride ?? HYPERCOLUMN_HEAD_DEFAULTS.outputStride;
  const bins = config.bins ?? HYPERCOLUMN_HEAD_DEFAULTS.bins;
  checkConfigRange('width', width, 1, Infinity, { integer: true });
  checkConfigRange('convs', convs, 0, 64, { integer: true });
  checkConfigRange('outputStride', outputStride, 1, 64, { integer: true });
  checkConfigRange('bins', bins, 2, Infinity, { integer: true });
  if (config.seed !== undefined) checkConfigRange('seed', config.seed, -(2 ** 53), 2 ** 53, { integer: true });
  return { width, convs, outputStride, bins, seed: config.seed };
}

/** The symbolic tensors the head reads. */
interface HeadInputs {
  taps: tfl.SymbolicTensor[];
  global: tfl.SymbolicTensor | null;
  lightness: tfl.SymbolicTensor;
  hintAb: tfl.SymbolicTensor;
  hintMask: tfl.SymbolicTensor;
}

function he(rng: Random | null): ReturnType<typeof tfl.initializers.heNormal> {
  return tfl.initializers.heNormal({ seed: rng?.int(2 ** 31) });
}

/** Build the head's layers on `inputs` (fixed layer names, so weights move between models by name). */
function applyHead(inputs: HeadInputs, shape: ResolvedShape): tfl.SymbolicTensor {
  const { width, convs, outputStride, bins } = shape;
  const rng = shape.seed === undefined ? null : createRandom(shape.seed);
  const local = tfl.layers.concatenate({ axis: -1, name: 'hc_local_input' }).apply([inputs.lightness, inputs.hintAb, inputs.hintMask]) as tfl.SymbolicTensor;
  const parts = [
    tfl.layers
      .conv2d({ filters: width, kernelSize: outputStride, strides: outputStride, padding: 'same', kernelInitializer: he(rng), name: 'hc_local' })
      .apply(local) as tfl.SymbolicTensor,
  ];
  inputs.taps.forEach((tap, i) => {
    const projected = tfl.layers
      .conv2d({ filters: width, kernelSize: 1, useBias: false, kernelInitializer: he(rng), name: `hc_tap${i + 1}` })
      .apply(tap) as tfl.SymbolicTensor;
    parts.push(new ResizeToMatch({ stride: outputStride, name: `hc_resize${i + 1}` }).apply([projected, inputs.lightness]) as tfl.SymbolicTensor);
  });
  let x = tfl.layers.add({ name: 'hc_sum' }).apply(parts) as tfl.SymbolicTensor;
  if (inputs.global !== null) {
    let global = inputs.global;
    if (global.shape.length === 4) global = tfl.layers.globalAveragePooling2d({ name: 'hc_global_pool' }).apply(global) as tfl.SymbolicTensor;
    x = new FusionLayer({ units: width, activation: 'relu', seed: rng?.int(2 ** 31), name: 'hc_fusion' }).apply([x, global]) as tfl.SymbolicTensor;
  } else {
    x = tfl.layers.reLU({ name: 'hc_relu' }).apply(x) as tfl.SymbolicTensor;
  }
  for (let i = 0; i < convs; i++) {
    x = tfl.layers
      .conv2d({ filters: width, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(rng), name: `hc_conv${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
  }
  return tfl.layers
    .conv2d({ filters: bins, kernelSize: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng?.int(2 ** 31) }), name: 'logits' })
    .apply(x) as tfl.SymbolicTensor;
}

function hintInputs(): { lightness: tfl.SymbolicTensor; hintAb: tfl.SymbolicTensor; hintMask: tfl.SymbolicTensor } {
  return {
    lightness: tfl.input({ shape: [null, null, 1], name: 'lightness' }),
    hintAb: tfl.input({ shape: [null, null, 2], name: 'hint_ab' }),
    hintMask: tfl.input({ shape: [null, null, 1], name: 'hint_mask' }),
  };
}

/**
 * The head of the hypercolumn colorizer alone, reading precomputed backbone features: for training on
 * features computed once by {@link buildHypercolumnFeatures} (the backbone is frozen, so they never change).
 *
 * Inputs, in order: `tap1` … `tapK` `[N, h_i, w_i, C_i]` (any sizes), `global` `[N, G]` (when
 * `globalChannels` > 0), `lightness` `[N, H, W, 1]`, `hint_ab` `[N, H, W, 2]`, `hint_mask` `[N, H, W, 1]`.
 * Output `logits` `[N, ceil(H / outputStride), ceil(W / outputStride), bins]`.
 *
 * @param config  see {@link HypercolumnHeadConfig}.
 * @returns an uncompiled `tf.LayersModel`; the caller owns it.
 * @throws ConfigError for a bad or unknown key.
 * @example
 * const head = buildHypercolumnHead({ tapChannels: [24, 32, 96, 320], globalChannels: 1280, seed: 1 });
 * const logits = head.predict([...taps, global, lightness, hintAb, hintMask]) as tf.Tensor4D;
 */
export function buildHypercolumnHead(config: HypercolumnHeadConfig): tfl.LayersModel {
  checkConfigKeys(config, HEAD_CONFIG_KEYS);
  const shape = resolveShape(config);
  if (!Array.isArray(config.tapChannels) || config.tapChannels.length === 0) {
    throw new ConfigError('tapChannels', 'a non-empty array of positive integers', describeValue(config.tapChannels));
  }
  config.tapChannels.forEach((c, i) => checkConfigRange(`tapChannels[${i}]`, c, 1, Infinity, { integer: true }));
  checkConfigRange('globalChannels', config.globalChannels, 0, Infinity, { integer: true });
  const taps = config.tapChannels.map((c, i) => tfl.input({ shape: [null, null, c], name: `tap${i + 1}` }));
  const global = config.globalChannels > 0 ? tfl.input({ shape: [config.globalChannels], name: 'global' }) : null;
  const hints = hintInputs();
  const logits = applyHead({ taps, global, ...hints }, shape);
  return tfl.model({ inputs: [...taps, ...(global ? [global] : []), hints.lightness, hints.hintAb, hints.hintMask], outputs: logits, name: 'hypercolumn_head' });
}

interface LayerEntry {
  className: string;
  name: string;
  config: { name?: string; trainable?: boolean; batchInputShape?: (number | null)[]; [key: string]: unknown };
  inboundNodes: unknown[];
}

const PADDING_LAYERS = new Set(['ZeroPadding2D']);

/**
 * A frozen copy of the part of `backbone` that computes `outputs`, reading lightness `[N, H, W, 1]`
 * (its input renamed `lightness`): the RGB replication (x = 2 · lightness in each channel) folded into the
 * first convolution's kernel.
 */
function lightnessBackbone(backbone: tfl.LayersModel, outputs: readonly string[], key: string): tfl.LayersModel {
  if (!(backbone instanceof tfl.LayersModel)) throw new ConfigError('backbone', 'a tf.LayersModel', describeValue(backbone));
  if (backbone.inputs.length !== 1 || backbone.inputs[0].shape.length !== 4 || backbone.inputs[0].shape[3] !== 3) {
    throw new ConfigError('backbone', 'a model with one RGB input [N, H, W, 3]', `inputs ${backbone.inputs.map((i) => `[${i.shape.join(', ')}]`).join(', ')}`);
  }
  const names = new Set(backbone.layers.map((l) => l.name));
  for (const name of outputs) {
    if (!names.has(name)) throw new ConfigError(key, `names of the backbone's layers (${[...names].join(', ')})`, describeValue(name));
  }
  const view = tfl.model({ inputs: backbone.inputs, outputs: outputs.map((n) => backbone.getLayer(n).output as tfl.SymbolicTensor), name: `${backbone.name}_lightness` });
  const config = view.getConfig() as unknown as { layers: LayerEntry[]; inputLayers: [string, number, number][] };
  const inputName = config.inputLayers[0][0];
  // The first convolution: the only consumer of the input, through zero paddings.
  let first: LayerEntry | undefined;
  let current = inputName;
  for (let hops = 0; hops < 4 && first === undefined; hops++) {
    const consumers = config.layers.filter((l) => JSON.stringify(l.inboundNodes).includes(`"${current}"`));
    if (consumers.length !== 1) break;
    if (consumers[0].className === 'Conv2D') first = consumers[0];
    else if (PADDING_LAYERS.has(consumers[0].className)) current = consumers[0].name;
    else break;
  }
  if (first === undefined) throw new ConfigError('backbone', 'a first layer (after zero padding) that is a Conv2D reading the input alone', 'another structure');
  const firstName = first.name;
  const rename = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(rename) : value === inputName ? 'lightness' : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)])) : value;
  const layers = config.layers.map((layer) => {
    const copy = JSON.parse(JSON.stringify(layer)) as LayerEntry;
    copy.config.trainable = false;
    if (copy.name === inputName) {
      copy.name = 'lightness';
      copy.config.name = 'lightness';
      copy.config.batchInputShape = [...(copy.config.batchInputShape ?? [null, null, null, 3]).slice(0, 3), 1];
    }
    copy.inboundNodes = rename(copy.inboundNodes) as unknown[];
    return copy;
  });
  const rewritten = { ...config, layers, inputLayers: [['lightness', 0, 0]], outputLayers: rename((config as unknown as { outputLayers: unknown }).outputLayers) };
  const copy = tfl.LayersModel.fromConfig(tfl.LayersModel, rewritten as unknown as tf.serialization.ConfigDict, {}, true) as tfl.LayersModel;
  const values = new Map(view.weights.map((w) => [w.originalName, w]));
  const folded: tf.Tensor[] = [];
  copy.setWeights(
    copy.weights.map((w) => {
      if (w.originalName === `${firstName}/kernel`) {
        // conv(2·l replicated over 3 channels) = conv with the kernel summed over input channels, times 2.
        folded.push(tf.tidy(() => tf.mul(tf.sum(values.get(w.originalName)!.read(), 2, true), 2)));
        return folded[folded.length - 1];
      }
      return values.get(w.originalName)!.read();
    }),
  );
  tf.dispose(folded);
  if (folded.length !== 1) throw new ConfigError('backbone', `a first convolution ${firstName} with a kernel`, `${folded.length} kernels folded`);
  for (const layer of copy.layers) layer.trainable = false;
  return copy;
}

/**
 * The frozen backbone reading lightness, with the hypercolumn taps and the pooled global feature as
 * outputs: what {@link buildHypercolumnHead} reads, computed once per training photo.
 *
 * @param config  `backbone`, `tapNames`, `globalName` as for {@link buildHypercolumnColorizer}.
 * @returns a model `lightness [N, H, W, 1]` → `[tap1, …, tapK, global [N, G]]` (no `global` without
 *   `globalName`); the caller owns it.
 * @throws ConfigError for an unknown layer name or a backbone that does not fit.
 * @example
 * const features = buildHypercolumnFeatures({ backbone, tapNames, globalName: 'out_relu' });
 * const [t1, t2, t3, t4, global] = features.predict(lightness) as tf.Tensor[];
 */
export function buildHypercolumnFeatures(config: Pick<HypercolumnColorizerConfig, 'backbone' | 'tapNames' | 'globalName'>): tfl.LayersModel {
  checkConfigKeys(config, FEATURES_CONFIG_KEYS);
  checkTapNames(config.tapNames);
  const names = [...config.tapNames, ...(config.globalName !== undefined ? [config.globalName] : [])];
  const trunk = lightnessBackbone(config.backbone, names, 'tapNames');
  if (config.globalName === undefined) return trunk;
  const outputs = trunk.outputs.slice(0, config.tapNames.length);
  let global = trunk.outputs[config.tapNames.length];
  if (global.shape.length === 4) global = tfl.layers.globalAveragePooling2d({ name: 'hc_global_pool' }).apply(global) as tfl.SymbolicTensor;
  return tfl.model({ inputs: trunk.inputs, outputs: [...outputs, global], name: 'hypercolumn_features' });
}

function checkTapNames(tapNames: unknown): asserts tapNames is readonly string[] {
  if (!Array.isArray(tapNames) || tapNames.length === 0 || tapNames.some((n) => typeof n !== 'string')) {
    throw new ConfigError('tapNames', 'a non-empty array of layer names', describeValue(tapNames));
  }
}

/**
 * Build the hint-capable hypercolumn colorizer: frozen backbone + head (see the file comment).
 *
 * Inputs, in order: `lightness` `[N, H, W, 1]` = (L − 50) / 100, `hint_ab` `[N, H, W, 2]` = ab / 110 (0
 * without a hint), `hint_mask` `[N, H, W, 1]` (1 at a hint, else 0); any H, W (multiples of the backbone's
 * largest stride keep the taps aligned). Output `logits` `[N, ceil(H / outputStride), ceil(W / outputStride),
 * bins]` over Zhang et al.'s bins, decoded by annealed mean. All backbone layers are non-trainable.
 *
 * @param config  see {@link HypercolumnColorizerConfig}.
 * @returns an uncompiled `tf.LayersModel`; the caller owns it. The backbone and `head` are not modified.
 * @throws ConfigError for an unknown layer name, a tap that is not 4-D, a `head` whose weights do not fit,
 *   or any invalid key.
 * @example
 * const head = buildHypercolumnHead({ tapChannels: [24, 32, 96, 320], globalChannels: 1280 });
 * // … train `head` on cached features …
 * const model = buildHypercolumnColorizer({ backbone, tapNames, globalName: 'out_relu', head });
 * const colorizer = await createColorizer({ model });
 */
export function buildHypercolumnColorizer(config: HypercolumnColorizerConfig): tfl.LayersModel {
  checkConfigKeys(config, COLORIZER_CONFIG_KEYS);
  const shape = resolveShape(config);
  checkTapNames(config.tapNames);
  if (config.globalName !== undefined && typeof config.globalName !== 'string') throw new ConfigError('globalName', 'a layer name', describeValue(config.globalName));
  if (config.head !== undefined && !(config.head instanceof tfl.LayersModel)) throw new ConfigError('head', 'a tf.LayersModel from buildHypercolumnHead', describeValue(config.head));
  const names = [...config.tapNames, ...(config.globalName !== undefined ? [config.globalName] : [])];
  const trunk = lightnessBackbone(config.backbone, names, 'tapNames');
  trunk.outputs.slice(0, config.tapNames.length).forEach((t, i) => {
    if (t.shape.length !== 4) throw new ConfigError('tapNames', 'layers with 4-D outputs', `${config.tapNames[i]} of shape [${t.shape.join(', ')}]`);
  });
  const lightness = trunk.inputs[0];
  const hintAb = tfl.input({ shape: [null, null, 2], name: 'hint_ab' });
  const hintMask = tfl.input({ shape: [null, null, 1], name: 'hint_mask' });
  const taps = trunk.outputs.slice(0, config.tapNames.length);
  const global = config.globalName !== undefined ? trunk.outputs[config.tapNames.length] : null;
  const logits = applyHead({ taps, global, lightness, hintAb, hintMask }, shape);
  const model = tfl.model({ inputs: [lightness, hintAb, hintMask], outputs: logits, name: 'hypercolumn_colorizer' });
  if (config.head !== undefined) {
    const source = new Map(config.head.layers.map((l) => [l.name, l]));
    for (const layer of model.layers) {
      if (!layer.name.startsWith('hc_') && layer.name !== 'logits') continue;
      const weights = layer.getWeights();
      if (weights.length === 0) continue;
      const from = source.get(layer.name)?.getWeights();
      if (from === undefined || from.length !== weights.length || from.some((w, i) => w.shape.join() !== weights[i].shape.join())) {
        model.dispose();
        throw new ConfigError('head', `a head with layer ${layer.name} of weight shapes ${weights.map((w) => `[${w.shape}]`).join(', ')}`, from === undefined ? 'no such layer' : `shapes ${from.map((w) => `[${w.shape}]`).join(', ')}`);
      }
      layer.setWeights(from);
    }
  }
  return model;
}
