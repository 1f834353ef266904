/**
 * Map a TensorFlow Lite MobileNetV2 classifier (the slim `mobilenet_v2_1.0_224_quant.tflite` layout: 52
 * convolutions with batch normalization folded in, then a 1×1 convolution or fully connected classifier)
 * onto the layers of {@link buildMobileNetV2}, checking the graph and every tensor's shape on the way.
 *
 * Layouts: TFLite stores convolution kernels `[out, kh, kw, in]` and depthwise kernels `[1, kh, kw, C]`;
 * tfjs wants `[kh, kw, in, out]` and `[kh, kw, C, 1]`; the classifier becomes a dense `[in, out]` kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TfliteFormatError } from '../../errors.js';
import {
  buildMobileNetV2,
  mobileNetV2WeightLayers,
  type MobileNetV2Config,
  type MobileNetV2WeightLayer,
} from '../../models/mobilenet-v2.js';
import { dequantizeTfliteTensor } from './dequantize-tflite-tensor.js';
import { readTfliteModel, type TfliteModel, type TfliteOperator, type TfliteTensor } from './read-tflite-model.js';

/**
 * One float weight of a tfjs layer, with the TFLite tensor it came from.
 * @example
 * const w: MobileNetV2TfliteWeight = weights.layers[0].kernel; // Conv/kernel [3, 3, 3, 32]
 */
export interface MobileNetV2TfliteWeight {
  /** tfjs weight name (`'Conv/kernel'`, `'Conv/bias'`, `'expanded_conv_depthwise/depthwise_kernel'`, …). */
  readonly name: string;
  /** Shape in tfjs layout. */
  readonly shape: readonly number[];
  /** Float values in tfjs layout, row-major. */
  readonly values: Float32Array;
  /** The TFLite tensor they came from (name, type and quantization, for provenance and re-encoding). */
  readonly source: TfliteTensor;
  /**
   * For each element of `values`, the element of `source` it came from (the layout permutation), so a
   * converter can re-encode the original integers without rounding.
   */
  readonly sourceIndex: Int32Array;
}

/** The float weights of one layer of {@link buildMobileNetV2}. @example weights.layers.find((l) => l.layer === 'Conv_1'); */
export interface MobileNetV2TfliteLayer {
  /** Layer name in the tfjs model. */
  readonly layer: string;
  /** What the layer is (kind, stride, activation, filters). */
  readonly spec: MobileNetV2WeightLayer;
  /** Kernel. */
  readonly kernel: MobileNetV2TfliteWeight;
  /** Bias (batch normalization folded in). */
  readonly bias: MobileNetV2TfliteWeight;
}

/** All MobileNetV2 weights of a TFLite file. @example const { classes, layers } = mobileNetV2WeightsFromTflite(model); */
export interface MobileNetV2TfliteWeights {
  /** Classifier units found in the file (1001 for the slim checkpoints). */
  readonly classes: number;
  /** The 53 layers with weights, in execution order. */
  readonly layers: readonly MobileNetV2TfliteLayer[];
  /** The file's input tensor (its quantization says how pixels map to [−1, 1]). */
  readonly input: TfliteTensor;
}

const WEIGHT_OPS = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED'];

/** `[a, b, …]` for messages. */
function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Reorder `values` of row-major `shape` by axis permutation `perm`; also returns where each output element came from. */
function transpose(shape: readonly number[], perm: readonly number[]): { shape: number[]; index: Int32Array } {
  const outShape = perm.map((p) => shape[p]);
  const count = shape.reduce((a, b) => a * b, 1);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const index = new Int32Array(count);
  const coord = new Array<number>(outShape.length).fill(0);
  for (let o = 0; o < count; o++) {
    let src = 0;
    for (let d = 0; d < outShape.length; d++) src += coord[d] * inStrides[perm[d]];
    index[o] = src;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return { shape: outShape, index };
}

/** Build a weight entry from a source tensor, a target shape and the source index of each element. */
function weight(
  name: string,
  source: TfliteTensor,
  shape: readonly number[],
  index: Int32Array,
): MobileNetV2TfliteWeight {
  const flat = dequantizeTfliteTensor(source);
  const values = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) values[i] = flat[index[i]];
  return { name, shape, values, source, sourceIndex: index };
}

/** An int32 bias without its own scale gets input scale × weight scale (TFLite quantization spec). */
function biasWithScale(bias: TfliteTensor, input: TfliteTensor, kernel: TfliteTensor): TfliteTensor {
  if (bias.type !== 'int32' || bias.quantization !== undefined) return bias;
  const inScale = input.quantization?.scale[0];
  const wScales = kernel.quantization?.scale;
  if (inScale === undefined || wScales === undefined) {
    throw new TfliteFormatError(
      'unsupported',
      `bias ${JSON.stringify(bias.name)} is int32 without scales, and its input or kernel has none to derive them from`,
    );
  }
  const scale = bias.shape[0] === wScales.length ? wScales.map((s) => s * inScale) : [wScales[0] * inScale];
  return { ...bias, quantization: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0, min: [], max: [] } };
}

/** Check that a TFLite operator is the layer `spec` expects; throw 'mismatch' naming its tensor otherwise. */
function checkOperator(op: TfliteOperator, spec: MobileNetV2WeightLayer, kernel: TfliteTensor): void {
  const where = `operator ${op.index} (${op.opcode}, kernel ${JSON.stringify(kernel.name)}) for layer ${spec.name}`;
  const expectedOps =
    spec.kind === 'conv'
      ? ['CONV_2D']
      : spec.kind === 'depthwise'
        ? ['DEPTHWISE_CONV_2D']
        : ['CONV_2D', 'FULLY_CONNECTED'];
  if (!expectedOps.includes(op.opcode))
    throw new TfliteFormatError('mismatch', `${where}: expected ${expectedOps.join(' or ')}, found ${op.opcode}`);
  const o = op.options;
  const activation =
    o.kind === 'conv2d' || o.kind === 'depthwise-conv2d' || o.kind === 'fully-connected' ? o.activation : 'none';
  const expectedActivation = spec.activation === 'relu6' ? 'relu6' : 'none';
  if (activation !== expectedActivation)
    throw new TfliteFormatError(
      'mismatch',
      `${where}: expected fused activation ${expectedActivation}, found ${activation}`,
    );
  if (o.kind === 'conv2d' || o.kind === 'depthwise-conv2d') {
    if (o.strideH !== spec.stride || o.strideW !== spec.stride)
      throw new TfliteFormatError(
        'mismatch',
        `${where}: expected stride ${spec.stride}, found ${o.strideH}×${o.strideW}`,
      );
    if (o.dilationH !== 1 || o.dilationW !== 1)
      throw new TfliteFormatError('unsupported', `${where}: dilation ${o.dilationH}×${o.dilationW} (expected 1)`);
    if (spec.kernelSize > 1 && o.padding !== 'same')
      throw new TfliteFormatError('unsupported', `${where}: expected SAME padding, found ${o.padding.toUpperCase()}`);
    if (o.kind === 'depthwise-conv2d' && o.depthMultiplier !== 1)
      throw new TfliteFormatError('mismatch', `${where}: expected depth multiplier 1, found ${o.depthMultiplier}`);
  }
}

/** The expected TFLite kernel shape of a layer, given its input channels. */
function expectedTfliteKernel(spec: MobileNetV2WeightLayer, inChannels: number, opcode: string): number[] {
  if (spec.kind === 'depthwise') return [1, spec.kernelSize, spec.kernelSize, spec.filters];
  if (spec.kind === 'dense' && opcode === 'FULLY_CONNECTED') return [spec.filters, inChannels];
  return [spec.filters, spec.kernelSize, spec.kernelSize, inChannels];
}

/**
 * Read the float weights of MobileNetV2 (width 1.0) from a parsed TFLite classifier, in tfjs layout.
 *
 * The file's convolutions are matched in execution order against {@link mobileNetV2WeightLayers}: each
 * must have the expected operator, stride, fused activation and kernel shape. Integer weights are
 * dequantized per tensor or per channel; int32 biases use input scale × weight scale.
 *
 * @param model  a parsed file (`readTfliteModel(bytes)`).
 * @returns the classes found and the 53 layers' kernels and biases.
 * @throws TfliteFormatError `'mismatch'` naming the operator, the tensor, what was expected and what was
 *   found when the graph is not MobileNetV2 1.0; `'unsupported'` for layouts this mapper does not handle.
 * @example
 * const weights = mobileNetV2WeightsFromTflite(readTfliteModel(bytes));
 * weights.layers.length; // 53
 */
export function mobileNetV2WeightsFromTflite(model: TfliteModel): MobileNetV2TfliteWeights {
  const [graph] = model.subgraphs;
  const ops = graph.operators.filter((op) => WEIGHT_OPS.includes(op.opcode));
  const expectedCount = mobileNetV2WeightLayers(1).length;
  if (ops.length !== expectedCount) {
    throw new TfliteFormatError(
      'mismatch',
      `expected ${expectedCount} convolution and classifier operators (MobileNetV2 1.0), found ${ops.length}`,
    );
  }
  const last = graph.tensors[ops[ops.length - 1].inputs[1]];
  const classes = last.shape[0];
  const specs = mobileNetV2WeightLayers(classes);
  let inChannels = 3;
  const layers = specs.map((spec, i): MobileNetV2TfliteLayer => {
    const op = ops[i];
    const kernel = graph.tensors[op.inputs[1]];
    checkOperator(op, spec, kernel);
    const expected = expectedTfliteKernel(spec, inChannels, op.opcode);
    if (shapeText(kernel.shape) !== shapeText(expected)) {
      throw new TfliteFormatError(
        'mismatch',
        `tensor ${JSON.stringify(kernel.name)} (layer ${spec.name} kernel): expected shape ${shapeText(expected)}, found ${shapeText(kernel.shape)}`,
      );
    }
    const biasIndex = op.inputs[2];
    if (biasIndex === undefined || biasIndex < 0)
      throw new TfliteFormatError(
        'mismatch',
        `operator ${op.index} (${op.opcode}) for layer ${spec.name}: expected a bias input, found none`,
      );
    const bias = biasWithScale(graph.tensors[biasIndex], graph.tensors[op.inputs[0]], kernel);
    if (shapeText(bias.shape) !== shapeText([spec.filters])) {
      throw new TfliteFormatError(
        'mismatch',
        `tensor ${JSON.stringify(bias.name)} (layer ${spec.name} bias): expected shape ${shapeText([spec.filters])}, found ${shapeText(bias.shape)}`,
      );
    }
    let k: { shape: number[]; index: Int32Array };
    if (spec.kind === 'depthwise')
      k = transpose(kernel.shape, [1, 2, 3, 0]); // [1,kh,kw,C] → [kh,kw,C,1]
    else if (spec.kind === 'dense')
      k =
        op.opcode === 'FULLY_CONNECTED'
          ? transpose(kernel.shape, [1, 0])
          : transpose([spec.filters, inChannels], [1, 0]);
    else k = transpose(kernel.shape, [1, 2, 3, 0]); // [out,kh,kw,in] → [kh,kw,in,out]
    const kernelName = spec.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel';
    inChannels = spec.filters;
    return {
      layer: spec.name,
      spec,
      kernel: weight(`${spec.name}/${kernelName}`, kernel, k.shape, k.index),
      bias: weight(
        `${spec.name}/bias`,
        bias,
        [spec.filters],
        Int32Array.from({ length: spec.filters }, (_, j) => j),
      ),
    };
  });
  return { classes, layers, input: graph.tensors[graph.inputs[0]] };
}

/**
 * Copy MobileNetV2 weights into a model made by {@link buildMobileNetV2}: every layer of the model that has
 * weights must be in `weights` with the same shapes (a model truncated by `outputs` takes a prefix).
 *
 * @param model    a `buildMobileNetV2` model; its weights are replaced.
 * @param weights  from {@link mobileNetV2WeightsFromTflite}.
 * @throws TfliteFormatError `'mismatch'` naming the tensor, the expected and the found shape.
 * @example
 * setMobileNetV2Weights(buildMobileNetV2({ outputs: ['pooled'] }), mobileNetV2WeightsFromTflite(readTfliteModel(bytes)));
 */
export function setMobileNetV2Weights(model: tfl.LayersModel, weights: MobileNetV2TfliteWeights): void {
  const byLayer = new Map(weights.layers.map((l) => [l.layer, l]));
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const entry = byLayer.get(layer.name);
    if (entry === undefined)
      throw new TfliteFormatError('mismatch', `layer ${layer.name} of the model has no weights in the file`);
    const sources = [entry.kernel, entry.bias];
    if (layer.weights.length !== sources.length)
      throw new TfliteFormatError(
        'mismatch',
        `layer ${layer.name}: expected ${layer.weights.length} weights, found a kernel and a bias`,
      );
    layer.weights.forEach((w, i) => {
      if (shapeText(w.shape) !== shapeText(sources[i].shape)) {
        throw new TfliteFormatError(
          'mismatch',
          `tensor ${JSON.stringify(sources[i].source.name)} for ${w.originalName ?? w.name}: expected shape ${shapeText(w.shape)}, found ${shapeText(sources[i].shape)}`,
        );
      }
    });
    const tensors = sources.map((s) => tf.tensor(s.values, [...s.shape], 'float32'));
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}

/**
 * Build MobileNetV2 and fill it with the weights of a TFLite classifier file
 * (`mobilenet_v2_1.0_224_quant.tflite`, Apache-2.0, google-coral/test_data).
 *
 * @param bytes   the whole `.tflite` file.
 * @param config  builder options; `classes` defaults to the file's.
 * @returns a model from `[N, S, S, 3]` RGB in [−1, 1] to the requested outputs. Caller owns it.
 * @throws TfliteFormatError when the file is not TFLite, is truncated, or is not MobileNetV2 1.0 (naming the tensor).
 * @example
 * const classifier = loadMobileNetV2FromTflite(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * const probabilities = tf.softmax(classifier.predict(rgb) as tf.Tensor2D);
 */
export function loadMobileNetV2FromTflite(bytes: Uint8Array, config: MobileNetV2Config = {}): tfl.LayersModel {
  const weights = mobileNetV2WeightsFromTflite(readTfliteModel(bytes));
  const model = buildMobileNetV2({ ...config, classes: config.classes ?? weights.classes });
  try {
    setMobileNetV2Weights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
