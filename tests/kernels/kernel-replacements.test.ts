import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  activeKernelReplacements,
  KERNEL_REPLACEMENTS,
  registerKernels,
  unregisterKernels,
} from '../../src/kernels/index.js';
import { normalData, relativeError, valuesOn } from './kernel-test-helpers.js';

afterAll(async () => {
  unregisterKernels();
  await tf.setBackend('cpu');
});

describe('registerKernels / unregisterKernels', () => {
  // First in this file: wasm is not started yet, so the original kernel is bound only through the replacement.
  it('registered before wasm starts, still hands tiny transposed convolutions to a working original kernel', async () => {
    expect(tf.engine().registry.wasm).toBeUndefined();
    registerKernels();
    const x = normalData([1, 3, 3, 4], 41);
    const f = normalData([3, 3, 2, 4], 42);
    const run = (): tf.Tensor =>
      tf.conv2dTranspose(tf.tensor4d(x, [1, 3, 3, 4]), tf.tensor4d(f, [3, 3, 2, 4]), [1, 6, 6, 2], 2, 'same');
    const wasm = await valuesOn('wasm', run);
    unregisterKernels();
    const cpu = await valuesOn('cpu', run);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-4);
  });

  it('switches each replacement on and off, restoring the very kernel wasm had', async () => {
    await tf.setBackend('wasm');
    const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(original).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();

    expect(registerKernels()).toEqual([...KERNEL_REPLACEMENTS]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).not.toBe(original);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(registerKernels()).toEqual([...KERNEL_REPLACEMENTS]); // idempotent

    expect(unregisterKernels({ kernels: ['Conv2DBackpropInput'] })).toEqual(
      KERNEL_REPLACEMENTS.filter((k) => k !== 'Conv2DBackpropInput'),
    );
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(original);
    expect(unregisterKernels()).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeUndefined();
    expect(activeKernelReplacements()).toEqual([]);
  });

  it('rejects unknown backends, kernel names and thresholds with a ConfigError naming the key', () => {
    expect(() => registerKernels({ backend: 'webgl' as 'wasm' })).toThrow(ConfigError);
    expect(() => registerKernels({ backend: 'webgl' as 'wasm' })).toThrow(/backend: expected one of wasm, received/);
    expect(() => registerKernels({ kernels: ['Conv3D' as 'Conv2DBackpropInput'] })).toThrow(
      /kernels: expected one of Conv2DBackpropFilter \| Conv2DBackpropInput/,
    );
    expect(() => registerKernels({ transposedConvMinPixels: -1 })).toThrow(/transposedConvMinPixels/);
    expect(() => unregisterKernels({ kernels: 'Conv2DBackpropInput' as never })).toThrow(ConfigError);
    expect(activeKernelReplacements()).toEqual([]);
  });

  it('gives the same transposed convolution on and off, above and below the size threshold, equal to cpu', async () => {
    for (const dyShape of [
      [1, 16, 16, 8],
      [1, 4, 4, 8],
    ] as const) {
      const [n, h, w] = dyShape;
      const x = normalData([...dyShape], 21);
      const f = normalData([4, 4, 3, 8], 22);
      const run = (): tf.Tensor =>
        tf.conv2dTranspose(tf.tensor4d(x, [...dyShape]), tf.tensor4d(f, [4, 4, 3, 8]), [n, 2 * h, 2 * w, 3], 2, 'same');
      const cpu = await valuesOn('cpu', run);
      const off = await valuesOn('wasm', run);
      registerKernels({ kernels: ['Conv2DBackpropInput'] });
      const on = await valuesOn('wasm', run);
      unregisterKernels();
      expect(relativeError(on.values, off.values)).toBeLessThan(1e-4);
      expect(relativeError(on.values, cpu.values)).toBeLessThan(1e-4);
    }
  });

  it('lets a tfjs-layers conv / transposed-conv net train on wasm, with the weights of cpu after two steps', async () => {
    const trainedWeights = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({
            inputShape: [8, 8, 1],
            filters: 4,
            kernelSize: 4,
            strides: 2,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }),
          }),
          tfl.layers.conv2d({
            filters: 4,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
            kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }),
          }),
          tfl.layers.conv2dTranspose({
            filters: 2,
            kernelSize: 4,
            strides: 2,
            padding: 'same',
            kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }),
          }),
        ],
      });
      model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
      const xs = tf.tensor4d(normalData([4, 8, 8, 1], 31), [4, 8, 8, 1]);
      const ys = tf.tensor4d(normalData([4, 8, 8, 2], 32), [4, 8, 8, 2]);
      await model.fit(xs, ys, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
      const flat = tf.tidy(() => tf.concat(model.getWeights().map((v) => tf.reshape(v, [-1]))));
      const values = (await flat.data()) as Float32Array;
      tf.dispose([flat, xs, ys]);
      model.dispose();
      return values;
    };
    const cpu = await trainedWeights('cpu');
    registerKernels({ transposedConvMinPixels: 0 });
    const wasm = await trainedWeights('wasm');
    unregisterKernels();
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-4);
  });
});
