/**
 * What a colorization model expects and returns, read from its input and output shapes, so one
 * `createColorizer` serves every family of `src/models`:
 * - `'bins'`: logits over the Q bins of an ab gamut (Zhang et al. 2016; baseline and Larsson with
 *   `output: 'bins'`), decoded by annealed mean, mode, mean or sampling;
 * - `'ab-tanh'`: ab / 110 directly (Nazeri et al. 2018's tanh generator; baseline and Larsson with
 *   `output: 'ab'`, tanh or linear);
 * - `'ab-sigmoid'`: s ∈ [0, 1] with ab = (2s − 1) · 110 (Iizuka et al. 2016, §3.4).
 * One input is the lightness; two inputs are Iizuka's `[global, local]` (§3.2); three inputs are a
 * hint-capable model's `[lightness, hint_ab, hint_mask]` (Zhang et al. 2017, §3.1: channels 1, 2 and 1).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AbGamut } from '../color/bins/gamut.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';
import { ConfigError } from '../errors.js';
import { checkConfigChoice } from '../validate.js';

/** How a model's output becomes ab (see the file comment). @example const kind: ModelKind = 'bins'; */
export type ModelKind = 'bins' | 'ab-tanh' | 'ab-sigmoid';

/** Every {@link ModelKind}. @example const colorizer = await createColorizer({ model, modelKind: MODEL_KINDS.find((k) => k === flags.kind) }); */
export const MODEL_KINDS: readonly ModelKind[] = Object.freeze(['bins', 'ab-tanh', 'ab-sigmoid']);

/**
 * The resolved interface of a colorization model.
 * @example const { kind, localInputSize } = inspectColorizationModel(model);
 */
export interface ColorizationModelLayout {
  kind: ModelKind;
  /** Size of the lightness input the picture is fitted to; `null` when the model accepts any size. */
  localInputSize: PixelSize | null;
  /** Size of Iizuka's global input (the whole picture rescaled, §3.2); `null` for one-input models. */
  globalInputSize: PixelSize | null;
  /** Which of the model's outputs holds the colours (Iizuka's second output is class logits). */
  outputIndex: number;
  /**
   * Whether the model takes colour hints: three inputs `[lightness [N,H,W,1], hint_ab [N,H,W,2] (ab / 110),
   * hint_mask [N,H,W,1] (1 where a hint is)]`, all at the same size (Zhang et al. 2017).
   */
  acceptsHints: boolean;
}

type Shape = readonly (number | null)[];

function fixedSize(shape: Shape): PixelSize | null {
  const [, height, width] = shape;
  return typeof height === 'number' && typeof width === 'number' ? { height, width } : null;
}

function shapeText(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(', ')}]`;
}

/** Layers that move or copy values without changing them: the activation that matters is before them. */
const VALUE_PRESERVING_LAYERS = new Set([
  'UpSampling2D',
  'Reshape',
  'Dropout',
  'Cropping2D',
  'ResizeToMatch',
  'Permute',
]);

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes?: { inboundLayers?: LayerLike[] }[];
}

/** The final activation of an output, looking through upsampling, reshapes and other value-preserving layers. */
function activationOf(model: tfl.LayersModel, outputIndex: number): string | undefined {
  let layer = (model.outputs[outputIndex] as unknown as { sourceLayer?: LayerLike }).sourceLayer;
  for (let depth = 0; layer !== undefined && depth < 16; depth++) {
    if (!VALUE_PRESERVING_LAYERS.has(layer.getClassName())) {
      const activation = layer.getConfig().activation;
      return typeof activation === 'string' ? activation : undefined;
    }
    const inbound = layer.inboundNodes?.[0]?.inboundLayers;
    layer = inbound?.length === 1 ? inbound[0] : undefined;
  }
  return undefined;
}

/**
 * Read a model's layout: its lightness input(s), the output that carries colour and the {@link ModelKind}.
 * Auto-detection: an output whose last dimension equals `gamut.size` is `'bins'`; a 2-channel output is
 * `'ab-sigmoid'` when its last activation (looking through upsampling, reshape, dropout) is sigmoid, or
 * when it has none that can be read and the model has two inputs; `'ab-tanh'` otherwise.
 *
 * @param model  a model with one input `[N, H, W, 1]`, two inputs `[global, local]` (Iizuka et al.) or three
 *   inputs `[lightness, hint_ab, hint_mask]` (a hint-capable model, Zhang et al. 2017).
 * @param options  `gamut` (the bins of a `'bins'` model); `modelKind` to override detection.
 * @returns the layout.
 * @throws ConfigError (key `model` or `modelKind`) when the model is not a colorization model or does not
 *   fit the requested kind.
 * @example
 * inspectColorizationModel(buildZhangModel({ inputSize: 64, widthMultiplier: 1 / 8 }), { gamut: ZHANG_GAMUT }).kind; // 'bins'
 */
export function inspectColorizationModel(
  model: tfl.LayersModel,
  options: { gamut: AbGamut; modelKind?: ModelKind },
): ColorizationModelLayout {
  const { gamut, modelKind } = options;
  if (modelKind !== undefined) checkConfigChoice('modelKind', modelKind, MODEL_KINDS);
  const inputShapes = model.inputs.map((input) => input.shape as Shape);
  if (inputShapes.length < 1 || inputShapes.length > 3) {
    throw new ConfigError(
      'model',
      'a model with one lightness input, two ([global, local] as Iizuka et al.) or three ([lightness, hint_ab, hint_mask])',
      `${inputShapes.length} inputs`,
    );
  }
  if (inputShapes.length === 3) return inspectHintModel(model, inputShapes, gamut, modelKind);
  inputShapes.forEach((shape, i) => {
    if (shape.length !== 4 || shape[3] !== 1) {
      throw new ConfigError(
        'model',
        'lightness inputs of shape [N, H, W, 1]',
        `input ${i} of shape ${shapeText(shape)}`,
      );
    }
  });
  const local = inputShapes[inputShapes.length - 1];
  const global = inputShapes.length === 2 ? inputShapes[0] : null;
  const globalInputSize = global === null ? null : fixedSize(global);
  if (global !== null && globalInputSize === null) {
    throw new ConfigError('model', 'a fixed-size global input (the first of two inputs)', `shape ${shapeText(global)}`);
  }

  // Without a readable activation, two inputs mean Iizuka et al.'s sigmoid chrominance.
  const { kind, outputIndex } = readOutput(model, gamut, modelKind, global !== null);
  return { kind, localInputSize: fixedSize(local), globalInputSize, outputIndex, acceptsHints: false };
}

/** The colour output and its kind; `sigmoidByDefault` decides a 2-channel output with no readable activation. */
function readOutput(
  model: tfl.LayersModel,
  gamut: AbGamut,
  modelKind: ModelKind | undefined,
  sigmoidByDefault: boolean,
): { kind: ModelKind; outputIndex: number } {
  const outputShapes = model.outputs.map((output) => output.shape as Shape);
  const outputIndex = outputShapes.findIndex((s) => s.length === 4 && (s[3] === 2 || s[3] === gamut.size));
  if (outputIndex < 0) {
    throw new ConfigError(
      'model',
      `an output of shape [N, h, w, 2] (ab) or [N, h, w, ${gamut.size}] (the gamut's bins)`,
      `outputs ${outputShapes.map(shapeText).join(', ')}`,
    );
  }
  const channels = outputShapes[outputIndex][3];
  const activation = channels === gamut.size ? undefined : activationOf(model, outputIndex);
  const sigmoid = activation === 'sigmoid' || (activation === undefined && sigmoidByDefault);
  const detected: ModelKind = channels === gamut.size ? 'bins' : sigmoid ? 'ab-sigmoid' : 'ab-tanh';
  const kind = modelKind ?? detected;
  if ((kind === 'bins') !== (channels === gamut.size)) {
    const expected =
      kind === 'bins'
        ? `an output with ${gamut.size} channels (gamut size) for 'bins'`
        : `an output with 2 channels for '${kind}'`;
    throw new ConfigError(
      'modelKind',
      expected,
      `'${kind}' for output ${outputIndex} of shape ${shapeText(outputShapes[outputIndex])}`,
    );
  }
  return { kind, outputIndex };
}

/** The three inputs of a hint-capable model: channels 1, 2, 1 and one spatial size. */
const HINT_INPUT_CHANNELS = [1, 2, 1] as const;
const HINT_INPUT_NAMES = ['lightness', 'hint_ab', 'hint_mask'] as const;

function inspectHintModel(
  model: tfl.LayersModel,
  inputShapes: Shape[],
  gamut: AbGamut,
  modelKind: ModelKind | undefined,
): ColorizationModelLayout {
  inputShapes.forEach((shape, i) => {
    if (shape.length !== 4 || shape[3] !== HINT_INPUT_CHANNELS[i]) {
      throw new ConfigError(
        'model',
        'three inputs [lightness [N, H, W, 1], hint_ab [N, H, W, 2], hint_mask [N, H, W, 1]] (a hint-capable model)',
        `input ${i} (${HINT_INPUT_NAMES[i]}) of shape ${shapeText(shape)}`,
      );
    }
  });
  const [lightness, ...hintShapes] = inputShapes;
  for (const shape of hintShapes) {
    if (shape[1] !== lightness[1] || shape[2] !== lightness[2]) {
      throw new ConfigError(
        'model',
        "hint inputs of the lightness input's size",
        `inputs of shapes ${inputShapes.map(shapeText).join(', ')}`,
      );
    }
  }
  // The contract's ab output is ab / 110, tanh in the SIGGRAPH17 network; a sigmoid is still read as one.
  const { kind, outputIndex } = readOutput(model, gamut, modelKind, false);
  return { kind, localInputSize: fixedSize(lightness), globalInputSize: null, outputIndex, acceptsHints: true };
}
