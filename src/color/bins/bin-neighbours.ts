/**
 * Exact k-nearest-bin search that exploits the regular ab grid (the idea behind the fast soft encoder;
 * Zhang et al. 2016, §3.1 use a generic nearest-neighbour search over all 313 bins instead).
 *
 * The ab plane around the gamut is cut into square cells of 1/CELLS_PER_GRID of the grid spacing. For each cell we keep
 * only the bins that can be among the k nearest of *some* point in the cell: with R the k-th smallest
 * farthest-distance from a bin to the cell, every point of the cell has k bins within R, so a bin whose
 * closest distance to the cell exceeds R can never be one of its k nearest. A query then scans its cell's
 * short candidate list (on average about k + 1 bins) instead of all Q bins. Points outside the
 * table (far beyond any colour Lab produces) fall back to a full scan, so the result is exact everywhere.
 *
 * Internal to src/color: not re-exported from the barrel.
 */
import type { AbGamut } from './gamut.js';

/** Candidate bins per cell for one gamut and one k. */
export interface NeighbourTable {
  readonly k: number;
  readonly cellSize: number;
  /** Lab coordinates of the table's lower edges. */
  readonly aStart: number;
  readonly bStart: number;
  readonly columns: number;
  readonly rows: number;
  /** Candidates of cell `c` are `candidates[offsets[c] … offsets[c + 1])` (cell `c = i · rows + j`). */
  readonly offsets: Int32Array;
  readonly candidates: Int32Array;
}

/** How far beyond the gamut (in grid cells) and beyond ±130 in Lab units the table reaches. */
const MARGIN_CELLS = 4;
const MIN_REACH = 130;
/** Cells per grid spacing of the final table: finer cells give shorter candidate lists (≈ k + 2 on average). */
export const CELLS_PER_GRID = 4;
/** Grid spacings per cell of the top level of the build. */
const COARSE_CELLS = 8;

const tables = new WeakMap<AbGamut, Map<number, NeighbourTable>>();

/** The candidate table for `(gamut, k)`, built on first use and cached for the gamut's lifetime. */
export function neighbourTable(gamut: AbGamut, k: number): NeighbourTable {
  let byK = tables.get(gamut);
  if (!byK) tables.set(gamut, (byK = new Map()));
  let table = byK.get(k);
  if (!table) {
    // Coarse to fine keeps the build cheap for large Q: only the top level searches all Q bins; each
    // finer cell searches its parent's candidates (a superset of its own).
    const top = buildTable(gamut, k, gamut.gridSize * COARSE_CELLS, null);
    const middle = buildTable(gamut, k, gamut.gridSize, top);
    byK.set(k, (table = buildTable(gamut, k, gamut.gridSize / CELLS_PER_GRID, middle)));
  }
  return table;
}

function buildTable(gamut: AbGamut, k: number, cellSize: number, parent: NeighbourTable | null): NeighbourTable {
  const g = gamut.gridSize;
  // Edges on multiples of the top level's cell, so every level's cells nest exactly in their parents'.
  const align = g * COARSE_CELLS;
  const lo = (v: number) => Math.floor(Math.min(v - MARGIN_CELLS * g, -MIN_REACH) / align) * align;
  const hi = (v: number) => Math.ceil(Math.max(v + MARGIN_CELLS * g, MIN_REACH) / align) * align;
  const aStart = lo(gamut.aRange[0]),
    bStart = lo(gamut.bRange[0]);
  const columns = Math.round((hi(gamut.aRange[1]) - aStart) / cellSize);
  const rows = Math.round((hi(gamut.bRange[1]) - bStart) / cellSize);
  const ratio = parent ? Math.round(parent.cellSize / cellSize) : 1;
  const c = gamut.centres;
  const all = Int32Array.from({ length: gamut.size }, (_, n) => n);
  const far = new Float64Array(gamut.size);
  const near = new Float64Array(gamut.size);
  const offsets = new Int32Array(columns * rows + 1);
  const chosen: number[] = [];
  for (let i = 0; i < columns; i++) {
    const a0 = aStart + i * cellSize,
      a1 = a0 + cellSize;
    for (let j = 0; j < rows; j++) {
      const b0 = bStart + j * cellSize,
        b1 = b0 + cellSize;
      let pool: Int32Array = all;
      if (parent) {
        const cell = Math.floor(i / ratio) * parent.rows + Math.floor(j / ratio);
        pool = parent.candidates.subarray(parent.offsets[cell], parent.offsets[cell + 1]);
      }
      for (let m = 0; m < pool.length; m++) {
        const a = c[2 * pool[m]],
          b = c[2 * pool[m] + 1];
        const da = Math.max(a0 - a, 0, a - a1),
          db = Math.max(b0 - b, 0, b - b1);
        near[m] = da * da + db * db;
        const fa = Math.max(Math.abs(a - a0), Math.abs(a - a1)),
          fb = Math.max(Math.abs(b - b0), Math.abs(b - b1));
        far[m] = fa * fa + fb * fb;
      }
      const radius2 = kthSmallest(far, pool.length, k);
      // The slack only admits extra candidates (never drops one), guarding against rounding at the boundary.
      const limit = radius2 * (1 + 1e-9) + 1e-9;
      for (let m = 0; m < pool.length; m++) if (near[m] <= limit) chosen.push(pool[m]);
      offsets[i * rows + j + 1] = chosen.length;
    }
  }
  return { k, cellSize, aStart, bStart, columns, rows, offsets, candidates: Int32Array.from(chosen) };
}

/** The k-th smallest (1-based) of `values[0 … length)`: a running top-k for small k, a sort otherwise. */
function kthSmallest(values: Float64Array, length: number, k: number): number {
  if (k > 32) return Float64Array.from(values.subarray(0, length)).sort()[k - 1];
  const best = new Float64Array(k).fill(Infinity);
  for (let m = 0; m < length; m++) {
    const v = values[m];
    if (v >= best[k - 1]) continue;
    let s = k - 1;
    while (s > 0 && best[s - 1] > v) {
      best[s] = best[s - 1];
      s--;
    }
    best[s] = v;
  }
  return best[k - 1];
}

/**
 * The k nearest bins of (a, b), nearest first: writes bin indices to `index[0…k)` and squared distances
 * to `dist2[0…k)`. Equal distances keep the earlier candidate first.
 */
export function findNearestBins(
  gamut: AbGamut,
  table: NeighbourTable,
  a: number,
  b: number,
  index: Int32Array,
  dist2: Float64Array,
): void {
  const k = table.k;
  for (let m = 0; m < k; m++) dist2[m] = Infinity;
  const c = gamut.centres;
  const i = Math.floor((a - table.aStart) / table.cellSize);
  const j = Math.floor((b - table.bStart) / table.cellSize);
  let from = 0,
    to = gamut.size;
  let ids: Int32Array | null = null;
  if (i >= 0 && i < table.columns && j >= 0 && j < table.rows) {
    const cell = i * table.rows + j;
    from = table.offsets[cell];
    to = table.offsets[cell + 1];
    ids = table.candidates;
  }
  for (let m = from; m < to; m++) {
    const n = ids === null ? m : ids[m];
    const da = a - c[2 * n],
      db = b - c[2 * n + 1];
    const d = da * da + db * db;
    if (d >= dist2[k - 1]) continue;
    let s = k - 1;
    while (s > 0 && dist2[s - 1] > d) {
      dist2[s] = dist2[s - 1];
      index[s] = index[s - 1];
      s--;
    }
    dist2[s] = d;
    index[s] = n;
  }
}
