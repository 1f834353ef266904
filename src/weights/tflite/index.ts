// Public API of src/weights/tflite: re-exports only.
export * from './read-tflite-model.js';
export * from './tflite-schema.js';
export { dequantizeTfliteTensor, float16ToNumber } from './dequantize-tflite-tensor.js';
export * from './mobilenet-v2-weights.js';
