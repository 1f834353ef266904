/**
 * The training data pipeline: an {@link ExampleSource} in, a deterministic {@link BatchSource} out.
 * Per example: full-size Lab (`imageToLab`), optional gray check (`gray-check.ts`), resize / crop / flip on the Lab planes,
 * then the model input `(L − 50) / 100` and the targets asked for (ab / 110, the soft encoding over the
 * gamut's bins, the class label) at their own resolution (Zhang et al. 2016, ECCV, §2–3.1: input 256,
 * targets at 1/4 of it; Iizuka et al. 2016 and Nazeri et al. 2018 regress ab at the input size).
 *
 * Determinism: the visiting order of epoch e is a permutation drawn from `deriveSeed(seed, e)`, and every
 * random choice for an example is drawn from `deriveSeed(seed, e, exampleIndex)`. Batch k of an epoch
 * always covers positions `k·B … k·B + B − 1` of that order, so `batches(e, { startBatch: k })` gives the
 * batches an uninterrupted run gave from k on, without touching earlier examples.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AB_SCALE, LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../../color/lab/constants.js';
import { encodeSoft, encodeSoftSparse, type SoftEncodeConfig } from '../../color/bins/encode-soft.js';
import { ZHANG_GAMUT } from '../../color/bins/gamut.js';
import { imageToLab } from '../../color/image/image.js';
import { resizePlane } from '../../color/image/image-resample.js';
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { createRandom, shuffledIndices } from '../../random.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';
import type { Batch, BatchSource, BatchStart } from '../batch.js';
import { deriveSeed } from './derive-seed.js';
import type { ExampleSource, RawExample } from './example-source.js';
import { cropExample, type CropMode, type ExampleGeometry, type ResizeMode } from './example-geometry.js';
import { GRAY_CHROMA_THRESHOLD, GRAY_PIXEL_FRACTION, colourfulFraction } from './gray-check.js';

/**
 * Targets a pipeline can produce (see `BatchTargets` in `src/train/batch.ts`).
 * @example
 * const targets: TargetKind[] = ['bins', 'labels'];
 * createBatchPipeline(source, { inputSize: 256, targetSize: 64, targets });
 */
export type TargetKind = 'ab' | 'bins' | 'labels';

/**
 * When gray and unreadable examples are found:
 * - `'per-batch'`: while building each batch. Nothing is read ahead of time; a batch with skipped
 *   examples is shorter than `batchSize`, and a batch whose examples are all skipped is not yielded (its
 *   index is simply absent), so resume stays exact and cheap.
 * - `'upfront'`: one pass over the whole source at the first `batches()` call (or {@link BatchPipeline.screen})
 *   keeps the usable examples; every batch is then full (except the last) and `batchesPerEpoch` is exact.
 *   Costs one extra decode of every example.
 * @example
 * const pipeline = createBatchPipeline(photos, { screening: 'upfront' }); // full batches, exact batchesPerEpoch
 */
export type ScreeningMode = 'per-batch' | 'upfront';

/** Why an example was left out. */
export interface SkipEvent {
  /** Index of the example in the source. */
  index: number;
  reason: 'gray' | 'unreadable';
  /** Epoch being built, or −1 during an upfront screening pass. */
  epoch: number;
  /** Share of coloured pixels of a gray example (see `gray-check.ts`). */
  colourfulFraction?: number;
}

/** Running counts of skipped examples (each skip event counts once). */
export interface SkipCounts {
  gray: number;
  unreadable: number;
}

/**
 * Configuration of {@link createBatchPipeline}; every key optional.
 * @example
 * const pipeline = createBatchPipeline(source, {
 *   batchSize: 32, inputSize: 224, resize: 'shorter-side', crop: 'random', flip: true,
 *   targets: ['ab', 'labels'], seed: 1, onSkip: (e) => console.log(e.index, e.reason),
 * });
 */
export interface BatchPipelineConfig {
  /** Examples per batch, integer ≥ 1. Default 32. */
  batchSize?: number;
  /** Side of the square model input, pixels. Default 256 (Zhang et al. 2016). */
  inputSize?: number;
  /** How images reach the crop size (see {@link ResizeMode}). Default `'shorter-side'`. */
  resize?: ResizeMode;
  /** Side after resizing, ≥ `inputSize`. Default `inputSize` (crop only along the longer side). */
  resizeTo?: number;
  /** `'random'` (default) or `'centre'` crop. */
  crop?: CropMode;
  /** Mirror left–right with probability 1/2. Default true. */
  flip?: boolean;
  /** Targets to produce, any of `'ab'`, `'bins'`, `'labels'`. Default `['ab']`. */
  targets?: readonly TargetKind[];
  /** Side of the ab and bin targets. Default `inputSize`; Zhang et al.'s network predicts at `inputSize / 4`. */
  targetSize?: number;
  /** Soft encoding of the `'bins'` target: `{ gamut, neighbours, sigma }`, default Zhang's 313 bins, k = 5, σ = 5 (§3.1). */
  softEncoding?: SoftEncodeConfig;
  /**
   * Leave out gray images: those where at most `grayFraction` of the pixels reach `grayThreshold` chroma
   * (see `gray-check.ts`). Default true.
   */
  skipGray?: boolean;
  /** Chroma at which a pixel counts as coloured, Lab units, ≥ 0. Default {@link GRAY_CHROMA_THRESHOLD} (4). */
  grayThreshold?: number;
  /** Largest share of coloured pixels of a gray image, in [0, 1). Default {@link GRAY_PIXEL_FRACTION} (0.01). */
  grayFraction?: number;
  /** When examples are screened (see {@link ScreeningMode}). Default `'per-batch'`. */
  screening?: ScreeningMode;
  /** Shuffle the order every epoch. Default true; false visits the source in index order. */
  shuffle?: boolean;
  /** Leave out the last, short batch of an epoch. Default false. */
  dropLast?: boolean;
  /** Seed of every random choice (order, crops, flips). Integer, default 0. */
  seed?: number;
  /**
   * Start building the next batch before handing out the current one (at most one batch ahead). It pays
   * only when the consumer awaits device work (webgl / webgpu): with the cpu and wasm backends the training
   * step and the Lab conversion share the main thread, and on this project's machine it gave no gain
   * (file decoding already overlaps through the read-ahead inside each batch). Default false.
   */
  prefetch?: boolean;
  /** Called for each skipped example. */
  onSkip?: (event: SkipEvent) => void;
}

/** A {@link BatchSource} with its skip counts and the order it visits examples in. */
export interface BatchPipeline extends BatchSource {
  /** Batches per epoch: an upper bound with `'per-batch'` screening when examples are skipped; exact after an upfront screening. */
  readonly batchesPerEpoch: number | undefined;
  /** Skipped examples so far, over all epochs and screening (a prefetched batch that is never handed out still counts). */
  readonly skipped: Readonly<SkipCounts>;
  /** The source indices of `epoch` in visiting order (usable examples only, after an upfront screening). */
  epochOrder(epoch: number): Promise<Int32Array>;
  /** Run the upfront screening now (no-op for `'per-batch'` or when done). Resolves to the number of usable examples. */
  screen(): Promise<number>;
}

const TARGET_KINDS: readonly TargetKind[] = ['ab', 'bins', 'labels'];

/** Reads kept in flight while a batch is built (libuv runs 4 file/decoding threads by default). */
const READ_AHEAD = 8;

interface Resolved {
  batchSize: number;
  geometry: ExampleGeometry;
  targets: ReadonlySet<TargetKind>;
  targetSize: number;
  softEncoding: SoftEncodeConfig;
  bins: number;
  skipGray: boolean;
  grayThreshold: number;
  grayFraction: number;
  screening: ScreeningMode;
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  prefetch: boolean;
  onSkip?: (event: SkipEvent) => void;
}

function checkBoolean(key: string, v: unknown): asserts v is boolean {
  if (typeof v !== 'boolean') throw new ConfigError(key, 'true or false', describeValue(v));
}

function resolveConfig(config: BatchPipelineConfig): Resolved {
  if (config === null || typeof config !== 'object')
    throw new ConfigError('config', 'an object', describeValue(config));
  const {
    batchSize = 32,
    inputSize = 256,
    resize = 'shorter-side',
    crop = 'random',
    flip = true,
    targets = ['ab'],
    softEncoding = {},
    skipGray = true,
    grayThreshold = GRAY_CHROMA_THRESHOLD,
    grayFraction = GRAY_PIXEL_FRACTION,
    screening = 'per-batch',
    shuffle = true,
    dropLast = false,
    seed = 0,
    prefetch = false,
    onSkip,
  } = config;
  checkConfigRange('batchSize', batchSize, 1, Infinity, { integer: true });
  checkConfigRange('inputSize', inputSize, 1, Infinity, { integer: true });
  checkConfigChoice('resize', resize, ['shorter-side', 'square', 'none'] as const);
  const resizeTo = config.resizeTo ?? inputSize;
  checkConfigRange('resizeTo', resizeTo, inputSize, Infinity, { integer: true });
  checkConfigChoice('crop', crop, ['random', 'centre'] as const);
  checkBoolean('flip', flip);
  if (!Array.isArray(targets) || targets.length === 0)
    throw new ConfigError('targets', `a non-empty list of ${TARGET_KINDS.join(' | ')}`, describeValue(targets));
  targets.forEach((t, i) => checkConfigChoice(`targets[${i}]`, t, TARGET_KINDS));
  const targetSize = config.targetSize ?? inputSize;
  checkConfigRange('targetSize', targetSize, 1, Infinity, { integer: true });
  // Validates k, σ and the gamut once, with the encoder's own ConfigError messages.
  encodeSoftSparse([0, 0], softEncoding);
  checkBoolean('skipGray', skipGray);
  checkConfigRange('grayThreshold', grayThreshold, 0, Infinity);
  checkConfigRange('grayFraction', grayFraction, 0, 1, { openHigh: true });
  checkConfigChoice('screening', screening, ['per-batch', 'upfront'] as const);
  checkBoolean('shuffle', shuffle);
  checkBoolean('dropLast', dropLast);
  checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
  checkBoolean('prefetch', prefetch);
  if (onSkip !== undefined && typeof onSkip !== 'function')
    throw new ConfigError('onSkip', 'a function', describeValue(onSkip));
  return {
    batchSize,
    geometry: { resize, resizeTo, cropSize: inputSize, crop, flip },
    targets: new Set(targets),
    targetSize,
    softEncoding,
    bins: (softEncoding.gamut ?? ZHANG_GAMUT).size,
    skipGray,
    grayThreshold,
    grayFraction,
    screening,
    shuffle,
    dropLast,
    seed,
    prefetch,
    onSkip,
  };
}

/** Typed arrays of one batch, filled example by example; tensors are made only when the batch is handed out. */
interface PreparedBatch {
  index: number;
  size: number;
  input: Float32Array;
  ab?: Float32Array;
  bins?: Float32Array;
  labels?: Int32Array;
}

/**
 * Build a deterministic batch pipeline over a source.
 *
 * @param source  where examples come from (arrays, CIFAR-10, an image folder, …).
 * @param config  see {@link BatchPipelineConfig}; defaults: batch 32, input 256, shorter side → random
 *   crop, flip, targets `['ab']` at the input size, gray images skipped, shuffled, seed 0, no prefetch.
 * @returns a {@link BatchPipeline}. Each yielded {@link Batch} has `input` `[n, S, S, 1]` in [−0.5, 0.5],
 *   `targets.ab` `[n, t, t, 2]` (ab / 110), `targets.bins` `[n, t, t, Q]` (rows sum to 1),
 *   `targets.labels` `[n]` int32, as configured; the consumer owns and disposes them (`disposeBatch`).
 * @throws ConfigError naming the key on a bad config; InputError from `batches()` on a bad epoch or
 *   `startBatch`, an image smaller than the crop with `resize: 'none'`, or a missing label.
 * @example
 * const pipeline = createBatchPipeline(createCifar10Source(files), {
 *   batchSize: 64, inputSize: 32, targets: ['ab', 'labels'], seed: 7,
 * });
 * for await (const batch of pipeline.batches(epoch, { startBatch })) {
 *   trainStep(batch.input, batch.targets.ab!);
 *   disposeBatch(batch);
 * }
 */
export function createBatchPipeline(source: ExampleSource, config: BatchPipelineConfig = {}): BatchPipeline {
  if (
    source === null ||
    typeof source !== 'object' ||
    !Number.isInteger(source.size) ||
    source.size < 0 ||
    typeof source.read !== 'function'
  ) {
    throw new InputError('source', 'an ExampleSource ({ size, read(index) })', describeValue(source));
  }
  const r = resolveConfig(config);
  const skipped: SkipCounts = { gray: 0, unreadable: 0 };
  const inputPixels = r.geometry.cropSize * r.geometry.cropSize;
  const targetPixels = r.targetSize * r.targetSize;
  let usable: Int32Array | undefined;
  let screening: Promise<Int32Array> | undefined;

  const skip = (event: SkipEvent): void => {
    skipped[event.reason]++;
    r.onSkip?.(event);
  };

  const countOf = (n: number): number => (r.dropLast ? Math.floor(n / r.batchSize) : Math.ceil(n / r.batchSize));

  const screen = (): Promise<Int32Array> => {
    if (r.screening === 'per-batch') return Promise.resolve(identity(source.size));
    screening ??= (async () => {
      const keep: number[] = [];
      for await (const [index, example] of readInOrder(source, identity(source.size), 0, source.size)) {
        if (example === undefined) {
          skip({ index, reason: 'unreadable', epoch: -1 });
          continue;
        }
        if (r.skipGray) {
          const coloured = colourfulFraction(imageToLab(example.image), r.grayThreshold);
          if (coloured <= r.grayFraction) {
            skip({ index, reason: 'gray', epoch: -1, colourfulFraction: coloured });
            continue;
          }
        }
        keep.push(index);
      }
      usable = Int32Array.from(keep);
      return usable;
    })();
    // A failed pass (a source that throws) is not remembered: the next call screens again.
    screening.catch(() => {
      screening = undefined;
    });
    return screening;
  };

  const epochOrder = async (epoch: number): Promise<Int32Array> => {
    if (!Number.isInteger(epoch) || epoch < 0) throw new InputError('epoch', 'an integer ≥ 0', describeValue(epoch));
    const indices = await screen();
    if (!r.shuffle) return indices.slice();
    const permutation = shuffledIndices(indices.length, createRandom(deriveSeed(r.seed, epoch)));
    return permutation.map((p) => indices[p]);
  };

  const prepare = async (epoch: number, order: Int32Array, k: number): Promise<PreparedBatch> => {
    const from = k * r.batchSize,
      to = Math.min(from + r.batchSize, order.length);
    const capacity = to - from;
    const input = new Float32Array(capacity * inputPixels);
    const ab = r.targets.has('ab') ? new Float32Array(capacity * targetPixels * 2) : undefined;
    const bins = r.targets.has('bins') ? new Float32Array(capacity * targetPixels * r.bins) : undefined;
    const labels = r.targets.has('labels') ? new Int32Array(capacity) : undefined;
    let n = 0;
    for await (const [index, example] of readInOrder(source, order, from, to)) {
      if (example === undefined) {
        skip({ index, reason: 'unreadable', epoch });
        continue;
      }
      const lab = imageToLab(example.image);
      if (r.skipGray && r.screening === 'per-batch') {
        const coloured = colourfulFraction(lab, r.grayThreshold);
        if (coloured <= r.grayFraction) {
          skip({ index, reason: 'gray', epoch, colourfulFraction: coloured });
          continue;
        }
      }
      const crop = cropExample(lab, r.geometry, createRandom(deriveSeed(r.seed, epoch, index)));
      const inputOffset = n * inputPixels;
      for (let i = 0; i < inputPixels; i++)
        input[inputOffset + i] = (crop.lightness[i] - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE;
      if (ab !== undefined || bins !== undefined) {
        const abLab = abAtTargetSize(crop.a, crop.b, crop.size, r.targetSize);
        if (ab !== undefined) {
          const offset = n * targetPixels * 2;
          for (let i = 0; i < abLab.length; i++) ab[offset + i] = abLab[i] / AB_SCALE;
        }
        if (bins !== undefined) {
          const length = targetPixels * r.bins;
          encodeSoft(abLab, r.softEncoding, bins.subarray(n * length, (n + 1) * length));
        }
      }
      if (labels !== undefined) {
        if (!Number.isInteger(example.label) || example.label! < 0) {
          throw new InputError(
            'source',
            "an integer label ≥ 0 for every example when targets include 'labels'",
            `${describeValue(example.label)} for example ${index}`,
          );
        }
        labels[n] = example.label!;
      }
      n++;
    }
    const fit = <T extends Float32Array | Int32Array>(a: T | undefined, per: number): T | undefined =>
      a === undefined || n === capacity ? a : (a.slice(0, n * per) as T);
    return {
      index: k,
      size: n,
      input: fit(input, inputPixels)!,
      ab: fit(ab, targetPixels * 2),
      bins: fit(bins, targetPixels * r.bins),
      labels: fit(labels, 1),
    };
  };

  const toBatch = (prepared: PreparedBatch, epoch: number): Batch => {
    const { size: n } = prepared;
    const s = r.geometry.cropSize,
      t = r.targetSize;
    return {
      input: tf.tensor4d(prepared.input, [n, s, s, 1], 'float32'),
      targets: {
        ...(prepared.ab && { ab: tf.tensor4d(prepared.ab, [n, t, t, 2], 'float32') }),
        ...(prepared.bins && { bins: tf.tensor4d(prepared.bins, [n, t, t, r.bins], 'float32') }),
        ...(prepared.labels && { labels: tf.tensor1d(prepared.labels, 'int32') }),
      },
      size: n,
      epoch,
      index: prepared.index,
    };
  };

  async function* batches(epoch: number, start: BatchStart = {}): AsyncGenerator<Batch> {
    const order = await epochOrder(epoch);
    const count = countOf(order.length);
    const first = start?.startBatch ?? 0;
    if (!Number.isInteger(first) || first < 0 || first > count) {
      throw new InputError(
        'start.startBatch',
        `an integer in [0, ${count}] (batches in epoch ${epoch})`,
        describeValue(first),
      );
    }
    let pending: Promise<PreparedBatch> | undefined;
    try {
      for (let k = first; k < count; k++) {
        const current = pending ?? prepare(epoch, order, k);
        pending = undefined;
        const prepared = await current;
        // Started before the yield, so reads and encoding of batch k + 1 overlap the consumer's await points.
        if (r.prefetch && k + 1 < count) {
          pending = prepare(epoch, order, k + 1);
          // Marked handled now: a failure surfaces when the batch is awaited, not as an unhandled rejection meanwhile.
          pending.catch(() => undefined);
        }
        if (prepared.size === 0) continue;
        yield toBatch(prepared, epoch);
      }
    } finally {
      // A consumer that stops early abandons the prefetched arrays: no tensors were made for them.
      pending = undefined;
    }
  }

  return {
    get batchesPerEpoch() {
      if (r.screening === 'upfront') return usable === undefined ? undefined : countOf(usable.length);
      return countOf(source.size);
    },
    get skipped() {
      return { ...skipped };
    },
    batches,
    epochOrder,
    screen: async () => (await screen()).length,
  };
}

/**
 * The examples at `order[from … to − 1]`, in that order, with up to {@link READ_AHEAD} reads in flight:
 * file sources decode in libuv's threads while the caller converts the example before, and memory stays
 * bounded by the window, not by the batch or the source.
 */
async function* readInOrder(
  source: ExampleSource,
  order: Int32Array,
  from: number,
  to: number,
): AsyncGenerator<[number, RawExample | undefined]> {
  const window: Promise<RawExample | undefined>[] = [];
  const start = (p: number): void => {
    if (p >= to) return;
    const read = Promise.resolve().then(() => source.read(order[p]));
    // Marked handled: a failure surfaces when its turn comes, not as an unhandled rejection meanwhile.
    read.catch(() => undefined);
    window.push(read);
  };
  for (let p = from; p < Math.min(from + READ_AHEAD, to); p++) start(p);
  for (let p = from; p < to; p++) {
    const example = await window.shift()!;
    start(p + READ_AHEAD);
    yield [order[p], example];
  }
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Interleaved (a, b) pairs in Lab units at the target side, from the cropped planes. */
function abAtTargetSize(a: Float32Array, b: Float32Array, size: number, targetSize: number): Float32Array {
  const pairs = new Float32Array(2 * a.length);
  for (let i = 0; i < a.length; i++) {
    pairs[2 * i] = a[i];
    pairs[2 * i + 1] = b[i];
  }
  return targetSize === size ? pairs : resizePlane(pairs, size, size, targetSize, targetSize, { channels: 2 });
}
