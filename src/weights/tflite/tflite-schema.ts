/**
 * The parts of TensorFlow Lite's schema (`tensorflow/lite/schema/schema.fbs`, version 3) that this reader
 * uses: tensor element types, builtin operator codes, activation and padding enums, and the union ids of
 * the option tables. Numbers are the schema's; a code missing here reads as `BUILTIN_<code>`.
 */

/** TFLite `TensorType` values by name (schema.fbs). @example TFLITE_TENSOR_TYPES[3]; // 'uint8' */
export const TFLITE_TENSOR_TYPES: Readonly<Record<number, string>> = {
  0: 'float32',
  1: 'float16',
  2: 'int32',
  3: 'uint8',
  4: 'int64',
  5: 'string',
  6: 'bool',
  7: 'int16',
  8: 'complex64',
  9: 'int8',
  10: 'float64',
  11: 'complex128',
  12: 'uint64',
  13: 'resource',
  14: 'variant',
  15: 'uint32',
  16: 'uint16',
  17: 'int4',
};

/** Element types whose buffers this reader turns into numbers. @example TFLITE_NUMERIC_TYPES.includes('int8'); // true */
export const TFLITE_NUMERIC_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int8', 'int16', 'int64'] as const;

/** One of {@link TFLITE_NUMERIC_TYPES}. @example const t: TfliteNumericType = 'uint8'; */
export type TfliteNumericType = (typeof TFLITE_NUMERIC_TYPES)[number];

/** Bytes per element of each numeric type. @example TFLITE_TYPE_BYTES.int32; // 4 */
export const TFLITE_TYPE_BYTES: Readonly<Record<TfliteNumericType, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint8: 1,
  int8: 1,
  int16: 2,
  int64: 8,
};

/** Names of the builtin operators by code (schema.fbs `BuiltinOperator`, 0 … 117). @example TFLITE_BUILTIN_OPERATORS[4]; // 'DEPTHWISE_CONV_2D' */
export const TFLITE_BUILTIN_OPERATORS: readonly string[] = [
  'ADD',
  'AVERAGE_POOL_2D',
  'CONCATENATION',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'DEPTH_TO_SPACE',
  'DEQUANTIZE',
  'EMBEDDING_LOOKUP',
  'FLOOR',
  'FULLY_CONNECTED',
  'HASHTABLE_LOOKUP',
  'L2_NORMALIZATION',
  'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION',
  'LOGISTIC',
  'LSH_PROJECTION',
  'LSTM',
  'MAX_POOL_2D',
  'MUL',
  'RELU',
  'RELU_N1_TO_1',
  'RELU6',
  'RESHAPE',
  'RESIZE_BILINEAR',
  'RNN',
  'SOFTMAX',
  'SPACE_TO_DEPTH',
  'SVDF',
  'TANH',
  'CONCAT_EMBEDDINGS',
  'SKIP_GRAM',
  'CALL',
  'CUSTOM',
  'EMBEDDING_LOOKUP_SPARSE',
  'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN',
  'GATHER',
  'BATCH_TO_SPACE_ND',
  'SPACE_TO_BATCH_ND',
  'TRANSPOSE',
  'MEAN',
  'SUB',
  'DIV',
  'SQUEEZE',
  'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'STRIDED_SLICE',
  'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP',
  'TOPK_V2',
  'SPLIT',
  'LOG_SOFTMAX',
  'DELEGATE',
  'BIDIRECTIONAL_SEQUENCE_LSTM',
  'CAST',
  'PRELU',
  'MAXIMUM',
  'ARG_MAX',
  'MINIMUM',
  'LESS',
  'NEG',
  'PADV2',
  'GREATER',
  'GREATER_EQUAL',
  'LESS_EQUAL',
  'SELECT',
  'SLICE',
  'SIN',
  'TRANSPOSE_CONV',
  'SPARSE_TO_DENSE',
  'TILE',
  'EXPAND_DIMS',
  'EQUAL',
  'NOT_EQUAL',
  'LOG',
  'SUM',
  'SQRT',
  'RSQRT',
  'SHAPE',
  'POW',
  'ARG_MIN',
  'FAKE_QUANT',
  'REDUCE_PROD',
  'REDUCE_MAX',
  'PACK',
  'LOGICAL_OR',
  'ONE_HOT',
  'LOGICAL_AND',
  'LOGICAL_NOT',
  'UNPACK',
  'REDUCE_MIN',
  'FLOOR_DIV',
  'REDUCE_ANY',
  'SQUARE',
  'ZEROS_LIKE',
  'FILL',
  'FLOOR_MOD',
  'RANGE',
  'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU',
  'SQUARED_DIFFERENCE',
  'MIRROR_PAD',
  'ABS',
  'SPLIT_V',
  'UNIQUE',
  'CEIL',
  'REVERSE_V2',
  'ADD_N',
  'GATHER_ND',
  'COS',
  'WHERE',
  'RANK',
  'ELU',
  'REVERSE_SEQUENCE',
  'MATRIX_DIAG',
  'QUANTIZE',
  'MATRIX_SET_DIAG',
  'ROUND',
  'HARD_SWISH',
];

/** Name of a builtin operator code (`BUILTIN_<code>` for codes past the table). @example tfliteOperatorName(3); // 'CONV_2D' */
export function tfliteOperatorName(code: number): string {
  return TFLITE_BUILTIN_OPERATORS[code] ?? `BUILTIN_${code}`;
}

/** Fused activations (schema.fbs `ActivationFunctionType`). @example TFLITE_ACTIVATIONS[3]; // 'relu6' */
export const TFLITE_ACTIVATIONS: readonly string[] = ['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit'];

/** Padding (schema.fbs `Padding`): TensorFlow's SAME (extra row/column at the bottom/right) or VALID. @example TFLITE_PADDINGS[0]; // 'same' */
export const TFLITE_PADDINGS = ['same', 'valid'] as const;

/** Union ids of `BuiltinOptions` read here (schema.fbs). @example TFLITE_OPTIONS_TYPES.Conv2DOptions; // 1 */
export const TFLITE_OPTIONS_TYPES = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  SqueezeOptions: 30,
} as const;
