/**
 * Options of `createColorizer` and of each `colorize` call, with their defaults and checks.
 */
import type { AbGamut } from '../color/bins/gamut.js';
import type { ColorHints } from '../hints/color-hint.js';
import {
  resolvePropagateHintsOptions,
  type PropagateHintsOptions,
  type ResolvedPropagateHintsOptions,
} from '../hints/propagate-hints.js';
import { DEFAULT_TEMPERATURE } from '../color/decode/decode-config.js';
import { MAX_SAMPLE_COUNT } from '../color/decode/sample-colorizations.js';
import type { ColorizationMetadata, ColorizePipeline } from './colorization-metadata.js';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import { FIT_MODES, type FitMode } from './fit-lightness.js';
import type { ModelKind } from './model-kind.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';
import type { ModelSource } from './model-source.js';
import { DECODE_METHODS, type DecodeMethod } from './decode-method.js';

/** Largest `saturation` a call accepts (a multiplier on the predicted ab). @example await colorizer.colorize(photo, { saturation: Math.min(requested, MAX_SATURATION) }); */
export const MAX_SATURATION = 4;

/**
 * Most colorings one call returns with `samples`: the sampler's own limit.
 * @example await colorizer.colorize(photo, { samples: Math.min(wanted, MAX_COLORIZE_SAMPLES) });
 */
export const MAX_COLORIZE_SAMPLES = MAX_SAMPLE_COUNT;

/** Steps of a colorization, in order; `'load'` only while `createColorizer` loads its model. @example const stage: ColorizeStage = 'predict'; */
export type ColorizeStage = 'load' | 'prepare' | 'predict' | 'decode' | 'recombine' | 'done';

/**
 * A progress report. `fraction` is the overall progress of the current image in [0, 1] (of the model
 * download for `'load'`); `index` is the image's position in a `colorizeBatch` run.
 * @example onProgress: ({ stage, fraction }) => console.log(stage, Math.round(fraction * 100) + '%')
 */
export interface ColorizeProgress {
  stage: ColorizeStage;
  fraction: number;
  index?: number;
}

/**
 * Options of `createColorizer`.
 * @example
 * const options: ColorizerOptions = { model: 'https://example.org/colorizer/model.json', inputSize: 256 };
 */
export interface ColorizerOptions {
  /** The model, or where to load it from. Default: the bundled model (see `registerBundledModel`). */
  model?: ModelSource;
  /** Override the detected {@link ModelKind}. */
  modelKind?: ModelKind;
  /**
   * The model's input size: taken from the model when it is fixed (a different value is an error);
   * used for models that accept any size, default 256 (Zhang et al. 2016).
   */
  inputSize?: number | PixelSize;
  /** The ab bins of a `'bins'` model. Default `ZHANG_GAMUT` (313 bins). */
  gamut?: AbGamut;
  /** Called while the model loads and, unless a call passes its own, during every colorization. */
  onProgress?: (progress: ColorizeProgress) => void;
  /**
   * Run an inference copy with BatchNorm folded into the convolutions and dilated convolutions as single
   * stock kernels (`foldBatchNorm` of `src/models`): same outputs up to float rounding, 0.72× the time for
   * Zhang's network at 1/4 width on wasm (measured). Skipped when there is nothing to fold. Default true.
   */
  foldBatchNorm?: boolean;
  /**
   * A model folder's `colorization.json` (see `parseColorizationMetadata`): its `decode`, `temperature`
   * and `pipeline` become the defaults of every call. `createNodeColorizer` reads it from the folder.
   */
  metadata?: ColorizationMetadata;
  /** How pictures meet the model (see {@link ColorizePipeline}). Default: the metadata's, else `'library'`. */
  pipeline?: ColorizePipeline;
}

/**
 * Options of one `colorize` call.
 * @example
 * await colorizer.colorize(photo, { decode: 'annealed-mean', temperature: 0.38, samples: 4, seed: 1 });
 */
export interface ColorizeOptions {
  /** Decoding of a `'bins'` model's distribution. Default `'annealed-mean'`. Ignored by ab models. */
  decode?: DecodeMethod;
  /** Annealed-mean (and sampling) temperature T in (0, 1]. Default {@link DEFAULT_TEMPERATURE}. */
  temperature?: number;
  /** K extra colorings drawn from the distribution (`'bins'` models only), 0…64. Default 0. */
  samples?: number;
  /** Seed of the samples; the same seed gives the same samples. Default 0. */
  seed?: number;
  /** How the picture is fitted to the model's input. Default `'squash'` (see `fit-lightness.ts`). */
  fit?: FitMode;
  /** 3 for RGB, 4 for RGBA (alpha copied from an RGBA input, else 255). Default 3. */
  channels?: 3 | 4;
  /** Also return the full-resolution Lab planes of the result. Default false. */
  returnLab?: boolean;
  /** Abort between steps; the call then rejects with `ColorizeAbortError`. */
  signal?: AbortSignal;
  /** Progress of this call (replaces the colorizer's `onProgress`). */
  onProgress?: (progress: ColorizeProgress) => void;
  /**
   * Colour hints for a hint-capable model (Zhang et al. 2017): points `[{ x, y, color }]` in the photo's own
   * pixels, or a painted hint image `{ image, mask? }` (see `ColorHints`). Without hints (or with an empty
   * list) the model colorizes on its own. A model without hint inputs refuses them (ConfigError `hints`).
   */
  hints?: ColorHints;
  /**
   * Side, in model-input pixels, of the square each hint point fills. Default: the paper's interface's 5 at a
   * 256-pixel input, scaled to the model's input (`defaultHintPointSize`).
   */
  hintPointSize?: number;
  /**
   * Spread the points' corrections over the picture along edges after the model has run (`propagateHints`,
   * Levin et al. 2004 applied to the model's residual): the points' colours then hold where they are placed and
   * reach the regions of similar lightness and predicted colour around them, whether or not the model itself
   * follows points. `false`: the model's own use of the points only; an object tunes the spreading. Default true.
   */
  hintPropagation?: boolean | PropagateHintsOptions;
  /**
   * How vivid the result is: the predicted ab (and the samples') is multiplied by this before the colours are
   * rebuilt, in [0, 4]. 0 gives the gray photo, 1 the model's own colours. Default 1.
   */
  saturation?: number;
}

/** {@link ColorizeOptions} with defaults filled in. @example const { decode, temperature } = resolveColorizeOptions({}, 'bins'); */
export interface ResolvedColorizeOptions {
  decode: DecodeMethod;
  temperature: number;
  samples: number;
  seed: number;
  fit: FitMode;
  channels: 3 | 4;
  returnLab: boolean;
  signal: AbortSignal | undefined;
  onProgress: ((progress: ColorizeProgress) => void) | undefined;
  hints: ColorHints | undefined;
  hintPointSize: number | undefined;
  /** `null` when off. */
  hintPropagation: ResolvedPropagateHintsOptions | null;
  saturation: number;
}

/**
 * Validate one call's options against the model kind and fill in the defaults.
 * @throws ConfigError naming the key, the valid values and what was received.
 * @example const o = resolveColorizeOptions({ decode: 'mode' }, 'bins');
 */
export function resolveColorizeOptions(options: ColorizeOptions, kind: ModelKind): ResolvedColorizeOptions {
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('options', 'an options object', describeValue(options));
  const {
    decode = 'annealed-mean',
    temperature = DEFAULT_TEMPERATURE,
    samples = 0,
    seed = 0,
    fit = 'squash',
    channels = 3,
    returnLab = false,
    saturation = 1,
  } = options;
  checkConfigChoice('decode', decode, DECODE_METHODS);
  checkConfigRange('temperature', temperature, 0, 1, { openLow: true });
  checkConfigRange('samples', samples, 0, MAX_COLORIZE_SAMPLES, { integer: true });
  checkConfigRange('seed', seed, -(2 ** 53), 2 ** 53, { integer: true });
  checkConfigChoice('fit', fit, FIT_MODES);
  checkConfigChoice('channels', channels, [3, 4] as const);
  if (typeof returnLab !== 'boolean') throw new ConfigError('returnLab', ['true', 'false'], describeValue(returnLab));
  checkConfigRange('saturation', saturation, 0, MAX_SATURATION);
  const { hints, hintPointSize } = options;
  if (hintPointSize !== undefined) checkConfigRange('hintPointSize', hintPointSize, 1, Infinity, { integer: true });
  const { hintPropagation: propagation = true } = options;
  if (typeof propagation !== 'boolean' && (typeof propagation !== 'object' || propagation === null)) {
    throw new ConfigError(
      'hintPropagation',
      'true, false or a PropagateHintsOptions object',
      describeValue(propagation),
    );
  }
  // The spreading options are checked here, once, not at every picture.
  const hintPropagation =
    propagation === false ? null : resolvePropagateHintsOptions(propagation === true ? {} : propagation);
  if (samples > 0 && kind !== 'bins') {
    throw new ConfigError(
      'samples',
      `0 for a '${kind}' model (sampling needs a distribution over ab bins)`,
      String(samples),
    );
  }
  const { signal, onProgress } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean')) {
    throw new ConfigError('signal', 'an AbortSignal', describeValue(signal));
  }
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new ConfigError('onProgress', 'a function', describeValue(onProgress));
  return {
    decode,
    temperature,
    samples,
    seed,
    fit,
    channels,
    returnLab,
    signal,
    onProgress,
    hints,
    hintPointSize,
    hintPropagation,
    saturation,
  };
}

/**
 * The input size to fit pictures to: the model's own when fixed, else `requested` (default 256).
 * @throws ConfigError (key `inputSize`) for a non-positive or fractional size, or one that contradicts a
 *   fixed model input.
 * @example resolveInputSize(null, 320); // { height: 320, width: 320 }
 */
export function resolveInputSize(modelSize: PixelSize | null, requested: number | PixelSize | undefined): PixelSize {
  let wanted: PixelSize | undefined;
  if (requested !== undefined) {
    wanted = typeof requested === 'number' ? { height: requested, width: requested } : requested;
    if (typeof wanted !== 'object' || wanted === null)
      throw new ConfigError('inputSize', 'a positive integer or { height, width }', describeValue(requested));
    checkConfigRange('inputSize.height', wanted.height, 1, Infinity, { integer: true });
    checkConfigRange('inputSize.width', wanted.width, 1, Infinity, { integer: true });
  }
  if (modelSize === null) return wanted ?? { height: 256, width: 256 };
  if (wanted !== undefined && (wanted.height !== modelSize.height || wanted.width !== modelSize.width)) {
    throw new ConfigError(
      'inputSize',
      `the model's fixed input size ${modelSize.height} × ${modelSize.width} (or leave it out)`,
      `${wanted.height} × ${wanted.width}`,
    );
  }
  return modelSize;
}
