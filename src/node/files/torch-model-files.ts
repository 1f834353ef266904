/**
 * Converting a PyTorch state-dict file of a published layout into an ordinary model folder: `model.json`
 * and weights (`saveModelFiles`) plus `colorization.json` with the decoding that reproduces the authors'
 * demo, so `createNodeColorizer`, `colorize --model` and the browser page load it as they load any model.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  COLORIZATION_METADATA_FILE,
  COLORIZATION_METADATA_FORMAT,
  type ColorizationMetadata,
} from '../../colorize/colorization-metadata.js';
import { ModelFileError } from './model-files.js';
import { saveModelFiles, type WeightStorage } from './model-files.js';
import { atomicWriteFile } from './atomic-write.js';
import { readTorchStateDict } from '../../weights/torch/state-dict.js';
import {
  modelFromStateDict,
  type PublishedArchitecture,
  type PublishedModel,
} from '../../weights/published/published-architecture.js';
import { PUBLISHED_WEIGHTS } from './published-weights.js';

/** Options of {@link convertTorchFile}. @example const options: ConvertTorchFileOptions = { architecture: 'eccv16' }; */
export interface ConvertTorchFileOptions {
  /** The layout; detected from the keys when absent. */
  architecture?: PublishedArchitecture;
  /** Input side; default 256 for the colorizers, 224 for the ImageNet backbones. */
  inputSize?: number;
  /** `'float32'` (default, exact) or `'float16'` (half the size). */
  weights?: WeightStorage;
  /** Where the file came from, recorded in `colorization.json`. */
  url?: string;
}

/** What {@link convertTorchFile} wrote. @example const { folder, architecture } = await convertTorchFile('eccv16.pth', 'models/eccv16'); */
export interface ConvertedTorchFile {
  folder: string;
  architecture: PublishedArchitecture;
  /** The builder configuration (widths read from the file). */
  config: PublishedModel['config'];
  /** Full SHA-256 of the input file, hex. */
  sha256: string;
  weightBytes: number;
  metadata: ColorizationMetadata;
}

/** The metadata that reproduces the authors' demo for each layout (none needed for backbones). */
function metadataFor(
  architecture: PublishedArchitecture,
  file: string,
  sha256: string,
  url: string | undefined,
): ColorizationMetadata {
  const published = Object.values(PUBLISHED_WEIGHTS).find((p) => p.architecture === architecture);
  const source = {
    file,
    sha256,
    ...(url ? { url } : {}),
    ...(published ? { licence: published.licence, paper: published.paper } : {}),
  };
  const base: ColorizationMetadata = { format: COLORIZATION_METADATA_FORMAT, version: 1, architecture, source };
  // demo_release.py decodes ECCV16 by the mean of the softmax (model_out), at T = 1.
  if (architecture === 'eccv16') return { ...base, decode: 'mean', pipeline: 'zhang-demo' };
  if (architecture === 'siggraph17') return { ...base, pipeline: 'zhang-demo' };
  return base;
}

/**
 * Read a PyTorch state-dict file (zip or legacy format), map it onto the library's model for its layout,
 * and write a model folder with `colorization.json`.
 *
 * A tfjs backend must be selected (any: the weights are only copied).
 *
 * @param input  path of the `.pth` file.
 * @param folder  output folder (created; a model saved there before is replaced).
 * @param options  `architecture`, `inputSize`, `weights`, `url`.
 * @returns what was written.
 * @throws ModelFileError when the file cannot be read; WeightsFileError when it is not a plain state
 *   dict; WeightLayoutError when its keys or shapes do not fit the layout.
 * @example
 * await convertTorchFile('colorization_release_v2-9b330a0b.pth', 'models/eccv16');
 */
export async function convertTorchFile(
  input: string,
  folder: string,
  options: ConvertTorchFileOptions = {},
): Promise<ConvertedTorchFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (e) {
    throw new ModelFileError(input, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const dict = readTorchStateDict(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const { architecture, model, config } = modelFromStateDict(dict, {
    architecture: options.architecture,
    inputSize: options.inputSize,
  });
  try {
    const saved = await saveModelFiles(model, folder, { weights: options.weights });
    const metadata = metadataFor(architecture, basename(input), sha256, options.url);
    await atomicWriteFile(join(folder, COLORIZATION_METADATA_FILE), JSON.stringify(metadata, null, 1) + '\n');
    return { folder, architecture, config, sha256, weightBytes: saved.weightBytes, metadata };
  } finally {
    model.dispose();
  }
}
