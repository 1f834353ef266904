/**
 * tfjs-colorization: automatic image colorization with TensorFlow.js.
 * The universal entry: re-exports only. Node-only code lives behind `tfjs-colorization/node`.
 */
export {
  ColorizationError,
  InputError,
  ConfigError,
  BackendError,
  WeightsFileError,
  HintError,
  WeightLayoutError,
  TfliteFormatError,
} from './errors.js';
export type { WeightsFileReason, TfliteErrorKind } from './errors.js';
export * from './random.js';
export * from './backend.js';
export * from './color/index.js';
export * from './losses/index.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './kernels/index.js';
export * from './colorize/index.js';
export * from './weights/index.js';
export * from './hints/index.js';
