/**
 * The checkpoint format: a JSON manifest plus named binary parts. Stores (memory, IndexedDB, Node files)
 * write and read exactly this, so a checkpoint saved by one store can be copied into another.
 *
 * Each binary part carries its byte length and CRC-32 in the manifest; {@link verifyCheckpointRecord} checks
 * them, so a truncated or damaged part is reported instead of silently loading wrong weights.
 * This file imports no tfjs at run time (types only), so Node stores and crash tests load it cheaply.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ColorizationError, InputError, describeValue } from '../../errors.js';
import { checksumCrc32 } from './checkpoint-checksum.js';
import type { JsonValue, ScheduleState } from '../schedules/schedule-state.js';

/**
 * Value of {@link CheckpointManifest.format}.
 * @example
 * if (manifest.format !== CHECKPOINT_FORMAT) throw new Error('not a tfjs-colorization checkpoint');
 */
export const CHECKPOINT_FORMAT = 'tfjs-colorization/checkpoint';
/**
 * Version of the manifest layout written by this library.
 * @example
 * manifest.version <= CHECKPOINT_VERSION; // readable by this version of the library
 */
export const CHECKPOINT_VERSION = 1;

/**
 * The monitored metric of one checkpoint, used by stores to keep the best checkpoint.
 * @example
 * await store.save(await captureCheckpoint({ models: { net }, step, metric: { name: 'val_loss', value: 0.42, mode: 'min' } }));
 */
export interface CheckpointMetric {
  /** Name of the metric (`'val_loss'`, `'auc'`, …). */
  name: string;
  /** Its value at this checkpoint. */
  value: number;
  /** `'min'`: lower is better (losses); `'max'`: higher is better (AuC, PSNR). */
  mode: 'min' | 'max';
}

/**
 * A tfjs-layers model inside a checkpoint: topology JSON and the specs of its weights part.
 * @example
 * const { topology, weightSpecs, part } = record.manifest.models.generator;
 * const weightBytes = record.parts[part];
 */
export interface CheckpointModelEntry {
  /** `model.toJSON(null, false)`-style topology (what `model.save` hands to an IO handler). */
  topology: { [key: string]: unknown } | null;
  /** Weight specs in `model.weights` order; the data is the part {@link CheckpointModelEntry.part}. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Key of the binary part holding the weights. */
  part: string;
  /** Optional fields of tfjs model artifacts, kept so the model reloads the same way. */
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: { [key: string]: unknown };
  userDefinedMetadata?: { [key: string]: unknown };
}

/**
 * An optimizer inside a checkpoint: class, config and the specs of its state part (iterations, moments).
 * @example
 * record.manifest.optimizers.generator.className; // 'Adam'
 */
export interface CheckpointOptimizerEntry {
  /** tfjs class name (`'Adam'`, `'SGD'`, `'Momentum'`, `'RMSProp'`, `'Adagrad'`, `'Adadelta'`). */
  className: string;
  /** `optimizer.getConfig()`. */
  config: { [key: string]: JsonValue };
  /** Specs of `optimizer.getWeights()` in order; the data is the part {@link CheckpointOptimizerEntry.part}. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Key of the binary part. */
  part: string;
  /**
   * Running products β1^t and β2^t of an Adam optimizer. tfjs `Adam.setWeights` recomputes them with `pow`,
   * which can differ in the last bit from the product the uninterrupted run keeps; saving them makes a
   * resumed step bit-identical.
   */
  adamBetaPowers?: [number, number];
}

/**
 * Byte length and CRC-32 of one binary part.
 * @example
 * const { byteLength, crc32 } = record.manifest.parts['model-generator'];
 */
export interface CheckpointPartEntry {
  byteLength: number;
  crc32: number;
}

/** The JSON half of a checkpoint. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** ISO-8601 time the checkpoint was captured. */
  createdAt: string;
  /** Completed epochs. */
  epoch: number;
  /** Completed optimizer updates (global step). */
  step: number;
  models: { [name: string]: CheckpointModelEntry };
  optimizers: { [name: string]: CheckpointOptimizerEntry };
  /** Schedule states by name (see {@link ScheduleState}). */
  schedules: { [name: string]: ScheduleState };
  /** Seeds or generator states by name (`createRandom(state)` continues the sequence). */
  random: { [name: string]: number };
  /** This checkpoint's monitored metric, if any. */
  metric?: CheckpointMetric;
  /** Best value of the monitored metric seen by the run so far (for resuming early stopping and "best" tracking). */
  bestMetric?: number;
  /** Free JSON metadata (dataset, config, notes, …). */
  metadata: { [key: string]: JsonValue };
  /** Every binary part by key. */
  parts: { [key: string]: CheckpointPartEntry };
}

/** A checkpoint in memory: the manifest and its binary parts. `id` is set once a store has saved it. */
export interface CheckpointRecord {
  id?: string;
  manifest: CheckpointManifest;
  parts: { [key: string]: Uint8Array };
}

/**
 * A checkpoint could not be read: missing, incomplete, damaged or of an unknown format.
 * @example
 * try { await store.load(id); } catch (e) { if (e instanceof CheckpointError) console.warn(`skipping ${e.checkpoint}: ${e.message}`); else throw e; }
 */
export class CheckpointError extends ColorizationError {
  constructor(
    /** Which checkpoint (id or path). */
    readonly checkpoint: string,
    reason: string,
  ) {
    super(`checkpoint ${checkpoint}: ${reason}`);
  }
}

const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Check a model, optimizer or part name: 1–64 characters of `A–Z a–z 0–9 _ . -`, not starting with `.` or `-`.
 * Names become file names in the Node store, so nothing else is allowed.
 *
 * @example
 * assertCheckpointName('models', 'generator');
 */
export function assertCheckpointName(argument: string, name: string): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InputError(
      argument,
      "a name of 1–64 characters from A–Z a–z 0–9 _ . - (not starting with '.' or '-')",
      describeValue(name),
    );
  }
}

/**
 * Check that a parsed JSON value is a manifest of this format and version, and return it typed.
 *
 * @param json  the parsed `manifest.json` (or the object stored in IndexedDB).
 * @param where  id or path, for the error message.
 * @throws {@link CheckpointError} naming what is wrong.
 * @example
 * const manifest = parseCheckpointManifest(JSON.parse(text), 'ckpt-00000003');
 */
export function parseCheckpointManifest(json: unknown, where: string): CheckpointManifest {
  const m = json as Partial<CheckpointManifest> | null;
  if (m === null || typeof m !== 'object')
    throw new CheckpointError(where, `manifest is ${describeValue(json)}, not an object`);
  if (m.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(where, `unknown format ${describeValue(m.format)} (expected "${CHECKPOINT_FORMAT}")`);
  if (m.version !== CHECKPOINT_VERSION)
    throw new CheckpointError(
      where,
      `manifest version ${describeValue(m.version)} is not supported (this library reads ${CHECKPOINT_VERSION})`,
    );
  for (const key of ['models', 'optimizers', 'schedules', 'random', 'metadata', 'parts'] as const) {
    if (m[key] === null || typeof m[key] !== 'object')
      throw new CheckpointError(where, `manifest field '${key}' is missing`);
  }
  if (!Number.isInteger(m.step) || !Number.isInteger(m.epoch))
    throw new CheckpointError(where, 'manifest has no integer epoch and step');
  return m as CheckpointManifest;
}

/**
 * Check that every part the manifest lists is present with the recorded length and CRC-32, and that every
 * part the models and optimizers refer to is listed.
 *
 * @throws {@link CheckpointError} naming the first bad part.
 * @example
 * verifyCheckpointRecord(record); // throws if a part is truncated or damaged
 */
export function verifyCheckpointRecord(record: CheckpointRecord): void {
  const where = record.id ?? 'record';
  const { manifest, parts } = record;
  const referenced = [...Object.values(manifest.models), ...Object.values(manifest.optimizers)].map((e) => e.part);
  for (const key of referenced) {
    if (!(key in manifest.parts))
      throw new CheckpointError(where, `part '${key}' is referenced but not listed in the manifest`);
  }
  for (const [key, entry] of Object.entries(manifest.parts)) {
    const bytes = parts[key];
    if (bytes === undefined) throw new CheckpointError(where, `part '${key}' is missing`);
    if (bytes.byteLength !== entry.byteLength)
      throw new CheckpointError(
        where,
        `part '${key}' has ${bytes.byteLength} bytes, manifest says ${entry.byteLength}`,
      );
    const crc = checksumCrc32(bytes);
    if (crc !== entry.crc32)
      throw new CheckpointError(where, `part '${key}' fails its CRC-32 check (${crc} ≠ ${entry.crc32})`);
  }
}

/**
 * Describe a binary part for the manifest (length and CRC-32).
 *
 * @example
 * manifest.parts['model-generator'] = describeCheckpointPart(bytes);
 */
export function describeCheckpointPart(bytes: Uint8Array): CheckpointPartEntry {
  return { byteLength: bytes.byteLength, crc32: checksumCrc32(bytes) };
}
