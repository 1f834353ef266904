/**
 * The quantized ab gamut: the Q bins of a regular ab grid that real colours reach, as used for
 * classification-style colorization (Zhang, Isola, Efros, "Colorful Image Colorization", ECCV 2016, §2.1:
 * grid size 10, Q = 313 in-gamut bins).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ZHANG_AB_POINTS, ZHANG_GRID_SIZE } from './zhang-gamut-313.js';
import { InputError, describeValue } from '../../errors.js';

/**
 * Map from lattice nodes of the ab grid to bin indices, for O(1) lookups: the node at
 * `(a, b) = (aOrigin + i·gridSize, bOrigin + j·gridSize)` is bin `bins[i · rows + j]`, or −1 when the node
 * is not one of the gamut's bins.
 * @example const { bins, rows } = ZHANG_GAMUT.lookup; // bins[i * rows + j]
 */
export interface AbLatticeLookup {
  /** a of lattice column 0, Lab units. */
  readonly aOrigin: number;
  /** b of lattice row 0, Lab units. */
  readonly bOrigin: number;
  /** Number of lattice columns (distinct a values from the smallest to the largest bin). */
  readonly columns: number;
  /** Number of lattice rows (distinct b values). */
  readonly rows: number;
  /** `columns × rows` bin indices, column-major in a (index `i · rows + j`), −1 off the gamut. */
  readonly bins: Int32Array;
}

/**
 * A set of ab bins on a regular grid.
 *
 * Bin `q` has its centre at `(centres[2q], centres[2q + 1])` in Lab units; every centre is a multiple of
 * `gridSize`. Build one with {@link createGamut} or {@link deriveGamut}, or use {@link ZHANG_GAMUT}.
 * @example const [a, b] = ZHANG_GAMUT.points[120]; // [0, 0]
 */
export interface AbGamut {
  /** Grid spacing in Lab units (10 for Zhang et al.). */
  readonly gridSize: number;
  /** Number of bins Q (313 for Zhang et al.). */
  readonly size: number;
  /** Bin centres, interleaved `[a0, b0, a1, b1, …]`, length `2Q`, Lab units. */
  readonly centres: Float32Array;
  /** The same centres as `[a, b]` pairs: pass to `tf.tensor2d(gamut.points)` for a `[Q, 2]` tensor. */
  readonly points: readonly (readonly [number, number])[];
  /** Smallest and largest a of any bin centre. */
  readonly aRange: readonly [number, number];
  /** Smallest and largest b of any bin centre. */
  readonly bRange: readonly [number, number];
  /** Lattice node → bin index. */
  readonly lookup: AbLatticeLookup;
}

/**
 * Build an {@link AbGamut} from bin centres on a regular grid. The order of `points` is kept: bin `q` is
 * the q-th pair.
 *
 * @param points   interleaved `[a0, b0, a1, b1, …]` in Lab units; each value a multiple of `gridSize`, no pair repeated.
 * @param gridSize grid spacing in Lab units, > 0.
 * @returns a frozen gamut with its lattice lookup.
 * @throws InputError on an odd length, an empty list, non-finite or off-grid values, or repeated pairs.
 * @example
 * const tiny = createGamut([0, 0, 10, 0, 0, 10], 10); // 3 bins
 */
export function createGamut(points: ArrayLike<number>, gridSize: number): AbGamut {
  if (typeof gridSize !== 'number' || !(gridSize > 0) || !Number.isFinite(gridSize)) {
    throw new InputError('gridSize', 'a finite number > 0', describeValue(gridSize));
  }
  const length = points?.length;
  if (typeof length !== 'number' || length === 0 || length % 2 !== 0) {
    throw new InputError('points', 'a non-empty list of interleaved (a, b) pairs (even length)', describeValue(points));
  }
  const size = length / 2;
  const centres = new Float32Array(length);
  const cells = new Int32Array(length);
  let aMin = Infinity,
    aMax = -Infinity,
    bMin = Infinity,
    bMax = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = points[i];
    const cell = Math.round(v / gridSize);
    // Off-grid centres would break the O(1) lattice lookup, so they are refused rather than snapped.
    if (!Number.isFinite(v) || Math.abs(cell * gridSize - v) > 1e-9 * Math.max(1, Math.abs(v))) {
      throw new InputError(`points[${i}]`, `a finite multiple of gridSize ${gridSize}`, describeValue(v));
    }
    centres[i] = v;
    cells[i] = cell;
  }
  for (let q = 0; q < size; q++) {
    aMin = Math.min(aMin, centres[2 * q]);
    aMax = Math.max(aMax, centres[2 * q]);
    bMin = Math.min(bMin, centres[2 * q + 1]);
    bMax = Math.max(bMax, centres[2 * q + 1]);
  }
  const i0 = Math.round(aMin / gridSize),
    j0 = Math.round(bMin / gridSize);
  const columns = Math.round(aMax / gridSize) - i0 + 1;
  const rows = Math.round(bMax / gridSize) - j0 + 1;
  const bins = new Int32Array(columns * rows).fill(-1);
  for (let q = 0; q < size; q++) {
    const slot = (cells[2 * q] - i0) * rows + (cells[2 * q + 1] - j0);
    if (bins[slot] !== -1) {
      throw new InputError(
        'points',
        'distinct (a, b) pairs',
        `(${centres[2 * q]}, ${centres[2 * q + 1]}) at pairs ${bins[slot]} and ${q}`,
      );
    }
    bins[slot] = q;
  }
  const pairs: (readonly [number, number])[] = [];
  for (let q = 0; q < size; q++)
    pairs.push(Object.freeze([centres[2 * q], centres[2 * q + 1]]) as readonly [number, number]);
  return Object.freeze({
    gridSize,
    size,
    centres,
    points: Object.freeze(pairs),
    aRange: Object.freeze([aMin, aMax]) as readonly [number, number],
    bRange: Object.freeze([bMin, bMax]) as readonly [number, number],
    lookup: Object.freeze({ aOrigin: i0 * gridSize, bOrigin: j0 * gridSize, columns, rows, bins }),
  });
}

/**
 * Zhang et al.'s 313 in-gamut ab bins of grid size 10, in the authors' order (ECCV 2016, §2.1; data file
 * `resources/pts_in_hull.npy` of richzhang/colorization, BSD-2-Clause, see THIRD_PARTY_NOTICES.md).
 * Bin 120 is (a, b) = (0, 0). Model outputs with Q = 313 channels index these bins.
 *
 * @example
 * ZHANG_GAMUT.size;              // 313
 * ZHANG_GAMUT.points[120];       // [0, 0]
 */
export const ZHANG_GAMUT: AbGamut = createGamut(ZHANG_AB_POINTS, ZHANG_GRID_SIZE);

/**
 * Index of the bin whose centre is the lattice node nearest to (a, b), or −1 when that node is not in
 * the gamut (then the nearest bin is elsewhere: use {@link encodeHard}). O(1).
 *
 * @param a, b  Lab units.
 * @example
 * findLatticeBin(ZHANG_GAMUT, 1.2, -3.9); // 120, the bin at (0, 0)
 */
export function findLatticeBin(gamut: AbGamut, a: number, b: number): number {
  const { aOrigin, bOrigin, columns, rows, bins } = gamut.lookup;
  const i = Math.round((a - aOrigin) / gamut.gridSize);
  const j = Math.round((b - bOrigin) / gamut.gridSize);
  if (!(i >= 0 && i < columns && j >= 0 && j < rows)) return -1;
  return bins[i * rows + j];
}

/**
 * The bin centres as a `[Q, 2]` float32 tensor (a, b in Lab units), for decoders and losses.
 *
 * @returns a new tensor; the caller owns it and must dispose it.
 * @example
 * const centres = createCentresTensor(ZHANG_GAMUT); // [313, 2]
 */
export function createCentresTensor(gamut: AbGamut = ZHANG_GAMUT): tf.Tensor2D {
  return tf.tensor2d(gamut.centres, [gamut.size, 2], 'float32');
}
