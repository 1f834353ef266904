/**
 * tfjs-layers models as plain files, without `file://` IO handlers (which only `@tensorflow/tfjs-node`
 * registers):
 *
 * ```
 * <directory>/
 *   model.json                     topology + weights manifest (tfjs "layers-model" format)
 *   weights-<sha256 prefix>.bin    all weights, in manifest order
 * ```
 *
 * The pair is replaced atomically: the weights file is named after its content and written first, then
 * `model.json` is replaced in one rename, then weights files it no longer names are removed. A crash at
 * any point leaves a `model.json` whose weights file is complete. Content-named weights are also safe to
 * cache forever when the directory is served to browsers.
 *
 * Optional float16 storage halves the file (tfjs's `quantization: { dtype: 'float16' }`, as the
 * converter's `--quantize_float16`); tfjs dequantizes to float32 when loading.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ColorizationError, ConfigError, describeValue } from '../../errors.js';
import { checkConfigChoice } from '../../validate.js';
// Custom layers must be registered before a saved model that uses them is deserialized.
import '../../models/layers/dilated-conv2d.js';
import '../../models/layers/fusion-layer.js';
import '../../models/layers/freezable-batch-norm.js';
import '../../models/layers/resize-to-match.js';
import { atomicWriteFile } from './atomic-write.js';

/** Name of the topology file in a model directory. @example join(dir, MODEL_JSON_FILE) */
export const MODEL_JSON_FILE = 'model.json';

const WEIGHTS_FILE_PATTERN = /^weights-[0-9a-f]{16}\.bin$/;

/** Largest finite float16 value; weights beyond it cannot be stored as float16. @example const weights = values.every((v) => Math.abs(v) <= FLOAT16_MAX) ? 'float16' : 'float32'; */
export const FLOAT16_MAX = 65504;

/** Storage type of float32 weights. @example const dtype: WeightStorage = 'float16'; */
export type WeightStorage = 'float32' | 'float16';

/** Options of {@link saveModelFiles}. @example const options: SaveModelFilesOptions = { weights: 'float16' }; */
export interface SaveModelFilesOptions {
  /** `'float32'` (exact, default) or `'float16'` (half the size; relative error ≤ 2⁻¹¹ per weight). */
  weights?: WeightStorage;
}

/** What {@link saveModelFiles} wrote. @example const { modelPath, weightBytes } = await saveModelFiles(model, 'out'); */
export interface SavedModelFiles {
  modelPath: string;
  weightsPath: string;
  /** Size of the weights file in bytes. */
  weightBytes: number;
}

/**
 * A model directory or file that cannot be read as a tfjs-layers model; `path` names it.
 * @example
 * try { await loadModelFiles(dir); } catch (e) { if (e instanceof ModelFileError) console.error(e.message); }
 */
export class ModelFileError extends ColorizationError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: cannot load as a tfjs-layers model (${reason})`);
  }
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/**
 * IEEE 754 binary16 bits of a number, rounded to nearest, ties to even (subnormals kept, overflow to ±∞,
 * NaN kept).
 * @example float16Bits(1); // 0x3c00
 */
export function float16Bits(value: number): number {
  scratch[0] = value;
  const x = scratchBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m · 2⁻²⁴, m = (1.mantissa) · 2^(e − 14 + 23) in integer steps.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1),
      halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to ∞).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return half;
}

function toFloat16Artifacts(
  specs: tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
): { specs: tf.io.WeightsManifestEntry[]; data: ArrayBuffer } {
  const parts: Uint8Array[] = [];
  const out: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * 4;
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      const size = spec.quantization
        ? count * (spec.quantization.dtype === 'uint8' ? 1 : 2)
        : count * (spec.dtype === 'bool' ? 1 : 4);
      parts.push(new Uint8Array(data, offset, size));
      out.push(spec);
      offset += size;
      continue;
    }
    const values = new Float32Array(data.slice(offset, offset + bytes));
    const half = new Uint16Array(count);
    for (let i = 0; i < count; i++) {
      if (Math.abs(values[i]) > FLOAT16_MAX) {
        throw new ConfigError(
          'weights',
          `'float32' for weight ${spec.name} (float16 holds magnitudes ≤ ${FLOAT16_MAX})`,
          `'float16' with a value ${values[i]}`,
        );
      }
      half[i] = float16Bits(values[i]);
    }
    parts.push(new Uint8Array(half.buffer));
    out.push({ ...spec, quantization: { dtype: 'float16' } });
    offset += bytes;
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return { specs: out, data: joined.buffer };
}

/**
 * Save a tfjs-layers model as `model.json` + one content-named weights file in `directory` (created if
 * missing), replacing a model saved there before, crash-safely (see the file comment).
 *
 * @param model  any `tf.LayersModel` (custom layers must be registered with `serialization.registerClass`).
 * @param directory  the model directory.
 * @param options  `weights`: `'float32'` (default) or `'float16'`.
 * @returns the paths written and the weights' size in bytes.
 * @throws ConfigError for an unknown `weights` value or a weight too large for float16.
 * @example
 * await saveModelFiles(model, 'models/default', { weights: 'float16' });
 */
export async function saveModelFiles(
  model: tfl.LayersModel,
  directory: string,
  options: SaveModelFilesOptions = {},
): Promise<SavedModelFiles> {
  const storage = options.weights ?? 'float32';
  checkConfigChoice('weights', storage, ['float32', 'float16'] as const);
  if (typeof directory !== 'string' || directory.length === 0)
    throw new ConfigError('directory', 'a directory path', describeValue(directory));
  let saved: SavedModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      let specs = artifacts.weightSpecs ?? [];
      let data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      if (storage === 'float16') ({ specs, data } = toFloat16Artifacts(specs, data));
      const bytes = new Uint8Array(data);
      const weightsName = `weights-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [weightsName], weights: specs }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: manifest,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await mkdir(directory, { recursive: true });
      const weightsPath = join(directory, weightsName);
      await atomicWriteFile(weightsPath, bytes);
      const modelPath = join(directory, MODEL_JSON_FILE);
      await atomicWriteFile(modelPath, JSON.stringify(json));
      for (const name of await readdir(directory)) {
        if (name !== weightsName && WEIGHTS_FILE_PATTERN.test(name)) await rm(join(directory, name), { force: true });
      }
      saved = { modelPath, weightsPath, weightBytes: bytes.length };
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightSpecs: specs, weightData: data }),
      };
    }),
  );
  return saved as SavedModelFiles;
}

function bytesOf(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.quantization) return count * (spec.quantization.dtype === 'uint8' ? 1 : 2);
  return count * (spec.dtype === 'bool' ? 1 : 4);
}

/** A model directory or `model.json` path, given as a path or a `file:` URL, resolved to the JSON file. */
async function modelJsonPath(location: string | URL): Promise<string> {
  const path = location instanceof URL || location.startsWith('file:') ? fileURLToPath(location) : location;
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new ModelFileError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  return info.isDirectory() ? join(path, MODEL_JSON_FILE) : path;
}

/**
 * Read a saved model's artifacts (topology, weight specs, weight bytes) without building the model, e.g.
 * to hand them to `createColorizer({ model: artifacts })`.
 *
 * @param location  a model directory, its `model.json`, or a `file:` URL of either.
 * @returns the artifacts as `tf.io.fromMemory` takes them.
 * @throws ModelFileError when a file is missing, not JSON, not a layers model, or the weights' size does
 *   not match the manifest.
 * @example
 * const artifacts = await readModelArtifacts('models/default');
 */
export async function readModelArtifacts(location: string | URL): Promise<tf.io.ModelArtifacts> {
  const jsonPath = await modelJsonPath(location);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
  } catch (e) {
    throw new ModelFileError(
      jsonPath,
      e instanceof SyntaxError ? 'not valid JSON' : ((e as NodeJS.ErrnoException).code ?? (e as Error).message),
    );
  }
  if (typeof json !== 'object' || json === null || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(jsonPath, 'no modelTopology and weightsManifest');
  }
  const directory = dirname(resolve(jsonPath));
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = tf.io.getWeightSpecs(manifest);
    const chunks: Buffer[] = [];
    for (const group of manifest) {
      for (const path of group.paths) {
        try {
          chunks.push(await readFile(join(directory, path)));
        } catch (e) {
          throw new ModelFileError(join(directory, path), (e as NodeJS.ErrnoException).code ?? (e as Error).message);
        }
      }
    }
    const data = Buffer.concat(chunks);
    const expected = specs.reduce((n, spec) => n + bytesOf(spec), 0);
    if (data.length !== expected)
      throw new ModelFileError(jsonPath, `weights hold ${data.length} bytes, the manifest needs ${expected}`);
    return [specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer];
  });
}

/**
 * Load a model saved by {@link saveModelFiles} (or any tfjs-layers `model.json` with weight files beside
 * it) from a path. float16 weights come back as float32.
 *
 * @param location  a model directory, its `model.json`, or a `file:` URL of either.
 * @returns a new `tf.LayersModel`; the caller owns it.
 * @throws ModelFileError when the files are missing or damaged.
 * @example
 * const model = await loadModelFiles('models/default');
 */
export async function loadModelFiles(location: string | URL): Promise<tfl.LayersModel> {
  const artifacts = await readModelArtifacts(location);
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new ModelFileError(String(location), (e as Error).message);
  }
}
