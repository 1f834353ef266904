/**
 * Read a TensorFlow Lite model (a `TFL3` flatbuffer, `tensorflow/lite/schema/schema.fbs`) into plain
 * objects: tensors with shape, type, quantization and raw bytes; operators with their builtin code and
 * options. Browser-safe (bytes in, objects out, no Node APIs); nothing is copied except small vectors.
 */
import { TfliteFormatError } from '../../errors.js';
import { FlatbufferTable } from './flatbuffer-table.js';
import {
  TFLITE_ACTIVATIONS,
  TFLITE_OPTIONS_TYPES,
  TFLITE_PADDINGS,
  TFLITE_TENSOR_TYPES,
  tfliteOperatorName,
} from './tflite-schema.js';

/**
 * Affine quantization of a tensor: real = (q − zeroPoint) × scale, with one (scale, zero point) for the
 * whole tensor or one per index along `quantizedDimension` (per-channel).
 * @example
 * const q: TfliteQuantization = { scale: [0.02], zeroPoint: [128], quantizedDimension: 0, min: [], max: [] };
 */
export interface TfliteQuantization {
  /** One scale per tensor, or one per channel along `quantizedDimension`. */
  readonly scale: readonly number[];
  /** Zero points, as many as `scale` (0 where the file omits them). */
  readonly zeroPoint: readonly number[];
  /** Axis of per-channel quantization (0 in the file when per-tensor). */
  readonly quantizedDimension: number;
  /** Calibration minimum(s), when the file records them (informative only). */
  readonly min: readonly number[];
  /** Calibration maximum(s), when the file records them (informative only). */
  readonly max: readonly number[];
}

/**
 * A tensor of a TFLite subgraph.
 * @example
 * const weights = model.subgraphs[0].tensors.filter((t) => t.data !== undefined);
 */
export interface TfliteTensor {
  /** Position in the subgraph's tensor list (operators refer to tensors by it). */
  readonly index: number;
  /** Name given by the converter (`MobilenetV2/Conv/weights_quant/FakeQuantWithMinMaxVars`, …). */
  readonly name: string;
  /** Shape, row-major (`[]` for a scalar). */
  readonly shape: readonly number[];
  /** Element type (`'uint8'`, `'int8'`, `'int32'`, `'float32'`, …; see TFLITE_TENSOR_TYPES). */
  readonly type: string;
  /** Index of the buffer holding its constant data (0 = none). */
  readonly buffer: number;
  /** Affine quantization, or `undefined` for a float tensor or one without scales. */
  readonly quantization: TfliteQuantization | undefined;
  /** Constant data as raw little-endian bytes (a view into the file), or `undefined` for activations. */
  readonly data: Uint8Array | undefined;
}

/**
 * Options of an operator, by the schema's option table. Padding `'same'` is TensorFlow's (the extra row and
 * column of an odd total go bottom and right); activations are fused and run after the op.
 * @example
 * if (op.options.kind === 'conv2d') console.log(op.options.strideH, op.options.activation);
 */
export type TfliteOperatorOptions =
  | {
      readonly kind: 'conv2d';
      readonly padding: 'same' | 'valid';
      readonly strideW: number;
      readonly strideH: number;
      readonly dilationW: number;
      readonly dilationH: number;
      readonly activation: string;
    }
  | {
      readonly kind: 'depthwise-conv2d';
      readonly padding: 'same' | 'valid';
      readonly strideW: number;
      readonly strideH: number;
      readonly depthMultiplier: number;
      readonly dilationW: number;
      readonly dilationH: number;
      readonly activation: string;
    }
  | {
      readonly kind: 'pool2d';
      readonly padding: 'same' | 'valid';
      readonly strideW: number;
      readonly strideH: number;
      readonly filterWidth: number;
      readonly filterHeight: number;
      readonly activation: string;
    }
  | { readonly kind: 'fully-connected'; readonly activation: string; readonly keepNumDims: boolean }
  | { readonly kind: 'add'; readonly activation: string }
  | { readonly kind: 'softmax'; readonly beta: number }
  | { readonly kind: 'reshape'; readonly newShape: readonly number[] }
  | { readonly kind: 'squeeze'; readonly squeezeDims: readonly number[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'other'; readonly optionsType: number };

/**
 * An operator (node) of a TFLite subgraph, in execution order.
 * @example
 * const convs = subgraph.operators.filter((op) => op.opcode === 'CONV_2D');
 */
export interface TfliteOperator {
  /** Position in execution order. */
  readonly index: number;
  /** Builtin operator name (`'CONV_2D'`, `'DEPTHWISE_CONV_2D'`, …), `'CUSTOM'` or `BUILTIN_<code>`. */
  readonly opcode: string;
  /** Builtin code: the larger of the deprecated int8 field and the int32 field (schema v3a). */
  readonly builtinCode: number;
  /** Custom operator name, for `'CUSTOM'`. */
  readonly customCode: string | undefined;
  /** Operator version. */
  readonly version: number;
  /** Input tensor indices (−1 = optional input left out). */
  readonly inputs: readonly number[];
  /** Output tensor indices. */
  readonly outputs: readonly number[];
  /** Options (padding, strides, fused activation, …). */
  readonly options: TfliteOperatorOptions;
}

/** A subgraph: tensors, operators, inputs and outputs. @example const [main] = readTfliteModel(bytes).subgraphs; */
export interface TfliteSubgraph {
  /** Name, often empty. */
  readonly name: string;
  /** All tensors (constants and activations). */
  readonly tensors: readonly TfliteTensor[];
  /** Graph input tensor indices. */
  readonly inputs: readonly number[];
  /** Graph output tensor indices. */
  readonly outputs: readonly number[];
  /** Operators in execution order. */
  readonly operators: readonly TfliteOperator[];
}

/** A TFLite model. @example const model = readTfliteModel(new Uint8Array(await (await fetch(url)).arrayBuffer())); */
export interface TfliteModel {
  /** Schema version (3). */
  readonly version: number;
  /** Description (for example `'TOCO Converted.'`). */
  readonly description: string;
  /** Subgraphs; the first is the main graph. */
  readonly subgraphs: readonly TfliteSubgraph[];
}

/** Byte offset of the 4-character file identifier in a flatbuffer. */
const IDENTIFIER_OFFSET = 4;

/** The TFLite file identifier. @example TFLITE_IDENTIFIER; // 'TFL3' */
export const TFLITE_IDENTIFIER = 'TFL3';

/**
 * Read a TensorFlow Lite model from its bytes.
 *
 * @param bytes  the whole `.tflite` file.
 * @returns the model's subgraphs with tensors (constant data as views into `bytes`, not copied) and operators.
 * @throws TfliteFormatError `'not-tflite'` when the file lacks the `TFL3` identifier, `'truncated'` when an
 *   offset points past the end, `'unsupported'` for a schema version other than 3.
 * @example
 * import { readFileSync } from 'node:fs';
 * const model = readTfliteModel(readFileSync('mobilenet_v2_1.0_224_quant.tflite'));
 * model.subgraphs[0].operators[0].opcode; // 'CONV_2D'
 */
export function readTfliteModel(bytes: Uint8Array): TfliteModel {
  if (!(bytes instanceof Uint8Array))
    throw new TfliteFormatError('not-tflite', `expected a Uint8Array of the file's bytes, received ${typeof bytes}`);
  const identifier =
    bytes.length >= 8 ? String.fromCharCode(...bytes.subarray(IDENTIFIER_OFFSET, IDENTIFIER_OFFSET + 4)) : '';
  if (identifier !== TFLITE_IDENTIFIER) {
    throw new TfliteFormatError(
      'not-tflite',
      `expected the identifier '${TFLITE_IDENTIFIER}' at bytes 4…8, found ${bytes.length < 8 ? `only ${bytes.length} bytes` : JSON.stringify(identifier)}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const root = FlatbufferTable.root(view, 'Model');
  const version = root.uint32(0, 0, 'version');
  if (version !== 3) throw new TfliteFormatError('unsupported', `expected schema version 3, found ${version}`);
  const opcodes = root
    .tables(1, 'operator_codes', (i) => `OperatorCode ${i}`)
    .map((t) => ({
      // Schema v3a: the int8 field holds codes < 127 and is 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) beyond.
      builtinCode: Math.max(t.int8(0, 0, 'deprecated_builtin_code'), t.int32(3, 0, 'builtin_code')),
      customCode: t.fieldPosition(1) === 0 ? undefined : t.string(1, '', 'custom_code'),
      version: t.int32(2, 1, 'version'),
    }));
  const buffers = root
    .tables(4, 'buffers', (i) => `Buffer ${i}`)
    .map((t, i) => {
      const inline = t.bytes(0, 'data');
      if (inline !== undefined && inline.length > 0) return inline;
      // Files over 2 GB keep buffers after the flatbuffer, addressed from the start of the file.
      const offset = t.uint64(1, 0, 'offset');
      const size = t.uint64(2, 0, 'size');
      if (offset > 1 && size > 0) {
        if (offset + size > bytes.length)
          throw new TfliteFormatError(
            'truncated',
            `Buffer ${i} lies at bytes ${offset}…${offset + size}, past the end of the ${bytes.length}-byte file`,
          );
        return bytes.subarray(offset, offset + size);
      }
      return undefined;
    });
  const subgraphs = root
    .tables(2, 'subgraphs', (i) => `SubGraph ${i}`)
    .map((sg, s) => {
      const tensors = sg
        .tables(0, 'tensors', (i) => `SubGraph ${s} Tensor ${i}`)
        .map((t, index) => readTensor(t, index, buffers));
      const operators = sg
        .tables(3, 'operators', (i) => `SubGraph ${s} Operator ${i}`)
        .map((op, index) => {
          const opcodeIndex = op.uint32(0, 0, 'opcode_index');
          const code = opcodes[opcodeIndex];
          if (code === undefined)
            throw new TfliteFormatError(
              'truncated',
              `operator ${index} refers to operator code ${opcodeIndex} of ${opcodes.length}`,
            );
          const opcode = tfliteOperatorName(code.builtinCode);
          const operator: TfliteOperator = {
            index,
            opcode,
            builtinCode: code.builtinCode,
            customCode: code.customCode,
            version: code.version,
            inputs: op.int32s(1, 'inputs'),
            outputs: op.int32s(2, 'outputs'),
            options: readOptions(op, opcode),
          };
          for (const t of [...operator.inputs, ...operator.outputs]) {
            if (t >= tensors.length || t < -1)
              throw new TfliteFormatError(
                'truncated',
                `operator ${index} (${opcode}) refers to tensor ${t} of ${tensors.length}`,
              );
          }
          return operator;
        });
      return {
        name: sg.string(4, '', 'name'),
        tensors,
        inputs: sg.int32s(1, 'inputs'),
        outputs: sg.int32s(2, 'outputs'),
        operators,
      };
    });
  if (subgraphs.length === 0) throw new TfliteFormatError('unsupported', 'expected at least one subgraph, found none');
  return { version, description: root.string(3, '', 'description'), subgraphs };
}

/** Read one `Tensor` table. */
function readTensor(t: FlatbufferTable, index: number, buffers: readonly (Uint8Array | undefined)[]): TfliteTensor {
  const typeCode = t.int8(1, 0, 'type');
  const buffer = t.uint32(2, 0, 'buffer');
  if (buffer >= buffers.length && buffers.length > 0)
    throw new TfliteFormatError('truncated', `tensor ${index} refers to buffer ${buffer} of ${buffers.length}`);
  const q = t.table(4, 'quantization');
  let quantization: TfliteQuantization | undefined;
  if (q !== undefined) {
    const scale = q.float32s(2, 'scale');
    if (scale.length > 0) {
      const zeroPoint = q.int64s(3, 'zero_point');
      quantization = {
        scale,
        zeroPoint: zeroPoint.length === scale.length ? zeroPoint : scale.map(() => 0),
        quantizedDimension: q.int32(6, 0, 'quantized_dimension'),
        min: q.float32s(0, 'min'),
        max: q.float32s(1, 'max'),
      };
    }
  }
  return {
    index,
    name: t.string(3, '', 'name'),
    shape: t.int32s(0, 'shape'),
    type: TFLITE_TENSOR_TYPES[typeCode] ?? `type_${typeCode}`,
    buffer,
    quantization,
    data: buffers[buffer],
  };
}

/** Read an operator's builtin options by its opcode, checking the union type the file declares. */
function readOptions(op: FlatbufferTable, opcode: string): TfliteOperatorOptions {
  const optionsType = op.uint8(3, 0, 'builtin_options_type');
  if (optionsType === 0) return { kind: 'none' };
  const o = op.table(4, 'builtin_options');
  if (o === undefined) return { kind: 'none' };
  const activation = (id: number): string => {
    const code = o.int8(id, 0, 'fused_activation_function');
    return TFLITE_ACTIVATIONS[code] ?? `activation_${code}`;
  };
  const padding = (): 'same' | 'valid' => {
    const code = o.int8(0, 0, 'padding');
    const p = TFLITE_PADDINGS[code];
    if (p === undefined)
      throw new TfliteFormatError('unsupported', `${opcode} has padding code ${code} (expected 0 = SAME or 1 = VALID)`);
    return p;
  };
  const T = TFLITE_OPTIONS_TYPES;
  switch (optionsType) {
    case T.Conv2DOptions:
      return {
        kind: 'conv2d',
        padding: padding(),
        strideW: o.int32(1, 0, 'stride_w'),
        strideH: o.int32(2, 0, 'stride_h'),
        activation: activation(3),
        dilationW: o.int32(4, 1, 'dilation_w_factor'),
        dilationH: o.int32(5, 1, 'dilation_h_factor'),
      };
    case T.DepthwiseConv2DOptions:
      return {
        kind: 'depthwise-conv2d',
        padding: padding(),
        strideW: o.int32(1, 0, 'stride_w'),
        strideH: o.int32(2, 0, 'stride_h'),
        depthMultiplier: o.int32(3, 0, 'depth_multiplier'),
        activation: activation(4),
        dilationW: o.int32(5, 1, 'dilation_w_factor'),
        dilationH: o.int32(6, 1, 'dilation_h_factor'),
      };
    case T.Pool2DOptions:
      return {
        kind: 'pool2d',
        padding: padding(),
        strideW: o.int32(1, 0, 'stride_w'),
        strideH: o.int32(2, 0, 'stride_h'),
        filterWidth: o.int32(3, 0, 'filter_width'),
        filterHeight: o.int32(4, 0, 'filter_height'),
        activation: activation(5),
      };
    case T.FullyConnectedOptions:
      return { kind: 'fully-connected', activation: activation(0), keepNumDims: o.uint8(2, 0, 'keep_num_dims') !== 0 };
    case T.AddOptions:
      return { kind: 'add', activation: activation(0) };
    case T.SoftmaxOptions:
      return { kind: 'softmax', beta: o.float32(0, 0, 'beta') };
    case T.ReshapeOptions:
      return { kind: 'reshape', newShape: o.int32s(0, 'new_shape') };
    case T.SqueezeOptions:
      return { kind: 'squeeze', squeezeDims: o.int32s(0, 'squeeze_dims') };
    default:
      return { kind: 'other', optionsType };
  }
}
