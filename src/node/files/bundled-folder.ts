/**
 * Where a folder shipped in the package (`models/default`, `models/mobilenet-v2`) lies on disk: found by
 * walking up from this module, since the same code runs from `src/node/files/` in a checkout and from a
 * built file or chunk under `dist/` in an installation.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ColorizationError } from '../../errors.js';

/**
 * Absolute path of `folder` (relative to the package root) holding a `model.json`.
 * @param what  the folder's name for the error message (`'the bundled model'`).
 * @throws ColorizationError when this installation of the package does not hold it.
 */
export function findBundledFolder(folder: string, what: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, folder);
    if (existsSync(join(candidate, 'model.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ColorizationError(`${what} (${folder}/model.json) is missing from this installation of tfjs-colorization`);
}
