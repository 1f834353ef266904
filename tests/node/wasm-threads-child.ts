// Child process of wasm-threads.test.ts (run as `node --import tsx wasm-threads-child.ts <threads> [resolveFrom]`):
// selects wasm through useWasmThreads, runs a conv, a transposed conv and a conv weight gradient, and
// prints one line `RESULT <json>`. It never calls process.exit: the test checks that it ends by itself.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { registerKernels } from '../../src/kernels/index.js';
import { useWasmThreads } from '../../src/node/wasm-threads.js';

tf.env().set('IS_TEST', true);
const threads = Number(process.argv[2]);
const resolveFrom = process.argv[3];
const warnings: string[] = [];
registerKernels({ backend: 'wasm' });
const result = await useWasmThreads({
  threads,
  onWarning: (m) => warnings.push(m),
  ...(resolveFrom ? { resolveFrom } : {}),
});

const out = tf.tidy(() => {
  const x = tf.randomNormal([2, 24, 24, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 16, 32], 0, 0.1, 'float32', 2) as tf.Tensor4D;
  const wT = tf.randomNormal([4, 4, 8, 32], 0, 0.1, 'float32', 3) as tf.Tensor4D;
  const [gw] = tf.grads((ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same'))))([w]);
  const y = tf.conv2d(x, w, 1, 'same');
  const up = tf.conv2dTranspose(y, wT, [2, 48, 48, 8], 2, 'same');
  return tf.concat([tf.reshape(y, [-1]), tf.reshape(up, [-1]), tf.reshape(gw, [-1])]);
});
const values = Array.from(await out.data());
console.log('RESULT ' + JSON.stringify({ ...result, backend: tf.getBackend(), warnings, values }));
