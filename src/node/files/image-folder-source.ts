/**
 * A folder of photos as an {@link ExampleSource}: the file list is read once (recursively, sorted, so the
 * indices are the same on every machine), and each image is decoded with `sharp` only when the pipeline
 * reads it, so a folder of any size streams through in bounded memory. Files that do not decode are
 * reported through a callback and skipped by the pipeline; training goes on.
 * Labels, when wanted, come from the first sub-folder name (ImageNet / Places layout) or a manifest CSV.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { checkExampleIndex, type ExampleSource, type RawExample } from '../../train/data/example-source.js';
import { ImageFileError, readImageFile } from './image-files.js';
import { IMAGE_FILE_EXTENSIONS, walkImageFolder } from './image-folder-walk.js';

/**
 * The extensions listed by default: the same list as {@link IMAGE_FILE_EXTENSIONS} (batch colorization walks
 * folders with it too), under the name this source has always exported.
 * @example
 * const source = await createImageFolderSource('photos/', { extensions: IMAGE_EXTENSIONS.filter((e) => e !== '.gif') });
 */
export const IMAGE_EXTENSIONS: readonly string[] = IMAGE_FILE_EXTENSIONS;

/**
 * Labels from a CSV manifest: one row per image, a header naming the columns.
 * @example
 * const source = await createImageFolderSource('places/', { labels: { manifest: 'places/labels.csv', fileColumn: 'path', labelColumn: 'scene' } });
 */
export interface ManifestLabels {
  /** Path of the CSV file (comma-separated, optional double quotes, first line the header). */
  manifest: string;
  /** Column with the image path relative to the folder. Default `'file'`. */
  fileColumn?: string;
  /** Column with the label: integers used as they are, otherwise class names (sorted, numbered from 0). Default `'label'`. */
  labelColumn?: string;
}

/**
 * Options of {@link createImageFolderSource}.
 * @example
 * const source = await createImageFolderSource('data/train', { labels: 'subfolder', recursive: true });
 */
export interface ImageFolderSourceOptions {
  /** Extensions to list (with the dot). Default {@link IMAGE_EXTENSIONS}. */
  extensions?: readonly string[];
  /** Descend into sub-folders. Default true. */
  recursive?: boolean;
  /**
   * Where labels come from: `'none'` (default), `'subfolder'` (the first folder under the root names the
   * class; classes sorted, numbered from 0), or a {@link ManifestLabels} (then the manifest's rows, not the
   * folder listing, are the examples).
   */
  labels?: 'none' | 'subfolder' | ManifestLabels;
  /** Called with each file that cannot be decoded, and its index; the example is then skipped. */
  onError?: (error: ImageFileError, index: number) => void;
  /** Largest accepted width × height, passed to `readImageFile`. */
  maxPixels?: number;
}

/** An image-folder source: an {@link ExampleSource} that also lists its files. */
export interface ImageFolderSource extends ExampleSource {
  /** The folder. */
  readonly root: string;
  /** Paths relative to `root`, `/`-separated, in index order (sorted by code unit). */
  readonly files: readonly string[];
  /** Label of each file, when the source has labels. */
  readonly labels?: Int32Array;
}

/**
 * List a folder of images and return a source that decodes them lazily.
 *
 * @param root  the folder.
 * @param options  extensions, recursion, labels (`'none'` | `'subfolder'` | manifest), `onError`, `maxPixels`.
 * @returns an {@link ImageFolderSource}; `read(i)` resolves to `{ image, label? }` (RGB or gray uint8,
 *   EXIF orientation applied, alpha flattened onto white), or `undefined` after `onError` for a broken file.
 * @throws ColorizationError when the folder cannot be listed; InputError when a manifest cannot be read,
 *   lacks a column or repeats a file, or a `'subfolder'` image lies directly in the root.
 * @example
 * const photos = await createImageFolderSource('data/photos-32', { onError: (e) => console.warn(e.message) });
 * const pipeline = createBatchPipeline(photos, { inputSize: 32, batchSize: 64 });
 */
export async function createImageFolderSource(
  root: string,
  options: ImageFolderSourceOptions = {},
): Promise<ImageFolderSource> {
  if (typeof root !== 'string' || root.length === 0) throw new InputError('root', 'a folder path', describeValue(root));
  const extensions = options.extensions ?? IMAGE_EXTENSIONS;
  if (!Array.isArray(extensions) || extensions.some((e) => typeof e !== 'string' || !e.startsWith('.'))) {
    throw new ConfigError('extensions', 'a list of extensions starting with a dot', describeValue(extensions));
  }
  const recursive = options.recursive ?? true;
  const labelMode = options.labels ?? 'none';
  if (
    labelMode !== 'none' &&
    labelMode !== 'subfolder' &&
    (typeof labelMode !== 'object' || labelMode === null || typeof labelMode.manifest !== 'string')
  ) {
    throw new ConfigError(
      'labels',
      "'none', 'subfolder' or { manifest, fileColumn?, labelColumn? }",
      describeValue(labelMode),
    );
  }

  let files: string[];
  let labels: Int32Array | undefined;
  let classNames: string[] | undefined;
  if (typeof labelMode === 'object') {
    ({ files, labels, classNames } = await readManifest(labelMode));
  } else {
    files = (await walkImageFolder(root, { recursive, extensions })).sort(compareCodeUnits);
    if (labelMode === 'subfolder') {
      const classOf = files.map((file) => {
        const slash = file.indexOf('/');
        if (slash < 0)
          throw new InputError(
            'root',
            "every image inside a class folder when labels is 'subfolder'",
            `${file} directly in ${root}`,
          );
        return file.slice(0, slash);
      });
      classNames = [...new Set(classOf)].sort(compareCodeUnits);
      const number = new Map(classNames.map((c, i) => [c, i]));
      labels = Int32Array.from(classOf, (c) => number.get(c)!);
    }
  }

  const size = files.length;
  return {
    root,
    files,
    labels,
    size,
    classNames,
    async read(index: number): Promise<RawExample | undefined> {
      checkExampleIndex(index, size);
      try {
        const image = await readImageFile(join(root, files[index]), { maxPixels: options.maxPixels });
        return labels === undefined ? { image } : { image, label: labels[index] };
      } catch (e) {
        if (!(e instanceof ImageFileError)) throw e;
        options.onError?.(e, index);
        return undefined;
      }
    },
  };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readManifest(
  spec: ManifestLabels,
): Promise<{ files: string[]; labels: Int32Array; classNames?: string[] }> {
  const fileColumn = spec.fileColumn ?? 'file';
  const labelColumn = spec.labelColumn ?? 'label';
  let text: string;
  try {
    text = await readFile(spec.manifest, 'utf8');
  } catch (e) {
    throw new InputError(
      'labels.manifest',
      'a readable CSV file',
      `${spec.manifest} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const rows = parseCsv(text);
  if (rows.length === 0) throw new InputError('labels.manifest', 'a header line and rows', `${spec.manifest} is empty`);
  const header = rows[0].map((h) => h.trim());
  const fileAt = header.indexOf(fileColumn),
    labelAt = header.indexOf(labelColumn);
  if (fileAt < 0 || labelAt < 0) {
    throw new InputError(
      'labels.manifest',
      `columns '${fileColumn}' and '${labelColumn}'`,
      `columns ${header.map((h) => `'${h}'`).join(', ')}`,
    );
  }
  const entries = new Map<string, string>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length === 1 && row[0] === '') continue;
    const file = (row[fileAt] ?? '').replace(/\\/g, '/');
    const label = (row[labelAt] ?? '').trim();
    if (file === '' || label === '')
      throw new InputError(
        'labels.manifest',
        `a ${fileColumn} and a ${labelColumn} on every row`,
        `line ${r + 1}: ${row.join(',')}`,
      );
    if (entries.has(file))
      throw new InputError('labels.manifest', 'each file once', `${file} repeated (line ${r + 1})`);
    entries.set(file, label);
  }
  const files = [...entries.keys()].sort(compareCodeUnits);
  const values = files.map((f) => entries.get(f)!);
  if (values.every((v) => /^\d+$/.test(v))) return { files, labels: Int32Array.from(values, Number) };
  const classNames = [...new Set(values)].sort(compareCodeUnits);
  const number = new Map(classNames.map((c, i) => [c, i]));
  return { files, labels: Int32Array.from(values, (v) => number.get(v)!), classNames };
}

/** Minimal RFC 4180 reader: commas, CRLF or LF, double-quoted fields with "" as an escaped quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
