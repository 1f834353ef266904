// Public API of src/losses: re-exports only.
export * from './reduction.js';
export * from './multinomial-cross-entropy.js';
export * from './ab-regression.js';
export * from './classification-cross-entropy.js';
export * from './iizuka-loss.js';
export * from './sigmoid-cross-entropy.js';
export * from './nazeri-gan-loss.js';
