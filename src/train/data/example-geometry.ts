/**
 * The geometric part of training augmentation, on Lab planes: resize (shorter side or square), crop
 * (random or centre) and horizontal flip. Working on Lab planes after one full-size conversion keeps the
 * pipeline's L and ab exactly those of `imageToLab` when no resizing is asked for, and follows the
 * inference path (Lab at full size, then planes resized), so training and inference see the same
 * resampling.
 */
import type { LabPlanes } from '../../color/image/image.js';
import { resizePlane } from '../../color/image/image-resample.js';
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';

/**
 * How an image is brought to the crop size:
 * - `'shorter-side'`: scale so the shorter side is `resizeTo` (aspect kept), then crop a square;
 * - `'square'`: resize to `resizeTo × resizeTo` (aspect changed), then crop;
 * - `'none'`: crop directly from the image (it must be at least `cropSize` on each side).
 * @example
 * const resize: ResizeMode = 'none'; // CIFAR-10 is already 32×32
 * createBatchPipeline(await readCifar10Folder(dir), { inputSize: 32, resize });
 */
export type ResizeMode = 'shorter-side' | 'square' | 'none';

/**
 * Where the square crop is taken: uniformly at random (training) or in the centre (evaluation).
 * @example
 * const crop: CropMode = 'centre'; // evaluation
 * const validation = createBatchPipeline(photos, { crop, flip: false, shuffle: false });
 */
export type CropMode = 'random' | 'centre';

/** The geometry applied to every example. */
export interface ExampleGeometry {
  resize: ResizeMode;
  /** Side after resizing (`'shorter-side'`, `'square'`); ≥ `cropSize`. */
  resizeTo: number;
  /** Side of the square crop: the model's input size. */
  cropSize: number;
  crop: CropMode;
  /** Mirror left–right with probability 1/2. */
  flip: boolean;
}

/** The random choices of one example, drawn in a fixed order so they depend only on the generator's seed. */
export interface GeometryDraw {
  x0: number;
  y0: number;
  flipped: boolean;
}

/** Lab planes of the square crop, `cropSize × cropSize` each, row-major. */
export interface CroppedLab {
  size: number;
  lightness: Float32Array;
  a: Float32Array;
  b: Float32Array;
  draw: GeometryDraw;
}

function resizedSize(geometry: ExampleGeometry, width: number, height: number): { width: number; height: number } {
  if (geometry.resize === 'none') return { width, height };
  if (geometry.resize === 'square') return { width: geometry.resizeTo, height: geometry.resizeTo };
  const scale = geometry.resizeTo / Math.min(width, height);
  // The shorter side lands exactly on resizeTo; the longer one rounds but never falls below it.
  return width <= height
    ? { width: geometry.resizeTo, height: Math.max(geometry.resizeTo, Math.round(height * scale)) }
    : { width: Math.max(geometry.resizeTo, Math.round(width * scale)), height: geometry.resizeTo };
}

/**
 * Resize, crop and flip full-size Lab planes. Draws the crop offsets (x then y) and the flip from `rng`
 * every time, whatever the modes, so the draws of later examples never depend on this one's settings.
 *
 * @param lab  full-size planes from `imageToLab`.
 * @param geometry  the modes and sizes.
 * @param rng  the example's own generator.
 * @returns the cropped planes and the draws used.
 * @throws InputError when `resize` is `'none'` and the image is smaller than the crop.
 * @example
 * const crop = cropExample(imageToLab(image), geometry, createRandom(deriveSeed(seed, epoch, index)));
 */
export function cropExample(lab: LabPlanes, geometry: ExampleGeometry, rng: Random): CroppedLab {
  const { width, height } = resizedSize(geometry, lab.width, lab.height);
  const size = geometry.cropSize;
  if (width < size || height < size) {
    throw new InputError(
      'image',
      `at least ${size} × ${size} pixels when resize is 'none'`,
      `${lab.width} × ${lab.height}`,
    );
  }
  const rx = rng.int(width - size + 1),
    ry = rng.int(height - size + 1),
    rf = rng.next() < 0.5;
  const draw: GeometryDraw =
    geometry.crop === 'random'
      ? { x0: rx, y0: ry, flipped: geometry.flip && rf }
      : { x0: (width - size) >> 1, y0: (height - size) >> 1, flipped: geometry.flip && rf };
  const same = width === lab.width && height === lab.height;
  const planes = [lab.lightness, lab.a, lab.b].map((plane) => {
    const resized = same ? plane : resizePlane(plane, lab.width, lab.height, width, height);
    return cropPlane(resized, width, draw, size);
  });
  return { size, lightness: planes[0], a: planes[1], b: planes[2], draw };
}

function cropPlane(src: Float32Array, width: number, draw: GeometryDraw, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const row = (draw.y0 + y) * width + draw.x0;
    const o = y * size;
    if (draw.flipped) {
      for (let x = 0; x < size; x++) out[o + x] = src[row + size - 1 - x];
    } else {
      out.set(src.subarray(row, row + size), o);
    }
  }
  return out;
}
