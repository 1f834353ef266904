// Public API of src/hints: re-exports only.
export * from './simulate-hints.js';
