/**
 * The fusion layer of Iizuka, Simo-Serra & Ishikawa 2016, "Let there be Color!" (SIGGRAPH), §3.3, eq. 1:
 * `y_fusion(u, v) = σ(b + W [y_global ; y_mid(u, v)])`. The image-wide global feature vector is
 * joined to the mid-level feature vector of every location and the pair is projected by one learned
 * matrix, so each pixel's colour can depend on scene-level context while the local path keeps any
 * input size.
 *
 * Rather than tiling the global vector over H×W and convolving the concatenation, the layer splits
 * `W = [W_global ; W_mid]`: `W_mid` is a 1×1 convolution over the map and `W_global · y_global + b`
 * is computed once per image and broadcast. The result is identical and saves a `[N, H, W, G]`
 * tensor and `H·W·G·units` multiply-adds.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';

/** Arguments every tfjs-layers layer accepts (`name`, `trainable`, …). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Nonlinearities σ the fusion layer can apply (the paper's layers use ReLU except the output).
 * @example const layers = FUSION_ACTIVATIONS.map((activation) => new FusionLayer({ units: 256, activation }));
 */
export const FUSION_ACTIVATIONS = ['relu', 'sigmoid', 'linear'] as const;

/**
 * One of {@link FUSION_ACTIVATIONS}.
 * @example const sigma: FusionActivation = 'relu';
 */
export type FusionActivation = (typeof FUSION_ACTIVATIONS)[number];

/**
 * Constructor arguments of {@link FusionLayer}; invalid values throw `ConfigError`.
 * @example const args: FusionLayerArgs = { units: 256, activation: 'relu', name: 'fusion' };
 */
export interface FusionLayerArgs extends BaseLayerArgs {
  /** Output channels; a positive integer. The paper uses 256. */
  units: number;
  /** σ of eq. 1; default `'relu'`. */
  activation?: FusionActivation;
  /** Whether to add the bias b; default true. */
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initializer; unseeded when absent. */
  seed?: number;
}

/**
 * Fusion of a global feature vector into every location of a feature map (Iizuka et al. 2016, eq. 1).
 *
 * Inputs, in this order: the mid-level map `[N, H, W, C]` (any H, W) and the global vector `[N, G]`.
 * Output `[N, H, W, units]`. Weights: `kernel` `[G + C, units]`, rows ordered as the paper's
 * concatenation `[y_global ; y_mid]`, and `bias` `[units]`.
 *
 * @example
 * const fused = new FusionLayer({ units: 256, name: 'fusion' }).apply([midFeatures, globalVector]);
 */
export class FusionLayer extends tfl.layers.Layer {
  /** Registered name used when a model holding this layer is serialized. */
  static className = 'FusionLayer';

  readonly units: number;
  readonly activation: FusionActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private globalChannels = 0;
  private localChannels = 0;

  constructor(args: FusionLayerArgs) {
    super(args);
    const { units, activation = 'relu', useBias = true, seed } = args;
    checkConfigRange('units', units, 1, Infinity, { integer: true });
    checkConfigChoice('activation', activation, FUSION_ACTIVATIONS);
    if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
    this.units = units;
    this.activation = activation;
    this.useBias = useBias;
    this.seed = seed;
    this.inputSpec = [new tfl.InputSpec({ ndim: 4 }), new tfl.InputSpec({ ndim: 2 })];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [localShape, globalShape] = pairOfShapes(this.name, inputShape);
    const localChannels = localShape[3];
    const globalChannels = globalShape[1];
    if (localChannels == null || globalChannels == null) {
      throw new InputError(`${this.name} inputs`, 'known channel counts', `shapes [${localShape.join(', ')}] and [${globalShape.join(', ')}]`);
    }
    this.localChannels = localChannels;
    this.globalChannels = globalChannels;
    const initializer = tfl.initializers.glorotUniform({ seed: this.seed });
    this.kernel = this.addWeight('kernel', [globalChannels + localChannels, this.units], 'float32', initializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [localShape] = pairOfShapes(this.name, inputShape);
    return [localShape[0], localShape[1], localShape[2], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new InputError(`${this.name} inputs`, '[map [N, H, W, C], vector [N, G]]', describeValue(inputs));
      }
      const local = inputs[0] as tf.Tensor4D;
      const global = inputs[1] as tf.Tensor2D;
      if (local.shape[0] !== global.shape[0]) {
        throw new InputError(`${this.name} inputs`, 'the same batch size N for map and vector', `[${local.shape}] and [${global.shape}]`);
      }
      const kernel = this.kernel!.read() as tf.Tensor2D;
      const { globalChannels: g, localChannels: c, units } = this;
      const kernelGlobal = tf.slice(kernel, [0, 0], [g, units]);
      const kernelLocal = tf.reshape(tf.slice(kernel, [g, 0], [c, units]), [1, 1, c, units]) as tf.Tensor4D;
      let perImage = tf.matMul(global, kernelGlobal);
      if (this.bias) perImage = tf.add(perImage, this.bias.read());
      const preActivation = tf.add(tf.conv2d(local, kernelLocal, 1, 'valid'), tf.reshape(perImage, [-1, 1, 1, units]));
      switch (this.activation) {
        case 'relu':
          return tf.relu(preActivation);
        case 'sigmoid':
          return tf.sigmoid(preActivation);
        default:
          return preActivation;
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { units: this.units, activation: this.activation, useBias: this.useBias };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...config, ...super.getConfig() };
  }
}

function pairOfShapes(layerName: string, inputShape: tfl.Shape | tfl.Shape[]): [tfl.Shape, tfl.Shape] {
  const shapes = inputShape as tfl.Shape[];
  if (!Array.isArray(shapes[0]) || shapes.length !== 2 || shapes[0].length !== 4 || (shapes[1] as tfl.Shape).length !== 2) {
    throw new InputError(`${layerName} inputs`, 'two inputs: a map [N, H, W, C] and a vector [N, G]', JSON.stringify(inputShape));
  }
  return [shapes[0], shapes[1] as tfl.Shape];
}

tf.serialization.registerClass(FusionLayer);
