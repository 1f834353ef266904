import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { copyBackboneTop, copyLayerWeights } from '../../src/models/copy-backbone.js';
import { buildMobileNetV2, MOBILENET_V2_OUTPUT_LAYERS as LAYERS } from '../../src/models/mobilenet-v2.js';

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('copyBackboneTop / copyLayerWeights', () => {
  let backbone: tfl.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    // Random weights: the copy must reproduce whatever the backbone computes.
    backbone = buildMobileNetV2({ inputSize: null, outputs: ['stride16', 'stride32', 'pooled'] });
  });
  afterAll(() => backbone.dispose());

  it("reproduces MobileNetV2's stride-32 tap and pooled vector from its stride-16 output, at any size", () => {
    const top = copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride32, LAYERS.pooled]);
    expect(top.inputs[0].shape).toEqual([null, null, null, 96]);
    for (const [h, w] of [
      [64, 64],
      [96, 64],
    ]) {
      const rgb = tf.randomUniform([2, h, w, 3], -1, 1, 'float32', h + w);
      const [s16, s32, pooled] = backbone.predict(rgb) as tf.Tensor[];
      const [t32, tPooled] = top.predict(s16) as tf.Tensor[];
      expect(t32.shape).toEqual(s32.shape);
      expect(maxDiff(t32, s32)).toBeLessThan(1e-4);
      expect(maxDiff(tPooled, pooled)).toBeLessThan(1e-5);
      tf.dispose([rgb, s16, s32, pooled, t32, tPooled]);
    }
    top.dispose();
  });

  it('is a copy: changing it leaves the backbone alone until copyLayerWeights writes it back', () => {
    const top = copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride32, LAYERS.pooled]);
    const rgb = tf.randomUniform([1, 64, 64, 3], -1, 1, 'float32', 7);
    const [s16, before] = backbone.predict(rgb) as tf.Tensor[];
    // Perturb every weight of the copy.
    top.setWeights(top.getWeights().map((w, i) => tf.add(w, tf.randomNormal(w.shape, 0, 0.05, 'float32', i))));
    const [fromTop] = top.predict(s16) as tf.Tensor[];
    const [, unchanged] = backbone.predict(rgb) as tf.Tensor[];
    expect(maxDiff(unchanged, before)).toBe(0);
    expect(maxDiff(fromTop, before)).toBeGreaterThan(1e-3);

    const written = copyLayerWeights(top, backbone);
    expect(written[0]).toBe('expanded_conv_13_expand');
    expect(written.at(-1)).toBe('Conv_1');
    expect(written).toHaveLength(4 * 3 + 1); // blocks 13–16 (expand, depthwise, project) and Conv_1
    const [, after] = backbone.predict(rgb) as tf.Tensor[];
    expect(maxDiff(after, fromTop)).toBeLessThan(1e-4);
    tf.dispose([rgb, s16, before, fromTop, unchanged, after]);
    top.dispose();
  });

  it('makes no tensor that outlives the copy', () => {
    const before = tf.memory().numTensors;
    const top = copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride32]);
    top.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects unknown layers, outputs below `from`, and outputs that need other branches, naming the key', () => {
    expect(() => copyBackboneTop(backbone, 'nope', [LAYERS.stride32])).toThrow(ConfigError);
    expect(() => copyBackboneTop(backbone, 'nope', [LAYERS.stride32])).toThrow(/^from: expected one of/);
    expect(() => copyBackboneTop(backbone, LAYERS.stride16, ['nope'])).toThrow(/^outputs: expected one of/);
    expect(() => copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride8])).toThrow(
      /outputs: expected layers computed from expanded_conv_12_add alone, received "expanded_conv_5_add"/,
    );
    expect(() => copyBackboneTop(backbone, LAYERS.stride16, [])).toThrow(/outputs: expected at least one layer name/);
    // A skip connection around `from`: the add needs `a`, which is below `from`.
    const input = tfl.input({ shape: [8, 8, 2] });
    const a = tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'b' }).apply(a) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([b, a]) as tfl.SymbolicTensor;
    const skip = tfl.model({ inputs: input, outputs: sum });
    expect(() => copyBackboneTop(skip, 'b', ['sum'])).toThrow(/outputs: expected layers computed from b alone/);
    skip.dispose();
  });

  it('copyLayerWeights refuses a target without the layer or with other shapes', () => {
    const top = copyBackboneTop(backbone, LAYERS.stride16, [LAYERS.stride32]);
    const other = buildMobileNetV2({ inputSize: null, outputs: ['stride8'] });
    expect(() => copyLayerWeights(top, other)).toThrow(/target: expected a layer expanded_conv_13_expand .* received no such layer/);
    other.dispose();
    top.dispose();
  });
});
