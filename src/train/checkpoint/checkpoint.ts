/**
 * Capture a training run into a {@link CheckpointRecord} and put it back: models (topology and weights),
 * optimizer state (tfjs `getWeights` / `setWeights`: the iteration count and, for Adam, both moments),
 * epoch, step, schedule states, random-generator states, metrics and free metadata.
 *
 * A record is plain data; a {@link CheckpointStore} decides where it lives.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InputError, describeValue } from '../../errors.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  assertCheckpointName,
  describeCheckpointPart,
  verifyCheckpointRecord,
  type CheckpointManifest,
  type CheckpointMetric,
  type CheckpointRecord,
} from './checkpoint-format.js';
import type { JsonValue, ScheduleState } from '../schedules/schedule-state.js';

/**
 * Anything with a JSON state (every schedule of this library).
 * @example
 * const schedule: HasScheduleState = createStepDecay({ initialRate: 3e-5, factor: 0.3, milestones: [200_000] });
 * await captureCheckpoint({ models: { net }, step, schedules: { lr: schedule } });
 */
export interface HasScheduleState {
  state(): ScheduleState;
}

/**
 * Anything that can adopt a saved schedule state.
 * @example
 * await restoreCheckpoint(record, { models: { net }, schedules: { lr: schedule } }); // calls schedule.restore(saved)
 */
export interface RestoresScheduleState {
  restore(state: ScheduleState): void;
}

/**
 * What {@link captureCheckpoint} saves. Only `models` is required.
 *
 * @example
 * const content: CheckpointContent = {
 *   models: { generator, discriminator },
 *   optimizers: { generator: optG, discriminator: optD },
 *   epoch: 3, step: 1500,
 *   schedules: { lr: schedule },
 *   random: { shuffle: rng.state() },
 *   metric: { name: 'val_l1', value: 0.071, mode: 'min' },
 * };
 */
export interface CheckpointContent {
  /** Models by name (names: `A–Z a–z 0–9 _ . -`, they become file names). */
  models: { [name: string]: tfl.LayersModel };
  /** Optimizers by name. Adam, SGD, Momentum, RMSProp, Adagrad and Adadelta can be saved; Adamax cannot (tfjs 4.22). */
  optimizers?: { [name: string]: tf.Optimizer };
  /** Completed epochs. Default 0. */
  epoch?: number;
  /** Completed optimizer updates. Default 0. */
  step?: number;
  /** Schedules, or their states, by name. */
  schedules?: { [name: string]: HasScheduleState | ScheduleState };
  /** Seeds or `Random.state()` values by name (unsigned 32-bit integers). */
  random?: { [name: string]: number };
  /** This checkpoint's monitored metric; stores keep the best one. */
  metric?: CheckpointMetric;
  /** Best value of the monitored metric the run has seen so far. */
  bestMetric?: number;
  /** Free JSON metadata. */
  metadata?: { [key: string]: JsonValue };
}

/**
 * Where {@link restoreCheckpoint} puts a checkpoint back. Each name must exist in the checkpoint.
 *
 * @example
 * await restoreCheckpoint(record, { models: { generator }, optimizers: { generator: optG }, schedules: { lr: schedule } });
 */
export interface CheckpointTargets {
  /** Existing models with the same architecture; their weights are overwritten. */
  models?: { [name: string]: tfl.LayersModel };
  /** Optimizers of the same class; their state is replaced (old state variables are disposed). */
  optimizers?: { [name: string]: tf.Optimizer };
  /** Schedules whose `restore` receives the saved state. */
  schedules?: { [name: string]: RestoresScheduleState };
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.concatenateArrayBuffers(data));
}

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  // decodeWeights reads the whole ArrayBuffer, so hand it one that starts and ends with the part.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

function assertCount(argument: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new InputError(argument, 'an integer ≥ 0', describeValue(value));
  return value;
}

function isStateful(value: HasScheduleState | ScheduleState): value is HasScheduleState {
  return typeof (value as HasScheduleState).state === 'function';
}

/**
 * Serialize models, optimizer state and training progress into a {@link CheckpointRecord}.
 * Reads tensors but creates none that outlive the call; inputs are not disposed.
 *
 * @param content  see {@link CheckpointContent}; only `models` is required.
 * @returns a record whose parts are `model-<name>` (weights in `model.weights` order) and `optimizer-<name>`.
 * @throws InputError for a bad name or count, or an optimizer whose class cannot export its state.
 * @example
 * await store.save(await captureCheckpoint({ models: { net }, optimizers: { net: adam }, step, schedules: { lr } }));
 */
export async function captureCheckpoint(content: CheckpointContent): Promise<CheckpointRecord> {
  if (
    content === null ||
    typeof content !== 'object' ||
    content.models === null ||
    typeof content.models !== 'object'
  ) {
    throw new InputError('content.models', 'an object of tf.LayersModel by name', describeValue(content?.models));
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    epoch: assertCount('content.epoch', content.epoch),
    step: assertCount('content.step', content.step),
    models: {},
    optimizers: {},
    schedules: {},
    random: {},
    metadata: structuredClone(content.metadata ?? {}),
    parts: {},
  };
  const parts: { [key: string]: Uint8Array } = {};
  const addPart = (key: string, bytes: Uint8Array): void => {
    parts[key] = bytes;
    manifest.parts[key] = describeCheckpointPart(bytes);
  };

  for (const [name, model] of Object.entries(content.models)) {
    assertCheckpointName('content.models', name);
    if (typeof (model as tfl.LayersModel)?.save !== 'function')
      throw new InputError(`content.models.${name}`, 'a tf.LayersModel', describeValue(model));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = artifacts as tf.io.ModelArtifacts;
    const part = `model-${name}`;
    manifest.models[name] = {
      topology: (a.modelTopology ?? null) as { [key: string]: unknown } | null,
      weightSpecs: a.weightSpecs ?? [],
      part,
      ...(a.format !== undefined && { format: a.format }),
      ...(a.generatedBy !== undefined && { generatedBy: a.generatedBy }),
      ...(a.convertedBy !== undefined && { convertedBy: a.convertedBy }),
      ...(a.trainingConfig !== undefined && {
        trainingConfig: a.trainingConfig as unknown as { [key: string]: unknown },
      }),
      ...(a.userDefinedMetadata !== undefined && { userDefinedMetadata: a.userDefinedMetadata }),
    };
    addPart(part, toBytes(a.weightData));
  }

  for (const [name, optimizer] of Object.entries(content.optimizers ?? {})) {
    assertCheckpointName('content.optimizers', name);
    let weights: Awaited<ReturnType<tf.Optimizer['getWeights']>>;
    try {
      weights = await optimizer.getWeights();
    } catch (e) {
      throw new InputError(
        `content.optimizers.${name}`,
        'an optimizer that can export its state (Adam, SGD, Momentum, RMSProp, Adagrad, Adadelta)',
        `${optimizer.getClassName()} (${(e as Error).message})`,
      );
    }
    // getWeights() makes a fresh scalar for the iteration count (entry 0); the others are the optimizer's own variables.
    try {
      const encoded = await tf.io.encodeWeights(weights);
      const part = `optimizer-${name}`;
      manifest.optimizers[name] = {
        className: optimizer.getClassName(),
        config: structuredClone(optimizer.getConfig()) as { [key: string]: JsonValue },
        weightSpecs: encoded.specs,
        part,
      };
      const powers = readAdamBetaPowers(optimizer);
      if (powers !== undefined) manifest.optimizers[name].adamBetaPowers = powers;
      addPart(part, new Uint8Array(encoded.data));
    } finally {
      weights[0]?.tensor.dispose();
    }
  }

  for (const [name, schedule] of Object.entries(content.schedules ?? {})) {
    manifest.schedules[name] = structuredClone(isStateful(schedule) ? schedule.state() : schedule);
  }
  for (const [name, value] of Object.entries(content.random ?? {})) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new InputError(`content.random.${name}`, 'an unsigned 32-bit integer', describeValue(value));
    manifest.random[name] = value;
  }
  if (content.metric !== undefined) {
    const { name, value, mode } = content.metric;
    if (typeof name !== 'string' || typeof value !== 'number' || (mode !== 'min' && mode !== 'max')) {
      throw new InputError(
        'content.metric',
        "{ name: string, value: number, mode: 'min' | 'max' }",
        describeValue(content.metric),
      );
    }
    manifest.metric = { name, value, mode };
  }
  if (content.bestMetric !== undefined) manifest.bestMetric = content.bestMetric;
  return { manifest, parts };
}

/** The private running products of tfjs Adam (`accBeta1`, `accBeta2`), when present. */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

function readAdamBetaPowers(optimizer: tf.Optimizer): [number, number] | undefined {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (optimizer.getClassName() !== 'Adam' || !(accBeta1 instanceof tf.Variable) || !(accBeta2 instanceof tf.Variable))
    return undefined;
  return [accBeta1.dataSync()[0], accBeta2.dataSync()[0]];
}

function writeAdamBetaPowers(optimizer: tf.Optimizer, powers: [number, number]): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!(accBeta1 instanceof tf.Variable) || !(accBeta2 instanceof tf.Variable)) return;
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(powers[0]));
    accBeta2.assign(tf.scalar(powers[1]));
  });
}

function decodePart(
  record: CheckpointRecord,
  where: string,
  part: string,
  specs: tf.io.WeightsManifestEntry[],
): tf.Tensor[] {
  const map = tf.io.decodeWeights(exactBuffer(record.parts[part]), specs);
  return specs.map((s) => {
    const t = map[s.name];
    if (t === undefined)
      throw new CheckpointError(record.id ?? 'record', `${where}: weight '${s.name}' missing after decoding`);
    return t;
  });
}

/**
 * Put a checkpoint back into existing models, optimizers and schedules. Verifies the parts' checksums first.
 * Models must have the same architecture (same number, order and shapes of weights); optimizers the same class.
 * Creates no tensors that outlive the call except the optimizers' new state variables, which the optimizers own.
 *
 * @returns the manifest, for `epoch`, `step`, `random`, `bestMetric` and `metadata`.
 * @throws InputError if a target name is not in the checkpoint or does not match it; `CheckpointError` if a part is damaged.
 * @example
 * const record = await store.loadLatest();
 * if (record) {
 *   const { step, random } = await restoreCheckpoint(record, { models: { net }, optimizers: { net: adam }, schedules: { lr } });
 *   rng = createRandom(random.shuffle);
 * }
 */
export async function restoreCheckpoint(
  record: CheckpointRecord,
  targets: CheckpointTargets,
): Promise<CheckpointManifest> {
  verifyCheckpointRecord(record);
  const { manifest } = record;

  for (const [name, model] of Object.entries(targets.models ?? {})) {
    const entry = manifest.models[name];
    if (entry === undefined)
      throw new InputError(
        'targets.models',
        `a model name saved in the checkpoint (${Object.keys(manifest.models).join(', ')})`,
        JSON.stringify(name),
      );
    const weights = model.weights;
    if (weights.length !== entry.weightSpecs.length) {
      throw new InputError(
        `targets.models.${name}`,
        `a model with ${entry.weightSpecs.length} weights`,
        `${weights.length} weights`,
      );
    }
    entry.weightSpecs.forEach((spec, i) => {
      const shape = weights[i].shape;
      if (shape.length !== spec.shape.length || shape.some((d, k) => d !== spec.shape[k])) {
        throw new InputError(
          `targets.models.${name}`,
          `weight ${i} (${spec.name}) of shape [${spec.shape.join(', ')}]`,
          `${weights[i].originalName} of shape [${shape.join(', ')}]`,
        );
      }
    });
    const tensors = decodePart(record, `model ${name}`, entry.part, entry.weightSpecs);
    try {
      model.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }

  for (const [name, optimizer] of Object.entries(targets.optimizers ?? {})) {
    const entry = manifest.optimizers[name];
    if (entry === undefined)
      throw new InputError(
        'targets.optimizers',
        `an optimizer name saved in the checkpoint (${Object.keys(manifest.optimizers).join(', ')})`,
        JSON.stringify(name),
      );
    if (optimizer.getClassName() !== entry.className)
      throw new InputError(
        `targets.optimizers.${name}`,
        `a ${entry.className} optimizer`,
        `a ${optimizer.getClassName()} optimizer`,
      );
    const tensors = decodePart(record, `optimizer ${name}`, entry.part, entry.weightSpecs);
    const previous = await optimizer.getWeights();
    let replaced = false;
    try {
      await optimizer.setWeights(entry.weightSpecs.map((s, i) => ({ name: s.name, tensor: tensors[i] })));
      replaced = true;
      if (entry.adamBetaPowers !== undefined) writeAdamBetaPowers(optimizer, entry.adamBetaPowers);
      // setWeights replaced the optimizer's state variables; the old ones (and getWeights' fresh iteration scalar) are ours to free.
      tf.dispose(previous.map((w) => w.tensor));
    } finally {
      tf.dispose(tensors);
      if (!replaced) previous[0]?.tensor.dispose();
    }
  }

  for (const [name, schedule] of Object.entries(targets.schedules ?? {})) {
    const state = manifest.schedules[name];
    if (state === undefined)
      throw new InputError(
        'targets.schedules',
        `a schedule name saved in the checkpoint (${Object.keys(manifest.schedules).join(', ')})`,
        JSON.stringify(name),
      );
    schedule.restore(structuredClone(state));
  }
  return manifest;
}

/**
 * Build a new model from a checkpoint's topology and weights (no existing model needed).
 * Custom layers must be registered (imported) first. The caller owns the model.
 *
 * @example
 * const generator = await loadCheckpointModel(await store.loadBest(), 'generator');
 */
export async function loadCheckpointModel(record: CheckpointRecord, name: string): Promise<tfl.LayersModel> {
  verifyCheckpointRecord(record);
  const entry = record.manifest.models[name];
  if (entry === undefined)
    throw new InputError(
      'name',
      `a model name saved in the checkpoint (${Object.keys(record.manifest.models).join(', ')})`,
      JSON.stringify(name),
    );
  if (entry.topology === null)
    throw new CheckpointError(record.id ?? 'record', `model '${name}' was saved without a topology`);
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: entry.topology,
      weightSpecs: entry.weightSpecs,
      weightData: exactBuffer(record.parts[entry.part]),
      ...(entry.format !== undefined && { format: entry.format }),
      ...(entry.generatedBy !== undefined && { generatedBy: entry.generatedBy }),
      ...(entry.convertedBy !== undefined && { convertedBy: entry.convertedBy }),
    }),
  );
}
