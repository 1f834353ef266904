/**
 * Convert the TFLite classifier `mobilenet_v2_1.0_224_quant.tflite` (google-coral/test_data, Apache-2.0)
 * into the package's bundled tfjs-layers folder `models/mobilenet-v2/` (model.json + one weights file).
 *
 *   npx tsx examples/mobilenet-v2/convert.ts --tflite ../shared/pretrained/mobilenet_v2_1.0_224_quant.tflite --out models/mobilenet-v2
 *
 * Kernels quantized per tensor keep their original 8-bit integers: tfjs's uint8 storage decodes
 * q × scale + min, which is the file's (q − zero point) × scale with min = −zero point × scale, so no
 * rounding is added (only float32 arithmetic differs). Other tensors (the int32 biases, per-channel
 * kernels) are stored as float32. The largest difference between the decoded weights and the file's
 * float weights is printed and written to `conversion.json`.
 */
import '@tensorflow/tfjs-backend-cpu';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildMobileNetV2,
  mobileNetV2WeightsFromTflite,
  readTfliteModel,
  type MobileNetV2TfliteWeight,
} from 'tfjs-colorization';

const { values: args } = parseArgs({
  options: { tflite: { type: 'string' }, out: { type: 'string', default: 'models/mobilenet-v2' } },
});
if (!args.tflite) {
  console.error('usage: convert.ts --tflite mobilenet_v2_1.0_224_quant.tflite [--out models/mobilenet-v2]');
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(args.tflite));
const weights = mobileNetV2WeightsFromTflite(readTfliteModel(bytes));

/** Encode one weight: the original 8-bit integers where quantized per tensor, else float32. */
function encode(w: MobileNetV2TfliteWeight): { spec: tf.io.WeightsManifestEntry; data: Uint8Array } {
  const q = w.source.quantization;
  const spec: tf.io.WeightsManifestEntry = { name: w.name, shape: [...w.shape], dtype: 'float32' };
  if (
    q !== undefined &&
    q.scale.length === 1 &&
    (w.source.type === 'uint8' || w.source.type === 'int8') &&
    w.source.data
  ) {
    const shift = w.source.type === 'int8' ? 128 : 0;
    const src = w.source.data;
    const data = new Uint8Array(w.values.length);
    for (let i = 0; i < data.length; i++) data[i] = (src[w.sourceIndex[i]] + shift) & 0xff;
    spec.quantization = { dtype: 'uint8', scale: q.scale[0], min: -(q.zeroPoint[0] + shift) * q.scale[0] };
    return { spec, data };
  }
  return { spec, data: new Uint8Array(w.values.slice().buffer) };
}

const model = buildMobileNetV2({ classes: weights.classes });
const all = weights.layers.flatMap((l) => [l.kernel, l.bias]);
const encoded = all.map(encode);
const weightData = new Uint8Array(encoded.reduce((n, e) => n + e.data.length, 0));
let at = 0;
for (const e of encoded) {
  weightData.set(e.data, at);
  at += e.data.length;
}

// Measure what the storage changes: decode as tfjs will and compare with the file's float weights.
const decoded = tf.io.decodeWeights(
  weightData.buffer,
  encoded.map((e) => e.spec),
);
let maxAbs = 0;
let maxRel = 0;
for (const w of all) {
  const got = decoded[w.name].dataSync();
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - w.values[i]);
    maxAbs = Math.max(maxAbs, d);
    if (w.values[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(w.values[i]));
  }
}
tf.dispose(decoded);

const hash = createHash('sha256').update(weightData).digest('hex');
const weightsFile = `weights-${hash.slice(0, 16)}.bin`;
mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, weightsFile), weightData);
const modelJson = {
  modelTopology: JSON.parse(model.toJSON(null, true) as string),
  weightsManifest: [{ paths: [weightsFile], weights: encoded.map((e) => e.spec) }],
  format: 'layers-model',
  generatedBy: 'tfjs-colorization examples/mobilenet-v2/convert.ts',
  convertedBy: null,
};
writeFileSync(join(args.out, 'model.json'), JSON.stringify(modelJson));
const conversion = {
  source: {
    file: basename(args.tflite),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    repository: 'google-coral/test_data',
    commit: '104342d2d3480b3e66203073dac24f4e2dbb4c41',
    license: 'Apache-2.0',
  },
  classes: weights.classes,
  input: 'RGB scaled to [-1, 1] (the file maps uint8 pixels with scale 1/128 and zero point 128)',
  storage: 'kernels: the original uint8 values with their scale (uint8 quantization); biases: float32',
  weightBytes: weightData.length,
  maxAbsDifferenceFromFileFloats: maxAbs,
  maxRelDifferenceFromFileFloats: maxRel,
};
writeFileSync(join(args.out, 'conversion.json'), `${JSON.stringify(conversion, null, 2)}\n`);
model.dispose();
console.log(
  `wrote ${args.out}/model.json and ${weightsFile} (${weightData.length} bytes); largest difference from the file's float weights ${maxAbs.toExponential(2)} (relative ${maxRel.toExponential(2)})`,
);
