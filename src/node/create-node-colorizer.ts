/**
 * `createColorizer` for Node: model paths as plain file paths, and a fast backend picked for you
 * (wasm with 2 threads and this library's kernels: much faster than the cpu backend for inference, and
 * faster again with a second thread; docs/performance.md has the measurements).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useBackend } from '../backend.js';
import { createColorizer, type Colorizer } from '../colorize/create-colorizer.js';
import type { ColorizerOptions } from '../colorize/colorize-options.js';
import type { ModelSource } from '../colorize/model-source.js';
import { ConfigError, describeValue } from '../errors.js';
import { registerKernels } from '../kernels/kernel-replacements.js';
import { checkConfigRange } from '../validate.js';
import { readColorizationMetadata } from './files/colorization-metadata-file.js';
import { readModelArtifacts } from './files/model-files.js';
import { useWasmThreads } from './wasm-threads.js';

/**
 * Options of {@link createNodeColorizer}: those of `createColorizer`, plus the backend.
 * @example const options: NodeColorizerOptions = { model: 'models/my-colorizer', backend: 'cpu' };
 */
export interface NodeColorizerOptions extends Omit<ColorizerOptions, 'model'> {
  /**
   * As in `createColorizer`, and also a local model directory, `model.json` path or `file:` URL (read
   * with `readModelArtifacts`). Default: the bundled model.
   */
  model?: ModelSource | URL;
  /**
   * Backend to select: `'wasm'` (default, threads and kernels set up), any other registered name (e.g.
   * `'cpu'`, `'tensorflow'`), or `false` to keep the current one. The application imports the backend's
   * package first (`import '@tensorflow/tfjs-backend-wasm'`).
   */
  backend?: string | false;
  /** wasm threads, 1…8. Default 2. */
  threads?: number;
  /** Receives warnings of the wasm thread set-up (e.g. a fallback to 1 thread). Default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

function isLocalModelPath(model: unknown): model is string | URL {
  if (model instanceof URL) return model.protocol === 'file:';
  if (typeof model !== 'string') return false;
  if (model.startsWith('file:')) return true;
  // Anything with a scheme (http://, indexeddb://, …) is left to tfjs's IO routers.
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(model) && existsSync(model);
}

/**
 * Select a backend and create a colorizer, reading local model files directly.
 *
 * @param options  `backend` (default `'wasm'` with `threads` 2 and `registerKernels`), `threads`,
 *   `onWarning`, and every option of `createColorizer` (`model` may also be a local path; its folder's
 *   `colorization.json`, when present, gives the default decoding and pipeline).
 * @returns a {@link Colorizer}; `dispose()` it when done.
 * @throws BackendError when the backend is not registered (its package not imported); ConfigError for
 *   bad options; ModelFileError for unreadable model files.
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * import { createNodeColorizer, readImageFile, writeImageFile } from 'tfjs-colorization/node';
 * const colorizer = await createNodeColorizer({ model: 'models/my-colorizer' });
 * const { rgb } = await colorizer.colorize(await readImageFile('old-photo.jpg'));
 * await writeImageFile('old-photo-colour.png', rgb);
 */
export async function createNodeColorizer(options: NodeColorizerOptions = {}): Promise<Colorizer> {
  const { backend = 'wasm', threads = 2, onWarning, model, ...rest } = options;
  checkConfigRange('threads', threads, 1, 8, { integer: true });
  if (backend !== false && (typeof backend !== 'string' || backend.length === 0)) {
    throw new ConfigError('backend', "a registered backend name ('wasm', 'cpu', …) or false", describeValue(backend));
  }
  if (backend === 'wasm') {
    await useWasmThreads({ threads, onWarning });
    // Faster transposed convolutions (Zhang's conv8) on wasm; see docs/kernels.md.
    registerKernels({ backend: 'wasm' });
  } else if (backend !== false) {
    await useBackend(backend);
  }
  if (!isLocalModelPath(model)) return createColorizer({ ...rest, model: model as ModelSource | undefined });
  const path = model instanceof URL ? fileURLToPath(model) : model;
  const metadata = rest.metadata ?? (await readColorizationMetadata(path));
  return createColorizer({ ...rest, model: await readModelArtifacts(path), metadata });
}
