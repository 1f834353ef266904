/**
 * Colour hints → the `hint_ab` and `hint_mask` planes of a hint-capable model (Zhang et al. 2017, §3.1: the
 * user's points as a sparse ab image and a binary mask, at the network's input size).
 *
 * Photo pixels map to the model grid the way `createColorizer` fits the picture (`fit-lightness.ts`): the
 * picture fills the content box of the model input (the whole input for `'squash'`), and photo pixel x, whose
 * centre is at x + 0.5, falls in grid cell `content.x + floor((x + 0.5) · content.width / photo width)` (the
 * half-pixel-centre convention of the library's resampling). A point then fills a small square of cells around
 * its cell, as the paper's interface does (a 5 × 5 square at a 256-pixel input), clipped to the content box.
 */
import { AB_SCALE } from '../color/lab/constants.js';
import { toImageLike } from '../color/image/image-adapters.js';
import type { ImageLike } from '../color/image/image.js';
import { rgbToLab } from '../color/lab/lab.js';
import type { PixelBox, PixelSize } from '../color/image/pixel-geometry.js';
import { HintError, InputError, describeValue } from '../errors.js';
import { checkConfigRange } from '../validate.js';
import { MAX_HINT_POINTS, type ColorHint, type ColorHints, type HintImage } from './color-hint.js';
import { HINT_COLOR_FORMS, describeHintColor, readHintColor } from './hint-color.js';

/** Side of the paper's interface's point square at a 256-pixel input (ideepcolor: ±2 pixels around the click). */
const PAPER_POINT_SIZE = 5;
const PAPER_INPUT_SIZE = 256;

/**
 * The default side, in model-input pixels, of the square a point fills: the paper's 5 at 256 pixels, scaled to
 * the smaller side of `size` and rounded to an odd number ≥ 1.
 * @example
 * defaultHintPointSize({ height: 256, width: 256 }); // 5
 */
export function defaultHintPointSize(size: PixelSize): number {
  const side = (PAPER_POINT_SIZE * Math.min(size.height, size.width)) / PAPER_INPUT_SIZE;
  return Math.max(1, 2 * Math.round((side - 1) / 2) + 1);
}

/**
 * Options of {@link encodeHints}.
 * @example
 * const options: EncodeHintsOptions = { photo: { width: 1200, height: 800 }, size: { height: 256, width: 256 } };
 */
export interface EncodeHintsOptions {
  /** The photo's own size, in which the points' x and y are given. */
  photo: PixelSize;
  /** The model's input size (the planes' size). */
  size: PixelSize;
  /** Where the picture lies in the model input (from `fitLightness`). Default: the whole input (`'squash'`). */
  content?: PixelBox;
  /** Side in model-input pixels of the square each point fills. Default {@link defaultHintPointSize}`(size)`. */
  pointSize?: number;
  /** Most points accepted. Default `min(MAX_HINT_POINTS, size.height · size.width)`. */
  maxPoints?: number;
}

/**
 * The two hint planes at the model's input size, in the normalization of the hint-capable model contract.
 * @example
 * const { ab, mask, size } = encodeHints(points, { photo, size: colorizer.inputSize });
 */
export interface HintPlanes {
  /** `size.height × size.width × 2`, interleaved hint ab / 110; 0 where no hint. */
  ab: Float32Array;
  /** `size.height × size.width`, 1 where a hint is, else 0. */
  mask: Float32Array;
  size: PixelSize;
}

/**
 * Validate colour hints and encode them as a hint-capable model's `hint_ab` and `hint_mask` inputs.
 *
 * Points: each fills a `pointSize` square of cells around the cell its pixel falls in with its colour's ab;
 * a later point overwrites an earlier one where squares overlap. A {@link HintImage}: each grid cell that
 * receives at least one hinted photo pixel gets the mean ab of the hinted pixels falling in it.
 *
 * @param hints  a list of `{ x, y, color }` (x, y in the photo's pixels) or `{ image, mask? }`.
 * @param options  `photo` size, model input `size`, `content` box, `pointSize`, `maxPoints`.
 * @returns the planes; an empty list gives all-zero planes (the model colorizes on its own).
 * @throws HintError naming the hint (`hints[2].x`) for a point outside the picture, a bad colour or one point
 *   too many; InputError (`hints`, `hints.image`, `hints.mask`) for a malformed list or hint image.
 * @example
 * const planes = encodeHints([{ x: 120, y: 48, color: '#3a6ea5' }], { photo: { width: 640, height: 480 }, size: { height: 256, width: 256 } });
 */
export function encodeHints(hints: ColorHints, options: EncodeHintsOptions): HintPlanes {
  const { photo, size } = options;
  const content = options.content ?? { x: 0, y: 0, width: size.width, height: size.height };
  const planes: HintPlanes = {
    ab: new Float32Array(2 * size.height * size.width),
    mask: new Float32Array(size.height * size.width),
    size,
  };
  const grid = { photo, size, content };
  if (Array.isArray(hints)) {
    const pointSize = options.pointSize ?? defaultHintPointSize(size);
    checkConfigRange('pointSize', pointSize, 1, Infinity, { integer: true });
    const maxPoints = options.maxPoints ?? Math.min(MAX_HINT_POINTS, size.height * size.width);
    encodePoints(hints, grid, pointSize, maxPoints, planes);
  } else if (isHintImage(hints)) {
    encodeImage(hints, grid, planes);
  } else {
    throw new InputError(
      'hints',
      'an array of { x, y, color } points or a hint image { image, mask? }',
      describeValue(hints),
    );
  }
  return planes;
}

function isHintImage(value: unknown): value is HintImage {
  return typeof value === 'object' && value !== null && 'image' in value;
}

interface Grid {
  photo: PixelSize;
  size: PixelSize;
  content: PixelBox;
}

/** The grid cell a photo pixel coordinate falls in, along one axis (half-pixel centres, clamped to the content). */
function cellOf(coordinate: number, photoExtent: number, contentStart: number, contentExtent: number): number {
  const inside = Math.floor(((coordinate + 0.5) * contentExtent) / photoExtent);
  return contentStart + Math.min(Math.max(inside, 0), contentExtent - 1);
}

function encodePoints(
  points: readonly ColorHint[],
  grid: Grid,
  pointSize: number,
  maxPoints: number,
  planes: HintPlanes,
): void {
  if (points.length > maxPoints) {
    throw new HintError(maxPoints, '', `at most ${maxPoints} points for this model input`, `${points.length} points`);
  }
  const { photo, size, content } = grid;
  const before = Math.floor((pointSize - 1) / 2);
  points.forEach((point, index) => {
    const { x, y, a, b } = checkHintPoint(point, index, photo);
    const cx = cellOf(x, photo.width, content.x, content.width);
    const cy = cellOf(y, photo.height, content.y, content.height);
    const x0 = Math.max(content.x, cx - before),
      x1 = Math.min(content.x + content.width, cx - before + pointSize);
    const y0 = Math.max(content.y, cy - before),
      y1 = Math.min(content.y + content.height, cy - before + pointSize);
    for (let row = y0; row < y1; row++) {
      for (let col = x0; col < x1; col++) {
        const i = row * size.width + col;
        planes.ab[2 * i] = a / AB_SCALE;
        planes.ab[2 * i + 1] = b / AB_SCALE;
        planes.mask[i] = 1;
      }
    }
  });
}

/**
 * Check one point and read its colour: `{ x, y }` as given and the colour's Lab chroma.
 *
 * @param point  the value at `index` of a list of points.
 * @param photo  the picture the coordinates refer to, or `null` to check only that they are numbers ≥ 0.
 * @param listName  the list's name in errors. Default `'hints'`.
 * @throws HintError naming `listName[index].field`.
 * @example
 * const { a, b } = checkHintPoint({ x: 120, y: 48, color: '#3a6ea5' }, 0, { width: 640, height: 480 });
 */
export function checkHintPoint(
  point: unknown,
  index: number,
  photo: PixelSize | null,
  listName = 'hints',
): { x: number; y: number; a: number; b: number } {
  if (typeof point !== 'object' || point === null || Array.isArray(point))
    throw new HintError(index, '', 'a point { x, y, color }', describeValue(point), listName);
  const { x, y, color } = point as { x?: unknown; y?: unknown; color?: unknown };
  const axes = [
    ['x', x, photo?.width, 'width'],
    ['y', y, photo?.height, 'height'],
  ] as const;
  for (const [field, value, extent, side] of axes) {
    const ok =
      typeof value === 'number' && Number.isFinite(value) && value >= 0 && (extent === undefined || value < extent);
    if (!ok)
      throw new HintError(
        index,
        field,
        extent === undefined ? 'a number ≥ 0' : `a number in [0, ${extent}) (the photo's ${side})`,
        describeValue(value),
        listName,
      );
  }
  const ab = readHintColor(color);
  if (ab === undefined) throw new HintError(index, 'color', HINT_COLOR_FORMS, describeHintColor(color), listName);
  return { x: x as number, y: y as number, a: ab.a, b: ab.b };
}

function encodeImage(hints: HintImage, grid: Grid, planes: HintPlanes): void {
  const { photo, size, content } = grid;
  const image = toImageLike(hints.image, 'hints.image');
  checkPhotoSize('hints.image', image, photo);
  let marked: (i: number) => boolean;
  if (hints.mask !== undefined) {
    const mask = toImageLike(hints.mask, 'hints.mask');
    checkPhotoSize('hints.mask', mask, photo);
    const threshold = mask.data instanceof Float32Array ? 0.5 : 128;
    marked = (i) => mask.data[i * mask.channels] >= threshold;
  } else if (image.channels === 4) {
    const threshold = image.data instanceof Float32Array ? 0.5 : 128;
    marked = (i) => image.data[4 * i + 3] >= threshold;
  } else {
    throw new InputError(
      'hints.mask',
      'a mask image, or an RGBA hints.image whose alpha marks the hinted pixels',
      `no mask and a ${image.channels}-channel hints.image`,
    );
  }
  // Gray hint pixels have no chroma; colour ones go through the library's sRGB → Lab.
  const lab = image.channels === 1 ? null : rgbToLab(image.data, { channels: image.channels });
  const cells = size.height * size.width;
  const sums = new Float64Array(2 * cells);
  const counts = new Uint32Array(cells);
  const colOf = new Int32Array(photo.width);
  for (let x = 0; x < photo.width; x++) colOf[x] = cellOf(x, photo.width, content.x, content.width);
  for (let y = 0; y < photo.height; y++) {
    const rowBase = cellOf(y, photo.height, content.y, content.height) * size.width;
    for (let x = 0; x < photo.width; x++) {
      const i = y * photo.width + x;
      if (!marked(i)) continue;
      const cell = rowBase + colOf[x];
      counts[cell]++;
      if (lab !== null) {
        sums[2 * cell] += lab[3 * i + 1];
        sums[2 * cell + 1] += lab[3 * i + 2];
      }
    }
  }
  for (let cell = 0; cell < cells; cell++) {
    if (counts[cell] === 0) continue;
    planes.mask[cell] = 1;
    planes.ab[2 * cell] = sums[2 * cell] / counts[cell] / AB_SCALE;
    planes.ab[2 * cell + 1] = sums[2 * cell + 1] / counts[cell] / AB_SCALE;
  }
}

function checkPhotoSize(name: string, image: ImageLike, photo: PixelSize): void {
  if (image.width !== photo.width || image.height !== photo.height) {
    throw new InputError(name, `the photo's size ${photo.width} × ${photo.height}`, `${image.width} × ${image.height}`);
  }
}
