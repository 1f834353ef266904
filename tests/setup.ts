// Test setup: register the backends the suite uses, load tfjs-layers (it registers the gradients),
// and silence tfjs's Node banner. Tests start on cpu; helpers in tests/backends.ts switch per test.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';

tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
await tf.ready();
