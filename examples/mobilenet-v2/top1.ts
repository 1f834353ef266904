/**
 * Check a MobileNetV2 classifier read from a TFLite file (or the bundled backbone) against its published
 * behaviour: top-1 accuracy on ImageNet sample photos named `imagenet-sample_<wnid>_<class_name>.jpg`,
 * in colour and made gray (Rec. 601 luma copied to R, G and B). Photos are centre-cropped to 224×224
 * (from 256×256 that is the 87.5 % central crop of the slim evaluation) and scaled to [−1, 1].
 *
 *   npx tsx examples/mobilenet-v2/top1.ts --tflite ../shared/pretrained/mobilenet_v2_1.0_224_quant.tflite \
 *     --labels ../shared/pretrained/imagenet_labels.txt --photos ../shared/data/photos/train [--count 100] [--bundled]
 *
 * With `--bundled` the classifier comes from the package's `models/mobilenet-v2/` instead of the TFLite file.
 */
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadMobileNetV2FromTflite, useBackend } from 'tfjs-colorization';
import { loadBundledMobileNetV2, readImageFile } from 'tfjs-colorization/node';

const { values: args } = parseArgs({
  options: {
    tflite: { type: 'string' },
    bundled: { type: 'boolean', default: false },
    labels: { type: 'string' },
    photos: { type: 'string' },
    count: { type: 'string', default: '100' },
    backend: { type: 'string', default: 'wasm' },
  },
});
if ((!args.tflite && !args.bundled) || !args.labels || !args.photos) {
  console.error('usage: top1.ts (--tflite FILE | --bundled) --labels imagenet_labels.txt --photos DIR [--count 100]');
  process.exit(2);
}

/** Synonym lists of each class, lower case with spaces (index 0 = background). */
const classes = readFileSync(args.labels, 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => line.split(',').map((s) => s.trim().toLowerCase()));
const files = readdirSync(args.photos)
  .filter((f) => /^imagenet-sample_n\d+_.+\.(jpe?g|png)$/i.test(f))
  .sort()
  .slice(0, Number(args.count));

await useBackend(args.backend);
const model: tfl.LayersModel = args.bundled
  ? await loadBundledMobileNetV2({ outputs: ['logits'] })
  : loadMobileNetV2FromTflite(new Uint8Array(readFileSync(args.tflite as string)));

const SIZE = 224;
let colourHits = 0;
let grayHits = 0;
const misses: string[] = [];
for (const file of files) {
  const truth = file
    .replace(/^imagenet-sample_n\d+_/, '')
    .replace(/\.\w+$/, '')
    .replace(/_/g, ' ')
    .toLowerCase();
  const image = await readImageFile(join(args.photos, file));
  const top1 = tf.tidy(() => {
    const rgb = tf.slice(
      tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, image.channels]),
      [0, 0, 0],
      [-1, -1, 3],
    );
    const top = Math.floor((image.height - SIZE) / 2);
    const left = Math.floor((image.width - SIZE) / 2);
    const crop = tf.slice(rgb, [top, left, 0], [SIZE, SIZE, 3]);
    const luma = tf.tile(tf.sum(tf.mul(crop, tf.tensor1d([0.299, 0.587, 0.114])), -1, true), [1, 1, 3]);
    const batch = tf.sub(tf.div(tf.stack([crop, luma]), 127.5), 1);
    return tf.argMax(model.predict(batch) as tf.Tensor2D, -1).arraySync() as number[];
  });
  const hit = top1.map((k) => classes[k]?.includes(truth) ?? false);
  if (hit[0]) colourHits++;
  if (hit[1]) grayHits++;
  if (!hit[0]) misses.push(`${truth} → ${classes[top1[0]]?.[0]}`);
}
model.dispose();
console.log(
  `${files.length} photos: top-1 ${colourHits}/${files.length} in colour, ${grayHits}/${files.length} in gray`,
);
console.log(`colour misses: ${misses.join('; ')}`);
