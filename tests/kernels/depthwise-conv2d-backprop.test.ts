import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { registerKernels, unregisterKernels } from '../../src/kernels/index.js';
import { backendDataIds, normalData, relativeError, valuesOn } from './kernel-test-helpers.js';

type Pad = 'same' | 'valid' | number;
interface DepthwiseCase {
  x: [number, number, number, number];
  /** `[kh, kw, C, M]`: M the channel multiplier. */
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

// The MobileNet shapes (3 × 3, multiplier 1, stride 1 and 2, same padding) and the corners: multipliers
// above 1, valid and explicit padding, uneven strides, odd and even sizes, a 1 × 1 and a 2 × 4 filter.
const CASES: DepthwiseCase[] = [
  { x: [2, 8, 8, 6], filter: [3, 3, 6, 1], strides: [1, 1], pad: 'same' },
  { x: [2, 8, 8, 6], filter: [3, 3, 6, 1], strides: [2, 2], pad: 'same' },
  { x: [1, 9, 7, 3], filter: [3, 3, 3, 1], strides: [2, 2], pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: 'valid' },
  { x: [1, 10, 9, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'valid' },
  { x: [1, 8, 9, 4], filter: [2, 4, 4, 1], strides: [1, 2], pad: 'same' },
  { x: [3, 5, 5, 5], filter: [1, 1, 5, 2], strides: [1, 1], pad: 'valid' },
  { x: [1, 9, 10, 2], filter: [3, 3, 2, 1], strides: [2, 2], pad: 1 },
];

function label(c: DepthwiseCase): string {
  return `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, pad ${c.pad}`;
}

function outputShape(c: DepthwiseCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true).outShape;
}

function attrs(c: DepthwiseCase, shapeKey: 'inputShape' | 'filterShape'): tf.NamedAttrMap {
  const shape = shapeKey === 'inputShape' ? c.x : c.filter;
  return { strides: c.strides, pad: c.pad, dilations: [1, 1], [shapeKey]: shape } as unknown as tf.NamedAttrMap;
}

const inputGrad = (c: DepthwiseCase, dy: Float32Array, w: Float32Array): tf.Tensor =>
  tf
    .engine()
    .runKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: tf.tensor(dy, outputShape(c)), filter: tf.tensor(w, c.filter) },
      attrs(c, 'inputShape'),
    ) as tf.Tensor;

const filterGrad = (c: DepthwiseCase, x: Float32Array, dy: Float32Array): tf.Tensor =>
  tf
    .engine()
    .runKernel(
      'DepthwiseConv2dNativeBackpropFilter',
      { x: tf.tensor(x, c.x), dy: tf.tensor(dy, outputShape(c)) },
      attrs(c, 'filterShape'),
    ) as tf.Tensor;

describe('depthwise convolution gradients on wasm (direct loops)', () => {
  beforeAll(() => {
    registerKernels({
      backend: 'wasm',
      kernels: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
    });
  });
  afterAll(async () => {
    unregisterKernels({ backend: 'wasm' });
    await tf.setBackend('cpu');
  });

  it.each(CASES.map((c) => [label(c), c] as const))('input gradient matches cpu to 1e-5 relative: %s', async (_, c) => {
    const dy = normalData(outputShape(c), 1);
    const w = normalData(c.filter, 2);
    const want = await valuesOn('cpu', () => inputGrad(c, dy, w));
    const got = await valuesOn('wasm', () => inputGrad(c, dy, w));
    expect(got.shape).toEqual(c.x);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
  });

  it.each(CASES.map((c) => [label(c), c] as const))(
    'filter gradient matches cpu to 1e-5 relative: %s',
    async (_, c) => {
      const x = normalData(c.x, 3);
      const dy = normalData(outputShape(c), 4);
      const want = await valuesOn('cpu', () => filterGrad(c, x, dy));
      const got = await valuesOn('wasm', () => filterGrad(c, x, dy));
      expect(got.shape).toEqual(c.filter);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
    },
  );

  it('a hand-computed case: 1 × 3 × 3 × 1 input, 2 × 2 filter, stride 1, valid', async () => {
    await tf.setBackend('wasm');
    const c: DepthwiseCase = { x: [1, 3, 3, 1], filter: [2, 2, 1, 1], strides: [1, 1], pad: 'valid' };
    // dy = [[1, 0], [0, 0]] picks the top-left window: dx = w placed there, dw = that window of x.
    const dy = Float32Array.from([1, 0, 0, 0]);
    const dx = await tf.tidy(() => inputGrad(c, dy, Float32Array.from([1, 2, 3, 4]))).data();
    expect(Array.from(dx)).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
    const dw = await tf.tidy(() => filterGrad(c, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), dy)).data();
    expect(Array.from(dw)).toEqual([1, 2, 4, 5]);
  });

  it('trains a depthwise layer through tf.grads: input and filter gradients equal to cpu', async () => {
    const x = normalData([2, 9, 9, 4], 5);
    const w = normalData([3, 3, 4, 1], 6);
    const loss = (): tf.Tensor => {
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => {
        const y = tf.depthwiseConv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same');
        return tf.sum(tf.square(tf.relu6(y)));
      })([tf.tensor(x, [2, 9, 9, 4]), tf.tensor(w, [3, 3, 4, 1])]);
      return tf.concat(grads.map((g) => tf.reshape(g, [-1])));
    };
    const want = await valuesOn('cpu', loss);
    const got = await valuesOn('wasm', loss);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
  });

  it('frees what it makes on the backend and leaves no tensor', async () => {
    await tf.setBackend('wasm');
    const c = CASES[1];
    const x = tf.tensor(normalData(c.x, 1), c.x);
    const dy = tf.tensor(normalData(outputShape(c), 2), outputShape(c));
    const w = tf.tensor(normalData(c.filter, 3), c.filter);
    const tensors = tf.memory().numTensors;
    const ids = backendDataIds();
    const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, attrs(c, 'inputShape'));
    const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs(c, 'filterShape'));
    expect(backendDataIds()).toBe(ids + 2);
    tf.dispose([dx as tf.Tensor, dw as tf.Tensor]);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backendDataIds()).toBe(ids);
    tf.dispose([x, dy, w]);
  });

  it('rejects a dilated filter with an InputError naming dilations', async () => {
    await tf.setBackend('wasm');
    const c = CASES[0];
    const run = () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.zeros(c.x), dy: tf.zeros(outputShape(c)) }, {
            ...attrs(c, 'filterShape'),
            dilations: [2, 2],
          } as unknown as tf.NamedAttrMap),
      );
    expect(run).toThrow(InputError);
    expect(run).toThrow(/dilations/);
  });
});
