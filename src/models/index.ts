// Public API of src/models: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export * from './resize-bilinear.js';
export * from './layers/resize-to-match.js';
export {
  resnet18StageOutput, resolveResNet18Config, buildResNet18, RESNET18_STEMS, RESNET18_DEFAULTS, RESNET18_WIDTHS,
  RESNET18_FEATURE_LAYERS, type ResNet18Stem, type ResNet18Config, type ResolvedResNet18Config,
} from './resnet18.js';
export { copyBackboneFeatures, copyBackboneTop, copyLayerWeights, type CopyBackboneOptions } from './copy-backbone.js';
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
export * from './siggraph17.js';
export * from './vgg16.js';
export * from './mobilenet-v2.js';
export * from './mobilenet-v2-weights-file.js';
export * from './hypercolumn-colorizer.js';
