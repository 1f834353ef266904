// Public API of src/train: re-exports only. Named lists where a file also exports internals (its tests import those from the file).
export * from './batch.js';
export {
  verifyCheckpointRecord,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  type CheckpointMetric,
  type CheckpointModelEntry,
  type CheckpointOptimizerEntry,
  type CheckpointPartEntry,
  type CheckpointManifest,
  type CheckpointRecord,
} from './checkpoint/checkpoint-format.js';
export {
  resolveCheckpointStoreConfig,
  type CheckpointInfo,
  type CheckpointStoreConfig,
  type ResolvedCheckpointStoreConfig,
  type CheckpointStore,
} from './checkpoint/checkpoint-store.js';
export * from './checkpoint/checkpoint-memory-store.js';
export * from './checkpoint/checkpoint.js';
export * from './schedules/schedule-state.js';
export * from './data/example-source.js';
export * from './data/array-source.js';
export {
  parseCifar10Batch,
  parseCifar10ClassNames,
  createCifar10Source,
  CIFAR10_SIDE,
  CIFAR10_RECORD_BYTES,
  CIFAR10_CLASS_NAMES,
  type Cifar10Records,
  type Cifar10SourceOptions,
} from './data/cifar10.js';
export * from './data/derive-seed.js';
export * from './data/gray-check.js';
export { type ResizeMode, type CropMode, type ExampleGeometry } from './data/example-geometry.js';
export * from './data/batch-pipeline.js';
export * from './schedules/step-decay.js';
export * from './schedules/exponential-decay.js';
export * from './schedules/reduce-on-plateau.js';
export * from './schedules/set-learning-rate.js';
export * from './data/prior-pass.js';
export * from './metrics/index.js';
export * from './checkpoint/checkpoint-indexeddb-store.js';
export * from './data/cached-source.js';
export * from './optimizer-presets.js';
export {
  type TrainingPosition,
  type TrainBeginEvent,
  type EpochBeginEvent,
  type BatchEndEvent,
  type ValidationEvent,
  type CheckpointEvent,
  type EpochEndEvent,
  type CollapseEvent,
  type TrainEndEvent,
  type SampleProducer,
  type TrainingCallbacks,
  type TrainingEventMap,
} from './callbacks.js';
export * from './objectives.js';
export * from './objectives-regression.js';
export * from './objectives-bins.js';
export * from './objectives-joint.js';
export * from './objectives-labels.js';
export * from './validation-metrics.js';
export * from './collapse-guard.js';
export * from './training-step.js';
export {
  TrainingLoop,
  type LearningRateSchedule,
  type CheckpointPolicy,
  type ValidationSchedule,
  type FitOptions,
  type FitResult,
  type TrainerLoopConfig,
  type ResumeOptions,
  type ResumeResult,
  type LoopCore,
} from './training-loop.js';
export * from './supervised-trainer.js';
export * from './gan-trainer.js';
