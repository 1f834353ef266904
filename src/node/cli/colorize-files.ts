/**
 * Colorize image files and folders in Node, one file at a time: read, colorize, write, forget. Memory
 * stays that of one picture however many files there are, and a file that cannot be read or colorized
 * is reported and skipped while the others go on.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { ImageLike, LabPlanes } from '../../color/image/image.js';
import { labPlanesToRgb } from '../../color/lab/lab.js';
import { throwIfColorizeAborted } from '../../colorize/colorize-abort.js';
import type { ColorizeOptions } from '../../colorize/colorize-options.js';
import { readHintsSidecar } from './hints-sidecar.js';
import type { Colorizer } from '../../colorize/create-colorizer.js';
import { ConfigError, InputError, InputOverwriteError, describeValue } from '../../errors.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';
import { writeContactSheet } from '../files/contact-sheet-file.js';
import { DEFAULT_MAX_FILE_PIXELS, readImageFile, writeImageFile, type EncodableImage } from '../files/image-files.js';
import { walkImageFolder } from '../files/image-folder-walk.js';
import { removeStaleTemporaryFiles } from '../files/atomic-write.js';
import { prepareOutputFolder } from './output-folder.js';

/** Default smallest side accepted: below it there is no content to colorize. @example if (Math.min(photo.width, photo.height) < DEFAULT_MIN_SIDE) console.warn('too small to colorize'); */
export const DEFAULT_MIN_SIDE = 8;

/** Output formats {@link colorizeFiles} writes. @example console.log(`--format ${COLORIZED_FILE_FORMATS.join(' | ')}`); */
export const COLORIZED_FILE_FORMATS = ['png', 'jpg', 'webp'] as const;

/** Output formats of {@link colorizeFiles}. @example const format: ColorizedFileFormat = 'jpg'; */
export type ColorizedFileFormat = (typeof COLORIZED_FILE_FORMATS)[number];

/** One input file and the output path stem it maps to (relative to the output folder, no extension). @example const entry: ImageFileEntry = { path: 'scans/1950/a.jpg', outputStem: '1950/a' }; */
export interface ImageFileEntry {
  path: string;
  outputStem: string;
  /** Set when the natural stem was taken by an earlier input (`dup.jpg` and `dup.png`): that input's path. `outputStem` then ends in `-2`, `-3`, …. */
  sameNameAs?: string;
}

/**
 * Options of {@link colorizeFiles}: where and how to write, plus the `colorize` options that apply to a
 * batch, by name (`signal` stops the run between files).
 * @example const options: ColorizeFilesOptions = { outputDir: 'out', samples: 2, sheet: true };
 */
export interface ColorizeFilesOptions extends Pick<
  ColorizeOptions,
  'decode' | 'temperature' | 'samples' | 'seed' | 'fit' | 'saturation' | 'hints' | 'hintPointSize' | 'signal'
> {
  /** Folder for the results (created if missing). */
  outputDir: string;
  /** Downscale pictures whose longer side exceeds this many pixels before colorizing. Default: keep the size. */
  maxSide?: number;
  /** Also write `<name>.sheet.png`: gray input | colorized | samples side by side. Default false. */
  sheet?: boolean;
  /**
   * Format of the results. Default `'png'` (lossless; keeps transparency, and 16 bits for the colorized
   * picture of a 16-bit file). `'webp'` keeps transparency; `'jpg'` flattens it onto white.
   */
  format?: ColorizedFileFormat;
  /** JPEG and WebP quality 1–100. Default 92. */
  quality?: number;
  /** Walk folders into subfolders. Default true. */
  recursive?: boolean;
  /** Refuse pictures with more pixels than this. Default {@link DEFAULT_MAX_FILE_PIXELS}. */
  maxPixels?: number;
  /** Refuse pictures whose shorter side is below this. Default {@link DEFAULT_MIN_SIDE}. */
  minSide?: number;
  /** Leave a picture alone when every file it would produce already exists (resume a stopped batch). Default false: existing results are replaced, atomically. */
  skipExisting?: boolean;
  /** Called after each file, success or failure. */
  onFile?: (report: ColorizeFileReport) => void;
  /** Called before the first picture with each notice about the run (two inputs that map to the same output name). */
  onWarning?: (message: string) => void;
}

/** What happened to one file. @example onFile: (r: ColorizeFileReport) => r.error && console.error(r.error) */
export interface ColorizeFileReport {
  /** 0-based position and number of files. */
  index: number;
  total: number;
  path: string;
  /** Files written (colorized, samples, sheet); empty on failure or when skipped. */
  outputs: string[];
  /** True when `skipExisting` found every result of this file already there. */
  skipped?: boolean;
  /** Why the file failed, one line. */
  error?: string;
  /** Seconds since the run started. */
  elapsedSeconds: number;
}

/** Totals of a {@link colorizeFiles} run. @example const { succeeded, failures } = await colorizeFiles(c, ['scans'], { outputDir: 'out' }); */
export interface ColorizeFilesSummary {
  total: number;
  succeeded: number;
  /** Files left alone by `skipExisting`. */
  skipped: number;
  failures: { path: string; message: string }[];
}

/**
 * Expand files and folders into the image files to colorize, in a stable order. Named files are taken
 * as they are; folders contribute files with an image extension (`IMAGE_FILE_EXTENSIONS`), hidden
 * entries skipped, keeping their relative path under the output folder. Output stems that would collide
 * get `-2`, `-3`, … and name the earlier input in `sameNameAs`.
 *
 * @param paths  files and folders.
 * @param options  `recursive` (default true); `exclude`: a folder never walked (the output folder).
 * @throws InputError when a path does not exist.
 * @example
 * const entries = await listImageFiles(['scans/', 'extra.jpg']);
 */
export async function listImageFiles(
  paths: readonly string[],
  options: { recursive?: boolean; exclude?: string } = {},
): Promise<ImageFileEntry[]> {
  const recursive = options.recursive ?? true;
  const { exclude } = options;
  const entries: ImageFileEntry[] = [];
  const taken = new Map<string, string>();
  const add = (path: string, stem: string) => {
    let unique = stem;
    for (let n = 2; taken.has(unique); n++) unique = `${stem}-${n}`;
    taken.set(unique, path);
    const holder = taken.get(stem);
    entries.push(
      unique === stem || holder === undefined
        ? { path, outputStem: unique }
        : { path, outputStem: unique, sameNameAs: holder },
    );
  };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputError('paths', 'existing files or folders', JSON.stringify(path));
    }
    if (info.isDirectory()) {
      for (const rel of await walkImageFolder(path, { recursive, exclude }))
        add(join(path, rel), join(dirname(rel), basename(rel, extname(rel))));
    } else {
      add(path, basename(path, extname(path)));
    }
  }
  return entries;
}

/**
 * The 16-bit result of a 16-bit picture: the colorized Lab planes to sRGB in float, rounded to 0–65535,
 * with the input's alpha (0–1 floats) when it has one.
 */
function sixteenBit(lab: LabPlanes, input: ImageLike): EncodableImage {
  const rgb = labPlanesToRgb(lab.lightness, lab.a, lab.b, { format: 'float32' });
  const channels = input.channels === 4 ? 4 : 3;
  const n = lab.width * lab.height;
  const data = new Uint16Array(n * channels);
  const toWord = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 65535);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[i * channels + c] = toWord(rgb[i * 3 + c]);
    if (channels === 4) data[i * 4 + 3] = toWord(input.data[i * 4 + 3]);
  }
  return { data, width: lab.width, height: lab.height, channels };
}

/** The colour channels of an RGBA picture (for the contact sheet, which has no transparency). */
function withoutAlpha(image: ImageLike): ImageLike {
  if (image.channels !== 4) return image;
  const n = image.width * image.height;
  const data = new Uint8ClampedArray(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = image.data[i * 4 + c];
  return { data, width: image.width, height: image.height, channels: 3 };
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** `dev:ino` of a file: the same file reached through another path, a symbolic link or a hard link. */
function identity(info: Stats): string {
  return `${info.dev}:${info.ino}`;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Check the file options of {@link colorizeFiles} (not the colorize options, which `resolveColorizeOptions`
 * checks): the one place their ranges are written, used by `colorizeFiles` and by the command line, which
 * names the flag of a refused key.
 * @throws ConfigError naming the key, what was expected and what was received.
 * @example checkColorizeFilesOptions({ outputDir: 'out', quality: 101 }); // ConfigError: quality: expected …
 */
export function checkColorizeFilesOptions(
  options: Pick<
    ColorizeFilesOptions,
    'outputDir' | 'maxSide' | 'format' | 'maxPixels' | 'minSide' | 'quality' | 'skipExisting'
  >,
): void {
  const { outputDir, maxSide, format, maxPixels, minSide, quality, skipExisting } = options;
  if (typeof outputDir !== 'string' || outputDir.length === 0)
    throw new ConfigError('outputDir', 'a folder path', describeValue(outputDir));
  if (maxSide !== undefined) checkConfigRange('maxSide', maxSide, 1, Infinity, { integer: true });
  if (format !== undefined) checkConfigChoice('format', format, COLORIZED_FILE_FORMATS);
  if (maxPixels !== undefined) checkConfigRange('maxPixels', maxPixels, 1, Infinity, { integer: true });
  if (minSide !== undefined) checkConfigRange('minSide', minSide, 1, Infinity, { integer: true });
  if (quality !== undefined) checkConfigRange('quality', quality, 1, 100, { integer: true });
  if (skipExisting !== undefined && typeof skipExisting !== 'boolean')
    throw new ConfigError('skipExisting', ['true', 'false'], describeValue(skipExisting));
}

/**
 * Colorize files and folders into `outputDir`: `<name>.<format>` per picture, `<name>.sample-<k>.<format>`
 * with `samples`, `<name>.sheet.png` with `sheet`. Files are processed one at a time; a file that fails
 * (unreadable, empty, truncated, too small or too large) is reported through `onFile` and in the summary,
 * and the run goes on. Aborting `signal` stops between files (`ColorizeAbortError`).
 *
 * Nothing the run reads is ever written over: the output folder is checked (and created) before any
 * picture is read, and a picture one of whose results would replace any input of the run (the same path,
 * or the same file reached through the output folder, a symbolic or a hard link) is refused, with a
 * message naming both, while the others go on. Existing results of an earlier run are replaced
 * (atomically), unless `skipExisting` is set: then a picture whose results all exist is left alone.
 * Two inputs with the same output name (`dup.jpg`, `dup.png`) give `dup.png` and `dup-2.png`, announced
 * through `onWarning` with both inputs named. Every file is written atomically; the temporary files that a
 * killed run left in the folders this run writes to are removed ({@link removeStaleTemporaryFiles}).
 *
 * @param colorizer  from `createColorizer` / `createNodeColorizer`; not disposed here.
 * @param paths  files and folders (see {@link listImageFiles}).
 * @param options  `outputDir` and the options of {@link ColorizeFilesOptions}.
 * @returns totals and the failures.
 * @throws InputError when a path does not exist or a folder of inputs is the output folder itself;
 *   ConfigError for bad options; OutputFolderError when `outputDir` cannot hold results (all before any
 *   file is read).
 * @example
 * const summary = await colorizeFiles(colorizer, ['scans/'], { outputDir: 'colour', samples: 2 });
 * console.log(`${summary.succeeded}/${summary.total} colorized`);
 */
export async function colorizeFiles(
  colorizer: Colorizer,
  paths: readonly string[],
  options: ColorizeFilesOptions,
): Promise<ColorizeFilesSummary> {
  const {
    outputDir,
    maxSide,
    sheet = false,
    format = 'png',
    recursive = true,
    maxPixels = DEFAULT_MAX_FILE_PIXELS,
    minSide = DEFAULT_MIN_SIDE,
    quality = 92,
    skipExisting = false,
    onFile,
    onWarning,
  } = options;
  // The options of each colorize call, by name (checked there). `signal` is not one of them: a run stops
  // between files, so a picture that was started is finished and written.
  const { decode, temperature, samples = 0, seed, fit, saturation, hints, hintPointSize, signal } = options;
  const colorizeOptions: ColorizeOptions = { decode, temperature, samples, seed, fit, saturation, hintPointSize };
  checkColorizeFilesOptions({ outputDir, maxSide, format, maxPixels, minSide, quality, skipExisting });
  if (!Array.isArray(paths)) throw new InputError('paths', 'an array of file and folder paths', describeValue(paths));
  const outputFolder = await realpath(await prepareOutputFolder(outputDir));
  // A folder of inputs that is the output folder itself would be read as nothing (the output folder is
  // never walked): say why instead.
  for (const path of paths) {
    const info = await statOrUndefined(path);
    if (info?.isDirectory() && (await realpath(path)) === outputFolder) {
      throw new InputError(
        'paths',
        `folders apart from the output folder (results are never written among the originals)`,
        `${JSON.stringify(path)}, the output folder ${JSON.stringify(outputDir)}`,
      );
    }
  }
  const entries = await listImageFiles(paths, { recursive, exclude: outputDir });
  // Every input, by path and by identity, before anything is written.
  const inputs = new Map<string, string>();
  for (const entry of entries) {
    inputs.set(resolve(entry.path), entry.path);
    const info = await statOrUndefined(entry.path);
    if (info !== undefined) inputs.set(identity(info), entry.path);
  }
  for (const entry of entries) {
    if (entry.sameNameAs !== undefined) {
      onWarning?.(
        `${entry.sameNameAs} and ${entry.path} have the same output name; ${entry.path} is written as ${join(outputDir, entry.outputStem)}.${format}`,
      );
    }
  }
  // Output folders already rid of the temporary files of interrupted runs.
  const cleaned = new Set<string>();
  const started = performance.now();
  const summary: ColorizeFilesSummary = { total: entries.length, succeeded: 0, skipped: 0, failures: [] };
  for (const [index, entry] of entries.entries()) {
    // Checked between files only: a file that was started is finished and written.
    throwIfColorizeAborted(signal);
    const outputs: string[] = [];
    let error: string | undefined;
    let skipped = false;
    try {
      const target = join(outputDir, entry.outputStem);
      const planned = [
        `${target}.${format}`,
        ...Array.from({ length: samples }, (_, k) => `${target}.sample-${k + 1}.${format}`),
        ...(sheet ? [`${target}.sheet.png`] : []),
      ];
      const existing: (Stats | undefined)[] = [];
      for (const path of planned) {
        const info = await statOrUndefined(path);
        const input = inputs.get(resolve(path)) ?? (info === undefined ? undefined : inputs.get(identity(info)));
        if (input !== undefined) {
          throw new InputOverwriteError(path, input);
        }
        existing.push(info);
      }
      if (!cleaned.has(dirname(target))) {
        cleaned.add(dirname(target));
        await removeStaleTemporaryFiles(dirname(target));
      }
      if (skipExisting && existing.every((info) => info?.isFile())) {
        skipped = true;
        summary.skipped++;
      } else {
        // JPEG holds neither transparency nor 16 bits: those are flattened onto white / rounded on reading.
        const image = await readImageFile(entry.path, {
          maxPixels,
          maxSide,
          keepAlpha: format !== 'jpg',
          highBitDepth: format === 'png',
        });
        if (Math.min(image.width, image.height) < minSide) {
          throw new InputError(
            'image',
            `at least ${minSide} pixels on each side`,
            `${image.width} × ${image.height} pixels`,
          );
        }
        const deep = image.data instanceof Float32Array;
        const pictureHints = (await readHintsSidecar(entry.path, image, colorizer.layout)) ?? hints;
        const result = await colorizer.colorize(image, {
          ...colorizeOptions,
          hints: pictureHints,
          returnLab: sheet || deep,
          channels: image.channels === 4 ? 4 : 3,
        });
        await mkdir(dirname(target), { recursive: true });
        const write = async (path: string, picture: EncodableImage) => {
          await writeImageFile(path, picture, { quality });
          outputs.push(path);
        };
        await write(planned[0], deep && result.lab ? sixteenBit(result.lab, image) : result.rgb);
        for (const [k, sample] of (result.samples ?? []).entries()) await write(planned[1 + k], sample);
        if (sheet && result.lab) {
          const { lightness, width, height } = result.lab;
          const zeros = new Float32Array(lightness.length);
          const gray: ImageLike = { data: labPlanesToRgb(lightness, zeros, zeros), width, height, channels: 3 };
          const samples = result.samples ?? [];
          const path = `${target}.sheet.png`;
          await writeContactSheet(path, [[gray, withoutAlpha(result.rgb), ...samples.map(withoutAlpha)]], {
            cellHeight: Math.min(height, 384),
            titles: ['gray input', 'colorized', ...samples.map((_, k) => `sample ${k + 1}`)],
          });
          outputs.push(path);
        }
        summary.succeeded++;
      }
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      error = oneLine(e);
      // readImageFile's messages already start with the path.
      if (!error.startsWith(entry.path)) error = `${entry.path}: ${error}`;
      summary.failures.push({ path: entry.path, message: error });
    }
    onFile?.({
      index,
      total: entries.length,
      path: entry.path,
      outputs,
      error,
      elapsedSeconds: (performance.now() - started) / 1000,
      ...(skipped ? { skipped } : {}),
    });
  }
  return summary;
}
