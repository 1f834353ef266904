// Public API of src/train: re-exports only.
export * from './batch.js';
export * from './contact-sheet.js';
export * from './checkpoint-checksum.js';
export * from './checkpoint-format.js';
export * from './checkpoint-store.js';
export * from './checkpoint-memory-store.js';
export * from './checkpoint.js';
export * from './schedules/schedule-state.js';
