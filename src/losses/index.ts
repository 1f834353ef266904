// Public API of src/losses: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export { reduceLoss, REDUCTIONS, type Reduction, type Reduced, type ReductionOptions } from './reduction.js';
export * from './multinomial-cross-entropy.js';
export * from './ab-regression.js';
export * from './classification-cross-entropy.js';
export * from './iizuka-loss.js';
export * from './sigmoid-cross-entropy.js';
export * from './nazeri-gan-loss.js';
