import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, test } from 'vitest';
import { decodeMean } from '../../../src/color/decode/decode-mean.js';
import { ZHANG_GAMUT } from '../../../src/color/bins/gamut.js';
import { modelFromStateDict } from '../../../src/weights/published/published-architecture.js';
import { readTorchStateDict } from '../../../src/weights/torch/state-dict.js';
import { describeEachBackend } from '../../backends.js';
import { maxRelativeError, readPublishedFixture, readStateDictFile } from './published-fixtures.js';

// Narrow versions of the published layouts, random weights and BatchNorm statistics calibrated on real
// photos, run by PyTorch in eval mode (tests/fixtures/make_published_layouts.py). Each file is read in
// both of PyTorch's formats, mapped by its keys alone, and every output must match to 1e-4 of its scale.
const TOLERANCE = 1e-4;

describeEachBackend('published layouts against PyTorch', () => {
  for (const format of ['zip', 'legacy'] as const) {
    test(`ECCV16 (${format} file): the logits and the authors' mean-decoded, 4× upsampled ab match PyTorch`, () => {
      const fixture = readPublishedFixture('eccv16');
      const { architecture, model, config } = modelFromStateDict(
        readTorchStateDict(readStateDictFile('eccv16', format)),
        { inputSize: 32 },
      );
      expect(architecture).toBe('eccv16');
      expect(config.widthMultiplier).toBe(1 / 32);
      const before = tf.memory().numTensors;
      const [logits, ab] = tf.tidy(() => {
        const l = fixture.array('lightness');
        const out = model.predict(tf.tensor4d(l.data, l.shape as [number, number, number, number])) as tf.Tensor4D;
        // The port's model_out is the softmax mean over the bin centres, then 4× bilinear (align_corners=False).
        const mean = decodeMean(out, { gamut: ZHANG_GAMUT });
        return [out.dataSync(), tf.image.resizeBilinear(mean, [32, 32], false, true).dataSync()];
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(maxRelativeError(logits, fixture.array('logits').data)).toBeLessThan(TOLERANCE);
      expect(maxRelativeError(ab, fixture.array('ab').data)).toBeLessThan(TOLERANCE);
      model.dispose();
    });

    test(`SIGGRAPH17 (${format} file): ab and the 529 class logits match PyTorch, with and without hints`, () => {
      const fixture = readPublishedFixture('siggraph17');
      const { architecture, model } = modelFromStateDict(readTorchStateDict(readStateDictFile('siggraph17', format)), {
        inputSize: 32,
      });
      expect(architecture).toBe('siggraph17');
      const inputs = ['lightness', 'hint_ab', 'hint_mask'].map((name) => {
        const a = fixture.array(name);
        return tf.tensor4d(a.data, a.shape as [number, number, number, number]);
      });
      const outputs = model.predict(inputs) as tf.Tensor[];
      expect(outputs.map((o) => o.shape)).toEqual([
        [2, 32, 32, 2],
        [2, 8, 8, 529],
      ]);
      expect(maxRelativeError(outputs[0].dataSync(), fixture.array('ab').data)).toBeLessThan(TOLERANCE);
      expect(maxRelativeError(outputs[1].dataSync(), fixture.array('classes').data)).toBeLessThan(TOLERANCE);
      tf.dispose([...inputs, ...outputs]);
      model.dispose();
    });

    test(`torchvision ResNet-18 (${format} file): the logits match PyTorch`, () => {
      const fixture = readPublishedFixture('resnet18');
      const { architecture, model, config } = modelFromStateDict(
        readTorchStateDict(readStateDictFile('resnet18', format)),
        { inputSize: 64 },
      );
      expect([architecture, config.classes, config.inputChannels]).toEqual(['resnet18', 10, 3]);
      const x = fixture.array('input');
      const y = tf.tidy(() =>
        (model.predict(tf.tensor4d(x.data, x.shape as [number, number, number, number])) as tf.Tensor).dataSync(),
      );
      expect(maxRelativeError(y, fixture.array('logits').data)).toBeLessThan(TOLERANCE);
      model.dispose();
    });

    test(`torchvision VGG-16 (${format} file): the logits and block5_conv3 match PyTorch`, () => {
      const fixture = readPublishedFixture<{ inputRepeat: number }>('vgg16');
      const { architecture, model } = modelFromStateDict(readTorchStateDict(readStateDictFile('vgg16', format)));
      expect(architecture).toBe('vgg16');
      const small = fixture.array('input28');
      const [y, features] = tf.tidy(() => {
        // Each pixel of the 28 px picture repeated 8 × 8 times, as the fixture made the 224 px input.
        const x = tf.image.resizeNearestNeighbor(
          tf.tensor4d(small.data, small.shape as [number, number, number, number]),
          [224, 224],
        );
        const probe = tfl.model({
          inputs: model.inputs,
          outputs: [model.outputs[0], model.getLayer('block5_conv3').output as tfl.SymbolicTensor],
        });
        const [logits, conv] = probe.predict(x) as tf.Tensor[];
        return [logits.dataSync(), conv.dataSync()];
      });
      expect(maxRelativeError(y, fixture.array('logits').data)).toBeLessThan(TOLERANCE);
      expect(maxRelativeError(features, fixture.array('block5_conv3').data)).toBeLessThan(TOLERANCE);
      model.dispose();
    });
  }
});
