import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { foldBatchNorm, planBatchNormFolds } from '../../src/models/fold-batch-norm.js';
import { buildNazeriGenerator } from '../../src/models/nazeri-generator.js';
import { buildResNet18 } from '../../src/models/resnet18.js';
import { buildZhangModel } from '../../src/models/zhang-eccv16.js';
import { createRandom } from '../../src/random.js';
import { maxAbsDiff } from '../backends.js';

const BATCH_NORM_CLASSES = ['BatchNormalization', 'FreezableBatchNormalization'];

/**
 * Give every BatchNorm trained-looking statistics (fresh ones are nearly the identity, which would
 * let a wrong fold pass): γ ∈ [0.5, 1.5], β ∈ [−0.5, 0.5], μ ∈ [−0.5, 0.5], σ² ∈ [0.2, 2].
 */
function randomizeBatchNorms(model: tfl.LayersModel, seed: number): void {
  const rng = createRandom(seed);
  const ranges: Record<string, [number, number]> = { gamma: [0.5, 1.5], beta: [-0.5, 0.5], moving_mean: [-0.5, 0.5], moving_variance: [0.2, 2] };
  for (const layer of model.layers.filter((l) => BATCH_NORM_CLASSES.includes(l.getClassName()))) {
    const values = layer.weights.map((w) => {
      const [lo, hi] = ranges[w.originalName.split('/').pop()!];
      return tf.tensor1d(Array.from({ length: w.shape[0]! }, () => lo + (hi - lo) * rng.next()));
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Max |folded − original| relative to max |original| over one random batch (inference mode). */
function relativeDifference(original: tfl.LayersModel, folded: tfl.LayersModel, inputShape: number[], seed: number): number {
  const x = tf.randomNormal(inputShape, 0, 1, 'float32', seed);
  const expected = original.predict(x) as tf.Tensor;
  const actual = folded.predict(x) as tf.Tensor;
  const e = expected.dataSync();
  const scale = Math.max(...Array.from(e, Math.abs));
  const diff = maxAbsDiff(actual.dataSync(), e) / scale;
  tf.dispose([x, expected, actual]);
  return diff;
}

function batchNormCount(model: tfl.LayersModel): number {
  return model.layers.filter((l) => BATCH_NORM_CLASSES.includes(l.getClassName())).length;
}

describe('foldBatchNorm', () => {
  it('folds all 20 BatchNorms of ResNet-18 into their convs, moves the following ReLUs into them, and keeps its outputs within 1e-4', () => {
    const model = buildResNet18({ inputChannels: 1, inputSize: 16, classes: 10, widthMultiplier: 1 / 16, stem: 'small', seed: 3 });
    randomizeBatchNorms(model, 4);
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model);
    const { folds, kept } = planBatchNormFolds(model);
    expect(folds).toHaveLength(20);
    expect(kept).toEqual([]);
    expect(folds.every((f) => f.kind === 'into-preceding')).toBe(true);
    // stem + first conv of each of the 8 blocks have a ReLU right after their BN.
    expect(folds.filter((f) => f.absorbedActivation !== undefined)).toHaveLength(9);
    expect(batchNormCount(folded)).toBe(0);
    expect(folded.layers.filter((l) => l.getClassName() === 'ReLU')).toHaveLength(8);
    expect((folded.getLayer('stem_conv').getConfig() as { activation: string }).activation).toBe('relu');
    expect(relativeDifference(model, folded, [2, 16, 16, 1], 5)).toBeLessThan(1e-4);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("folds Nazeri's generator BatchNorms into its convs and transposed convs (ReLU into the transposed conv, LeakyReLU kept) within 1e-4", () => {
    const model = buildNazeriGenerator({ inputSize: 16, encoderChannels: [8, 16, 16, 24], decoderChannels: [16, 16, 8], dropoutBlocks: 1, seed: 6 });
    randomizeBatchNorms(model, 7);
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model);
    const { folds } = planBatchNormFolds(model);
    expect(folds.map((f) => [f.batchNorm, f.layer, f.absorbedActivation ?? null])).toEqual([
      ['gen_bn0', 'gen_conv0', null],
      ['gen_bn1', 'gen_conv1', null],
      ['gen_bn2', 'gen_conv2', null],
      ['gen_bn3', 'gen_conv3', null],
      ['gen_deconv_bn0', 'gen_deconv0', 'gen_relu0'],
      ['gen_deconv_bn1', 'gen_deconv1', 'gen_relu1'],
      ['gen_deconv_bn2', 'gen_deconv2', 'gen_relu2'],
    ]);
    expect(batchNormCount(folded)).toBe(0);
    expect(folded.layers.filter((l) => l.getClassName() === 'LeakyReLU')).toHaveLength(4);
    expect(relativeDifference(model, folded, [2, 16, 16, 1], 8)).toBeLessThan(1e-4);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("keeps all seven of Zhang's post-ReLU BatchNorms (each feeds a zero-padding conv), makes its six dilated convs stock Conv2D, and computes the same logits", () => {
    const model = buildZhangModel({ inputSize: 32, widthMultiplier: 1 / 16, seed: 9 });
    randomizeBatchNorms(model, 10);
    const { folds, kept, directDilatedConvs } = planBatchNormFolds(model);
    expect(directDilatedConvs).toEqual(['conv5_1', 'conv5_2', 'conv5_3', 'conv6_1', 'conv6_2', 'conv6_3']);
    expect(folds).toEqual([]);
    expect(kept.map((k) => k.batchNorm)).toEqual([1, 2, 3, 4, 5, 6, 7].map((b) => `conv${b}_${b <= 2 ? 2 : 3}norm`));
    expect(kept[0].reason).toContain('conv1_2 applies relu');
    expect(kept[0].reason).toContain("conv2_1 (Conv2D), whose 'same' 3×3 kernel zero-pads");
    expect(kept[3].reason).toContain('conv5_1 (DilatedConv2D)');
    expect(kept[6].reason).toContain('conv8_1 (Conv2DTranspose), which cannot absorb it');
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model);
    expect(batchNormCount(folded)).toBe(7);
    const conv5 = folded.getLayer('conv5_1');
    expect(conv5.getClassName()).toBe('Conv2D');
    expect((conv5.getConfig() as { dilationRate: number[] }).dilationRate).toEqual([2, 2]);
    expect(relativeDifference(model, folded, [1, 32, 32, 1], 11)).toBeLessThan(1e-4);
    folded.dispose();
    const kept2 = foldBatchNorm(model, { directDilatedConvs: false });
    expect(kept2.getLayer('conv5_1').getClassName()).toBe('DilatedConv2D');
    expect(planBatchNormFolds(model, { directDilatedConvs: false }).directDilatedConvs).toEqual([]);
    kept2.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('folds a post-ReLU BatchNorm forward into a valid 3×3 conv, a 1×1 conv and a Dense, but not across ZeroPadding2D', () => {
    const input = tfl.input({ shape: [9, 9, 3] });
    const reluConv = (name: string, x: tfl.SymbolicTensor, padding: 'same' | 'valid', kernelSize = 3): tfl.SymbolicTensor =>
      tfl.layers.conv2d({ filters: 4, kernelSize, padding, activation: 'relu', name }).apply(x) as tfl.SymbolicTensor;
    const bn = (name: string, x: tfl.SymbolicTensor): tfl.SymbolicTensor => tfl.layers.batchNormalization({ name }).apply(x) as tfl.SymbolicTensor;
    let x = bn('bn_valid', reluConv('a', input, 'same'));
    x = bn('bn_1x1', reluConv('b', x, 'valid'));
    x = bn('bn_pad', reluConv('c', x, 'same', 1));
    x = tfl.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(x) as tfl.SymbolicTensor;
    x = bn('bn_dense', reluConv('d', x, 'valid'));
    x = tfl.layers.dense({ units: 5, name: 'e' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    randomizeBatchNorms(model, 12);
    const { folds, kept } = planBatchNormFolds(model);
    expect(folds).toEqual([
      { batchNorm: 'bn_valid', layer: 'b', kind: 'into-following' },
      { batchNorm: 'bn_1x1', layer: 'c', kind: 'into-following' },
      { batchNorm: 'bn_dense', layer: 'e', kind: 'into-following' },
    ]);
    expect(kept).toHaveLength(1);
    expect(kept[0].batchNorm).toBe('bn_pad');
    expect(kept[0].reason).toContain('pad (ZeroPadding2D)');
    const folded = foldBatchNorm(model);
    expect(folded.layers.map((l) => l.name)).toEqual(['input1', 'a', 'b', 'c', 'bn_pad', 'pad', 'd', 'e'].map((n, i) => (i === 0 ? model.layers[0].name : n)));
    expect(relativeDifference(model, folded, [3, 9, 9, 3], 13)).toBeLessThan(1e-4);
    folded.dispose();
    model.dispose();
  });

  it('folds a Sequential model, leaves the original usable after the copy is disposed, and names the copy', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', useBias: false }),
        tfl.layers.batchNormalization({}),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    randomizeBatchNorms(model, 14);
    const folded = foldBatchNorm(model, { name: 'tiny_inference' });
    expect(folded.name).toBe('tiny_inference');
    expect(folded.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'Flatten', 'Dense']);
    expect(relativeDifference(model, folded, [2, 6, 6, 2], 15)).toBeLessThan(1e-4);
    folded.dispose();
    const y = model.predict(tf.zeros([1, 6, 6, 2])) as tf.Tensor;
    expect(y.shape).toEqual([1, 2]);
    tf.dispose(y);
    model.dispose();
  });

  it('keeps the ReLU layer when absorbActivations is false', () => {
    const model = buildResNet18({ inputChannels: 1, inputSize: 8, classes: 2, widthMultiplier: 1 / 32, stem: 'small', seed: 16 });
    const folded = foldBatchNorm(model, { absorbActivations: false });
    expect(planBatchNormFolds(model, { absorbActivations: false }).folds.every((f) => f.absorbedActivation === undefined)).toBe(true);
    expect(folded.layers.filter((l) => l.getClassName() === 'ReLU')).toHaveLength(17);
    folded.dispose();
    model.dispose();
  });

  it('rejects a non-model with InputError and a non-boolean absorbActivations with ConfigError naming the key', () => {
    expect(() => foldBatchNorm({} as tfl.LayersModel)).toThrow(InputError);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    expect(() => foldBatchNorm(model, { absorbActivations: 'yes' as unknown as boolean })).toThrow(ConfigError);
    expect(() => foldBatchNorm(model, { absorbActivations: 'yes' as unknown as boolean })).toThrow(/absorbActivations/);
    model.dispose();
  });
});
