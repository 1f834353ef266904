/**
 * Turn a constant TFLite tensor into float32 values: real = (q − zero_point) × scale, per tensor or per
 * channel along `quantized_dimension` (TensorFlow Lite 8-bit quantization specification). int32 biases
 * carry scale = input scale × weight scale, which the converter stores on the bias tensor itself.
 */
import { TfliteFormatError } from '../../errors.js';
import type { TfliteTensor } from './read-tflite-model.js';
import { TFLITE_NUMERIC_TYPES, TFLITE_TYPE_BYTES, type TfliteNumericType } from './tflite-schema.js';

/** Product of a shape's dimensions (1 for a scalar). */
function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Read the raw elements of a numeric tensor as numbers (little-endian, as TFLite stores them). */
function rawValues(
  tensor: TfliteTensor,
  type: TfliteNumericType,
  count: number,
  data: Uint8Array,
): Float64Array | Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = type === 'float32' ? new Float32Array(count) : new Float64Array(count);
  const size = TFLITE_TYPE_BYTES[type];
  for (let i = 0; i < count; i++) {
    const p = i * size;
    switch (type) {
      case 'float32':
        out[i] = view.getFloat32(p, true);
        break;
      case 'float16':
        out[i] = float16ToNumber(view.getUint16(p, true));
        break;
      case 'int32':
        out[i] = view.getInt32(p, true);
        break;
      case 'uint8':
        out[i] = view.getUint8(p);
        break;
      case 'int8':
        out[i] = view.getInt8(p);
        break;
      case 'int16':
        out[i] = view.getInt16(p, true);
        break;
      case 'int64':
        out[i] = Number(view.getBigInt64(p, true));
        break;
    }
  }
  return out;
}

/**
 * Decode an IEEE 754 binary16 bit pattern.
 * @example float16ToNumber(0x3c00); // 1
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Dequantize a constant TFLite tensor to float32, in the tensor's own row-major layout.
 *
 * Float tensors are returned as they are (float16 widened). Integer tensors need quantization
 * parameters: one scale and zero point, or one per index of `quantizedDimension` (per-channel weights).
 *
 * @param tensor  a tensor with constant data (`tensor.data`).
 * @returns float32 values, `elementCount(tensor.shape)` of them.
 * @throws TfliteFormatError `'unsupported'` for a non-numeric type or an integer tensor without scales,
 *   `'truncated'` when the buffer is shorter than the shape needs, `'mismatch'` when per-channel scales do not
 *   match the quantized dimension.
 * @example
 * const kernel = dequantizeTfliteTensor(model.subgraphs[0].tensors[op.inputs[1]]);
 */
export function dequantizeTfliteTensor(tensor: TfliteTensor): Float32Array {
  const type = tensor.type as TfliteNumericType;
  if (!TFLITE_NUMERIC_TYPES.includes(type)) {
    throw new TfliteFormatError(
      'unsupported',
      `tensor ${JSON.stringify(tensor.name)}: type ${tensor.type} cannot be read as numbers (supported: ${TFLITE_NUMERIC_TYPES.join(', ')})`,
    );
  }
  if (tensor.data === undefined)
    throw new TfliteFormatError(
      'mismatch',
      `tensor ${JSON.stringify(tensor.name)} has no constant data (an activation, not a weight)`,
    );
  const count = elementCount(tensor.shape);
  const needed = count * TFLITE_TYPE_BYTES[type];
  if (tensor.data.length < needed) {
    throw new TfliteFormatError(
      'truncated',
      `tensor ${JSON.stringify(tensor.name)} of shape [${tensor.shape.join(', ')}] ${type} needs ${needed} bytes, its buffer holds ${tensor.data.length}`,
    );
  }
  const raw = rawValues(tensor, type, count, tensor.data);
  if (type === 'float32' || type === 'float16') return raw instanceof Float32Array ? raw : Float32Array.from(raw);
  const q = tensor.quantization;
  if (q === undefined)
    throw new TfliteFormatError(
      'unsupported',
      `tensor ${JSON.stringify(tensor.name)}: ${type} without quantization scales has no float meaning`,
    );
  const out = new Float32Array(count);
  if (q.scale.length === 1) {
    const [scale] = q.scale;
    const [zero] = q.zeroPoint;
    for (let i = 0; i < count; i++) out[i] = (raw[i] - zero) * scale;
    return out;
  }
  const axis = q.quantizedDimension;
  if (axis < 0 || axis >= tensor.shape.length || tensor.shape[axis] !== q.scale.length) {
    throw new TfliteFormatError(
      'mismatch',
      `tensor ${JSON.stringify(tensor.name)} of shape [${tensor.shape.join(', ')}] has ${q.scale.length} scales along dimension ${axis}`,
    );
  }
  const inner = elementCount(tensor.shape.slice(axis + 1));
  const channels = q.scale.length;
  for (let i = 0; i < count; i++) {
    const ch = Math.floor(i / inner) % channels;
    out[i] = (raw[i] - q.zeroPoint[ch]) * q.scale[ch];
  }
  return out;
}
