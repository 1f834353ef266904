/**
 * The main job: a gray (or colour, or sepia) photo in, a plausible colour photo out, at full resolution
 * with the input's lightness kept exactly. Shaped like transformers.js's `pipeline` and UpscalerJS:
 * a factory that loads once, a `colorize` call per image, `dispose()` at the end.
 *
 * Data flow (docs/colorize.md, "What happens to a picture"): input → full-size L → fitted to the model's input
 * → model → ab at the model's output size (decoded from bins, or read directly) → bilinear upsampling
 * to full size → joined with the full-size L → sRGB. Only the Lab conversion and the upsampling touch
 * full-resolution pixels, so the model's cost does not grow with the photo.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AB_SCALE } from '../color/lab/constants.js';
import { decodeAnnealedMeanUnchecked } from '../color/decode/decode-annealed-mean.js';
import { decodeModeUnchecked } from '../color/decode/decode-mode.js';
import { ZHANG_GAMUT, type AbGamut } from '../color/bins/gamut.js';
import type { ImageLike, LabPlanes } from '../color/image/image.js';
import { toImageLike, type ImageInput } from '../color/image/image-adapters.js';
import { recombineLab, type AbImage } from '../color/image/image-recombine.js';
import { grayToLightness, rgbToLab } from '../color/lab/lab.js';
import { COLORIZER_SAMPLE_WINDOW, sampleColorizationsUnchecked } from '../color/decode/sample-colorizations.js';
import { ColorizationError, ConfigError, InputError, describeValue } from '../errors.js';
import { encodeHints, type HintPlanes } from '../hints/encode-hints.js';
import { poolHintPlanes, poolPlane, propagateHintsUnchecked } from '../hints/propagate-hints.js';
import { LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../color/lab/constants.js';
import { checkConfigChoice } from '../validate.js';
import { foldBatchNorm, planBatchNormFolds } from '../models/fold-batch-norm.js';
import { throwIfColorizeAborted } from './colorize-abort.js';
import { COLORIZE_PIPELINES, parseColorizationMetadata } from './colorization-metadata.js';
import {
  resolveColorizeOptions,
  resolveInputSize,
  type ColorizeOptions,
  type ColorizerOptions,
  type ColorizeStage,
  type ResolvedColorizeOptions,
} from './colorize-options.js';
import { cropToContent, fitLightness, type FittedLightness } from './fit-lightness.js';
import { inspectColorizationModel, type ColorizationModelLayout } from './model-kind.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';
import { loadModelSource } from './model-source.js';
import { upsampleAbToInput, zhangDemoLightness } from './zhang-demo-pipeline.js';

/**
 * An 8-bit picture returned by a colorizer: `data` is a fresh `Uint8ClampedArray` (0–255, interleaved RGB or
 * RGBA, width × height × channels values) on its own `ArrayBuffer`, which is what the DOM's `ImageData`
 * takes (TypeScript ≥ 5.7 types it `Uint8ClampedArray<ArrayBuffer>`), so no cast is needed in a browser.
 * @example
 * const { rgb } = await colorizer.colorize(context.getImageData(0, 0, width, height), { channels: 4 });
 * context.putImageData(new ImageData(rgb.data, rgb.width, rgb.height), 0, 0);
 */
export type ColorizedImage = ImageLike & { data: Uint8ClampedArray<ArrayBuffer>; channels: 3 | 4 };

/**
 * What `colorize` returns.
 * @example const { rgb, samples } = await colorizer.colorize(photo, { samples: 3 });
 */
export interface ColorizeResult {
  /** Full-resolution RGB (or RGBA), 0–255. Its lightness is the input's, up to gamut clipping and rounding. */
  rgb: ColorizedImage;
  /** With `returnLab`: full-size planes; `lightness` is bit-identical to `imageToLab(input).lightness`. */
  lab?: LabPlanes;
  /** With `samples: K`: K further colorings drawn from the predicted distribution, full resolution. */
  samples?: ColorizedImage[];
}

/**
 * A loaded colorization model, ready to colorize pictures one after the other.
 * @example
 * const colorizer = await createColorizer({ model });
 * const { rgb } = await colorizer.colorize({ data: gray, width, height, channels: 1 });
 * colorizer.dispose();
 */
export interface Colorizer {
  /**
   * The model that runs: an inference copy with BatchNorm folded (owned by the colorizer) when
   * `foldBatchNorm` found something to fold, else the model given or loaded (owned by the colorizer only
   * when it loaded it).
   */
  readonly model: tfl.LayersModel;
  /** How the model's inputs and outputs are read (kind, input sizes, colour output). */
  readonly layout: ColorizationModelLayout;
  /** The size pictures are fitted to before the model sees them. */
  readonly inputSize: PixelSize;
  /** The ab bins of a `'bins'` model. */
  readonly gamut: AbGamut;
  /**
   * Colorize one picture.
   * @param input  any {@link ImageInput}: gray, RGB or RGBA bytes (0–255) or floats (0–1), ImageData-like,
   *   ndarray, `tf.Tensor3D/4D` (not disposed). Colour and sepia inputs keep only their lightness.
   * @throws InputError for an unreadable input; ConfigError for bad options; ColorizeAbortError on abort.
   */
  colorize(input: ImageInput, options?: ColorizeOptions): Promise<ColorizeResult>;
  /**
   * Colorize many pictures one at a time: the next input is pulled only after the previous result was
   * taken, so memory holds one picture at a time whatever the number of inputs (feed an async generator
   * that decodes files lazily). Stops at the first error.
   */
  colorizeBatch(
    inputs: Iterable<ImageInput> | AsyncIterable<ImageInput>,
    options?: ColorizeOptions,
  ): AsyncGenerator<ColorizeResult, void, undefined>;
  /** Free the model if the colorizer loaded it; later calls throw. Idempotent. */
  dispose(): void;
}

/** Pixels converted per step for colour input: the a and b of one block are scratch, never a full plane. */
const LIGHTNESS_BLOCK = 1 << 16;

/**
 * Full-size lightness of a checked picture; colour (and sepia) chroma is dropped. Colour input is converted in
 * blocks through a small scratch buffer, so a 50 MP photo needs 4 bytes per pixel here, not the 12 of full
 * Lab planes; each pixel's L is computed exactly as `imageToLab` computes it.
 */
function lightnessOf(image: ImageLike): Pick<LabPlanes, 'lightness' | 'width' | 'height'> {
  const { width, height, channels, data } = image;
  if (channels === 1) return { lightness: grayToLightness(data), width, height };
  const n = width * height;
  const lightness = new Float32Array(n);
  const scratch = new Float32Array(3 * Math.min(n, LIGHTNESS_BLOCK));
  for (let start = 0; start < n; start += LIGHTNESS_BLOCK) {
    const count = Math.min(LIGHTNESS_BLOCK, n - start);
    const block = scratch.subarray(0, 3 * count);
    rgbToLab(data.subarray(start * channels, (start + count) * channels), {
      channels,
      outLayout: 'planar',
      out: block,
    });
    lightness.set(block.subarray(0, count), start);
  }
  return { lightness, width, height };
}

function copyAlpha(rgba: Uint8ClampedArray, image: ImageLike): void {
  if (image.channels !== 4) return;
  const { data } = image;
  const scale = data instanceof Float32Array ? 255 : 1;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = data[i] * scale;
}

/**
 * An inference copy with BatchNorm folded, or `undefined` when there is nothing to fold or the model has
 * a structure the folding does not handle (then the model runs as it is: folding is only an optimization).
 */
function foldedCopy(model: tfl.LayersModel): tfl.LayersModel | undefined {
  try {
    const plan = planBatchNormFolds(model);
    if (plan.folds.length === 0 && plan.directDilatedConvs.length === 0) return undefined;
    return foldBatchNorm(model);
  } catch {
    return undefined;
  }
}

/**
 * Load a colorization model and return a {@link Colorizer}.
 *
 * The model kind is detected from the output shape (`'bins'` when the last dimension equals the gamut
 * size, otherwise ab through tanh or sigmoid) and Iizuka et al.'s `[global, local]` models from their two
 * inputs; see `inspectColorizationModel`.
 *
 * @param options  `model` (a `tf.LayersModel`, a model.json URL, an IOHandler or model artifacts; default
 *   the bundled model), `modelKind`, `inputSize` (fixed models: their own; others default 256), `gamut`
 *   (default `ZHANG_GAMUT`), `onProgress`, `foldBatchNorm` (default true), `metadata` (a folder's
 *   `colorization.json`: default decoding and pipeline), `pipeline`.
 * @returns a colorizer; `dispose()` it when done.
 * @throws ConfigError for a bad option, a model that is not a colorization model, or no model when no
 *   bundled model is registered.
 * @example
 * const model = buildZhangModel({ inputSize: 64, widthMultiplier: 1 / 8 });
 * const colorizer = await createColorizer({ model });
 * const { rgb, samples } = await colorizer.colorize(grayPhoto, { samples: 4, seed: 7 });
 * colorizer.dispose();
 */
export async function createColorizer(options: ColorizerOptions = {}): Promise<Colorizer> {
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('options', 'an options object', describeValue(options));
  const gamut = options.gamut ?? ZHANG_GAMUT;
  if (
    typeof gamut !== 'object' ||
    gamut === null ||
    !(gamut.centres instanceof Float32Array) ||
    gamut.centres.length !== 2 * gamut.size
  ) {
    throw new ConfigError('gamut', 'an AbGamut (createGamut, deriveGamut or ZHANG_GAMUT)', describeValue(gamut));
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    throw new ConfigError('onProgress', 'a function', describeValue(options.onProgress));
  if (options.foldBatchNorm !== undefined && typeof options.foldBatchNorm !== 'boolean') {
    throw new ConfigError('foldBatchNorm', ['true', 'false'], describeValue(options.foldBatchNorm));
  }
  const metadata = options.metadata === undefined ? undefined : parseColorizationMetadata(options.metadata);
  const pipeline = options.pipeline ?? metadata?.pipeline ?? 'library';
  checkConfigChoice('pipeline', pipeline, COLORIZE_PIPELINES);
  // The folder's decoding is the default of every call; a call's own options still win.
  const callDefaults = Object.fromEntries(
    Object.entries({ decode: metadata?.decode, temperature: metadata?.temperature }).filter(([, v]) => v !== undefined),
  );
  const defaultProgress = options.onProgress;
  const loaded = await loadModelSource(
    options.model,
    defaultProgress ? (fraction) => defaultProgress({ stage: 'load', fraction }) : undefined,
  );
  let model = loaded.model;
  let owned = loaded.owned;
  let layout: ColorizationModelLayout;
  let inputSize: PixelSize;
  try {
    layout = inspectColorizationModel(model, { gamut, modelKind: options.modelKind });
    inputSize = resolveInputSize(layout.localInputSize, options.inputSize);
  } catch (e) {
    if (owned) model.dispose();
    throw e;
  }
  if (options.foldBatchNorm ?? true) {
    const folded = foldedCopy(model);
    if (folded !== undefined) {
      if (owned) model.dispose();
      model = folded;
      owned = true;
    }
  }
  let disposed = false;

  /** Run the model and decode: the main ab and the samples, in Lab units at the model's output size. */
  const predict = async (
    local: FittedLightness,
    global: FittedLightness | null,
    hints: HintPlanes | null,
    o: ResolvedColorizeOptions,
    report: (stage: ColorizeStage, fraction: number) => void,
  ): Promise<AbImage[]> => {
    const tensors = tf.tidy(() => {
      const { height, width } = local.size;
      const localInput = tf.tensor4d(local.data, [1, height, width, 1]);
      let inputs: tf.Tensor4D | tf.Tensor4D[] = localInput;
      if (global !== null)
        inputs = [tf.tensor4d(global.data, [1, global.size.height, global.size.width, 1]), localInput];
      // A hint-capable model always gets its hint planes: all zeros when the call has no hints.
      if (layout.acceptsHints) {
        inputs =
          hints === null
            ? [localInput, tf.zeros([1, height, width, 2]), tf.zeros([1, height, width, 1])]
            : [
                localInput,
                tf.tensor4d(hints.ab, [1, height, width, 2]),
                tf.tensor4d(hints.mask, [1, height, width, 1]),
              ];
      }
      let raw: tf.Tensor | tf.Tensor[];
      try {
        raw = model.predict(inputs);
      } catch (e) {
        // e.g. an any-size model given a size it cannot divide (Iizuka's local net needs multiples of 8).
        throw new ColorizationError(
          `the model failed on a ${local.size.height} × ${local.size.width} input (${(e as Error).message}); check inputSize`,
        );
      }
      const output = (Array.isArray(raw) ? raw[layout.outputIndex] : raw) as tf.Tensor4D;
      // Saturation scales the chroma the model predicts; lightness is untouched (it comes from the photo).
      const saturate = (ab: tf.Tensor4D): tf.Tensor4D =>
        o.saturation === 1 ? ab : (tf.mul(ab, o.saturation) as tf.Tensor4D);
      if (layout.kind === 'ab-tanh') return [saturate(tf.mul(output, AB_SCALE) as tf.Tensor4D)];
      // Iizuka et al. 2016, §3.4: chrominance in [0, 1] over the ab range, ab = (2s − 1) · 110.
      if (layout.kind === 'ab-sigmoid')
        return [saturate(tf.mul(tf.sub(tf.mul(output, 2), 1), AB_SCALE) as tf.Tensor4D)];
      // Options were checked once (resolveColorizeOptions) and the layout against the gamut: the unchecked cores.
      const main =
        o.decode === 'mode'
          ? decodeModeUnchecked(output, gamut)
          : decodeAnnealedMeanUnchecked(output, gamut, 'logits', o.decode === 'mean' ? 1 : o.temperature);
      // The logits stay alive past this tidy only when samples are drawn from them (below, without blocking).
      return o.samples > 0 ? [saturate(main), output] : [saturate(main)];
    });
    try {
      if (layout.kind === 'bins' && o.samples > 0) {
        const logits = tensors.pop()!;
        try {
          const sampling = {
            gamut,
            input: 'logits',
            temperature: o.temperature,
            count: o.samples,
            seed: o.seed,
            correlationLength: undefined,
            window: COLORIZER_SAMPLE_WINDOW,
          } as const;
          const drawn = await sampleColorizationsUnchecked(logits, sampling);
          // The samples get the same saturation as the main colouring.
          tensors.push(
            ...(o.saturation === 1
              ? drawn
              : drawn.map((ab) => {
                  const scaled = tf.mul(ab, o.saturation) as tf.Tensor4D;
                  ab.dispose();
                  return scaled;
                })),
          );
        } finally {
          logits.dispose();
        }
      }
      report('decode', 0.6);
      const images: AbImage[] = [];
      for (const t of tensors) {
        const [, height, width] = t.shape;
        // data() rather than dataSync(): GPU backends read back without blocking the page.
        images.push({ data: (await t.data()) as Float32Array, width, height });
      }
      const spreading = o.hintPropagation;
      if (hints === null || spreading === null) return images;
      // The points' corrections spread along edges on the model's output grid, for the main colouring and each
      // sample (options resolved once per call; the planes are built here, so the unchecked core).
      const grid = { height: images[0].height, width: images[0].width };
      const lightness = poolPlane(local.data, local.size, grid).map((v) => v * LIGHTNESS_SCALE + LIGHTNESS_CENTRE);
      const pooled = poolHintPlanes(hints, grid);
      return images.map((image) => ({
        ...image,
        data: propagateHintsUnchecked({ ...grid, lightness, ab: image.data, ...pooled }, spreading),
      }));
    } finally {
      for (const t of tensors) t.dispose();
    }
  };

  const colorize = async (
    input: ImageInput,
    callOptions: ColorizeOptions = {},
    index?: number,
  ): Promise<ColorizeResult> => {
    if (disposed) throw new ColorizationError('colorize: this colorizer has been disposed; create a new one');
    const given =
      typeof callOptions === 'object' && callOptions !== null
        ? Object.fromEntries(Object.entries(callOptions).filter(([, v]) => v !== undefined))
        : callOptions;
    const o = resolveColorizeOptions(
      typeof given === 'object' && given !== null ? { ...callDefaults, ...given } : given,
      layout.kind,
    );
    const hasHints = o.hints !== undefined && !(Array.isArray(o.hints) && o.hints.length === 0);
    if (hasHints && !layout.acceptsHints) {
      throw new ConfigError(
        'hints',
        'no hints for this model (hints need a hint-capable model: inputs [lightness, hint_ab, hint_mask])',
        `hints for a model with ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'}`,
      );
    }
    const progress = o.onProgress ?? defaultProgress;
    const report = (stage: ColorizeStage, fraction: number) => {
      // Once the result exists, an abort no longer saves any work.
      if (stage !== 'done') throwIfColorizeAborted(o.signal);
      progress?.(index === undefined ? { stage, fraction } : { stage, fraction, index });
    };
    report('prepare', 0);
    const image = toImageLike(input, 'input');
    const lightness = lightnessOf(image);
    const local =
      pipeline === 'zhang-demo' ? zhangDemoLightness(image, inputSize) : fitLightness(lightness, inputSize, o.fit);
    const global = layout.globalInputSize === null ? null : fitLightness(lightness, layout.globalInputSize, 'squash');
    const hints =
      o.hints === undefined || !layout.acceptsHints
        ? null
        : encodeHints(o.hints, {
            photo: { width: image.width, height: image.height },
            size: local.size,
            content: local.content,
            pointSize: o.hintPointSize,
          });
    report('predict', 0.2);
    const [main, ...sampleAbs] = await predict(local, global, hints, o, report);
    report('recombine', 0.8);
    const finish = (ab: AbImage, returnLab: boolean) => {
      const low = pipeline === 'zhang-demo' ? upsampleAbToInput(ab, inputSize) : cropToContent(ab, local);
      const { image: rgb, lab } = recombineLab(lightness, low, { channels: o.channels, returnLab });
      if (o.channels === 4) copyAlpha(rgb.data, image);
      // recombineLab without `out` allocates the pixels, so they sit on their own ArrayBuffer.
      return { rgb: rgb as ColorizedImage, lab };
    };
    const first = finish(main, o.returnLab);
    const result: ColorizeResult = { rgb: first.rgb };
    if (o.returnLab) result.lab = first.lab;
    if (o.samples > 0) result.samples = sampleAbs.map((ab) => finish(ab, false).rgb);
    report('done', 1);
    return result;
  };

  async function* colorizeBatch(
    inputs: Iterable<ImageInput> | AsyncIterable<ImageInput>,
    callOptions: ColorizeOptions = {},
  ): AsyncGenerator<ColorizeResult, void, undefined> {
    const iterable = inputs as Partial<Iterable<ImageInput> & AsyncIterable<ImageInput>> | null;
    if (typeof iterable?.[Symbol.asyncIterator] !== 'function' && typeof iterable?.[Symbol.iterator] !== 'function') {
      throw new InputError('inputs', 'an iterable or async iterable of images', describeValue(inputs));
    }
    let index = 0;
    for await (const input of inputs) {
      throwIfColorizeAborted(callOptions.signal);
      yield await colorize(input, callOptions, index++);
    }
  }

  return {
    model,
    layout,
    inputSize,
    gamut,
    colorize: (input, callOptions) => colorize(input, callOptions),
    colorizeBatch,
    dispose() {
      if (disposed) return;
      disposed = true;
      if (owned) model.dispose();
    },
  };
}
