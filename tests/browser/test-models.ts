/**
 * Small models for the browser tests, saved in tfjs's own file format (model.json + weights.bin) and
 * read back in Node for the reference results. Built from fixed seeds, so every run saves the same weights.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildIizukaModel, buildZhangModel } from 'tfjs-colorization';
import { tinyHintModel } from '../colorize/tiny-models.js';

/** The saved models, by folder name under the models folder. */
export const TEST_MODELS = {
  /**
   * Zhang et al. 2016 at 1/8 width, 64 px input: a 'bins' model with DilatedConv2D layers, its last layer
   * scaled so the logits spread like a trained model's (see {@link spreadLogits}).
   */
  zhang: () => spreadLogits(buildZhangModel({ inputSize: 64, widthMultiplier: 1 / 8, seed: 11 }), 3),
  /** Iizuka et al. 2016 at 1/16 width, 32 px global input: FusionLayer and two inputs. */
  iizuka: () =>
    buildIizukaModel({ globalInputSize: 32, localInputSize: 32, widthMultiplier: 1 / 16, numClasses: 5, seed: 5 }),
  /** A hint-capable model with known weights at 64 px: ab = hint + a small lightness tint (tests/colorize/tiny-models.ts). */
  hints: () => tinyHintModel({ size: 64 }),
} as const;

/**
 * Scale the last layer's kernel and bias so the logits' standard deviation over a fixed input is `std`.
 * Freshly initialized, the network's logits differ by ~1e-5 (the softmax is uniform, every pixel gets the
 * same mean colour, and temperature and sampling change nothing); a trained model's differ by units.
 */
function spreadLogits(model: tfl.LayersModel, std: number): tfl.LayersModel {
  const input = tf.tidy(() => tf.reshape(tf.mul(tf.sin(tf.mul(tf.range(0, 64 * 64), 0.37)), 0.5), [1, 64, 64, 1]));
  const current = tf.tidy(() => tf.sqrt(tf.moments(model.predict(input) as tf.Tensor).variance).dataSync()[0]);
  input.dispose();
  const last = model.layers[model.layers.length - 1];
  const scaled = tf.tidy(() => last.getWeights().map((w) => tf.mul(w, std / current)));
  last.setWeights(scaled);
  tf.dispose(scaled);
  return model;
}

export type TestModelName = keyof typeof TEST_MODELS;

/** Save `model` as `<folder>/model.json` and `<folder>/weights.bin`. */
export async function saveModelFolder(model: tfl.LayersModel, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData ?? []));
      await writeFile(join(folder, 'weights.bin'), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Save every test model under `root/<name>/`. */
export async function saveTestModels(root: string): Promise<void> {
  for (const [name, build] of Object.entries(TEST_MODELS)) {
    const model = build();
    try {
      await saveModelFolder(model, join(root, name));
    } finally {
      model.dispose();
    }
  }
}

/** Read a saved folder back as in-memory artifacts (for `createColorizer({ model })` or `tfl.loadLayersModel`). */
export async function readModelFolder(folder: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const buffers = await Promise.all(groups.flatMap((g) => g.paths).map((path) => readFile(join(folder, path))));
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    // Quantized (float16) specs are kept: loading dequantizes, as it does from a URL.
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: tf.io.concatenateArrayBuffers(
      buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
    ),
  };
}
