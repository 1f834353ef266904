// Public API of src/color: re-exports only.
export * from './constants.js';
export * from './lab.js';
export * from './lab-tensor.js';
export * from './image.js';
export * from './image-adapters.js';
export * from './image-resample.js';
export * from './image-model-input.js';
export * from './image-recombine.js';
