// Public API of src/kernels: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export * from './kernel-replacements.js';
export { conv2dBackpropFilterByConv } from './conv2d-backprop-filter.js';
export * from './conv2d-backprop-input.js';
export * from './depthwise-conv2d-backprop.js';
