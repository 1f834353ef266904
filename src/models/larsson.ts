/**
 * Hypercolumn colorization after Larsson, Maire, Shakhnarovich 2016, "Learning Representations for
 * Automatic Colorization" (ECCV): for every output pixel, the activations of several layers of a
 * pre-trained network at that pixel (a hypercolumn; Hariharan et al. 2015), upsampled bilinearly and
 * concatenated with the input lightness, go through fully connected per-pixel layers to a colour
 * prediction.
 *
 * Differences from the paper, by design: any backbone `tf.LayersModel` can be tapped (the paper uses
 * VGG-16); the hidden widths default to [256] instead of the paper's 1024 so it trains on a laptop;
 * the hypercolumns are computed densely on a regular grid (input/`outputStride`) rather than on the
 * paper's random sparse pixel samples; and the `'bins'` head predicts logits over Zhang et al. 2016's
 * Q ab bins. Larsson's own output (separate hue and chroma histograms) is out of scope.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { createRandom } from '../random.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import { AB_ACTIVATIONS, COLORIZATION_OUTPUTS, type AbActivation, type ColorizationOutput } from './baseline.js';
import { copyBackboneFeatures } from './copy-backbone.js';
import { ResizeToMatch } from './layers/resize-to-match.js';

/**
 * Configuration of {@link buildLarssonModel} (Larsson, Maire, Shakhnarovich 2016, "Learning Representations
 * for Automatic Colorization", ECCV: hypercolumns of a backbone + a per-pixel head). `backbone` and
 * `layerNames` are required.
 * @example
 * const model = buildLarssonModel({
 *   backbone: buildResNet18({ inputChannels: 1, inputSize: 64, stem: 'small' }),
 *   layerNames: ['stage1_block2_out', 'stage2_block2_out', 'stage3_block2_out'],
 *   hiddenWidths: [1024], // the paper's width
 *   outputStride: 4,
 * });
 */
export interface LarssonConfig {
  /** Any functional `tf.LayersModel` with one image input `[N, H, W, C]`; its weights are copied, it is left untouched. */
  backbone: tfl.LayersModel;
  /** Names of backbone layers with 4-D outputs whose activations form the hypercolumn; at least one. */
  layerNames: readonly string[];
  /** Widths of the hidden per-pixel (1×1 conv + ReLU) layers. Default [256]; the paper uses [1024]. */
  hiddenWidths?: readonly number[];
  /** `'ab'`: `[N, h, w, 2]` ab / 110, trained with MSE; `'bins'`: `[N, h, w, bins]` logits, trained with softmax cross-entropy. Default `'ab'`. */
  output?: ColorizationOutput;
  /** Number of ab bins Q for `output: 'bins'`. Default 313 (Zhang et al. 2016). */
  bins?: number;
  /** Output side = input side / outputStride (rounded up); a positive integer. Default 4; 1 for full resolution. */
  outputStride?: number;
  /** Append the input (lightness) itself to the hypercolumn, as the paper does. Default true. */
  includeInput?: boolean;
  /** `'tanh'` (default, keeps ab / 110 inside (−1, 1) like every sRGB colour) or `'linear'`, for `output: 'ab'`. */
  abActivation?: AbActivation;
  /**
   * Mark every backbone layer non-trainable, its BatchNorm layers using their moving statistics even in
   * training. Default false (the paper fine-tunes the whole network).
   */
  freezeBackbone?: boolean;
  /** Seed of the per-pixel layers' initializers; unseeded when absent. */
  seed?: number;
}

/** Defaults of the optional keys of {@link LarssonConfig}. @example buildLarssonModel({ backbone, layerNames, hiddenWidths: [...LARSSON_DEFAULTS.hiddenWidths, 128] }); */
export const LARSSON_DEFAULTS = {
  hiddenWidths: [256] as readonly number[],
  output: 'ab' as ColorizationOutput,
  bins: 313,
  outputStride: 4,
  includeInput: true,
  abActivation: 'tanh' as AbActivation,
  freezeBackbone: false,
} as const;

function checkBoolean(key: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ConfigError(key, ['true', 'false'], describeValue(value));
}

const LARSSON_CONFIG_KEYS = configKeys<LarssonConfig>({
  backbone: true, layerNames: true, hiddenWidths: true, output: true, bins: true, outputStride: true,
  includeInput: true, abActivation: true, freezeBackbone: true, seed: true,
});

/**
 * Build a hypercolumn colorization model (Larsson et al. 2016, method section: hypercolumns + per-pixel layers).
 *
 * Graph: input → backbone copy; each named layer's output → bilinear resize (half-pixel centres) to
 * `ceil(H / outputStride) × ceil(W / outputStride)` (`hypercolumn_resize{i}`); the input resized the same
 * way (`hypercolumn_input`, when `includeInput`); concatenation (`hypercolumn`); per-pixel layers
 * `pixel_fc{i}` (1×1 conv) + `pixel_relu{i}`; `head_out` (1×1 conv to 2 or Q); output layer `ab`
 * (tanh/linear) or `logits`.
 *
 * Parameters: the backbone's, plus per hidden layer (in + 1)·width where in is the previous width
 * (the first: the sum of the tapped layers' channels, + input channels), plus (last + 1)·(2 or Q).
 *
 * @param config  see {@link LarssonConfig}.
 * @returns an uncompiled `tf.LayersModel` `[N, H, W, C]` → `[N, H/outputStride, W/outputStride, 2 | Q]`; caller owns it.
 * @throws ConfigError for an unknown layer name (listing the backbone's layers), a layer without a 4-D
 *   output, an input size not divisible by `outputStride`, or any invalid key.
 * @example
 * const backbone = buildResNet18({ inputChannels: 1, inputSize: 64, classes: 200, stem: 'small' });
 * const model = buildLarssonModel({ backbone, layerNames: ['stage1_block2_out', 'stage2_block2_out', 'stage3_block2_out'] });
 */
export function buildLarssonModel(config: LarssonConfig): tfl.LayersModel {
  checkConfigKeys(config, LARSSON_CONFIG_KEYS);
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as LarssonConfig;
  const c = { ...LARSSON_DEFAULTS, ...given };
  if (!(c.backbone instanceof tfl.LayersModel)) throw new ConfigError('backbone', 'a tf.LayersModel', describeValue(c.backbone));
  if (c.backbone.inputs.length !== 1) throw new ConfigError('backbone', 'a model with one input', `${c.backbone.inputs.length} inputs`);
  if (!Array.isArray(c.layerNames) || c.layerNames.length === 0) {
    throw new ConfigError('layerNames', 'a non-empty array of layer names', describeValue(c.layerNames));
  }
  if (!Array.isArray(c.hiddenWidths)) throw new ConfigError('hiddenWidths', 'an array of positive integers (may be empty)', describeValue(c.hiddenWidths));
  c.hiddenWidths.forEach((w, i) => checkConfigRange(`hiddenWidths[${i}]`, w, 1, Infinity, { integer: true }));
  checkConfigChoice('output', c.output, COLORIZATION_OUTPUTS);
  checkConfigRange('bins', c.bins, 2, Infinity, { integer: true });
  checkConfigRange('outputStride', c.outputStride, 1, Infinity, { integer: true });
  checkBoolean('includeInput', c.includeInput);
  checkBoolean('freezeBackbone', c.freezeBackbone);
  checkConfigChoice('abActivation', c.abActivation, AB_ACTIVATIONS);
  if (c.seed !== undefined) checkConfigRange('seed', c.seed, -Infinity, Infinity, { integer: true });

  const input = c.backbone.inputs[0];
  const [, height, width] = input.shape;
  for (const [axis, size] of [['height', height], ['width', width]] as const) {
    if (size != null && size % c.outputStride !== 0) {
      throw new ConfigError('outputStride', `a divisor of the backbone's input ${axis} ${size}`, describeValue(c.outputStride));
    }
  }
  const features = copyBackboneFeatures(c.backbone, c.layerNames, { freeze: c.freezeBackbone });
  const image = features.inputs[0];
  const rng = c.seed === undefined ? null : createRandom(c.seed);

  const columns = features.outputs.map(
    (feature, i) => new ResizeToMatch({ stride: c.outputStride, name: `hypercolumn_resize${i + 1}` }).apply([feature, image]) as tfl.SymbolicTensor,
  );
  if (c.includeInput) {
    columns.push(new ResizeToMatch({ stride: c.outputStride, name: 'hypercolumn_input' }).apply([image, image]) as tfl.SymbolicTensor);
  }
  let x = columns.length === 1 ? columns[0] : (tfl.layers.concatenate({ axis: -1, name: 'hypercolumn' }).apply(columns) as tfl.SymbolicTensor);
  c.hiddenWidths.forEach((filters, i) => {
    x = tfl.layers
      .conv2d({ filters, kernelSize: 1, kernelInitializer: tfl.initializers.heNormal({ seed: rng?.int(2 ** 31) }), name: `pixel_fc${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `pixel_relu${i + 1}` }).apply(x) as tfl.SymbolicTensor;
  });
  const channels = c.output === 'ab' ? 2 : c.bins;
  x = tfl.layers
    .conv2d({ filters: channels, kernelSize: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: rng?.int(2 ** 31) }), name: 'head_out' })
    .apply(x) as tfl.SymbolicTensor;
  const activation = c.output === 'ab' ? c.abActivation : 'linear';
  const output = tfl.layers.activation({ activation, name: c.output === 'ab' ? 'ab' : 'logits' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: image, outputs: output, name: `larsson_${c.output}` });
}
