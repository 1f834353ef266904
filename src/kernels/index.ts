// Public API of src/kernels: re-exports only.
export * from './kernel-replacements.js';
export * from './conv2d-backprop-filter.js';
export * from './conv2d-backprop-input.js';
