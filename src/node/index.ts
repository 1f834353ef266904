/**
 * tfjs-colorization/node: the Node-only corner, in three rooms: `files/` (image decoding with sharp, model,
 * checkpoint and data-set files, atomic writes, published weights), `cli/` (the command line, batch
 * colorization of files and folders, progress display) and `training-runs/` (training curves, sample
 * sheets); `createNodeColorizer` and the wasm threads at the top.
 * Named lists where a file also exports internals (its tests import those from the file).
 */
export * from '../index.js';
export * from './create-node-colorizer.js';
export * from './wasm-threads.js';

// files/
export * from './files/image-files.js';
export * from './files/contact-sheet-file.js';
export { atomicWriteFile, removeStaleTemporaryFiles, ATOMIC_TEMPORARY_FILE } from './files/atomic-write.js';
export {
  saveModelFiles,
  readModelArtifacts,
  loadModelFiles,
  MODEL_JSON_FILE,
  FLOAT16_MAX,
  ModelFileError,
  type WeightStorage,
  type SaveModelFilesOptions,
  type SavedModelFiles,
} from './files/model-files.js';
export * from './files/checkpoint-files.js';
export * from './files/image-folder-source.js';
export { IMAGE_FILE_EXTENSIONS } from './files/image-folder-walk.js';
export * from './files/cifar10-files.js';
export * from './files/bundled-model-files.js';
export * from './files/bundled-mobilenet-v2.js';
export * from './files/colorization-metadata-file.js';
export * from './files/download-verified.js';
export * from './files/published-weights.js';
export * from './files/torch-model-files.js';
export * from './files/get-published-model.js';

// cli/
export * from './cli/cli.js';
export * from './cli/cli-environment.js';
export * from './cli/colorize-files.js';
export * from './cli/hints-sidecar.js';
export * from './cli/output-folder.js';
export * from './cli/weights-commands.js';
export { createProgressBar, type ProgressStream, type ProgressBarConfig } from './cli/progress-bar.js';

// training-runs/
export * from './training-runs/sample-sheets.js';
export * from './training-runs/training-curves.js';
