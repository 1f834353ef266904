/**
 * BatchNorm folding for inference. At inference BatchNorm is a fixed per-channel affine map
 * `y = s·x + t`, `s = γ / √(σ² + ε)`, `t = β − μ·s` (Ioffe & Szegedy 2015, Algorithm 2, step 11), so
 * it can be merged into a linear layer next to it and disappear from the graph.
 *
 * Two folds are exact, and only those are made:
 * - **into the preceding layer** (conv → BN, as in ResNet and Nazeri's U-Net): the layer must be
 *   linear (no activation) and feed only the BN. Its kernel is scaled per output channel and its bias
 *   becomes `s·b + t`. A ReLU that then follows alone is moved into the layer's own activation, so
 *   conv + bias + ReLU run as one fused kernel (tfjs-layers' Conv2D with `relu` calls FusedConv2D).
 * - **into the following layer** (BN → conv, as when BN follows a ReLU): `W ⊛ (s·x + t) + b` equals
 *   `(W·s) ⊛ x + (b + Σ W·t)` only where every kernel tap reads the normalized map. A zero-padded tap
 *   reads 0 of the normalized map, which after the fold would have to be the input value `−t/s` of
 *   its channel, not 0, so border outputs would change. Hence this fold is made only for layers that
 *   never pad: 'valid' Conv2D (any kernel), 1×1 convolutions and Dense. A 'same' or dilated conv, a
 *   transposed conv (which crops, so border outputs sum fewer taps) or a
 *   ZeroPadding2D in between keeps the BN.
 *
 * Zhang et al. 2016's ECCV16 net puts each BN after a ReLU and before a zero-padded 3×3, dilated or
 * transposed conv, so none of its seven BNs can be folded exactly; they stay (measured cost and
 * reasoning: docs/performance.md).
 *
 * Since the result is for inference only, it also turns each `DilatedConv2D` (a trainable dilated
 * conv) back into one stock dilated Conv2D: same weights and outputs. Its default direct form is
 * already one fused kernel; its split form (space-to-batch → conv → batch-to-space) is three, and
 * there this is ~1.5× faster per layer on wasm (the two reshuffles were ~14 % of Zhang's inference).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError, describeValue } from '../errors.js';

/**
 * How a BatchNorm was folded: into the layer that produces its input, or into the one that consumes its output.
 * @example const kind: BatchNormFoldKind = 'into-preceding';
 */
export type BatchNormFoldKind = 'into-preceding' | 'into-following';

/**
 * One BatchNorm layer folded away by {@link foldBatchNorm}.
 * @example const fold: BatchNormFold = { batchNorm: 'stem_bn', layer: 'stem_conv', kind: 'into-preceding', absorbedActivation: 'stem_relu' };
 */
export interface BatchNormFold {
  /** Name of the removed BatchNorm layer. */
  batchNorm: string;
  /** Name of the layer whose kernel and bias absorb it. */
  layer: string;
  kind: BatchNormFoldKind;
  /** Name of a ReLU layer removed because `layer` now applies ReLU itself (only `'into-preceding'`). */
  absorbedActivation?: string;
}

/**
 * A BatchNorm layer {@link foldBatchNorm} leaves in place, and why.
 * @example const kept: BatchNormKept = { batchNorm: 'conv1_2norm', reason: '…' };
 */
export interface BatchNormKept {
  batchNorm: string;
  /** A sentence naming the neighbouring layers and what prevents an exact fold. */
  reason: string;
}

/**
 * What {@link foldBatchNorm} does to a model: the folds it makes and the BatchNorm layers it keeps.
 * @example const { folds, kept } = planBatchNormFolds(model);
 */
export interface BatchNormFoldPlan {
  folds: BatchNormFold[];
  kept: BatchNormKept[];
  /** Names of the `DilatedConv2D` layers that become stock dilated Conv2D layers. */
  directDilatedConvs: string[];
}

/**
 * Options of {@link foldBatchNorm}.
 * @example const config: FoldBatchNormConfig = { name: 'resnet18_inference' };
 */
export interface FoldBatchNormConfig {
  /** Move a ReLU that follows a folded BN into the layer's activation. Default true. */
  absorbActivations?: boolean;
  /**
   * Replace each `DilatedConv2D` by a stock Conv2D with the same dilation rate and weights (its
   * forward pass is one fused kernel on every backend; only its gradient is missing). Default true.
   */
  directDilatedConvs?: boolean;
  /** Name of the returned model. Default `<model name>_folded`. */
  name?: string;
}

type ConfigDict = tf.serialization.ConfigDict;
/** `[layer name, node index, tensor index, kwargs]`, as in a functional model's config. */
type NodeRef = [string, number, number, ConfigDict];
interface LayerEntry {
  name: string;
  className: string;
  config: ConfigDict;
  inboundNodes: NodeRef[][];
}
interface ModelConfig {
  name: string;
  layers: LayerEntry[];
  inputLayers: [string, number, number][];
  outputLayers: [string, number, number][];
}

const BATCH_NORM_CLASSES = ['BatchNormalization', 'FreezableBatchNormalization'];
/** Layers whose kernel's last axis is the output channel, or (Conv2DTranspose) axis 2. */
const PRECEDING_CLASSES = ['Conv2D', 'Conv2DTranspose', 'DilatedConv2D', 'Dense'];
/** Layers whose kernel's second-to-last axis is the input channel. */
const FOLLOWING_CLASSES = ['Conv2D', 'DilatedConv2D', 'Dense'];

/**
 * List the BatchNorm folds {@link foldBatchNorm} would make on `model`, and the BatchNorm layers it
 * would keep with the reason. Reads only the model's structure; makes no tensors.
 *
 * @param model  a functional or sequential `tf.LayersModel`.
 * @param config  `absorbActivations` as in {@link foldBatchNorm}.
 * @example
 * planBatchNormFolds(buildResNet18({ widthMultiplier: 1 / 16 })).folds.length; // 20
 */
export function planBatchNormFolds(model: tfl.LayersModel, config: FoldBatchNormConfig = {}): BatchNormFoldPlan {
  checkModel(model);
  const { absorb, direct } = resolveOptions(config);
  return plan(model, modelConfig(model), absorb, direct);
}

/**
 * An inference copy of `model` with every BatchNorm that can be folded exactly merged into the
 * kernel and bias of the linear layer before it (conv → BN) or, for layers that never zero-pad, after
 * it (BN → 'valid' or 1×1 conv, BN → Dense); see {@link planBatchNormFolds} for what is folded and what
 * is kept. A ReLU after a folded BN moves into the layer's fused activation.
 *
 * The copy computes the original's inference output (`training: false`) to float rounding (tests:
 * within 1e-4 relative on cpu for Zhang, Nazeri's generator and ResNet-18). It is for inference only:
 * training it would train without the removed BatchNorms. Other layers keep their names and weights;
 * an output produced by a removed layer is produced by the layer that absorbed it.
 *
 * @param model  a functional or sequential `tf.LayersModel`; left unchanged and still owned by the caller.
 * @param config  `absorbActivations` (default true), `name` (default `<model name>_folded`).
 * @returns a new `tf.LayersModel`; the caller owns it (`dispose()`), independently of `model`.
 * @throws InputError when `model` is not a LayersModel. ConfigError for an invalid option.
 * @example
 * const inference = foldBatchNorm(buildResNet18({ inputSize: 64, stem: 'small' }));
 * const logits = inference.predict(images) as tf.Tensor2D;
 */
export function foldBatchNorm(model: tfl.LayersModel, config: FoldBatchNormConfig = {}): tfl.LayersModel {
  checkModel(model);
  const { absorb, direct } = resolveOptions(config);
  const name = config.name ?? `${model.name}_folded`;
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(name));
  const original = modelConfig(model);
  const { folds, directDilatedConvs } = plan(model, original, absorb, direct);
  const rewritten = rewriteConfig(original, folds, directDilatedConvs, name);
  // fastWeightInit: skip the initializers, every weight is overwritten below.
  const folded = tfl.LayersModel.fromConfig(tfl.LayersModel, rewritten as unknown as ConfigDict, {}, true) as unknown as tfl.LayersModel;
  try {
    copyWeights(model, folded, folds);
  } catch (e) {
    folded.dispose();
    throw e;
  }
  return folded;
}

function checkModel(model: unknown): asserts model is tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) throw new InputError('model', 'a tf.LayersModel', describeValue(model));
}

function resolveOptions(config: FoldBatchNormConfig): { absorb: boolean; direct: boolean } {
  if (typeof config !== 'object' || config === null) throw new ConfigError('config', 'an options object', describeValue(config));
  const absorb = config.absorbActivations ?? true;
  if (typeof absorb !== 'boolean') throw new ConfigError('absorbActivations', ['true', 'false'], describeValue(absorb));
  const direct = config.directDilatedConvs ?? true;
  if (typeof direct !== 'boolean') throw new ConfigError('directDilatedConvs', ['true', 'false'], describeValue(direct));
  return { absorb, direct };
}

/** The functional config of `model` (a Sequential is viewed as the functional model of its layers). */
function modelConfig(model: tfl.LayersModel): ModelConfig {
  const functional = model instanceof tfl.Sequential ? tfl.model({ inputs: model.inputs, outputs: model.outputs, name: model.name }) : model;
  return JSON.parse(JSON.stringify(functional.getConfig())) as ModelConfig;
}

/** The layer read by a layer with one inbound node of one input; undefined otherwise. */
function soleInput(entry: LayerEntry): string | undefined {
  return entry.inboundNodes.length === 1 && entry.inboundNodes[0].length === 1 ? entry.inboundNodes[0][0][0] : undefined;
}

function plan(model: tfl.LayersModel, config: ModelConfig, absorb: boolean, direct: boolean): BatchNormFoldPlan {
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  // Every use of a layer's output: by another layer or as a model output.
  const uses = new Map<string, string[]>();
  for (const layer of config.layers) {
    for (const node of layer.inboundNodes) for (const [source] of node) uses.set(source, [...(uses.get(source) ?? []), layer.name]);
  }
  for (const [source] of config.outputLayers) uses.set(source, [...(uses.get(source) ?? []), '(model output)']);
  const usesOf = (name: string): string[] => uses.get(name) ?? [];
  const isOutput = (name: string): boolean => usesOf(name).includes('(model output)');
  const targeted = new Set<string>();
  const folds: BatchNormFold[] = [];
  const kept: BatchNormKept[] = [];

  for (const bn of config.layers.filter((l) => BATCH_NORM_CLASSES.includes(l.className))) {
    const keep = (reason: string): void => void kept.push({ batchNorm: bn.name, reason });
    const source = soleInput(bn);
    if (source === undefined) {
      keep('it is applied to several inputs (a shared layer)');
      continue;
    }
    const rank = (model.getLayer(bn.name).input as tfl.SymbolicTensor).shape.length;
    const axis = Number(bn.config.axis);
    if ((axis < 0 ? axis + rank : axis) !== rank - 1) {
      keep(`it normalizes axis ${axis}, not the channel (last) axis`);
      continue;
    }
    const producer = byName.get(source)!;
    if (
      PRECEDING_CLASSES.includes(producer.className) &&
      producer.config.activation === 'linear' &&
      producer.inboundNodes.length === 1 &&
      usesOf(producer.name).length === 1 &&
      isChannelsLast(producer) &&
      !targeted.has(producer.name)
    ) {
      targeted.add(producer.name);
      const fold: BatchNormFold = { batchNorm: bn.name, layer: producer.name, kind: 'into-preceding' };
      const next = usesOf(bn.name);
      const relu = next.length === 1 && !isOutput(bn.name) ? byName.get(next[0])! : undefined;
      if (absorb && relu && isPlainRelu(relu) && soleInput(relu) === bn.name) fold.absorbedActivation = relu.name;
      folds.push(fold);
      continue;
    }
    const next = usesOf(bn.name);
    const consumer = next.length === 1 && !isOutput(bn.name) ? byName.get(next[0])! : undefined;
    const padding = consumer ? paddingFreeReason(consumer) : undefined;
    if (consumer && padding === null && soleInput(consumer) === bn.name && isChannelsLast(consumer) && !targeted.has(consumer.name)) {
      targeted.add(consumer.name);
      folds.push({ batchNorm: bn.name, layer: consumer.name, kind: 'into-following' });
      continue;
    }
    const before =
      PRECEDING_CLASSES.includes(producer.className) && producer.config.activation !== 'linear'
        ? `${producer.name} applies ${String(producer.config.activation)} before it`
        : `its input comes from ${producer.name} (${producer.className}), which cannot absorb it`;
    const after = consumer
      ? padding
        ? `its output feeds ${consumer.name} (${consumer.className}), ${padding}`
        : `its output feeds ${consumer.name} (${consumer.className}), which cannot absorb it`
      : `its output has ${next.length} uses`;
    keep(`${before}; ${after}`);
  }
  const directDilatedConvs = direct ? config.layers.filter((l) => l.className === 'DilatedConv2D').map((l) => l.name) : [];
  return { folds, kept, directDilatedConvs };
}

function isChannelsLast(entry: LayerEntry): boolean {
  return entry.config.dataFormat === undefined || entry.config.dataFormat === 'channelsLast';
}

function isPlainRelu(entry: LayerEntry): boolean {
  if (entry.className === 'ReLU') return entry.config.maxValue == null;
  return entry.className === 'Activation' && entry.config.activation === 'relu';
}

/**
 * Null when `entry` reads every input value through its kernel without zero padding (so a preceding
 * per-channel affine map folds exactly into it); otherwise why it cannot absorb one.
 */
function paddingFreeReason(entry: LayerEntry): string | null | undefined {
  if (!FOLLOWING_CLASSES.includes(entry.className)) return undefined;
  if (entry.className === 'Dense') return null;
  const kernel = entry.config.kernelSize;
  const size = Array.isArray(kernel) ? (kernel as number[]) : [Number(kernel), Number(kernel)];
  const oneByOne = size.every((k) => k === 1);
  if (entry.className === 'DilatedConv2D') return oneByOne ? null : `whose 'same' padding zero-pads the normalized map (folding would change border pixels)`;
  if (oneByOne || entry.config.padding === 'valid') return null;
  return `whose '${String(entry.config.padding)}' ${size.join('×')} kernel zero-pads the normalized map (folding would change border pixels)`;
}

function rewriteConfig(config: ModelConfig, folds: BatchNormFold[], directDilatedConvs: string[], name: string): ModelConfig {
  const byName = new Map(config.layers.map((l) => [l.name, l]));
  for (const layerName of directDilatedConvs) {
    const layer = byName.get(layerName)!;
    const { filters, kernelSize, dilationRate, activation, useBias, trainable } = layer.config;
    layer.className = 'Conv2D';
    layer.config = {
      filters,
      kernelSize: [kernelSize, kernelSize],
      strides: [1, 1],
      padding: 'same',
      dataFormat: 'channelsLast',
      dilationRate: [dilationRate, dilationRate],
      activation,
      useBias,
      name: layerName,
      trainable,
    } as ConfigDict;
  }
  const removed = new Set<string>();
  const renamed = new Map<string, string>();
  for (const fold of folds) {
    const bn = byName.get(fold.batchNorm)!;
    const target = byName.get(fold.layer)!;
    target.config.useBias = true;
    removed.add(bn.name);
    if (fold.kind === 'into-preceding') {
      renamed.set(bn.name, target.name);
      if (fold.absorbedActivation) {
        target.config.activation = 'relu';
        removed.add(fold.absorbedActivation);
        renamed.set(fold.absorbedActivation, target.name);
      }
    } else {
      target.inboundNodes = [[[...bn.inboundNodes[0][0]] as NodeRef]];
    }
  }
  const rename = <T extends unknown[]>(ref: T): T => {
    const source = renamed.get(ref[0] as string);
    return (source === undefined ? ref : [source, ...ref.slice(1)]) as T;
  };
  return {
    ...config,
    name,
    layers: config.layers
      .filter((l) => !removed.has(l.name))
      .map((l) => ({ ...l, inboundNodes: l.inboundNodes.map((node) => node.map(rename)) })),
    outputLayers: config.outputLayers.map(rename),
  };
}

/** Inference affine map of a BatchNorm layer: `{ scale: s, shift: t }`, each `[channels]`. */
function batchNormAffine(layer: tfl.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const weight = (suffix: string): tf.Tensor1D | undefined => layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read() as tf.Tensor1D | undefined;
  const mean = weight('moving_mean')!;
  const variance = weight('moving_variance')!;
  const epsilon = Number((layer.getConfig() as ConfigDict).epsilon);
  const gamma = weight('gamma');
  const beta = weight('beta');
  const scale = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, epsilon))) as tf.Tensor1D;
  const shift = tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale)) as tf.Tensor1D;
  return { scale, shift };
}

function copyWeights(source: tfl.LayersModel, target: tfl.LayersModel, folds: BatchNormFold[]): void {
  const foldByLayer = new Map(folds.map((f) => [f.layer, f]));
  for (const layer of target.layers) {
    const fold = foldByLayer.get(layer.name);
    // Input layers have no weights (and a Sequential does not list its own).
    if (layer.weights.length === 0 && !fold) continue;
    const original = source.getLayer(layer.name);
    if (!fold) {
      layer.setWeights(original.getWeights());
      continue;
    }
    const [kernel, bias] = foldedWeights(original, source.getLayer(fold.batchNorm), fold.kind);
    layer.setWeights([kernel, bias]);
    kernel.dispose();
    bias.dispose();
  }
}

/** Kernel and bias of `layer` with the BatchNorm's affine map folded in; the caller disposes both. */
function foldedWeights(layer: tfl.layers.Layer, batchNorm: tfl.layers.Layer, kind: BatchNormFoldKind): [tf.Tensor, tf.Tensor1D] {
  return tf.tidy(() => {
    const [kernel, bias] = layer.getWeights();
    const { scale, shift } = batchNormAffine(batchNorm);
    const rank = kernel.rank;
    // Kernels are [kh, kw, in, out] (Conv2D, DilatedConv2D), [in, out] (Dense), [kh, kw, out, in] (Conv2DTranspose).
    const outAxis = layer.getClassName() === 'Conv2DTranspose' ? rank - 2 : rank - 1;
    const inAxis = layer.getClassName() === 'Conv2DTranspose' ? rank - 1 : rank - 2;
    const alongAxis = (v: tf.Tensor1D, axis: number): tf.Tensor => tf.reshape(v, kernel.shape.map((d, i) => (i === axis ? d : 1)));
    const oldBias = bias ?? tf.zeros([kernel.shape[outAxis]]);
    if (kind === 'into-preceding') {
      // BN(W ⊛ x + b) = (s·W) ⊛ x + (s·b + t), s and t per output channel.
      return [tf.mul(kernel, alongAxis(scale, outAxis)), tf.add(tf.mul(oldBias, scale), shift) as tf.Tensor1D];
    }
    // W ⊛ (s·x + t) + b = (W·s) ⊛ x + (b + Σ_{taps, in} W·t), s and t per input channel; exact without padding.
    const sumAxes = kernel.shape.map((_, i) => i).filter((i) => i !== outAxis);
    const carried = tf.sum(tf.mul(kernel, alongAxis(shift, inAxis)), sumAxes);
    return [tf.mul(kernel, alongAxis(scale, inAxis)), tf.add(oldBias, carried) as tf.Tensor1D];
  });
}
