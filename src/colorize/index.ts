// Public API of src/colorize: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export { ColorizeAbortError } from './colorize-abort.js';
export { registerBundledModel, hasBundledModel, type BundledModelLoader } from './bundled-model.js';
export { type ModelSource } from './model-source.js';
export * from './model-kind.js';
export { FIT_MODES, type FitMode } from './fit-lightness.js';
export { DECODE_METHODS, type DecodeMethod } from './decode-method.js';
export {
  MAX_COLORIZE_SAMPLES,
  MAX_SATURATION,
  type ColorizeStage,
  type ColorizeProgress,
  type ColorizerOptions,
  type ColorizeOptions,
} from './colorize-options.js';
export * from './create-colorizer.js';
export * from './colorization-metadata.js';
