// Public API of src/color: re-exports only.
export * from './lab/constants.js';
export * from './lab/lab.js';
export * from './lab/lab-tensor.js';
export * from './image/image.js';
export * from './image/image-adapters.js';
export * from './image/image-resample.js';
export * from './image/image-model-input.js';
export * from './image/image-recombine.js';
export * from './image/pixel-geometry.js';
export * from './image/contact-sheet.js';
export * from './bins/gamut.js';
export * from './bins/derive-gamut.js';
export * from './bins/encode-hard.js';
export * from './bins/encode-soft.js';
// The decoders' unchecked cores (…Unchecked) stay internal: the colorizer calls them after its own checks.
export {
  DEFAULT_TEMPERATURE,
  DISTRIBUTION_INPUTS,
  type DistributionInput,
  type DecodeConfig,
} from './decode/decode-config.js';
export { annealDistribution } from './decode/anneal-distribution.js';
export { decodeAnnealedMean } from './decode/decode-annealed-mean.js';
export * from './decode/decode-mean.js';
export { decodeMode } from './decode/decode-mode.js';
export {
  sampleColorizations,
  MAX_SAMPLE_COUNT,
  COLORIZER_SAMPLE_WINDOW,
  type SampleConfig,
} from './decode/sample-colorizations.js';
export * from './prior/prior.js';
export * from './prior/smooth-prior.js';
export * from './prior/rebalance.js';
