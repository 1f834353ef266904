/**
 * BatchNormalization that runs in inference mode while it is frozen (`trainable === false`).
 *
 * tfjs-layers' `BatchNormalization` ignores `trainable` for its statistics: called with
 * `training: true` it normalizes with the batch's mean and variance and moves its moving averages even
 * when frozen. Fine-tuning a head on a frozen pre-trained trunk then silently changes the trunk's
 * features and statistics. Keras changed this in 2.1.3: a non-trainable BN always uses its moving
 * statistics. This subclass does the same, and behaves exactly like the stock layer while trainable,
 * so unfreezing it later (`layer.trainable = true`) restores ordinary batch-statistics training.
 * Weights and config are the stock layer's; only the registered class name differs.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The stock tfjs-layers BatchNormalization instance type. */
type BatchNormalizationLayer = ReturnType<typeof tfl.layers.batchNormalization>;
/** Its constructor arguments (`axis`, `momentum`, `epsilon`, initializers, `name`, `trainable`, …). */
export type FreezableBatchNormalizationArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
type Kwargs = Parameters<BatchNormalizationLayer['call']>[1];

// tfjs-layers registers its classes for deserialization; its BatchNormalization class is not exported by name.
const registered = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization'];
const BatchNormalizationBase = registered[0] as unknown as new (args?: FreezableBatchNormalizationArgs) => BatchNormalizationLayer;

/**
 * Drop-in BatchNormalization (same weights `gamma`, `beta`, `moving_mean`, `moving_variance`) that uses
 * its moving statistics, and leaves them unchanged, whenever `trainable` is false.
 *
 * @example
 * const bn = new FreezableBatchNormalization({ epsilon: 1e-5, momentum: 0.9, name: 'stem_bn', trainable: false });
 */
export class FreezableBatchNormalization extends BatchNormalizationBase {
  /** Registered name used when a model holding this layer is serialized. */
  static className = 'FreezableBatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }
}

// The base's static `fromConfig` is inherited at run time; its type was lost with the unexported class.
tf.serialization.registerClass(FreezableBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
