import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildLarssonModel } from '../../src/models/larsson.js';
import { buildVgg16, resolveVgg16Config, VGG16_FEATURE_LAYERS } from '../../src/models/vgg16.js';

describe('buildVgg16', () => {
  test('13 convs and 3 dense layers with torchvision’s shapes, logits for the classes', () => {
    const model = buildVgg16({ widthMultiplier: 1 / 64, classes: 7 });
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => l.name)).toEqual(['block1_conv1', 'block1_conv2', 'block2_conv1', 'block2_conv2', 'block3_conv1', 'block3_conv2', 'block3_conv3', 'block4_conv1', 'block4_conv2', 'block4_conv3', 'block5_conv1', 'block5_conv2', 'block5_conv3']);
    expect(model.getLayer('fc1').getWeights()[0].shape).toEqual([7 * 7 * 8, 64]);
    expect(model.outputs[0].shape).toEqual([null, 7]);
    model.dispose();
  });

  test('full width has torchvision vgg16’s 138,357,544 parameters', () => {
    const model = buildVgg16();
    expect(model.countParams()).toBe(138_357_544);
    model.dispose();
  });

  test('without the classifier it is a Larsson hypercolumn backbone for any input size', () => {
    const backbone = buildVgg16({ inputChannels: 1, inputSize: null, includeTop: false, widthMultiplier: 1 / 32 });
    const model = buildLarssonModel({ backbone, layerNames: VGG16_FEATURE_LAYERS, hiddenWidths: [8] });
    const x = tf.randomUniform([1, 64, 48, 1], -0.5, 0.5);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 16, 12, 2]);
    tf.dispose([x, y]);
    model.dispose();
    backbone.dispose();
  });

  test('options are validated and unknown keys refused with ConfigError naming the key', () => {
    expect(() => resolveVgg16Config({ inputSize: 128 })).toThrow(/inputSize: expected a size from 224 to 255 with includeTop/);
    expect(() => resolveVgg16Config({ inputSize: null })).toThrow(ConfigError);
    expect(resolveVgg16Config({ inputSize: null, includeTop: false }).inputSize).toBeNull();
    expect(() => resolveVgg16Config({ includeTop: 'yes' } as never)).toThrow(/includeTop/);
    expect(() => resolveVgg16Config({ width: 1 } as never)).toThrow(/width: expected a known key/);
  });
});
