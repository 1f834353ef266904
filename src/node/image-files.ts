/**
 * Image files in Node: decode JPEG, PNG, WebP, TIFF (and what else libvips reads) into an
 * {@link ImageLike}, and encode one back to a file. Decoding and encoding use `sharp`.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImageLike } from '../color/image/image.js';
import { ColorizationError, InputError } from '../errors.js';
import { atomicWriteFile } from './atomic-write.js';
import { loadSharp } from './sharp.js';

/**
 * Upper bound on decoded pixels, so a hostile or broken file cannot exhaust memory (≈ 268 MP, sharp's default).
 * @example
 * const photo = await readImageFile('scan.tif', { maxPixels: MAX_INPUT_PIXELS / 4 });
 */
export const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

/**
 * Options of {@link readImageFile}.
 * @example
 * const rgba = await readImageFile('logo.png', { keepAlpha: true }); // channels 4 when the file has alpha
 */
export interface ReadImageOptions {
  /** Keep an alpha channel (RGBA) instead of flattening onto white. Default false. */
  keepAlpha?: boolean;
  /** Largest accepted width × height. Default {@link MAX_INPUT_PIXELS}. */
  maxPixels?: number;
}

/**
 * A file that could not be decoded as an image.
 * @example
 * try { await readImageFile('notes.txt'); } catch (e) { if (e instanceof ImageFileError) console.warn(e.path, e.message); }
 */
export class ImageFileError extends ColorizationError {
  constructor(readonly path: string, reason: string) {
    super(`${path}: cannot read as an image (${reason})`);
  }
}

/**
 * Decode an image file into 8-bit pixels, applying its EXIF orientation.
 * Gray files give `channels: 1`, colour files `channels: 3` (or 4 with `keepAlpha`).
 *
 * @param path  a file path or a `Buffer` with the encoded bytes.
 * @returns `{ data: Uint8Array, width, height, channels }`, values 0–255.
 * @throws ImageFileError when the bytes are not a readable image (empty, truncated, not an image, too large).
 * @example
 * const photo = await readImageFile('examples/images/kodim03.jpg');
 */
export async function readImageFile(path: string | Buffer, options: ReadImageOptions = {}): Promise<ImageLike> {
  const name = typeof path === 'string' ? path : '<buffer>';
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  const sharp = await loadSharp();
  let bytes: Buffer;
  try {
    bytes = typeof path === 'string' ? await readFile(path) : path;
  } catch (e) {
    throw new ImageFileError(name, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  if (bytes.length === 0) throw new ImageFileError(name, 'empty file');
  try {
    let pipeline = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' }).rotate();
    const meta = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
    const gray = meta.channels === 1 || meta.channels === 2 || meta.space === 'b-w' || meta.space === 'grey16';
    if (gray) pipeline = pipeline.toColourspace('b-w').extractChannel(0);
    else if (options.keepAlpha) pipeline = pipeline.toColourspace('srgb').ensureAlpha();
    else pipeline = pipeline.toColourspace('srgb').flatten({ background: '#ffffff' });
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = info.channels as 1 | 3 | 4;
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels };
  } catch (e) {
    throw new ImageFileError(name, (e as Error).message.replace(/\s+/g, ' ').trim());
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
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.tif': 'tiff', '.tiff': 'tiff',
};

/** Options of {@link writeImageFile}. @example await writeImageFile('out/photo.jpg', result.rgb, { quality: 85 }); */
export interface WriteImageOptions {
  /** JPEG/WebP quality 1–100. Default 92. */
  quality?: number;
}

/**
 * Encode 8-bit pixels and write them atomically (temporary file, fsync, rename): an interrupted
 * write never leaves a half-written image under `path`.
 *
 * @param path  destination; the extension picks the format (`.png`, `.jpg`/`.jpeg`, `.webp`, `.tif`/`.tiff`).
 * @param image `{ data, width, height, channels }` with uint8 data (0–255) and 1, 3 or 4 channels.
 * @example
 * await writeImageFile('out/colorized.png', result.rgb);
 */
export async function writeImageFile(path: string, image: ImageLike, options: WriteImageOptions = {}): Promise<void> {
  await atomicWriteFile(path, await encodeImage(image, formatOf(path), options));
}

/**
 * Encode 8-bit pixels to the bytes of an image file of the given format, in memory (for an HTTP response,
 * a database, …); {@link writeImageFile} is this plus an atomic write.
 *
 * @param image   `{ data, width, height, channels }`: `Uint8Array` or `Uint8ClampedArray` data (0–255) of
 *                length width × height × channels, with 1, 3 or 4 channels.
 * @param format  `'png'`, `'jpeg'`, `'webp'` or `'tiff'`.
 * @param options `quality` 1–100 for JPEG and WebP (default 92); PNG and TIFF ignore it.
 * @returns the encoded file's bytes.
 * @throws InputError when `data` is not 8-bit or its length does not match the size.
 * @example
 * const jpeg = await encodeImage(result.rgb, 'jpeg', { quality: 85 });
 * response.setHeader('Content-Type', 'image/jpeg').end(jpeg);
 */
export async function encodeImage(image: ImageLike, format: ImageFileFormat, options: WriteImageOptions = {}): Promise<Buffer> {
  if (!(image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray)) {
    throw new InputError('image.data', 'Uint8Array or Uint8ClampedArray (0–255)', image.data?.constructor?.name ?? typeof image.data);
  }
  const expected = image.width * image.height * image.channels;
  if (image.data.length !== expected) {
    throw new InputError('image.data', `length width × height × channels = ${expected}`, `length ${image.data.length}`);
  }
  const sharp = await loadSharp();
  const quality = options.quality ?? 92;
  const raw = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  switch (format) {
    case 'png': return raw.png().toBuffer();
    case 'jpeg': return raw.jpeg({ quality }).toBuffer();
    case 'webp': return raw.webp({ quality }).toBuffer();
    case 'tiff': return raw.tiff().toBuffer();
  }
}

function formatOf(path: string): ImageFileFormat {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) throw new InputError('path', `an extension among ${Object.keys(FORMATS).join(' ')}`, JSON.stringify(extname(path)));
  return format;
}
