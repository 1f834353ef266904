/**
 * A trainable dilated ("à trous") 3×3 convolution for tfjs-layers.
 *
 * tfjs-core 4.22 computes `conv2d(..., dilations > 1)` forward but throws in its gradient
 * ("dilation rates greater than 1 are not yet supported in gradients"), so a stock
 * `tfl.layers.conv2d({ dilationRate: 2 })` cannot be trained. This layer has two exact forms of the
 * same function, chosen by `implementation`:
 * - `'direct'` (default): one fused dilated convolution (`FusedConv2D` with dilations, bias and
 *   activation), with a gradient the layer supplies through `tf.customGrad`, computed from forward
 *   convolutions (src/models/layers/dilated-conv2d-direct.ts).
 * - `'split'`: a dilated convolution with rate d is an ordinary convolution on each of the d×d
 *   interleaved sub-images of the input (Yu & Koltun 2016, "Multi-scale context aggregation by dilated
 *   convolutions", §2; the same rewrite TensorFlow uses in `atrous_conv2d`), so the layer computes
 *   `spaceToBatchND(x, [d, d]) → conv2d 'same' (dilation 1) → batchToSpaceND`, whose ops all have
 *   gradients on every backend. Heights and widths that are not multiples of d are padded with zeros
 *   at the bottom/right before the split and cropped after it, which is exactly the zero padding of a
 *   'same' dilated convolution. The two re-interleaving copies cost about a sixth of a Zhang ×1/4
 *   training step on wasm (docs/performance.md), which is why `'direct'` is the default.
 *
 * Its weights are named and shaped like a `Conv2D` layer's (`kernel` `[k, k, inChannels, filters]`,
 * `bias` `[filters]`) in both forms, so weights of a dilated Conv2D (Keras) or a PyTorch `Conv2d(dilation=d,
 * padding=d·(k−1)/2)` load into it unchanged (PyTorch after the usual `[out, in, kh, kw] → [kh, kw, in, out]`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';
import { dilatedConv2dDirect } from './dilated-conv2d-direct.js';

/** Arguments every tfjs-layers layer accepts (`name`, `trainable`, `inputShape`, …). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Activations {@link DilatedConv2D} can fuse into its convolution.
 * @example const activation = DILATED_CONV2D_ACTIVATIONS.find((a) => a === flags.activation) ?? 'relu';
 */
export const DILATED_CONV2D_ACTIVATIONS = ['linear', 'relu'] as const;

/**
 * One of {@link DILATED_CONV2D_ACTIVATIONS}.
 * @example const activation: DilatedConv2DActivation = 'relu';
 */
export type DilatedConv2DActivation = (typeof DILATED_CONV2D_ACTIVATIONS)[number];

/**
 * How {@link DilatedConv2D} computes its convolution: both give the same outputs and gradients (to
 * float rounding) from the same weights.
 * @example const forms = DILATED_CONV2D_IMPLEMENTATIONS.map((implementation) => new DilatedConv2D({ filters: 64, dilationRate: 2, implementation }));
 */
export const DILATED_CONV2D_IMPLEMENTATIONS = ['direct', 'split'] as const;

/**
 * One of {@link DILATED_CONV2D_IMPLEMENTATIONS}.
 * @example const implementation: DilatedConv2DImplementation = 'split';
 */
export type DilatedConv2DImplementation = (typeof DILATED_CONV2D_IMPLEMENTATIONS)[number];

/**
 * Constructor arguments of {@link DilatedConv2D}; invalid values throw `ConfigError`.
 * @example const args: DilatedConv2DArgs = { filters: 512, dilationRate: 2, activation: 'relu', name: 'conv5_1' };
 */
export interface DilatedConv2DArgs extends BaseLayerArgs {
  /** Number of output channels; a positive integer. */
  filters: number;
  /** Odd square kernel size; default 3 (odd so 'same' padding is symmetric, as in the dilated conv). */
  kernelSize?: number;
  /** Dilation rate d, an integer ≥ 1; default 2 (Zhang et al. 2016, conv5 and conv6). */
  dilationRate?: number;
  /** Activation after the bias; default `'linear'`. */
  activation?: DilatedConv2DActivation;
  /** Whether to add a bias; default true. */
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initializer; unseeded when absent. */
  seed?: number;
  /**
   * How the convolution is computed; default `'direct'`. Both forms give the same outputs and
   * gradients (within 1e-4 relative, float32 rounding) from the same weights, on every backend:
   * - `'direct'`: one `FusedConv2D` kernel with dilations, bias and activation; its gradients are
   *   forward convolutions the layer supplies itself (tfjs-core has none for dilated convolutions).
   *   The faster form for training and inference (Zhang ×1/4 training step on wasm: see docs/performance.md).
   * - `'split'`: `spaceToBatchND → conv2d → batchToSpaceND` (Yu & Koltun 2016, §2), built only from ops
   *   whose gradients tfjs-core has; kept as a cross-check and for backends whose dilated convolution
   *   is missing or slow.
   * Models saved before this option existed have no such key and load as `'direct'`: same weights,
   * same outputs to float rounding.
   */
  implementation?: DilatedConv2DImplementation;
}

/**
 * Dilated 2-D convolution with 'same' padding and stride 1, trainable on every tfjs backend.
 *
 * Input `[N, H, W, C]` (any H, W ≥ 1), output `[N, H, W, filters]`; equal (to float rounding) to
 * `tf.conv2d(x, kernel, 1, 'same', 'NHWC', dilationRate) + bias` followed by the activation.
 *
 * @example
 * const conv5 = new DilatedConv2D({ filters: 512, dilationRate: 2, activation: 'relu', name: 'conv5_1' });
 * const y = conv5.apply(tfl.input({ shape: [32, 32, 512] }));
 */
export class DilatedConv2D extends tfl.layers.Layer {
  /** Registered name used when a model holding this layer is serialized. */
  static className = 'DilatedConv2D';

  readonly filters: number;
  readonly kernelSize: number;
  readonly dilationRate: number;
  readonly activation: DilatedConv2DActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  /**
   * See {@link DilatedConv2DArgs.implementation}. May be reassigned between calls (both forms read the
   * same weights), e.g. to compare them on one model; not while a gradient tape is recording.
   */
  implementation: DilatedConv2DImplementation;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: DilatedConv2DArgs) {
    super(args);
    const { filters, kernelSize = 3, dilationRate = 2, activation = 'linear', useBias = true, seed, implementation = 'direct' } = args;
    checkConfigRange('filters', filters, 1, Infinity, { integer: true });
    checkConfigRange('kernelSize', kernelSize, 1, Infinity, { integer: true });
    if (kernelSize % 2 === 0) throw new ConfigError('kernelSize', 'an odd integer (1, 3, 5, …)', describeValue(kernelSize));
    checkConfigRange('dilationRate', dilationRate, 1, Infinity, { integer: true });
    checkConfigChoice('activation', activation, DILATED_CONV2D_ACTIVATIONS);
    if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
    checkConfigChoice('implementation', implementation, DILATED_CONV2D_IMPLEMENTATIONS);
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.dilationRate = dilationRate;
    this.activation = activation;
    this.useBias = useBias;
    this.seed = seed;
    this.implementation = implementation;
    this.inputSpec = [new tfl.InputSpec({ ndim: 4 })];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = singleShape(inputShape);
    const channels = shape[3];
    if (channels == null) throw new InputError(`${this.name} input`, 'a known channel count', `shape [${shape.join(', ')}]`);
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, channels, this.filters], 'float32', tfl.initializers.glorotUniform({ seed: this.seed }));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros());
    this.inputSpec = [new tfl.InputSpec({ ndim: 4, axes: { [-1]: channels } })];
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = singleShape(inputShape);
    return [shape[0], shape[1], shape[2], this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const d = this.dilationRate;
      const filter = this.kernel!.read() as tf.Tensor4D;
      const bias = this.bias?.read();
      if (this.implementation === 'direct') return dilatedConv2dDirect(x, filter, (bias ?? null) as tf.Tensor1D | null, d, this.activation);
      if (d === 1) return tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: this.activation });
      // Pad bottom/right up to a multiple of d: those zeros are the 'same' padding of the dilated conv.
      const [, height, width] = x.shape;
      const padding = [[0, (d - (height % d)) % d], [0, (d - (width % d)) % d]];
      const subImages = tf.spaceToBatchND(x, [d, d], padding);
      // Bias and activation act per position and channel, so they commute with the re-interleaving.
      const y = tf.fused.conv2d({ x: subImages, filter, strides: 1, pad: 'same', bias, activation: this.activation });
      return tf.batchToSpaceND(y, [d, d], padding);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      filters: this.filters,
      kernelSize: this.kernelSize,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      implementation: this.implementation,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...config, ...super.getConfig() };
  }
}

function singleShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
}

tf.serialization.registerClass(DilatedConv2D);
