/**
 * tfjs-colorization/node: the Node-only corner (files, image decoding with sharp, model and checkpoint files, CLI).
 * Named lists where a file also exports internals (its tests import those from the file).
 */
export * from '../index.js';
export * from './image-files.js';
export * from './contact-sheet-file.js';
export * from './checkpoint-files.js';
export * from './wasm-threads.js';
export * from './image-folder-source.js';
export * from './cifar10-files.js';
export { createProgressBar, type ProgressStream, type ProgressBarConfig } from './progress-bar.js';
export * from './sample-sheets.js';
export {
  saveModelFiles, readModelArtifacts, loadModelFiles, MODEL_JSON_FILE, FLOAT16_MAX, ModelFileError,
  type WeightStorage, type SaveModelFilesOptions, type SavedModelFiles,
} from './model-files.js';
export * from './create-node-colorizer.js';
export * from './colorize-files.js';
export * from './hints-sidecar.js';
export * from './output-folder.js';
export { atomicWriteFile, removeStaleTemporaryFiles, ATOMIC_TEMPORARY_FILE } from './atomic-write.js';
export * from './cli.js';
export * from './training-curves.js';
export * from './bundled-model-files.js';
export * from './colorization-metadata-file.js';
export * from './download-verified.js';
export * from './published-weights.js';
export * from './torch-model-files.js';
export * from './get-published-model.js';
export * from './weights-commands.js';
export * from './bundled-mobilenet-v2.js';
