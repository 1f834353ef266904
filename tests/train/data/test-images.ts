// Small generated images for the data-pipeline tests (no photos: tests must not depend on /work/shared/data).
import type { ImageLike } from '../../../src/color/image/image.js';

/** A width × height RGB image of one colour. */
export function solidImage(width: number, height: number, rgb: readonly [number, number, number]): ImageLike {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgb, 3 * p);
  return { data, width, height, channels: 3 };
}

/** An RGB image whose every pixel differs: red grows along x, green along y, blue fixed. */
export function gradientImage(width: number, height: number, blue = 60): ImageLike {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 3 * (y * width + x);
      data[p] = Math.round((255 * x) / Math.max(1, width - 1));
      data[p + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[p + 2] = blue;
    }
  }
  return { data, width, height, channels: 3 };
}

/** A gray image stored as RGB (r = g = b), values varying along x. */
export function grayRgbImage(width: number, height: number): ImageLike {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      data.fill((20 + (x * 200) / width) | 0, 3 * (y * width + x), 3 * (y * width + x) + 3);
  }
  return { data, width, height, channels: 3 };
}

/** A one-channel gray image. */
export function grayImage(width: number, height: number, value = 128): ImageLike {
  return { data: new Uint8Array(width * height).fill(value), width, height, channels: 1 };
}

/** `count` distinct colourful images: solid colours and gradients alternating. */
export function colourfulImages(count: number, width: number, height: number): ImageLike[] {
  const out: ImageLike[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      i % 2 === 0
        ? solidImage(width, height, [(37 * i + 200) % 256, (91 * i + 20) % 256, (53 * i + 120) % 256])
        : gradientImage(width, height, (29 * i) % 256),
    );
  }
  return out;
}
