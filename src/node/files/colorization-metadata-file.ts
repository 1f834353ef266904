/**
 * Reading a model folder's `colorization.json` (see `src/colorize/colorization-metadata.ts`) in Node.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  COLORIZATION_METADATA_FILE,
  parseColorizationMetadata,
  type ColorizationMetadata,
} from '../../colorize/colorization-metadata.js';
import { ModelFileError } from './model-files.js';

/**
 * The `colorization.json` beside a model, or `undefined` when the folder has none.
 *
 * @param location  a model folder or its `model.json` path.
 * @returns the checked metadata, or `undefined`.
 * @throws ModelFileError when the file exists but is not JSON; ConfigError when its fields are invalid.
 * @example const metadata = await readColorizationMetadata('models/eccv16');
 */
export async function readColorizationMetadata(location: string): Promise<ColorizationMetadata | undefined> {
  const folder = (await stat(location)).isDirectory() ? location : dirname(location);
  const path = join(folder, COLORIZATION_METADATA_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelFileError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelFileError(path, 'not valid JSON');
  }
  return parseColorizationMetadata(json);
}
