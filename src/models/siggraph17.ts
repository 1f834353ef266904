/**
 * The user-guided colorization network of Zhang, Zhu, Isola, Geng, Lin, Yu & Efros 2017, "Real-Time
 * User-Guided Image Colorization with Learned Deep Priors" (SIGGRAPH), Fig. 3: the local-hints network,
 * built layer for layer as the authors' PyTorch port (`colorizers/siggraph17.py` in richzhang/colorization),
 * so the released weights (`siggraph17-df00044c.pth`) map one to one.
 *
 * Three inputs, the library's hint-capable model contract:
 * - `lightness` `[N, S, S, 1]` = (L − 50) / 100 (the port's `normalize_l`);
 * - `hint_ab` `[N, S, S, 2]` = hint ab / 110 (the port's `normalize_ab`), 0 where no hint is;
 * - `hint_mask` `[N, S, S, 1]` = 1 where a hint is, else 0. The authors trained with the mask centred
 *   (`mask − 0.5`, their `mask_cent`), and the model does that centring itself (`hint_mask_centre`).
 *
 * Two outputs, in this order: `ab` `[N, S, S, 2]` = ab / 110 through tanh (the port's `model_out`, the
 * regression branch of §3.1) and `classes` `[N, S/4, S/4, classes]` logits over the 23 × 23 = 529 cells of
 * the ab grid (the port's `model_class` on conv8_3, the classification branch that §3.1 trains alongside).
 *
 * Structure as the port: blocks 1–7 as ECCV16 (Zhang et al. 2016) but subsampled by taking every second
 * pixel (`x[:, :, ::2, ::2]`) after blocks 1–3 instead of strided convs; then three up-blocks, each a 4×4
 * stride-2 transposed conv added to a 3×3 conv of the encoder map of the same size (the shortcuts
 * conv3_3 → 8, conv2_2 → 9, conv1_2 → 10), a ReLU and convs; the last ends in LeakyReLU(0.2).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange } from '../validate.js';
import { DilatedConv2D } from './layers/dilated-conv2d.js';

/**
 * Configuration of {@link buildSiggraph17Model}. Every key is optional; defaults are the authors'.
 * @example const small: Siggraph17ModelConfig = { inputSize: 64, widthMultiplier: 0.25, seed: 1 };
 */
export interface Siggraph17ModelConfig {
  /** Side of the square inputs in pixels, a positive multiple of 8; default 256 (the port's demo size). */
  inputSize?: number;
  /** Multiplier of every hidden channel count, in (0, 4]; default 1 (64…512 channels). Channels are `max(1, round(c · widthMultiplier))`. */
  widthMultiplier?: number;
  /** Number of classes of the classification branch; default 529 (the 23 × 23 ab grid of step 10 over ±110). */
  classes?: number;
  /** Subtracted from `hint_mask` inside the model; default 0.5 (the authors' `mask_cent`). */
  maskCentre?: number;
  /** Base seed of the Glorot-uniform kernel initializers (layer i uses seed + i); unseeded when absent. */
  seed?: number;
  /** Name of the returned model; default `'zhang_siggraph17'`. */
  name?: string;
}

/**
 * The keys {@link Siggraph17ModelConfig} accepts; any other key throws `ConfigError`.
 * @example SIGGRAPH17_MODEL_CONFIG_KEYS.includes('maskCentre'); // true
 */
export const SIGGRAPH17_MODEL_CONFIG_KEYS = ['inputSize', 'widthMultiplier', 'classes', 'maskCentre', 'seed', 'name'] as const;

/**
 * {@link Siggraph17ModelConfig} with every default filled in.
 * @example const { classes } = resolveSiggraph17ModelConfig({}); // 529
 */
export type ResolvedSiggraph17ModelConfig = Required<Omit<Siggraph17ModelConfig, 'seed'>> & { seed: number | undefined };

/** Blocks 1–7: output channels of each 3×3 conv and their dilation; every block ends in BatchNorm. */
const ENCODER_BLOCKS: readonly { readonly channels: readonly number[]; readonly dilation: 1 | 2 }[] = [
  { channels: [64, 64], dilation: 1 },
  { channels: [128, 128], dilation: 1 },
  { channels: [256, 256, 256], dilation: 1 },
  { channels: [512, 512, 512], dilation: 1 },
  { channels: [512, 512, 512], dilation: 2 },
  { channels: [512, 512, 512], dilation: 2 },
  { channels: [512, 512, 512], dilation: 1 },
];

/**
 * Fill defaults into a {@link Siggraph17ModelConfig} and validate it.
 * @throws ConfigError naming the key, the valid values and what was received.
 * @example resolveSiggraph17ModelConfig({ inputSize: 64 }).maskCentre; // 0.5
 */
export function resolveSiggraph17ModelConfig(config: Siggraph17ModelConfig = {}): ResolvedSiggraph17ModelConfig {
  checkConfigKeys(config, SIGGRAPH17_MODEL_CONFIG_KEYS);
  const { inputSize = 256, widthMultiplier = 1, classes = 529, maskCentre = 0.5, seed, name = 'zhang_siggraph17' } = config;
  checkConfigRange('inputSize', inputSize, 8, Infinity, { integer: true });
  if (inputSize % 8 !== 0) throw new ConfigError('inputSize', 'a positive multiple of 8 (8, 16, …, 256, …)', describeValue(inputSize));
  checkConfigRange('widthMultiplier', widthMultiplier, 0, 4, { openLow: true });
  checkConfigRange('classes', classes, 1, Infinity, { integer: true });
  checkConfigRange('maskCentre', maskCentre, -1, 1);
  if (seed !== undefined) checkConfigRange('seed', seed, -Infinity, Infinity, { integer: true });
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('name', 'a non-empty string', describeValue(name));
  return { inputSize, widthMultiplier, classes, maskCentre, seed, name };
}

/**
 * Build the SIGGRAPH17 user-guided colorization network (Zhang et al. 2017, Fig. 3), as the authors' port.
 *
 * Layer names follow the authors' Caffe model: `conv1_1 … conv7_3`, `conv<b>_<last>norm`, the transposed
 * convs `conv8_1`, `conv9_1`, `conv10_1`, the shortcuts `conv3_3_short`, `conv2_2_short`, `conv1_2_short`,
 * `conv8_2`, `conv8_3`, `conv8_3norm`, `conv9_2`, `conv9_2norm`, `conv10_2`, the heads `conv10_ab` (tanh)
 * and `conv8_class`.
 *
 * @param config  see {@link Siggraph17ModelConfig}; validated (throws `ConfigError`).
 * @returns an uncompiled `tf.LayersModel` `[lightness, hint_ab, hint_mask]` → `[ab, classes]` (see the
 *   file comment for shapes and ranges). The caller owns it (`model.dispose()`).
 * @example
 * const model = buildSiggraph17Model({ inputSize: 64, widthMultiplier: 0.25 });
 * const [ab, classes] = model.predict([lightness, hintAb, hintMask]) as tf.Tensor4D[]; // [N,64,64,2], [N,16,16,529]
 */
export function buildSiggraph17Model(config: Siggraph17ModelConfig = {}): tfl.LayersModel {
  const { inputSize, widthMultiplier, classes, maskCentre, seed, name } = resolveSiggraph17ModelConfig(config);
  const width = (channels: number): number => Math.max(1, Math.round(channels * widthMultiplier));
  let layerIndex = 0;
  const nextSeed = () => (seed === undefined ? undefined : seed + layerIndex++);
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  const conv = (x: tfl.SymbolicTensor, filters: number, layerName: string, activation: 'relu' | 'linear' | 'tanh' = 'relu', kernelSize = 3) =>
    apply(tfl.layers.conv2d({ filters, kernelSize, padding: 'same', activation, kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }), name: layerName }), x);
  const batchNorm = (x: tfl.SymbolicTensor, layerName: string) =>
    apply(tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name: layerName }), x);
  // ConvTranspose2d(k=4, s=2, p=1) is tfjs 'same' for k=4, s=2 (output exactly 2× the input).
  const up = (x: tfl.SymbolicTensor, filters: number, layerName: string) =>
    apply(tfl.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: nextSeed() }), name: layerName }), x);
  // x[:, :, ::2, ::2]: a 1×1 pool of stride 2 keeps pixels 0, 2, 4, … in both directions.
  const subsample = (x: tfl.SymbolicTensor, layerName: string) => apply(tfl.layers.maxPooling2d({ poolSize: 1, strides: 2, padding: 'valid', name: layerName }), x);

  const lightness = tfl.input({ shape: [inputSize, inputSize, 1], name: 'lightness' });
  const hintAb = tfl.input({ shape: [inputSize, inputSize, 2], name: 'hint_ab' });
  const hintMask = tfl.input({ shape: [inputSize, inputSize, 1], name: 'hint_mask' });
  const centredMask = apply(tfl.layers.rescaling({ scale: 1, offset: -maskCentre, name: 'hint_mask_centre' }), hintMask);
  let x = apply(tfl.layers.concatenate({ axis: -1, name: 'inputs' }), [lightness, hintAb, centredMask]);

  const blockOutputs: tfl.SymbolicTensor[] = [];
  ENCODER_BLOCKS.forEach((block, b) => {
    if (b >= 1 && b <= 3) x = subsample(x, `conv${b}_${ENCODER_BLOCKS[b - 1].channels.length}sub`);
    block.channels.forEach((channels, j) => {
      const layerName = `conv${b + 1}_${j + 1}`;
      x =
        block.dilation > 1
          ? apply(new DilatedConv2D({ filters: width(channels), dilationRate: block.dilation, activation: 'relu', seed: nextSeed(), name: layerName }), x)
          : conv(x, width(channels), layerName);
    });
    x = batchNorm(x, `conv${b + 1}_${block.channels.length}norm`);
    blockOutputs.push(x);
  });
  const [conv1, conv2, conv3] = blockOutputs;
  const upBlock = (from: tfl.SymbolicTensor, shortcut: tfl.SymbolicTensor, block: number, short: string, filters: number) => {
    const sum = apply(tfl.layers.add({ name: `conv${block}_add` }), [up(from, filters, `conv${block}_1`), conv(shortcut, filters, `${short}_short`, 'linear')]);
    return apply(tfl.layers.reLU({ name: `conv${block}_relu` }), sum);
  };

  x = upBlock(x, conv3, 8, 'conv3_3', width(256));
  x = conv(x, width(256), 'conv8_2');
  x = conv(x, width(256), 'conv8_3');
  const conv8 = batchNorm(x, 'conv8_3norm');
  x = upBlock(conv8, conv2, 9, 'conv2_2', width(128));
  x = conv(x, width(128), 'conv9_2');
  x = batchNorm(x, 'conv9_2norm');
  x = upBlock(x, conv1, 10, 'conv1_2', width(128));
  x = conv(x, width(128), 'conv10_2', 'linear');
  x = apply(tfl.layers.leakyReLU({ alpha: 0.2, name: 'conv10_2_leaky' }), x);
  const ab = conv(x, 2, 'conv10_ab', 'tanh', 1);
  const classLogits = conv(conv8, classes, 'conv8_class', 'linear', 1);
  return tfl.model({ inputs: [lightness, hintAb, hintMask], outputs: [ab, classLogits], name });
}

