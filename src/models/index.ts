// Public API of src/models: re-exports only.
export * from './resize-bilinear.js';
export * from './layers/resize-to-match.js';
export * from './resnet18.js';
export * from './copy-backbone.js';
export * from './baseline.js';
export * from './larsson.js';
export * from './layers/dilated-conv2d.js';
export * from './layers/fusion-layer.js';
export * from './zhang-eccv16.js';
export * from './nazeri-presets.js';
export * from './nazeri-generator.js';
export * from './nazeri-discriminator.js';
export * from './nazeri-gan.js';
export * from './iizuka.js';
export * from './layers/freezable-batch-norm.js';
export * from './fold-batch-norm.js';
