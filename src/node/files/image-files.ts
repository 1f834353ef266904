/**
 * Image files in Node: decode JPEG, PNG, WebP, TIFF (and what else libvips reads) into an
 * {@link ImageLike}, and encode one back to a file. Decoding and encoding use `sharp`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImageLike } from '../../color/image/image.js';
import { ColorizationError, InputError } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import { atomicWriteFile } from './atomic-write.js';
import { loadSharp } from './sharp.js';

/**
 * The default pixel cap of every read (`readImageFile`, `colorizeFiles`, the command line's `--max-pixels`,
 * `createImageFolderSource`): largest width × height of a decoded picture (after `maxSide`). A picture is held
 * several times over while it is colorized (8-bit and float RGB, Lab planes, the result: about 30 bytes a
 * pixel), so 50 MP is about 1.5 GB. A larger file is read downscaled (`maxSide`, `--size`) or with a raised
 * `maxPixels` (`--max-pixels`).
 * @example
 * const scan = await readImageFile('scan.tif', { maxPixels: 2 * DEFAULT_MAX_FILE_PIXELS });
 */
export const DEFAULT_MAX_FILE_PIXELS = 50_000_000;

/**
 * Not a second cap on the picture but a guard on the decoder: the most pixels decoded on the way to a
 * downscaled read (`maxSide`), for the formats without shrink-on-load that are decoded whole before they
 * are resized; `sharp`'s own default (0x3fff², ≈ 268 MP), against decompression bombs.
 * @example
 * const small = await readImageFile('huge.png', { maxSide: 2000 }); // refused if the file is over MAX_INPUT_PIXELS
 */
export const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

/**
 * Options of {@link readImageFile}.
 * @example
 * const rgba = await readImageFile('logo.png', { keepAlpha: true }); // channels 4 when the file has alpha
 * const scan = await readImageFile('scan-56mp.jpg', { maxSide: 2000 }); // decoded at ≤ 2000 px (shrink-on-load)
 */
export interface ReadImageOptions {
  /** Keep the alpha channel of a file that has one (RGBA, `channels: 4`) instead of flattening onto white. Default false. */
  keepAlpha?: boolean;
  /**
   * Largest accepted width × height of the decoded picture (after `maxSide`). Default {@link DEFAULT_MAX_FILE_PIXELS}.
   * With `maxSide` a larger file is still read, up to `max(maxPixels, MAX_INPUT_PIXELS)` pixels.
   */
  maxPixels?: number;
  /**
   * Downscale while decoding so that the longer side is at most this many pixels (aspect kept, never
   * enlarged). JPEG and WebP use libvips' shrink-on-load, so a picture far over the pixel limit is
   * decoded straight at the small size. Default: full size.
   */
  maxSide?: number;
  /** Decode 16-bit files to `Float32Array` values 0–1 (all 16 bits kept) instead of 8 bits. Default false. */
  highBitDepth?: boolean;
}

/**
 * A file that could not be decoded as an image.
 * @example
 * try { await readImageFile('notes.txt'); } catch (e) { if (e instanceof ImageFileError) console.warn(e.path, e.message); }
 */
export class ImageFileError extends ColorizationError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: cannot read as an image (${reason})`);
  }
}

/**
 * A picture larger than the pixel limit of {@link readImageFile}. Its message says how to read it anyway:
 * downscale while decoding (`maxSide`, the command line's `--size`) or raise the limit (`maxPixels`,
 * `--max-pixels`).
 * @example
 * try { await readImageFile('scan.tif'); } catch (e) { if (e instanceof PixelLimitError) console.warn(`${e.width} × ${e.height} is over ${e.limit}`); }
 */
export class PixelLimitError extends ImageFileError {
  constructor(
    path: string,
    /** Size of the picture in the file. */
    readonly width: number,
    readonly height: number,
    /** The limit it broke, in pixels. */
    readonly limit: number,
    /** Width × height it would have had after `maxSide`, when that was set. */
    readonly downscaledPixels?: number,
  ) {
    super(
      path,
      downscaledPixels === undefined
        ? `${width} × ${height} = ${width * height} pixels is over the pixel limit of ${limit}; downscale it while decoding with --size <pixels> (maxSide), or raise --max-pixels (maxPixels)`
        : downscaledPixels > limit
          ? `${width} × ${height} pixels downscaled is still ${downscaledPixels} pixels, over the pixel limit of ${limit}; pass a smaller --size (maxSide) or raise --max-pixels (maxPixels)`
          : `${width} × ${height} = ${width * height} pixels is over the pixel limit of ${limit} for files read with --size (maxSide); raise --max-pixels (maxPixels)`,
    );
  }
}

/**
 * A file with several frames (an animated GIF or WebP, a multi-page TIFF): refused rather than silently
 * reduced to its first frame.
 * @example
 * try { await readImageFile('party.gif'); } catch (e) { if (e instanceof AnimatedImageError) console.warn(`${e.frames} frames`); }
 */
export class AnimatedImageError extends ImageFileError {
  constructor(
    path: string,
    /** Number of frames or pages in the file. */
    readonly frames: number,
    format: string,
  ) {
    super(
      path,
      `it has ${frames} frames (an animated or multi-page ${format}); only single pictures are colorized: export the frame you want as its own file`,
    );
  }
}

/**
 * Decode an image file, applying its EXIF orientation. Gray files give `channels: 1`, colour files
 * `channels: 3`; with `keepAlpha` a file with transparency gives `channels: 4` (gray with alpha too).
 * Without it transparency is flattened onto white.
 *
 * @param path  a file path or a `Buffer` with the encoded bytes.
 * @param options  `keepAlpha`, `maxPixels`, `maxSide` (downscale while decoding), `highBitDepth`.
 * @returns `{ data, width, height, channels }`: `Uint8Array` values 0–255, or with `highBitDepth` and a
 *   16-bit file `Float32Array` values 0–1.
 * @throws ImageFileError when the bytes are not a readable image (empty, truncated, not an image);
 *   PixelLimitError (a subclass) when it is too large; AnimatedImageError when it has several frames.
 * @example
 * const photo = await readImageFile('examples/images/kodim03.jpg');
 */
export async function readImageFile(path: string | Buffer, options: ReadImageOptions = {}): Promise<ImageLike> {
  const name = typeof path === 'string' ? path : '<buffer>';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_FILE_PIXELS;
  const sharp = await loadSharp();
  let bytes: Buffer;
  try {
    bytes = typeof path === 'string' ? await readFile(path) : path;
  } catch (e) {
    throw new ImageFileError(name, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  if (bytes.length === 0) throw new ImageFileError(name, 'empty file');
  const reason = (e: unknown) => (e as Error).message.replace(/\s+/g, ' ').trim();
  let meta;
  try {
    // The header only: sizes are checked here, against the limit that applies to this read.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageFileError(name, reason(e));
  }
  const { width, height } = meta;
  if (!(width !== undefined && width > 0 && height !== undefined && height > 0))
    throw new ImageFileError(name, 'no picture size in the file');
  const frames = meta.pages ?? 1;
  if (frames > 1) throw new AnimatedImageError(name, frames, meta.format ?? 'file');
  const longer = Math.max(width, height);
  const downscale = options.maxSide !== undefined && longer > options.maxSide;
  let inputLimit = maxPixels;
  if (downscale) {
    const scale = (options.maxSide as number) / longer;
    const pixels = Math.max(1, Math.round(width * scale)) * Math.max(1, Math.round(height * scale));
    inputLimit = Math.max(maxPixels, MAX_INPUT_PIXELS);
    if (pixels > maxPixels) throw new PixelLimitError(name, width, height, maxPixels, pixels);
    if (width * height > inputLimit) throw new PixelLimitError(name, width, height, inputLimit, pixels);
  } else if (width * height > maxPixels) {
    throw new PixelLimitError(name, width, height, maxPixels);
  }
  try {
    let pipeline = sharp(bytes, { limitInputPixels: inputLimit, failOn: 'truncated' }).rotate();
    if (downscale)
      pipeline = pipeline.resize({
        width: options.maxSide,
        height: options.maxSide,
        fit: 'inside',
        withoutEnlargement: true,
      });
    const high = options.highBitDepth === true && meta.depth === 'ushort';
    const alpha = options.keepAlpha === true && meta.hasAlpha === true;
    const gray = meta.channels === 1 || meta.channels === 2 || meta.space === 'b-w' || meta.space === 'grey16';
    if (!alpha && meta.hasAlpha === true) pipeline = pipeline.flatten({ background: '#ffffff' });
    if (gray && !alpha) pipeline = pipeline.toColourspace(high ? 'grey16' : 'b-w').extractChannel(0);
    else pipeline = pipeline.toColourspace(high ? 'rgb16' : 'srgb');
    if (alpha) pipeline = pipeline.ensureAlpha();
    const { data, info } = await pipeline
      .raw({ depth: high ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels as 1 | 3 | 4;
    if (!high)
      return {
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
        width: info.width,
        height: info.height,
        channels,
      };
    const words = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    const unit = new Float32Array(words.length);
    for (let i = 0; i < words.length; i++) unit[i] = words[i] / 65535;
    return { data: unit, width: info.width, height: info.height, channels };
  } catch (e) {
    throw new ImageFileError(name, reason(e));
  }
}

/**
 * Output formats of {@link writeImageFile}, chosen from the file extension.
 * @example
 * const format: ImageFileFormat = 'webp';
 * const bytes = await encodeImage(result.rgb, format);
 */
export type ImageFileFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

const FORMATS: Record<string, ImageFileFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};

/** Options of {@link writeImageFile}. @example await writeImageFile('out/photo.jpg', result.rgb, { quality: 85 }); */
export interface WriteImageOptions {
  /** JPEG/WebP quality 1–100. Default 92. */
  quality?: number;
}

/**
 * Pixels of {@link writeImageFile} and {@link encodeImage}: an {@link ImageLike} with 8-bit data, or 16-bit
 * data (`Uint16Array`, 0–65535) for PNG and TIFF.
 * @example
 * const deep: EncodableImage = { data: new Uint16Array(w * h * 3), width: w, height: h, channels: 3 };
 */
export type EncodableImage = ImageLike | { data: Uint16Array; width: number; height: number; channels: 1 | 3 | 4 };

/**
 * Encode pixels and write them atomically (temporary file, fsync, rename): an interrupted
 * write never leaves a half-written image under `path`.
 *
 * @param path  destination; the extension picks the format (`.png`, `.jpg`/`.jpeg`, `.webp`, `.tif`/`.tiff`).
 * @param image `{ data, width, height, channels }` with uint8 data (0–255), or uint16 (0–65535, PNG and
 *   TIFF: a 16-bit file), and 1, 3 or 4 channels.
 * @param options `quality` 1–100 for JPEG and WebP (default 92).
 * @example
 * await writeImageFile('out/colorized.png', result.rgb);
 */
export async function writeImageFile(
  path: string,
  image: EncodableImage,
  options: WriteImageOptions = {},
): Promise<void> {
  await atomicWriteFile(path, await encodeImage(image, formatOf(path), options));
}

/**
 * Encode pixels to the bytes of an image file of the given format, in memory (for an HTTP response,
 * a database, …); {@link writeImageFile} is this plus an atomic write.
 *
 * @param image   `{ data, width, height, channels }`: `Uint8Array` or `Uint8ClampedArray` data (0–255),
 *                or `Uint16Array` (0–65535; PNG and TIFF only, written as 16-bit files), of length
 *                width × height × channels, with 1, 3 or 4 channels.
 * @param format  `'png'`, `'jpeg'`, `'webp'` or `'tiff'`.
 * @param options `quality` 1–100 for JPEG and WebP (default 92); PNG and TIFF ignore it.
 * @returns the encoded file's bytes.
 * @throws InputError when `data` is not 8- or 16-bit, 16-bit for JPEG or WebP, or its length does not
 *   match the size; ConfigError for a quality outside 1–100.
 * @example
 * const jpeg = await encodeImage(result.rgb, 'jpeg', { quality: 85 });
 * response.setHeader('Content-Type', 'image/jpeg').end(jpeg);
 */
export async function encodeImage(
  image: EncodableImage,
  format: ImageFileFormat,
  options: WriteImageOptions = {},
): Promise<Buffer> {
  const { data } = image;
  const deep = data instanceof Uint16Array;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || deep)) {
    throw new InputError(
      'image.data',
      'Uint8Array or Uint8ClampedArray (0–255), or Uint16Array (0–65535)',
      (data as object)?.constructor?.name ?? typeof data,
    );
  }
  if (deep && format !== 'png' && format !== 'tiff')
    throw new InputError('image.data', `8-bit data for ${format} (16-bit only for png and tiff)`, 'Uint16Array');
  const expected = image.width * image.height * image.channels;
  if (data.length !== expected) {
    throw new InputError('image.data', `length width × height × channels = ${expected}`, `length ${data.length}`);
  }
  const quality = options.quality ?? 92;
  checkConfigRange('quality', quality, 1, 100, { integer: true });
  const sharp = await loadSharp();
  const raw = { width: image.width, height: image.height, channels: image.channels };
  let pipeline = deep ? sharp(data, { raw }) : sharp(Buffer.from(data.buffer, data.byteOffset, data.length), { raw });
  if (deep) pipeline = pipeline.toColourspace(image.channels === 1 ? 'grey16' : 'rgb16');
  switch (format) {
    case 'png':
      return pipeline.png().toBuffer();
    case 'jpeg':
      return pipeline.jpeg({ quality }).toBuffer();
    case 'webp':
      return pipeline.webp({ quality }).toBuffer();
    case 'tiff':
      return pipeline.tiff().toBuffer();
  }
}

function formatOf(path: string): ImageFileFormat {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format)
    throw new InputError('path', `an extension among ${Object.keys(FORMATS).join(' ')}`, JSON.stringify(extname(path)));
  return format;
}
