// Learning-rate schedules: re-exports only.
export * from './schedule-state.js';
export * from './step-decay.js';
export * from './exponential-decay.js';
export * from './reduce-on-plateau.js';
export * from './set-learning-rate.js';
