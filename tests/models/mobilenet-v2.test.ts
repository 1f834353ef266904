import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, TfliteFormatError } from '../../src/errors.js';
import {
  MOBILENET_V2_OUTPUTS, MOBILENET_V2_OUTPUT_LAYERS, buildMobileNetV2, mobileNetV2WeightLayers, type MobileNetV2Output,
} from '../../src/models/mobilenet-v2.js';
import { loadMobileNetV2FromUrl, mobileNetV2FromArtifacts, setMobileNetV2WeightsFromArtifacts } from '../../src/models/mobilenet-v2-weights-file.js';
import { readModelArtifacts } from '../../src/node/files/model-files.js';
import { bundledMobileNetV2Directory, loadBundledMobileNetV2 } from '../../src/node/files/bundled-mobilenet-v2.js';
import { describeEachBackend } from '../backends.js';

// Float64 numpy interpretation of the published TFLite graph (tests/fixtures/make_tflite_fixtures.py).
const reference = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/tflite/mobilenet-v2-reference.json'), 'utf8')) as {
  inputSize: number;
  outputs: Record<MobileNetV2Output, { shape: number[]; channelMeans?: number[]; pixel?: number[]; values?: number[] }>;
  top5: number[];
};
const PIXELS: Partial<Record<MobileNetV2Output, [number, number]>> = { stride4: [5, 7], stride8: [3, 2], stride16: [1, 4], stride32: [2, 0], features: [1, 1] };

/** The fixture's input: x[h, w, c] = sin(0.11 h (c + 1) + 0.05 w) cos(0.07 w − 0.3 c), as float32. */
function referenceInput(size: number): tf.Tensor4D {
  const data = new Float32Array(size * size * 3);
  for (let h = 0; h < size; h++) for (let w = 0; w < size; w++) for (let c = 0; c < 3; c++) {
    data[(h * size + w) * 3 + c] = Math.sin(0.11 * h * (c + 1) + 0.05 * w) * Math.cos(0.07 * w - 0.3 * c);
  }
  return tf.tensor4d(data, [1, size, size, 3]);
}

function maxDifference(a: ArrayLike<number>, b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('buildMobileNetV2', () => {
  it('has the slim layer names, 52 convolutions and the block outputs at strides 4, 8, 16, 32 with 24, 32, 96, 320 channels', () => {
    const model = buildMobileNetV2({ outputs: [...MOBILENET_V2_OUTPUTS] });
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 56, 56, 24], [null, 28, 28, 32], [null, 14, 14, 96], [null, 7, 7, 320], [null, 7, 7, 1280], [null, 1280], [null, 1001],
    ]);
    const weighted = model.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
    expect(weighted).toEqual(mobileNetV2WeightLayers(1001).map((l) => l.name));
    expect(weighted.slice(0, 4)).toEqual(['Conv', 'expanded_conv_depthwise', 'expanded_conv_project', 'expanded_conv_1_expand']);
    // Residual adds where stride is 1 and channels match (Sandler et al. 2018, Fig. 4d).
    expect(model.layers.filter((l) => l.name.endsWith('_add')).map((l) => Number(l.name.split('_')[2]))).toEqual([2, 4, 5, 7, 8, 9, 11, 12, 14, 15]);
    // Parameters with BN folded into biases: 2,206,816 in the convolutions + 1280 × 1001 + 1001 in the classifier.
    expect(model.countParams()).toBe(3_489_097);
    model.dispose();
  });

  it('returns the requested outputs in order and stops after the deepest one', () => {
    const model = buildMobileNetV2({ inputSize: 64, outputs: ['stride8', 'stride4'] });
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 8, 8, 32], [null, 16, 16, 24]]);
    expect(model.layers.some((l) => l.name === 'expanded_conv_6_expand')).toBe(false);
    expect(model.getLayer(MOBILENET_V2_OUTPUT_LAYERS.stride8).name).toBe('expanded_conv_5_add');
    model.dispose();
    const any = buildMobileNetV2({ inputSize: null, outputs: ['pooled'] });
    expect(any.inputs[0].shape).toEqual([null, null, null, 3]);
    any.dispose();
  });

  it('rejects invalid and unknown keys with ConfigError naming the key', () => {
    expect(() => buildMobileNetV2({ inputSize: 0 })).toThrow(ConfigError);
    expect(() => buildMobileNetV2({ outputs: [] })).toThrow(/outputs/);
    expect(() => buildMobileNetV2({ outputs: ['stride2' as MobileNetV2Output] })).toThrow(/outputs: expected one of stride4/);
    expect(() => buildMobileNetV2({ outputs: ['pooled', 'pooled'] })).toThrow(/no repeated output/);
    expect(() => buildMobileNetV2({ classes: 1.5 })).toThrow(/classes/);
    expect(() => buildMobileNetV2({ width: 0.5 } as never)).toThrow(/width: expected a known key: one of inputSize/);
  });
});

describeEachBackend('bundled MobileNetV2 against the float64 interpretation of the TFLite graph', (backend) => {
  let artifacts: tf.io.ModelArtifacts;
  beforeAll(async () => {
    artifacts = await readModelArtifacts(bundledMobileNetV2Directory());
  });

  it('gives the reference logits, pooled vector and feature taps, without leaking tensors', () => {
    const model = mobileNetV2FromArtifacts(artifacts, { inputSize: reference.inputSize, outputs: [...MOBILENET_V2_OUTPUTS] });
    const before = tf.memory().numTensors;
    const outputs = tf.tidy(() => {
      const out = model.predict(referenceInput(reference.inputSize)) as tf.Tensor[];
      return Object.fromEntries(MOBILENET_V2_OUTPUTS.map((name, i) => {
        const t = out[i];
        const pixel = PIXELS[name];
        return [name, {
          shape: t.shape,
          values: t.dataSync().slice(),
          channelMeans: t.rank === 4 ? tf.mean(t, [0, 1, 2]).dataSync().slice() : undefined,
          pixel: pixel ? tf.slice(t, [0, pixel[0], pixel[1], 0], [1, 1, 1, -1]).dataSync().slice() : undefined,
        }];
      }));
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const name of MOBILENET_V2_OUTPUTS) {
      const ref = reference.outputs[name];
      const got = outputs[name];
      expect(got.shape, name).toEqual(ref.shape);
      // float32 through 53 layers against float64: differences stay near 1e-5 of magnitudes up to ~10.
      if (ref.values) expect(maxDifference(got.values, ref.values), name).toBeLessThan(2e-4);
      if (ref.channelMeans) expect(maxDifference(got.channelMeans!, ref.channelMeans), name).toBeLessThan(2e-4);
      if (ref.pixel) expect(maxDifference(got.pixel!, ref.pixel), name).toBeLessThan(2e-4);
    }
    const logits = outputs.logits.values;
    const top5 = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]).slice(0, 5);
    expect(top5).toEqual(reference.top5);
    model.dispose();
  });

  if (backend === 'cpu') {
    it('loadBundledMobileNetV2 builds the requested taps from the package folder', async () => {
      const before = tf.memory().numTensors;
      const model = await loadBundledMobileNetV2({ inputSize: 32, outputs: ['stride4', 'pooled'] });
      expect(model.outputs.map((o) => o.shape)).toEqual([[null, 8, 8, 24], [null, 1280]]);
      expect(model.layers.filter((l) => l.weights.length > 0).length).toBe(52);
      // The decoded weights are released once copied: only the model's own variables remain, and go with it.
      expect(tf.memory().numTensors - before).toBe(model.weights.length);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('loadMobileNetV2FromUrl fetches model.json and its weights over HTTP, as a browser app would', async () => {
      const dir = bundledMobileNetV2Directory();
      const server = createServer((req, res) => {
        try {
          res.end(readFileSync(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/').pop() ?? '')));
        } catch {
          res.statusCode = 404;
          res.end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const model = await loadMobileNetV2FromUrl(`http://127.0.0.1:${port}/mobilenet-v2/model.json`, { inputSize: 32, outputs: ['stride8'] });
        const fromFiles = mobileNetV2FromArtifacts(artifacts, { inputSize: 32, outputs: ['stride8'] });
        const [a, b] = [model, fromFiles].map((m) => m.getLayer('expanded_conv_5_project').getWeights()[0]);
        expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
        model.dispose();
        fromFiles.dispose();
      } finally {
        server.close();
      }
    });

    it('names the weight, expected and found shape when saved weights do not fit the network', () => {
      const model = buildMobileNetV2({ classes: 10, inputSize: 32 });
      expect(() => setMobileNetV2WeightsFromArtifacts(model, artifacts)).toThrow(TfliteFormatError);
      expect(() => setMobileNetV2WeightsFromArtifacts(model, artifacts)).toThrow('weight Logits/kernel: expected shape [1280, 10], found [1280, 1001]');
      model.dispose();
    });
  }
});
