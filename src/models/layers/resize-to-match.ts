/**
 * A layer that resizes a feature map bilinearly to the spatial size of a reference tensor
 * (optionally divided by a stride), so a model can upsample its prediction to "the input's size"
 * even when that size is only known at run time.
 *
 * The stock `tfl.layers.upSampling2d({ interpolation: 'bilinear' })` needs a fixed integer factor and
 * uses the legacy top-left-aligned grid; this layer uses half-pixel centres (PyTorch
 * `align_corners=False`) through {@link resizeBilinearHalfPixel}, whose gradient is right on every backend.
 * Used for the upsampling of the baseline head and for the hypercolumns of Larsson et al. 2016.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import { resizeBilinearHalfPixel } from '../resize-bilinear.js';

/** Arguments every tfjs-layers layer accepts (`name`, `trainable`, …). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Constructor arguments of {@link ResizeToMatch}.
 * @example
 * const quarter = new ResizeToMatch({ stride: 4, name: 'to_quarter' }).apply([features, image]) as tfl.SymbolicTensor;
 */
export interface ResizeToMatchArgs extends BaseLayerArgs {
  /**
   * The output is `ceil(H_ref / stride) × ceil(W_ref / stride)`; a positive integer, default 1
   * (the reference's own size). Larsson's 1/4-resolution hypercolumns use 4.
   */
  stride?: number;
}

type Shape = (number | null)[];

function targetDim(reference: number | null, stride: number): number | null {
  return reference == null ? null : Math.ceil(reference / stride);
}

/**
 * Resize `x` to the height and width of `reference` (divided by `stride`), bilinearly with half-pixel centres.
 *
 * Inputs `[x, reference]`: `x` `[N, h, w, C]`, `reference` `[N, H, W, any]` (only its shape is read).
 * Output `[N, ceil(H / stride), ceil(W / stride), C]`. No weights.
 *
 * @example
 * const image = tfl.input({ shape: [null, null, 1] });
 * const ab = new ResizeToMatch({ name: 'upsample' }).apply([lowResAb, image]) as tfl.SymbolicTensor;
 */
export class ResizeToMatch extends tfl.layers.Layer {
  /** Registered name used when a model holding this layer is serialized. */
  static className = 'ResizeToMatch';

  readonly stride: number;

  constructor(args: ResizeToMatchArgs = {}) {
    super(args);
    const { stride = 1 } = args;
    checkConfigRange('stride', stride, 1, Infinity, { integer: true });
    this.stride = stride;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) {
      throw new InputError('inputs', 'two tensors [x, reference]', describeValue(inputShape));
    }
    const [x, reference] = shapes;
    return [x[0], targetDim(reference[1], this.stride), targetDim(reference[2], this.stride), x[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new InputError('inputs', 'two tensors [x, reference]', describeValue(inputs));
      }
      const x = inputs[0] as tf.Tensor4D;
      const reference = inputs[1] as tf.Tensor4D;
      const height = Math.ceil(reference.shape[1] / this.stride);
      const width = Math.ceil(reference.shape[2] / this.stride);
      return resizeBilinearHalfPixel(x, [height, width]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), stride: this.stride };
  }
}

tf.serialization.registerClass(ResizeToMatch);
