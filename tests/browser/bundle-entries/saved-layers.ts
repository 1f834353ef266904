// A production bundle that loads saved models built from the library's custom layers (DilatedConv2D in
// Zhang's model, FusionLayer in Iizuka's) through tfjs-layers, and through createColorizer by URL: the
// layer registrations must survive bundling and minification.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createColorizer, useBackend } from 'tfjs-colorization';

async function run(): Promise<unknown> {
  await useBackend('cpu');
  const zhangModel = await tfl.loadLayersModel('/models/zhang/model.json');
  const zhangInput = tf.tidy(() => tf.reshape(tf.mul(tf.sin(tf.mul(tf.range(0, 64 * 64), 0.37)), 0.5), [1, 64, 64, 1]));
  const zhang = Array.from(await (zhangModel.predict(zhangInput) as tf.Tensor).data());
  const classNames = zhangModel.layers.map((l) => l.getClassName());

  const iizukaModel = await tfl.loadLayersModel('/models/iizuka/model.json');
  const input = tf.tidy(() => tf.reshape(tf.mul(tf.cos(tf.mul(tf.range(0, 32 * 32), 0.21)), 0.5), [1, 32, 32, 1]));
  const outputs = iizukaModel.predict([input, input]) as tf.Tensor[];
  const iizuka = await Promise.all(outputs.map(async (t) => Array.from(await t.data())));
  classNames.push(...iizukaModel.layers.map((l) => l.getClassName()));

  // The colorizer loads the same file by URL and colorizes with it.
  const colorizer = await createColorizer({ model: '/models/zhang/model.json' });
  const gray = { data: new Uint8Array(48 * 32).map((_, i) => i % 256), width: 48, height: 32, channels: 1 as const };
  const { rgb } = await colorizer.colorize(gray);
  colorizer.dispose();
  return { zhang, iizuka, classNames, colorized: [rgb.width, rgb.height, rgb.channels] };
}

run().then(
  (result) => {
    (window as unknown as { bundleResult: unknown }).bundleResult = result;
    document.body.dataset.state = 'done';
  },
  (error: Error) => {
    document.body.dataset.error = error.message;
    document.body.dataset.state = 'error';
  },
);
