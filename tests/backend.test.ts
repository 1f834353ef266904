import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, currentBackend, useBackend } from '../src/index.js';

describe('useBackend', () => {
  afterEach(async () => {
    await tf.setBackend('cpu');
  });

  it('selects a registered backend and waits until it is ready', async () => {
    await useBackend('wasm');
    expect(currentBackend()).toBe('wasm');
    await useBackend('cpu');
    expect(currentBackend()).toBe('cpu');
  });

  it('names the package to install when the backend is not registered', async () => {
    await expect(useBackend('webgpu')).rejects.toBeInstanceOf(BackendError);
    await expect(useBackend('webgpu')).rejects.toThrow(/@tensorflow\/tfjs-backend-webgpu/);
    expect(currentBackend()).toBe('cpu');
  });
});
