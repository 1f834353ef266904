import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TfliteFormatError } from '../../../src/errors.js';
import { buildMobileNetV2, mobileNetV2WeightLayers } from '../../../src/models/mobilenet-v2.js';
import {
  mobileNetV2WeightsFromTflite,
  setMobileNetV2Weights,
} from '../../../src/weights/tflite/mobilenet-v2-weights.js';
import type {
  TfliteModel,
  TfliteOperator,
  TfliteOperatorOptions,
  TfliteTensor,
} from '../../../src/weights/tflite/read-tflite-model.js';

/**
 * A MobileNetV2-shaped TFLite graph written out by hand (independent of the builder's layer list): the
 * slim network's 52 convolutions and a 1×1 classifier, uint8 weights with one scale per tensor, int32 biases
 * with scale = input scale × weight scale left for the mapper to derive. Weight element i holds (i + seed) mod 251.
 */
function slimGraph(classes = 5): { model: TfliteModel; tensors: TfliteTensor[] } {
  const tensors: TfliteTensor[] = [];
  const operators: TfliteOperator[] = [];
  const add = (name: string, shape: number[], type: string, data?: Uint8Array, scale?: number): number => {
    tensors.push({
      index: tensors.length,
      name,
      shape,
      type,
      buffer: data ? tensors.length + 1 : 0,
      data,
      quantization:
        scale === undefined
          ? undefined
          : { scale: [scale], zeroPoint: [type === 'uint8' ? 128 : 0], quantizedDimension: 0, min: [], max: [] },
    });
    return tensors.length - 1;
  };
  const uint8 = (count: number, seed: number) => Uint8Array.from({ length: count }, (_, i) => (i + seed) % 251);
  const int32 = (count: number, seed: number) =>
    new Uint8Array(Int32Array.from({ length: count }, (_, i) => ((i * 7 + seed) % 41) - 20).buffer);
  let x = add('input', [1, 224, 224, 3], 'uint8', undefined, 1 / 128);
  let channels = 3;
  const conv = (
    name: string,
    opcode: 'CONV_2D' | 'DEPTHWISE_CONV_2D',
    k: number,
    stride: number,
    out: number,
    relu6: boolean,
  ): void => {
    const depthwise = opcode === 'DEPTHWISE_CONV_2D';
    const shape = depthwise ? [1, k, k, out] : [out, k, k, channels];
    const w = add(
      `${name}/weights`,
      shape,
      'uint8',
      uint8(
        shape.reduce((a, b) => a * b),
        tensors.length,
      ),
      0.01,
    );
    const b = add(`${name}/bias`, [out], 'int32', int32(out, tensors.length));
    const y = add(`${name}/out`, [1, 1, 1, out], 'uint8', undefined, 0.05);
    const activation = relu6 ? 'relu6' : 'none';
    const options: TfliteOperatorOptions = depthwise
      ? {
          kind: 'depthwise-conv2d',
          padding: 'same',
          strideW: stride,
          strideH: stride,
          depthMultiplier: 1,
          dilationW: 1,
          dilationH: 1,
          activation,
        }
      : { kind: 'conv2d', padding: 'same', strideW: stride, strideH: stride, dilationW: 1, dilationH: 1, activation };
    operators.push({
      index: operators.length,
      opcode,
      builtinCode: depthwise ? 4 : 3,
      customCode: undefined,
      version: 1,
      inputs: [x, w, b],
      outputs: [y],
      options,
    });
    x = y;
    channels = out;
  };
  conv('Conv', 'CONV_2D', 3, 2, 32, true);
  // (expansion, output channels, repeats, first stride): Sandler et al. 2018, Table 2.
  const table = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let block = 0;
  for (const [t, c, n, s] of table) {
    for (let r = 0; r < n; r++, block++) {
      const name = block === 0 ? 'expanded_conv' : `expanded_conv_${block}`;
      if (t !== 1) conv(`${name}/expand`, 'CONV_2D', 1, 1, channels * t, true);
      conv(`${name}/depthwise`, 'DEPTHWISE_CONV_2D', 3, r === 0 ? s : 1, channels, true);
      conv(`${name}/project`, 'CONV_2D', 1, 1, c, false);
    }
  }
  conv('Conv_1', 'CONV_2D', 1, 1, 1280, true);
  conv('Logits', 'CONV_2D', 1, 1, classes, false);
  return {
    model: { version: 3, description: '', subgraphs: [{ name: '', tensors, inputs: [0], outputs: [x], operators }] },
    tensors,
  };
}

describe('mobileNetV2WeightsFromTflite', () => {
  it('maps the 53 operators in order, transposes kernels to tfjs layout and scales int32 biases by input × weight scale', () => {
    const { model, tensors } = slimGraph();
    const weights = mobileNetV2WeightsFromTflite(model);
    expect(weights.classes).toBe(5);
    expect(weights.layers.map((l) => l.layer)).toEqual(mobileNetV2WeightLayers(5).map((l) => l.name));
    const byName = (name: string) => tensors.find((t) => t.name === name)!;
    // Conv kernel [out=32, 3, 3, in=3] → [3, 3, 3, 32]: element (kh, kw, i, o) is the source's (o, kh, kw, i).
    const conv = weights.layers[0].kernel;
    expect(conv.shape).toEqual([3, 3, 3, 32]);
    const src = byName('Conv/weights').data!;
    for (const [kh, kw, i, o] of [
      [0, 0, 0, 0],
      [1, 2, 0, 5],
      [2, 1, 2, 31],
    ]) {
      const q = src[((o * 3 + kh) * 3 + kw) * 3 + i];
      expect(conv.values[((kh * 3 + kw) * 3 + i) * 32 + o]).toBeCloseTo((q - 128) * 0.01, 6);
    }
    // The first block's input is Conv's output (scale 0.05): bias scale = 0.05 × 0.01.
    const bias = weights.layers[1].bias;
    const raw = new Int32Array(byName('expanded_conv/depthwise/bias').data!.buffer.slice(0));
    expect(Array.from(bias.values)).toEqual(Array.from(raw, (v) => Math.fround(v * 0.05 * 0.01)));
    // Depthwise [1, 3, 3, 32] → [3, 3, 32, 1] keeps the element order.
    expect(weights.layers[1].kernel.shape).toEqual([3, 3, 32, 1]);
    // The 1×1 classifier [classes, 1, 1, 1280] → dense [1280, classes].
    const logits = weights.layers[52].kernel;
    expect(logits.shape).toEqual([1280, 5]);
    const lsrc = byName('Logits/weights').data!;
    expect(logits.values[7 * 5 + 3]).toBeCloseTo((lsrc[3 * 1280 + 7] - 128) * 0.01, 6);
  });

  it('fills a built network, a truncated one too, without leaking tensors', () => {
    const weights = mobileNetV2WeightsFromTflite(slimGraph().model);
    const model = buildMobileNetV2({ classes: 5, inputSize: 32, outputs: ['stride8'] });
    const before = tf.memory().numTensors;
    setMobileNetV2Weights(model, weights);
    expect(tf.memory().numTensors).toBe(before);
    const kernel = model.getLayer('expanded_conv_5_project').getWeights()[0];
    expect(Array.from(kernel.dataSync())).toEqual(
      Array.from(weights.layers.find((l) => l.layer === 'expanded_conv_5_project')!.kernel.values),
    );
    model.dispose();
  });

  it('names the tensor, the expected and the found shape or option when the graph differs', () => {
    const wrongShape = slimGraph();
    const t = wrongShape.tensors.find((x) => x.name === 'expanded_conv_3/expand/weights')!;
    wrongShape.tensors[t.index] = { ...t, shape: [120, 1, 1, 24] };
    expect(() => mobileNetV2WeightsFromTflite(wrongShape.model)).toThrow(
      'tensor "expanded_conv_3/expand/weights" (layer expanded_conv_3_expand kernel): expected shape [144, 1, 1, 24], found [120, 1, 1, 24]',
    );
    const wrongStride = slimGraph();
    const ops = wrongStride.model.subgraphs[0].operators as TfliteOperator[];
    ops[4] = { ...ops[4], options: { ...ops[4].options, strideH: 1, strideW: 1 } as TfliteOperatorOptions };
    expect(() => mobileNetV2WeightsFromTflite(wrongStride.model)).toThrow(
      /expanded_conv_1\/depthwise\/weights.*expected stride 2, found 1×1/,
    );
    const wrongActivation = slimGraph();
    const ops2 = wrongActivation.model.subgraphs[0].operators as TfliteOperator[];
    ops2[2] = { ...ops2[2], options: { ...ops2[2].options, activation: 'relu6' } as TfliteOperatorOptions };
    expect(() => mobileNetV2WeightsFromTflite(wrongActivation.model)).toThrow(
      /layer expanded_conv_project: expected fused activation none, found relu6/,
    );
    try {
      mobileNetV2WeightsFromTflite(wrongShape.model);
    } catch (e) {
      expect(e).toBeInstanceOf(TfliteFormatError);
      expect((e as TfliteFormatError).kind).toBe('mismatch');
    }
  });

  it('rejects a network whose classes differ from the file, naming the tensor', () => {
    const weights = mobileNetV2WeightsFromTflite(slimGraph(5).model);
    const model = buildMobileNetV2({ classes: 7, inputSize: 32 });
    expect(() => setMobileNetV2Weights(model, weights)).toThrow(
      'tensor "Logits/weights" for Logits/kernel: expected shape [1280, 7], found [1280, 5]',
    );
    model.dispose();
  });
});
