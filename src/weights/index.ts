// Public API of src/weights (entry "tfjs-colorization/weights"): readers of published weights files. Re-exports only.
export * from './torch/index.js';
export * from './tflite/index.js';
export * from './published/index.js';
