import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TfliteFormatError } from '../../../src/errors.js';
import { dequantizeTfliteTensor, float16ToNumber } from '../../../src/weights/tflite/dequantize-tflite-tensor.js';
import { mobileNetV2WeightsFromTflite } from '../../../src/weights/tflite/mobilenet-v2-weights.js';
import { readTfliteModel, type TfliteTensor } from '../../../src/weights/tflite/read-tflite-model.js';

// Written by tests/fixtures/make_tflite_fixtures.py with its own FlatBuffers writer; values from numpy.
const DIR = join(import.meta.dirname, '../../fixtures/tflite');
const bytes = new Uint8Array(readFileSync(join(DIR, 'small.tflite')));
const expected = JSON.parse(readFileSync(join(DIR, 'small.json'), 'utf8')) as {
  description: string;
  subgraphName: string;
  inputs: number[];
  outputs: number[];
  tensors: { name: string; shape: number[]; type: string; buffer: number }[];
  operators: {
    opcode: string;
    builtinCode: number;
    customCode?: string;
    inputs: number[];
    outputs: number[];
    options: Record<string, unknown>;
  }[];
  quantization: Record<
    string,
    { scale: number[]; zeroPoint: number[]; quantizedDimension: number; min?: number[]; max?: number[] }
  >;
  values: Record<string, number[]>;
  input: number[];
  outputs_float: Record<string, number[]>;
};

function tensorNamed(name: string): TfliteTensor {
  const t = readTfliteModel(bytes).subgraphs[0].tensors.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no tensor ${name}`);
  return t;
}

function expectClose(actual: ArrayLike<number>, wanted: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(wanted.length);
  let worst = 0;
  for (let i = 0; i < wanted.length; i++) worst = Math.max(worst, Math.abs(actual[i] - wanted[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('readTfliteModel', () => {
  it('reads tensors (name, shape, type, buffer), graph inputs and outputs, description', () => {
    const model = readTfliteModel(bytes);
    expect(model.version).toBe(3);
    expect(model.description).toBe(expected.description);
    const [graph] = model.subgraphs;
    expect(graph.name).toBe(expected.subgraphName);
    expect(graph.inputs).toEqual(expected.inputs);
    expect(graph.outputs).toEqual(expected.outputs);
    expect(graph.tensors.map((t) => ({ name: t.name, shape: t.shape, type: t.type, buffer: t.buffer }))).toEqual(
      expected.tensors,
    );
    for (const t of graph.tensors) expect(t.data === undefined).toBe(t.buffer === 0);
  });

  it('reads operators: builtin codes (the larger of the int8 and int32 fields), custom codes, padding, strides, fused activation, depth multiplier', () => {
    const ops = readTfliteModel(bytes).subgraphs[0].operators;
    expect(
      ops.map((op) => ({
        opcode: op.opcode,
        builtinCode: op.builtinCode,
        ...(op.customCode === undefined ? {} : { customCode: op.customCode }),
        inputs: op.inputs,
        outputs: op.outputs,
        options: op.options,
      })),
    ).toEqual(expected.operators);
  });

  it('reads per-tensor and per-channel quantization with the quantized dimension and calibration range', () => {
    for (const [name, q] of Object.entries(expected.quantization)) {
      const got = tensorNamed(name).quantization!;
      expect(got.scale).toEqual(q.scale.map((s) => Math.fround(s)));
      expect(got.zeroPoint).toEqual(q.zeroPoint);
      expect(got.quantizedDimension).toBe(q.quantizedDimension);
      if (q.min) expect([got.min, got.max]).toEqual([q.min, q.max]);
    }
  });

  it('dequantizes uint8 per tensor, int8 per channel, int32 biases and float32 as numpy does', () => {
    for (const [name, values] of Object.entries(expected.values)) {
      const got = dequantizeTfliteTensor(tensorNamed(name));
      expect(got).toBeInstanceOf(Float32Array);
      // numpy computes in float64; float32 storage rounds at 2^-24 relative.
      expectClose(got, values, 1e-6);
    }
  });

  it("dequantized weights in tfjs layers reproduce numpy's SAME-padded stride-2 conv, depthwise conv and add", () => {
    const t = (name: string) => dequantizeTfliteTensor(tensorNamed(name));
    const before = tf.memory().numTensors;
    const outputs = tf.tidy(() => {
      const input = tfl.input({ shape: [6, 6, 3] });
      const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' });
      const dw = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' });
      const y1 = conv.apply(input) as tfl.SymbolicTensor;
      const y2 = dw.apply(y1) as tfl.SymbolicTensor;
      const y3 = tfl.layers.reLU().apply(tfl.layers.add().apply([y1, y2]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: [y1, y2, y3] });
      // TFLite [out, kh, kw, in] → tfjs [kh, kw, in, out]; depthwise [1, kh, kw, C] → [kh, kw, C, 1].
      conv.setWeights([
        tf.transpose(tf.tensor4d(t('conv/weights'), [4, 3, 3, 3]), [1, 2, 3, 0]),
        tf.tensor1d(t('conv/bias')),
      ]);
      dw.setWeights([tf.reshape(tf.tensor(t('dw/weights')), [3, 3, 4, 1]), tf.tensor1d(t('dw/bias'))]);
      const out = model.predict(tf.tensor4d(expected.input, [1, 6, 6, 3])) as tf.Tensor[];
      model.dispose();
      return out.map((o) => o.dataSync().slice());
    });
    expectClose(outputs[0], expected.outputs_float['conv/out'], 1e-5);
    expectClose(outputs[1], expected.outputs_float['dw/out'], 1e-5);
    expectClose(outputs[2], expected.outputs_float['add/out'], 1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bytes without the TFL3 identifier with kind not-tflite', () => {
    const notTflite = new TextEncoder().encode('{"modelTopology": {}}');
    for (const input of [notTflite, new Uint8Array(3), new Uint8Array(0)]) {
      expect(() => readTfliteModel(input)).toThrow(TfliteFormatError);
      try {
        readTfliteModel(input);
      } catch (e) {
        expect((e as TfliteFormatError).kind).toBe('not-tflite');
        expect((e as TfliteFormatError).message).toMatch(/TFL3/);
      }
    }
  });

  it('rejects every truncation of the file with kind truncated, never a silent misread', () => {
    let checked = 0;
    for (let length = 8; length < bytes.length - 8; length += 37) {
      let error: unknown;
      try {
        const model = readTfliteModel(bytes.slice(0, length));
        // A cut inside trailing padding may leave a readable model; its constants must still all be present.
        model.subgraphs[0].tensors.forEach((t) => t.data !== undefined && dequantizeTfliteTensor(t));
      } catch (e) {
        error = e;
      }
      expect(error, `cut at ${length} of ${bytes.length}`).toBeInstanceOf(TfliteFormatError);
      expect((error as TfliteFormatError).kind).toBe('truncated');
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('names the tensor and type it cannot dequantize', () => {
    const activation = tensorNamed('conv/out');
    expect(() => dequantizeTfliteTensor(activation)).toThrow(/conv\/out.*no constant data/);
    const stringTensor: TfliteTensor = { ...tensorNamed('conv/bias'), type: 'string' };
    expect(() => dequantizeTfliteTensor(stringTensor)).toThrow(/conv\/bias.*type string/);
    const unscaled: TfliteTensor = { ...tensorNamed('conv/bias'), quantization: undefined };
    expect(() => dequantizeTfliteTensor(unscaled)).toThrow(TfliteFormatError);
  });

  it('decodes float16 bit patterns (IEEE 754 binary16)', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0000, 0x7c00].map(float16ToNumber)).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      0,
      Infinity,
    ]);
  });

  it('the MobileNetV2 mapper says how the graph differs from MobileNetV2', () => {
    expect(() => mobileNetV2WeightsFromTflite(readTfliteModel(bytes))).toThrow(
      /expected 53 convolution and classifier operators \(MobileNetV2 1\.0\), found 2/,
    );
  });
});
