/**
 * The one walk of a folder for image files, shared by batch colorization (`colorizeFiles`) and the
 * training source (`createImageFolderSource`), with one list of extensions: the formats the package's
 * `sharp` build decodes.
 */
import { readdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ColorizationError } from '../../errors.js';

/**
 * Extensions picked up when walking a folder: what the prebuilt `sharp` (libvips with libheif for AV1 only)
 * decodes. HEIC (HEVC) and BMP files are not among them, so a folder of them is not listed as work that
 * would then fail file by file; a file named explicitly is always tried.
 * @example
 * const photos = await createImageFolderSource('photos/', { extensions: IMAGE_FILE_EXTENSIONS.filter((e) => e !== '.gif') });
 */
export const IMAGE_FILE_EXTENSIONS: readonly string[] = Object.freeze([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
]);

/** Options of {@link walkImageFolder}. */
export interface ImageFolderWalkOptions {
  /** Go into subfolders. Default true. */
  recursive?: boolean;
  /** Extensions to list, with the dot, compared without case. Default {@link IMAGE_FILE_EXTENSIONS}. */
  extensions?: readonly string[];
  /** A folder never walked (batch colorization's output folder). */
  exclude?: string;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The image files under `root`, as paths relative to it joined with `/`, in walk order: each folder's
 * entries sorted by code unit, a subfolder walked where it sorts. Hidden files and folders (`.DS_Store`,
 * `.git`, editors' swap files) are skipped; files and links to files count, folders reached through links
 * are not walked.
 *
 * @throws ColorizationError naming the folder when one cannot be listed.
 */
export async function walkImageFolder(root: string, options: ImageFolderWalkOptions = {}): Promise<string[]> {
  const recursive = options.recursive ?? true;
  const extensions = new Set((options.extensions ?? IMAGE_FILE_EXTENSIONS).map((e) => e.toLowerCase()));
  const exclude = options.exclude === undefined ? undefined : resolve(options.exclude);
  const found: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    if (exclude !== undefined && resolve(folder) === exclude) return;
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (e) {
      throw new ColorizationError(
        `${folder}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    entries.sort((a, b) => compareCodeUnits(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relativePath = prefix + entry.name;
      if (entry.isDirectory()) {
        if (recursive) await walk(join(folder, entry.name), `${relativePath}/`);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && extensions.has(extname(entry.name).toLowerCase())) {
        found.push(relativePath);
      }
    }
  };
  await walk(root, '');
  return found;
}
