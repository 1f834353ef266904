import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { ConfigError, InputError } from '../../../src/errors.js';
import { ResizeToMatch } from '../../../src/models/layers/resize-to-match.js';
import { resizeBilinearHalfPixel } from '../../../src/models/resize-bilinear.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

describeEachBackend('resizeBilinearHalfPixel', () => {
  it('samples at half-pixel centres, clamped at the edges (hand values)', () => {
    // 2 → 4: output centres map to input −0.25, 0.25, 0.75, 1.25 → weights (1, 0), (.75, .25), (.25, .75), (0, 1).
    // Rows of [[0, 1], [10, 20]]: [0, 1], [2.5, 5.75], [7.5, 15.25], [10, 20]; then the same along each row.
    const x = tf.tensor4d([0, 1, 10, 20], [1, 2, 2, 1]);
    const y = resizeBilinearHalfPixel(x, [4, 4]);
    const expected = [
      [0, 0.25, 0.75, 1],
      [2.5, 3.3125, 4.9375, 5.75],
      [7.5, 9.4375, 13.3125, 15.25],
      [10, 12.5, 17.5, 20],
    ].flat();
    expect(maxAbsDiff(y.dataSync(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it('has the exact transpose of its forward map as gradient (checked against forwards of basis inputs)', () => {
    for (const [inShape, size] of [
      [[2, 3, 2, 2], [7, 5]],
      [[1, 4, 6, 3], [2, 3]],
    ] as [[number, number, number, number], [number, number]][]) {
      const count = inShape.reduce((a, b) => a * b);
      const weights = tf.randomUniform([inShape[0], size[0], size[1], inShape[3]], -1, 1, 'float32', 3);
      const x = tf.randomUniform(inShape, -1, 1, 'float32', 4);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(resizeBilinearHalfPixel(v as tf.Tensor4D, size), weights)))(x);
      // The map is linear, so d/dx_k of sum(w · f(x)) is sum(w · f(e_k)), computed with the forward kernel only.
      const expected = new Float32Array(count);
      for (let k = 0; k < count; k++) {
        expected[k] = tf.tidy(() => tf.sum(tf.mul(tf.image.resizeBilinear(tf.reshape(tf.oneHot(k, count), inShape) as tf.Tensor4D, size, false, true), weights)).dataSync()[0]);
      }
      expect(maxAbsDiff(grad.dataSync(), expected)).toBeLessThan(1e-5);
      tf.dispose([weights, x, grad]);
    }
  });

  it('leaks nothing and rejects bad arguments with InputError', () => {
    const x = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    tf.dispose(resizeBilinearHalfPixel(x, [5, 4]));
    tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(resizeBilinearHalfPixel(v as tf.Tensor4D, [6, 6])))(x));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => resizeBilinearHalfPixel(tf.ones([3, 3]) as unknown as tf.Tensor4D, [2, 2])).toThrow(InputError);
    expect(() => resizeBilinearHalfPixel(x, [0, 2])).toThrow('size[0]: expected an integer ≥ 1, received 0');
    x.dispose();
  });
});

it('ResizeToMatch resizes to the reference size divided by the stride, at build and run time, and survives save/load', async () => {
  const image = tfl.input({ shape: [null, null, 1] });
  const features = tfl.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, name: 'features' }).apply(image) as tfl.SymbolicTensor;
  const full = new ResizeToMatch({ name: 'full' }).apply([features, image]) as tfl.SymbolicTensor;
  const quarter = new ResizeToMatch({ stride: 4, name: 'quarter' }).apply([features, image]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: image, outputs: [full, quarter] });
  expect(full.shape).toEqual([null, null, null, 3]);
  const [a, b] = model.predict(tf.ones([2, 12, 10, 1])) as tf.Tensor[];
  expect(a.shape).toEqual([2, 12, 10, 3]);
  expect(b.shape).toEqual([2, 3, 3, 3]);
  const fixed = tfl.input({ shape: [12, 10, 1] });
  expect((new ResizeToMatch({ stride: 4 }).apply([fixed, fixed]) as tfl.SymbolicTensor).shape).toEqual([null, 3, 3, 1]);

  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
  expect((loaded.getLayer('quarter') as ResizeToMatch).stride).toBe(4);
  const [c, d] = loaded.predict(tf.ones([2, 12, 10, 1])) as tf.Tensor[];
  expect(Array.from(c.dataSync())).toEqual(Array.from(a.dataSync()));
  expect(Array.from(d.dataSync())).toEqual(Array.from(b.dataSync()));
  expect(() => new ResizeToMatch({ stride: 0 })).toThrow(ConfigError);
  tf.dispose([a, b, c, d]);
  model.dispose();
  loaded.dispose();
});
