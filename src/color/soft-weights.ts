/**
 * The inner loop of the soft encoder: for each pixel, its k nearest bins and their normalized Gaussian
 * weights exp(−d²/2σ²) (Zhang et al., ECCV 2016, §3.1). Internal to src/color: not re-exported.
 *
 * Why it is fast: `Math.exp` costs more than the whole grid search, so the k Gaussians are not evaluated
 * one by one. For a pixel p = r + (u, v) near a lattice node r and a bin c = r + g·(i, j),
 *
 *   exp(−|p − c|²/2σ²) = exp(−(u² + v²)/2σ²) · X^i · Y^j · E(i, j),
 *   X = exp(g·u/σ²),  Y = exp(g·v/σ²),  E(i, j) = exp(−g²(i² + j²)/2σ²).
 *
 * The first factor is the same for every bin and cancels when the weights are normalized; E is a
 * per-candidate constant; X and Y are read from a table at steps of h and corrected by a 4th-order
 * Taylor term (relative error < 1e-9, far below float32). So a pixel costs two table reads, a few
 * multiplications per candidate and no `exp`. Since the weight decreases with distance, the k nearest
 * bins are the k largest weights, so no distances are needed either. Cells where the factors could
 * overflow (tiny σ, or far outside the gamut) use the direct formula instead; both paths are exact.
 */
import type { AbGamut } from './gamut.js';
import { findNearestBins, neighbourTable, type NeighbourTable } from './bin-neighbours.js';
import { throwNonFinite } from './ab-input.js';

/** Largest |exponent| allowed in the factored product before a cell falls back to the direct formula. */
const SAFE_EXPONENT = 600;
/** Largest c·t handled by the Taylor correction: (0.05)^5/120 ≈ 2.6e-9 relative error. */
const MAX_TAYLOR_STEP = 0.05;
/** Cells flagged for the direct formula. */
const DIRECT = 255;
/** Largest lattice offset the factored path handles. */
const MAX_REACH = 64;

/** Precomputed factors for one (gamut, k, σ). */
interface SoftPlan {
  readonly table: NeighbourTable;
  readonly sigma: number;
  /**
   * Per candidate (aligned with `table.candidates`), packed so one pixel touches few cache lines:
   * `[E, maxReach + i, maxReach + j, bin]` where (i, j) is its lattice offset from the cell's reference node.
   */
  readonly packed: Float64Array;
  /** Per cell: the largest |i| or |j| of its candidates, or DIRECT. */
  readonly reach: Uint8Array;
  /** Reference node of each column / row, Lab units. */
  readonly refA: Float64Array;
  readonly refB: Float64Array;
  /** exp(c·(uMin + m·h)) for c = g/σ². */
  readonly expTable: Float64Array;
  readonly uMin: number;
  readonly step: number;
  readonly c: number;
}

const plans = new WeakMap<NeighbourTable, Map<number, SoftPlan>>();

function softPlan(gamut: AbGamut, k: number, sigma: number): SoftPlan {
  const table = neighbourTable(gamut, k);
  let bySigma = plans.get(table);
  if (!bySigma) plans.set(table, (bySigma = new Map()));
  let plan = bySigma.get(sigma);
  if (!plan) bySigma.set(sigma, (plan = buildPlan(gamut, table, sigma)));
  return plan;
}

function buildPlan(gamut: AbGamut, table: NeighbourTable, sigma: number): SoftPlan {
  const g = gamut.gridSize, cs = table.cellSize, centres = gamut.centres;
  const c = g / (sigma * sigma);
  const refA = Float64Array.from({ length: table.columns }, (_, i) => Math.round((table.aStart + (i + 0.5) * cs) / g) * g);
  const refB = Float64Array.from({ length: table.rows }, (_, j) => Math.round((table.bStart + (j + 0.5) * cs) / g) * g);
  const count = table.candidates.length;
  const packed = new Float64Array(4 * count);
  const reach = new Uint8Array(table.columns * table.rows);
  const uLimit = g / 2 + cs; // |u|, |v| never exceed this inside a cell
  for (let i = 0; i < table.columns; i++) {
    for (let j = 0; j < table.rows; j++) {
      const cell = i * table.rows + j;
      let far = 0;
      for (let m = table.offsets[cell]; m < table.offsets[cell + 1]; m++) {
        const n = table.candidates[m];
        const oi = Math.round((centres[2 * n] - refA[i]) / g), oj = Math.round((centres[2 * n + 1] - refB[j]) / g);
        far = Math.max(far, Math.abs(oi), Math.abs(oj));
        packed[4 * m] = Math.exp((-g * g * (oi * oi + oj * oj)) / (2 * sigma * sigma));
        packed[4 * m + 1] = MAX_REACH + Math.max(-MAX_REACH, Math.min(MAX_REACH, oi));
        packed[4 * m + 2] = MAX_REACH + Math.max(-MAX_REACH, Math.min(MAX_REACH, oj));
        packed[4 * m + 3] = n;
      }
      const exponent = 2 * c * uLimit * far + (g * g * 2 * far * far) / (2 * sigma * sigma);
      reach[cell] = far <= MAX_REACH && exponent < SAFE_EXPONENT ? far : DIRECT;
    }
  }
  const step = Math.min(1 / 16, MAX_TAYLOR_STEP / c);
  const uMin = -uLimit;
  const expTable = Float64Array.from({ length: Math.ceil((2 * uLimit) / step) + 2 }, (_, m) => Math.exp(c * (uMin + m * step)));
  return { table, sigma, packed, reach, refA, refB, expTable, uMin, step, c };
}

/**
 * Encode pixels `[from, to)` of the interleaved `ab` into rows of `indices` / `weights` (k per pixel,
 * starting at row 0, in no particular order within a row). Throws InputError on a non-finite value.
 */
export function encodeSoftRows(
  gamut: AbGamut,
  k: number,
  sigma: number,
  ab: ArrayLike<number>,
  from: number,
  to: number,
  indices: Int32Array,
  weights: Float32Array,
): void {
  const plan = softPlan(gamut, k, sigma);
  const { table, packed, reach, refA, refB, expTable, uMin, step, c } = plan;
  const { offsets, aStart, bStart, cellSize, columns, rows } = table;
  const invStep = 1 / step;
  const maxReach = MAX_REACH;
  const powX = new Float64Array(2 * maxReach + 1);
  const powY = new Float64Array(2 * maxReach + 1);
  const scratchW = new Float64Array(gamut.size);
  const scratchId = new Int32Array(gamut.size);
  const nearest = new Int32Array(k);
  const dist2 = new Float64Array(k);
  const inv2s2 = 1 / (2 * sigma * sigma);

  for (let p = from, row = 0; p < to; p++, row += k) {
    const a = ab[2 * p], b = ab[2 * p + 1];
    if (!Number.isFinite(a)) throwNonFinite('ab', a, 2 * p);
    if (!Number.isFinite(b)) throwNonFinite('ab', b, 2 * p + 1);
    const i = Math.floor((a - aStart) / cellSize), j = Math.floor((b - bStart) / cellSize);
    const inside = i >= 0 && i < columns && j >= 0 && j < rows;
    const cell = i * rows + j;
    const r = inside ? reach[cell] : DIRECT;
    if (r === DIRECT) {
      // Direct formula, relative to the nearest bin so that far values do not underflow to 0/0.
      findNearestBins(gamut, table, a, b, nearest, dist2);
      const d0 = dist2[0];
      let sum = 0;
      for (let m = 0; m < k; m++) sum += dist2[m] = Math.exp((d0 - dist2[m]) * inv2s2);
      for (let m = 0; m < k; m++) {
        indices[row + m] = nearest[m];
        weights[row + m] = dist2[m] / sum;
      }
      continue;
    }
    const x = expFactor(a - refA[i], expTable, uMin, invStep, step, c);
    const y = expFactor(b - refB[j], expTable, uMin, invStep, step, c);
    // powX[maxReach + e] = x^e for |e| ≤ r
    powX[maxReach] = 1;
    powY[maxReach] = 1;
    for (let e = 1; e <= r; e++) {
      powX[maxReach + e] = powX[maxReach + e - 1] * x;
      powY[maxReach + e] = powY[maxReach + e - 1] * y;
    }
    const ix = 1 / x, iy = 1 / y;
    for (let e = 1; e <= r; e++) {
      powX[maxReach - e] = powX[maxReach - e + 1] * ix;
      powY[maxReach - e] = powY[maxReach - e + 1] * iy;
    }
    const start = offsets[cell];
    let count = offsets[cell + 1] - start;
    for (let m = 0, q = 4 * start; m < count; m++, q += 4) {
      scratchW[m] = packed[q] * powX[packed[q + 1]] * powY[packed[q + 2]];
      scratchId[m] = packed[q + 3];
    }
    // Keep the k largest weights (= the k nearest bins): drop the smallest until k remain.
    while (count > k) {
      let low = 0;
      for (let m = 1; m < count; m++) if (scratchW[m] < scratchW[low]) low = m;
      count--;
      scratchW[low] = scratchW[count];
      scratchId[low] = scratchId[count];
    }
    let sum = 0;
    for (let m = 0; m < k; m++) sum += scratchW[m];
    const norm = 1 / sum;
    for (let m = 0; m < k; m++) {
      indices[row + m] = scratchId[m];
      weights[row + m] = scratchW[m] * norm;
    }
  }
}

/** exp(c·u) from the table entry below u times a Taylor correction for the remainder (< 1e-9 relative). */
function expFactor(u: number, expTable: Float64Array, uMin: number, invStep: number, step: number, c: number): number {
  const pos = (u - uMin) * invStep;
  const m = Math.floor(pos);
  const t = c * (pos - m) * step;
  return expTable[m] * (1 + t * (1 + t * (0.5 + t * (1 / 6 + t * (1 / 24)))));
}
