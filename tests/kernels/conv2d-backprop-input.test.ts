import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKernels, unregisterKernels } from '../../src/kernels/index.js';
import { backendDataIds, normalData, relativeError, valuesOn } from './kernel-test-helpers.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface TransposeCase {
  /** Output of the transposed convolution (the forward convolution's input), NHWC. */
  out: [number, number, number, number];
  /** `[kh, kw, outChannels, inChannels]` as conv2dTranspose takes it. */
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

// Strides 1 and 2 (and uneven), kernels 3 and 4, even and odd sizes, every padding mode.
const CASES: TransposeCase[] = [
  { out: [1, 8, 8, 3], filter: [4, 4, 3, 5], strides: [2, 2], pad: 'same' },
  { out: [2, 9, 7, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 'same' },
  { out: [1, 9, 9, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { out: [1, 10, 11, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'same' },
  { out: [2, 10, 10, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 'valid' },
  { out: [1, 11, 9, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'valid' },
  { out: [1, 7, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { out: [2, 8, 9, 2], filter: [4, 4, 2, 3], strides: [1, 1], pad: 'same' },
  { out: [1, 9, 8, 2], filter: [3, 3, 2, 2], strides: [1, 1], pad: 'valid' },
  { out: [1, 9, 10, 2], filter: [3, 4, 2, 3], strides: [1, 2], pad: 'same' },
  { out: [1, 12, 9, 2], filter: [4, 3, 2, 3], strides: [2, 1], pad: 'valid' },
  {
    out: [1, 9, 8, 2],
    filter: [3, 3, 2, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    out: [1, 8, 8, 2],
    filter: [4, 4, 2, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 1],
      [2, 1],
      [0, 0],
    ],
  },
  {
    out: [1, 7, 7, 2],
    filter: [4, 4, 2, 2],
    strides: [1, 1],
    pad: [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ],
  },
  { out: [1, 9, 9, 1], filter: [3, 3, 1, 1], strides: [3, 3], pad: 'same' },
  { out: [1, 9, 10, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 1 },
];

function label(c: TransposeCase): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  return `out ${c.out.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, pad ${pad}`;
}

/** Shape of the transposed convolution's input: the output of the matching forward convolution. */
function inShape(c: TransposeCase): [number, number, number, number] {
  const [kh, kw, outC, inC] = c.filter;
  const shape = tf.backend_util.computeConv2DInfo(c.out, [kh, kw, outC, inC], c.strides, 1, c.pad).outShape;
  return shape as [number, number, number, number];
}

function transposedConv(c: TransposeCase, x: Float32Array, w: Float32Array): tf.Tensor {
  return tf.conv2dTranspose(tf.tensor4d(x, inShape(c)), tf.tensor4d(w, c.filter), c.out, c.strides, c.pad as 'same');
}

describe('Conv2DBackpropInput on wasm by output phases (transposed convolution)', () => {
  beforeAll(() => {
    // 0: the phase form even for these small tensors (by default tiny ones keep wasm's own kernel).
    registerKernels({
      backend: 'wasm',
      kernels: ['Conv2DBackpropInput', 'Conv2DBackpropFilter'],
      transposedConvMinPixels: 0,
    });
  });
  afterAll(async () => {
    unregisterKernels({ backend: 'wasm' });
    await tf.setBackend('cpu');
  });

  it.each(CASES.map((c) => [label(c), c] as const))(
    "conv2dTranspose matches cpu and wasm's own kernel to 1e-4 relative: %s",
    async (_, c) => {
      const x = normalData(inShape(c), 11);
      const w = normalData(c.filter, 12);
      const want = await valuesOn('cpu', () => transposedConv(c, x, w));
      const replaced = await valuesOn('wasm', () => transposedConv(c, x, w));
      unregisterKernels({ kernels: ['Conv2DBackpropInput'] });
      const original = await valuesOn('wasm', () => transposedConv(c, x, w));
      registerKernels({ kernels: ['Conv2DBackpropInput'], transposedConvMinPixels: 0 });
      expect(replaced.shape).toEqual(c.out);
      expect(relativeError(replaced.values, want.values)).toBeLessThan(1e-4);
      expect(relativeError(original.values, want.values)).toBeLessThan(1e-4);
      expect(relativeError(replaced.values, original.values)).toBeLessThan(1e-4);
    },
  );

  it.each(CASES.slice(0, 6).map((c) => [label(c), c] as const))(
    'as the input gradient of conv2d, with weight gradient, equals cpu: %s',
    async (_, c) => {
      // The forward convolution of this case maps `out` to `inShape`: its filter is [kh, kw, out C, in C].
      const x = normalData(c.out, 13);
      const w = normalData(c.filter, 14);
      const grads = (): tf.Tensor => {
        const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.sin(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad as 'same'))),
        )([tf.tensor(x, c.out), tf.tensor(w, c.filter)]);
        return tf.concat(g.map((t) => tf.reshape(t, [-1])));
      };
      const want = await valuesOn('cpu', grads);
      const got = await valuesOn('wasm', grads);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
    },
  );

  it('frees every intermediate it makes on the backend and leaves no tensor', async () => {
    await tf.setBackend('wasm');
    const c = CASES[12];
    const x = tf.tensor4d(normalData(inShape(c), 1), inShape(c));
    const w = tf.tensor4d(normalData(c.filter, 2), c.filter);
    const tensors = tf.memory().numTensors;
    const ids = backendDataIds();
    const out = tf.conv2dTranspose(x, w, c.out, c.strides, c.pad as 'same');
    expect(backendDataIds()).toBe(ids + 1);
    out.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backendDataIds()).toBe(ids);
    tf.dispose([x, w]);
  });
});
