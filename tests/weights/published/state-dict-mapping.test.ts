import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ZHANG_GAMUT } from '../../../src/color/bins/gamut.js';
import { WeightLayoutError } from '../../../src/errors.js';
import { buildResNet18 } from '../../../src/models/resnet18.js';
import { buildSiggraph17Model } from '../../../src/models/siggraph17.js';
import { buildVgg16 } from '../../../src/models/vgg16.js';
import { buildZhangModel } from '../../../src/models/zhang-eccv16.js';
import { ECCV16_STATE_DICT_MAPPING, loadEccv16StateDict } from '../../../src/weights/published/eccv16-mapper.js';
import {
  detectPublishedArchitecture,
  modelFromStateDict,
} from '../../../src/weights/published/published-architecture.js';
import { RESNET18_STATE_DICT_MAPPING } from '../../../src/weights/published/resnet18-mapper.js';
import { SIGGRAPH17_STATE_DICT_MAPPING } from '../../../src/weights/published/siggraph17-mapper.js';
import { VGG16_CLASSIFIER_MAPPING, VGG16_FEATURES_MAPPING } from '../../../src/weights/published/vgg16-mapper.js';
import { stateDictFromModel, torchTensor } from './torch-state-dicts.js';

function eccv16Dict(seed: number) {
  const source = buildZhangModel({ inputSize: 16, widthMultiplier: 1 / 32, seed });
  const dict = stateDictFromModel(source, ECCV16_STATE_DICT_MAPPING);
  const centres = new Float32Array(2 * 313);
  for (let q = 0; q < 313; q++) {
    centres[q] = ZHANG_GAMUT.centres[2 * q] / 110;
    centres[313 + q] = ZHANG_GAMUT.centres[2 * q + 1] / 110;
  }
  dict.set('model_out.weight', torchTensor([2, 313, 1, 1], centres));
  return { source, dict };
}

function expectLayoutError(fn: () => unknown, key: string, found: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WeightLayoutError);
    expect((e as WeightLayoutError).key).toBe(key);
    expect((e as WeightLayoutError).found).toMatch(found);
    return;
  }
  throw new Error('expected a WeightLayoutError');
}

describe('state-dict mappers (state dicts made in TypeScript)', () => {
  test('an ECCV16 state dict written from one model loads into a fresh model that then predicts the same logits', () => {
    const { source, dict } = eccv16Dict(1);
    const { model, architecture, config } = modelFromStateDict(dict, { inputSize: 16 });
    expect(architecture).toBe('eccv16');
    expect(config).toEqual({ inputSize: 16, widthMultiplier: 1 / 32, bins: 313 });
    const x = tf.randomUniform([1, 16, 16, 1], -0.5, 0.5, 'float32', 3);
    const a = source.predict(x) as tf.Tensor,
      b = model.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    tf.dispose([x, a, b]);
    source.dispose();
    model.dispose();
  });

  test.each([
    [
      'siggraph17',
      () => buildSiggraph17Model({ inputSize: 16, widthMultiplier: 1 / 32, classes: 529, seed: 2 }),
      SIGGRAPH17_STATE_DICT_MAPPING,
    ],
    [
      'resnet18',
      () => buildResNet18({ inputSize: 32, widthMultiplier: 1 / 16, classes: 7, seed: 3 }),
      RESNET18_STATE_DICT_MAPPING,
    ],
    [
      'vgg16',
      () => buildVgg16({ widthMultiplier: 1 / 64, classes: 5, seed: 4 }),
      [...VGG16_FEATURES_MAPPING, ...VGG16_CLASSIFIER_MAPPING],
    ],
  ] as const)('a %s state dict is recognised by its keys and loads weight for weight', (name, build, mapping) => {
    const source = build();
    const dict = stateDictFromModel(source, mapping);
    expect(detectPublishedArchitecture(dict)).toBe(name);
    const { model } = modelFromStateDict(dict, { inputSize: source.inputs[0].shape[1] as number });
    const a = source.getWeights(),
      b = model.getWeights();
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(w.dataSync())));
    source.dispose();
    model.dispose();
  });

  test('a VGG-16 backbone without the classifier takes the features and leaves classifier.* unread', () => {
    const source = buildVgg16({ widthMultiplier: 1 / 64, classes: 5, seed: 4 });
    const dict = stateDictFromModel(source, [...VGG16_FEATURES_MAPPING, ...VGG16_CLASSIFIER_MAPPING]);
    const { model } = modelFromStateDict(new Map([...dict].filter(([k]) => !k.startsWith('classifier.'))), {
      inputSize: 64,
    });
    expect(model.outputs[0].shape).toEqual([null, 2, 2, 8]);
    expect(Array.from(model.getLayer('block5_conv3').getWeights()[0].dataSync())).toEqual(
      Array.from(source.getLayer('block5_conv3').getWeights()[0].dataSync()),
    );
    source.dispose();
    model.dispose();
  });

  test('a missing key is refused, naming the key and the shape it should have', () => {
    const { source, dict } = eccv16Dict(1);
    dict.delete('model3.4.bias');
    expectLayoutError(() => modelFromStateDict(dict, { inputSize: 16 }), 'model3.4.bias', /no such key/);
    source.dispose();
  });

  test('a tensor of the wrong shape is refused, naming the key, the expected and the found shape', () => {
    const { source, dict } = eccv16Dict(1);
    dict.set('model1.0.weight', torchTensor([2, 3, 3, 3], new Float32Array(54)));
    try {
      modelFromStateDict(dict, { inputSize: 16 });
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(WeightLayoutError);
      expect((e as Error).message).toBe('model1.0.weight: expected shape [2, 1, 3, 3], found shape [2, 3, 3, 3]');
    }
    source.dispose();
  });

  test('an unexpected key, an integer weight and a bias on a bias-free layer are refused', () => {
    const { source, dict } = eccv16Dict(1);
    const extra = new Map(dict);
    extra.set('model9.0.weight', torchTensor([1], new Float32Array(1)));
    expectLayoutError(() => modelFromStateDict(extra, { inputSize: 16 }), 'model9.0.weight', /\[1\]/);
    const integer = new Map(dict);
    integer.set('model2.0.bias', torchTensor([4], new Float32Array(4), 'int64'));
    expectLayoutError(() => modelFromStateDict(integer, { inputSize: 16 }), 'model2.0.bias', /int64/);
    source.dispose();
    const resnet = buildResNet18({ inputSize: 32, widthMultiplier: 1 / 16, classes: 7 });
    const withBias = stateDictFromModel(resnet, RESNET18_STATE_DICT_MAPPING);
    withBias.set('conv1.bias', torchTensor([4], new Float32Array(4)));
    expectLayoutError(() => modelFromStateDict(withBias, { inputSize: 32 }), 'conv1.bias', /a bias/);
    resnet.dispose();
  });

  test('ECCV16 bin centres in another order, or of another gamut, are refused naming the first bin that differs', () => {
    const { source, dict } = eccv16Dict(1);
    const centres = dict.get('model_out.weight')!.toFloat32();
    [centres[10], centres[11]] = [centres[11], centres[10]];
    [centres[323], centres[324]] = [centres[324], centres[323]];
    dict.set('model_out.weight', torchTensor([2, 313, 1, 1], centres));
    const model = buildZhangModel({ inputSize: 16, widthMultiplier: 1 / 32 });
    // Bin 10 now holds bin 11's centre: the error names bin 10 and the centre found there.
    const [a11, b11] = [ZHANG_GAMUT.centres[22], ZHANG_GAMUT.centres[23]].map((v) => v.toFixed(3));
    expectLayoutError(
      () => loadEccv16StateDict(model, dict),
      'model_out.weight',
      new RegExp(`^ab \\(${a11}, ${b11}\\) / 110$`),
    );
    expect(() => loadEccv16StateDict(model, dict)).toThrow(/bin 10 at ab/);
    dict.set(
      'model_out.weight',
      torchTensor(
        [2, 313, 1, 1],
        centres.map((v) => v * 1.01),
      ),
    );
    expectLayoutError(() => loadEccv16StateDict(model, dict), 'model_out.weight', /\/ 110/);
    model.dispose();
    source.dispose();
  });

  test('a state dict of no known layout is refused naming its first keys; nothing is written into a model on refusal', () => {
    const dict = new Map([['encoder.weight', torchTensor([4, 3, 3, 3], new Float32Array(108))]]);
    expectLayoutError(() => detectPublishedArchitecture(dict), 'keys', /1 keys starting encoder\.weight/);
    expectLayoutError(() => detectPublishedArchitecture(new Map()), 'keys', /empty/);
    const { source, dict: eccv } = eccv16Dict(1);
    const target = buildZhangModel({ inputSize: 16, widthMultiplier: 1 / 32, seed: 9 });
    const before = target.getLayer('conv1_1').getWeights()[0].dataSync().slice();
    eccv.delete('model8.6.bias');
    expect(() => loadEccv16StateDict(target, eccv)).toThrow(WeightLayoutError);
    expect(Array.from(target.getLayer('conv1_1').getWeights()[0].dataSync())).toEqual(Array.from(before));
    target.dispose();
    source.dispose();
  });
});
