import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeKernelReplacements, registerKernels, unregisterKernels } from '../../src/kernels/index.js';
import { backendDataIds, normalData, relativeError, valuesOn } from './kernel-test-helpers.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface FilterCase {
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dilation?: number;
}

// Strides 1 and 2 (and uneven), odd and even sizes, all padding modes, 1×1 to 4×4 kernels.
const CASES: FilterCase[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same' },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { x: [1, 10, 10, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 'valid' },
  { x: [1, 11, 9, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 'same' },
  { x: [3, 7, 7, 1], filter: [3, 3, 1, 6], strides: [1, 1], pad: 'valid' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 2], strides: [2, 2], pad: 'valid' },
  { x: [1, 8, 9, 3], filter: [3, 2, 3, 2], strides: [1, 2], pad: 'same' },
  { x: [2, 6, 6, 3], filter: [1, 1, 3, 4], strides: [1, 1], pad: 'valid' },
  {
    x: [1, 9, 8, 2],
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
    x: [1, 7, 7, 2],
    filter: [4, 4, 2, 2],
    strides: [1, 1],
    pad: [
      [0, 0],
      [2, 1],
      [1, 2],
      [0, 0],
    ],
  },
  { x: [1, 9, 10, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 1 },
  { x: [1, 10, 10, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 1, dimRoundingMode: 'ceil' },
];

function label(c: FilterCase): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  const rounding = c.dimRoundingMode ? `, ${c.dimRoundingMode}` : '';
  return `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join(',')}, pad ${pad}${rounding}${c.dilation ? `, dilation ${c.dilation}` : ''}`;
}

function forwardOutputShape(c: FilterCase): number[] {
  const d = c.dilation ?? 1;
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, d, c.pad, c.dimRoundingMode).outShape;
}

/** The kernel called directly: dW for given x and dy. */
function filterGrad(c: FilterCase, x: Float32Array, dy: Float32Array): tf.Tensor {
  const attrs = {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape: c.filter,
    dimRoundingMode: c.dimRoundingMode,
    ...(c.dilation ? { dilations: c.dilation } : {}),
  };
  return tf
    .engine()
    .runKernel(
      'Conv2DBackpropFilter',
      { x: tf.tensor(x, c.x), dy: tf.tensor(dy, forwardOutputShape(c)) },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
}

/**
 * Reference for a dilated filter, independent of the dilation path: a dilated k×k filter is the
 * undilated ((k−1)d+1)² filter with zeros between taps, so its gradient is cpu's undilated gradient
 * at every d-th tap.
 */
function dilatedReference(c: FilterCase, x: Float32Array, dy: Float32Array): tf.Tensor {
  const d = c.dilation ?? 1;
  const [kh, kw, ci, co] = c.filter;
  const spread: [number, number, number, number] = [(kh - 1) * d + 1, (kw - 1) * d + 1, ci, co];
  const full = filterGrad({ ...c, filter: spread, dilation: undefined }, x, dy);
  return tf.stridedSlice(full, [0, 0, 0, 0], spread, [d, d, 1, 1]);
}

describe('Conv2DBackpropFilter on wasm (built from the forward convolution)', () => {
  beforeAll(() => {
    registerKernels({ backend: 'wasm', kernels: ['Conv2DBackpropFilter'] });
  });
  afterAll(async () => {
    unregisterKernels({ backend: 'wasm', kernels: ['Conv2DBackpropFilter'] });
    await tf.setBackend('cpu');
  });

  it.each(CASES.map((c) => [label(c), c] as const))('matches cpu to 1e-4 relative: %s', async (_, c) => {
    const x = normalData(c.x, 1);
    const dy = normalData(forwardOutputShape(c), 2);
    const want = await valuesOn('cpu', () => filterGrad(c, x, dy));
    const got = await valuesOn('wasm', () => filterGrad(c, x, dy));
    expect(got.shape).toEqual(c.filter);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
  });

  it.each([
    { x: [1, 11, 11, 2], filter: [3, 3, 2, 3], strides: [1, 1], pad: 'same', dilation: 2 },
    { x: [2, 12, 10, 2], filter: [3, 3, 2, 2], strides: [2, 2], pad: 'valid', dilation: 2 },
    { x: [1, 13, 13, 1], filter: [2, 2, 1, 3], strides: [2, 2], pad: 'same', dilation: 3 },
  ] as FilterCase[])('honours a forward dilation attribute, matching the zero-spread cpu filter: %o', async (c) => {
    const x = normalData(c.x, 3);
    const dy = normalData(forwardOutputShape(c), 4);
    const want = await valuesOn('cpu', () => dilatedReference(c, x, dy));
    const got = await valuesOn('wasm', () => filterGrad(c, x, dy));
    expect(got.shape).toEqual(c.filter);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
  });

  it('gives the weight gradients of conv2d and conv2dTranspose through tf.grad, equal to cpu', async () => {
    const x = normalData([2, 9, 9, 3], 5);
    const w = normalData([3, 3, 3, 4], 6);
    const wT = normalData([4, 4, 2, 4], 7);
    const loss = (): tf.Tensor => {
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, wt: tf.Tensor) => {
        const y = tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same');
        const up = tf.conv2dTranspose(y, wt as tf.Tensor4D, [2, 10, 10, 2], 2, 'same');
        return tf.sum(tf.square(up));
      })([tf.tensor(x, [2, 9, 9, 3]), tf.tensor(w, [3, 3, 3, 4]), tf.tensor(wT, [4, 4, 2, 4])]);
      return tf.concat(grads.map((g) => tf.reshape(g, [-1])));
    };
    const want = await valuesOn('cpu', loss);
    const got = await valuesOn('wasm', loss);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
  });

  it('frees every intermediate it makes on the backend and leaves no tensor', async () => {
    await tf.setBackend('wasm');
    const c = CASES[3];
    const x = normalData(c.x, 1);
    const dy = normalData(forwardOutputShape(c), 2);
    const xs = tf.tensor(x, c.x);
    const dys = tf.tensor(dy, forwardOutputShape(c));
    const tensors = tf.memory().numTensors;
    const ids = backendDataIds();
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dys }, {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: c.filter,
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(backendDataIds()).toBe(ids + 1);
    out.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backendDataIds()).toBe(ids);
    tf.dispose([xs, dys]);
  });

  it('is the only thing that makes the kernel exist on wasm: switched off, the weight gradient fails again', async () => {
    await tf.setBackend('wasm');
    unregisterKernels({ kernels: ['Conv2DBackpropFilter'] });
    expect(activeKernelReplacements('wasm')).not.toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    registerKernels({ kernels: ['Conv2DBackpropFilter'] });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});
