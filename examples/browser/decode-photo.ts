/**
 * A photo file (or URL) to RGBA pixels. Decoding is the browser's; a file it cannot read becomes a
 * `PhotoDecodeError` with a message meant for the page.
 */

/** Thrown for a file that is not an image the browser can decode. */
export class PhotoDecodeError extends Error {
  constructor(fileName: string, reason: string) {
    super(`“${fileName}” is not an image this browser can read (${reason}). Choose a JPEG, PNG, WebP or GIF photo.`);
    this.name = 'PhotoDecodeError';
  }
}

/**
 * Decode a photo to full-resolution RGBA bytes.
 * Colour-space conversion is switched off so the pixels are the file's own values, the same a Node
 * decoder returns (the browser tests compare against Node).
 */
export async function decodePhoto(source: Blob, fileName: string): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(source, {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    });
  } catch (e) {
    throw new PhotoDecodeError(fileName, (e as Error).message || 'unknown format');
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new PhotoDecodeError(fileName, 'no 2D canvas available');
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** Fetch a photo by URL and decode it. */
export async function fetchPhoto(url: string): Promise<ImageData> {
  const response = await fetch(url);
  const name = decodeURIComponent(url.split('/').pop() ?? url);
  if (!response.ok) throw new PhotoDecodeError(name, `HTTP ${response.status}`);
  return decodePhoto(await response.blob(), name);
}
