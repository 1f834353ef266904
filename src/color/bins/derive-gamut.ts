/**
 * An ab gamut for any grid size, derived from the sRGB gamut. Zhang et al. (ECCV 2016, §2.1) quantize ab
 * with grid size 10 and keep the Q = 313 in-gamut bins; their table ships as {@link ZHANG_GAMUT}. For other
 * grid sizes this file rebuilds a comparable set from first principles.
 */
import { createGamut, type AbGamut } from './gamut.js';
import { rgbToLab } from '../lab/lab.js';
import { checkConfigRange } from '../../validate.js';

/**
 * Options of {@link deriveGamut}.
 * @example deriveGamut(10, { levels: 129 });
 */
export interface DeriveGamutConfig {
  /** Levels per sRGB channel in the sample (levels³ colours), an integer in [2, 256]. Default 65. */
  levels?: number;
}

/**
 * Bins of grid size `gridSize` that the sRGB gamut reaches: the ab of a dense regular sample of sRGB
 * colours (all lightnesses) is computed, and every lattice node at a corner of a grid cell that some
 * sample falls in becomes a bin. This is an approximation of how Zhang et al.'s table was made, not a
 * reproduction: for grid size 10 it finds 305 of their 313 bins and no others (the remaining 8 lie on the
 * rim; `tests/color/bins/gamut.test.ts` reports the count). Bins are in lexicographic order (a, then b), like
 * Zhang's.
 *
 * @param gridSize  grid spacing in Lab units, in [1, 100]; Zhang et al. use 10.
 * @param config  `{ levels = 65 }` sRGB sample levels per channel (finer finds rim bins more reliably).
 * @returns a new gamut.
 * @throws ConfigError on a grid size or level count out of range.
 * @example
 * const coarse = deriveGamut(20);  // 99 bins
 * const fine = deriveGamut(5);     // 1048 bins
 */
export function deriveGamut(gridSize: number, config: DeriveGamutConfig = {}): AbGamut {
  const levels = config.levels ?? 65;
  checkConfigRange('gridSize', gridSize, 1, 100);
  checkConfigRange('levels', levels, 2, 256, { integer: true });
  const count = levels ** 3;
  const rgb = new Float32Array(3 * count);
  for (let r = 0, p = 0; r < levels; r++) {
    for (let g = 0; g < levels; g++) {
      for (let b = 0; b < levels; b++, p++) {
        rgb[3 * p] = r / (levels - 1);
        rgb[3 * p + 1] = g / (levels - 1);
        rgb[3 * p + 2] = b / (levels - 1);
      }
    }
  }
  const lab = rgbToLab(rgb);
  const nodes = new Set<number>();
  // Nodes are keyed as (i + OFFSET) · SPAN + (j + OFFSET) to stay integral and sortable (a, then b).
  const SPAN = 4096,
    OFFSET = 2048;
  for (let p = 0; p < count; p++) {
    const i = Math.floor(lab[3 * p + 1] / gridSize),
      j = Math.floor(lab[3 * p + 2] / gridSize);
    for (let di = 0; di <= 1; di++)
      for (let dj = 0; dj <= 1; dj++) nodes.add((i + di + OFFSET) * SPAN + (j + dj + OFFSET));
  }
  const keys = [...nodes].sort((x, y) => x - y);
  const points = new Float64Array(2 * keys.length);
  keys.forEach((key, q) => {
    points[2 * q] = (Math.floor(key / SPAN) - OFFSET) * gridSize;
    points[2 * q + 1] = ((key % SPAN) - OFFSET) * gridSize;
  });
  return createGamut(points, gridSize);
}
