/**
 * Write a contact sheet to an image file, with column titles rendered above the grid.
 */
import type { ImageLike } from '../../color/image/image.js';
import { composeContactSheet, type ContactSheetConfig } from '../../color/image/contact-sheet.js';
import { atomicWriteFile } from './atomic-write.js';
import { encodeImage } from './image-files.js';
import { loadSharp } from './sharp.js';

/**
 * Options of {@link writeContactSheet}: the layout plus titles.
 * @example
 * await writeContactSheet('out/sheet.png', [[gray, result.rgb]], { titles: ['input', 'colorized'], caption: 'Kodak kodim23' });
 */
export interface ContactSheetFileOptions extends ContactSheetConfig {
  /** One title per column, drawn above the first row. */
  titles?: readonly string[];
  /** A caption line under the titles (e.g. a photo's credit). */
  caption?: string;
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Compose rows of images into a sheet and write it as PNG or JPEG (by extension), atomically.
 * Titles need a sans-serif font on the system; without one the grid is still written.
 *
 * @example
 * await writeContactSheet('out/sheet.png', [[gray, colorized]], { titles: ['gray input', 'colorized'] });
 */
export async function writeContactSheet(
  path: string,
  rows: readonly (readonly (ImageLike | null)[])[],
  options: ContactSheetFileOptions = {},
): Promise<void> {
  const sheet = composeContactSheet(rows, options);
  const { titles = [], caption } = options;
  const titleHeight = titles.length ? 26 : 0;
  const captionHeight = caption ? 20 : 0;
  const header = titleHeight + captionHeight;
  if (header === 0) {
    await atomicWriteFile(path, await encodeImage(sheet.image, path.toLowerCase().endsWith('.png') ? 'png' : 'jpeg'));
    return;
  }
  const { width, height } = sheet.image;
  const texts = titles
    .map((t, c) =>
      sheet.columns[c]
        ? `<text x="${sheet.columns[c].x + sheet.columns[c].width / 2}" y="19" text-anchor="middle">${escapeXml(t)}</text>`
        : '',
    )
    .join('');
  const captionSvg = caption
    ? `<text x="${sheet.columns[0].x}" y="${titleHeight + 15}" font-size="12" fill="#555">${escapeXml(caption)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${header}"><rect width="100%" height="100%" fill="white"/><g font-family="DejaVu Sans, Lato, sans-serif" font-size="15" fill="#222">${texts}${captionSvg}</g></svg>`;
  const sharp = await loadSharp();
  const body = Buffer.from(sheet.image.data.buffer, sheet.image.data.byteOffset, sheet.image.data.length);
  const out = sharp({ create: { width, height: height + header, channels: 3, background: '#ffffff' } }).composite([
    { input: Buffer.from(svg), top: 0, left: 0 },
    { input: body, raw: { width, height, channels: 3 }, top: header, left: 0 },
  ]);
  const bytes = path.toLowerCase().endsWith('.png')
    ? await out.png().toBuffer()
    : await out.jpeg({ quality: 90 }).toBuffer();
  await atomicWriteFile(path, bytes);
}
