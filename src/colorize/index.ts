// Public API of src/colorize: re-exports only.
export * from './colorize-abort.js';
export * from './bundled-model.js';
export * from './model-source.js';
export * from './model-kind.js';
export * from './fit-lightness.js';
export * from './colorize-options.js';
export * from './create-colorizer.js';
