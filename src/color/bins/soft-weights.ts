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
 * per-candidate constant; X and Y are read from a table and corrected by a 4th-order Taylor term
 * (relative error < 1e-8, below float32 precision). So a pixel costs two table reads and a few
 * multiplications per candidate, and no `exp`. The weight falls with distance, so the k nearest bins
 * are the k largest weights and no distances are needed either.
 *
 * Three paths, all exact:
 * 1. interior: deep inside the gamut the candidates depend only on the position inside the lattice cell,
 *    so 32 × 32 sub-cell templates (for k = 5: 55 % with exactly k candidates, 41 % with k + 1) serve
 *    every such pixel;
 * 2. near the rim and outside the gamut: the per-cell candidate lists of bin-neighbours.ts;
 * 3. direct formula: cells where the factored products could overflow (tiny σ, far outside the gamut)
 *    and values beyond the candidate table.
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
  /** E per candidate, aligned with `table.candidates`. */
  readonly factor: Float64Array;
  /**
   * Per candidate `[MAX_REACH + i, MAX_REACH + j, bin]`, where (i, j) is its lattice offset from the cell's
   * reference node: integers in their own array, so they index `powX` / `powY` without float-to-int work.
   */
  readonly packed: Int32Array;
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
  /** Fast path for pixels deep inside the gamut, or null when σ is too small for it. */
  readonly interior: InteriorPlan | null;
}

/**
 * Deep inside the gamut every lattice node near a pixel is a bin, so its k nearest bins depend only on
 * where it sits inside its lattice cell. The cell [0, g)² is cut into SUB × SUB sub-cells, each with a
 * template of candidate offsets (most with exactly k, so no selection is needed); the data fit in L1.
 */
interface InteriorPlan {
  /** 1 where lattice cell (i, j) of `gamut.lookup` is surrounded by bins at every template offset. */
  readonly inside: Uint8Array;
  /** Template t's candidates are entries `start[t] … start[t + 1]` of the arrays below. */
  readonly start: Int32Array;
  /** exp(−g²(i² + j²)/2σ²) per template candidate. */
  readonly factor: Float64Array;
  /** i − lowest offset and j − lowest offset, indices into the power arrays. */
  readonly powA: Int32Array;
  readonly powB: Int32Array;
  /** i · rows + j: added to the cell's index in `gamut.lookup.bins`. */
  readonly delta: Int32Array;
  /** Lowest and highest offset of any template candidate. */
  readonly low: number;
  readonly high: number;
  /** exp(g²·f/σ²) at f = m / steps for f ∈ [0, 1]. */
  readonly expTable: Float64Array;
  /** Table steps per lattice cell, so each Taylor correction covers g²/(σ²·steps) ≤ MAX_TAYLOR_STEP. */
  readonly steps: number;
}

/**
 * Sub-cells per lattice cell side in the interior templates. Finer sub-cells leave fewer surplus
 * candidates to drop: for k = 5, 16 gave 25 % of templates with exactly k, 32 gives 55 % (8 % faster on
 * the bench's photo-like map, Node 20), 64 gives 76 % but its 0.4 MB of templates no longer stay in cache.
 */
const SUB = 32;
/** Largest k with interior templates (beyond it the template window would grow large). */
const MAX_INTERIOR_K = 32;

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
  const g = gamut.gridSize,
    cs = table.cellSize,
    centres = gamut.centres;
  const c = g / (sigma * sigma);
  const refA = Float64Array.from(
    { length: table.columns },
    (_, i) => Math.round((table.aStart + (i + 0.5) * cs) / g) * g,
  );
  const refB = Float64Array.from({ length: table.rows }, (_, j) => Math.round((table.bStart + (j + 0.5) * cs) / g) * g);
  const count = table.candidates.length;
  const factor = new Float64Array(count);
  const packed = new Int32Array(3 * count);
  const reach = new Uint8Array(table.columns * table.rows);
  const uLimit = g / 2 + cs; // |u|, |v| never exceed this inside a cell
  for (let i = 0; i < table.columns; i++) {
    for (let j = 0; j < table.rows; j++) {
      const cell = i * table.rows + j;
      let far = 0;
      for (let m = table.offsets[cell]; m < table.offsets[cell + 1]; m++) {
        const n = table.candidates[m];
        const oi = Math.round((centres[2 * n] - refA[i]) / g),
          oj = Math.round((centres[2 * n + 1] - refB[j]) / g);
        far = Math.max(far, Math.abs(oi), Math.abs(oj));
        factor[m] = Math.exp((-g * g * (oi * oi + oj * oj)) / (2 * sigma * sigma));
        packed[3 * m] = MAX_REACH + Math.max(-MAX_REACH, Math.min(MAX_REACH, oi));
        packed[3 * m + 1] = MAX_REACH + Math.max(-MAX_REACH, Math.min(MAX_REACH, oj));
        packed[3 * m + 2] = n;
      }
      const exponent = 2 * c * uLimit * far + (g * g * 2 * far * far) / (2 * sigma * sigma);
      reach[cell] = far <= MAX_REACH && exponent < SAFE_EXPONENT ? far : DIRECT;
    }
  }
  const step = Math.min(1 / 16, MAX_TAYLOR_STEP / c);
  const uMin = -uLimit;
  const expTable = Float64Array.from({ length: Math.ceil((2 * uLimit) / step) + 2 }, (_, m) =>
    Math.exp(c * (uMin + m * step)),
  );
  return {
    table,
    sigma,
    factor,
    packed,
    reach,
    refA,
    refB,
    expTable,
    uMin,
    step,
    c,
    interior: buildInterior(gamut, table.k, sigma),
  };
}

function buildInterior(gamut: AbGamut, k: number, sigma: number): InteriorPlan | null {
  if (k > MAX_INTERIOR_K) return null;
  const g = gamut.gridSize;
  const { columns, rows, bins } = gamut.lookup;
  // Candidate window around the cell's lower-left node, in lattice units; the k nearest nodes of any
  // point of the cell lie within √(k/π) + 1 cells, and the check below proves the window was wide enough.
  const reach = Math.ceil(Math.sqrt(k / Math.PI)) + 2;
  const window: [number, number][] = [];
  for (let i = -reach; i <= reach + 1; i++) for (let j = -reach; j <= reach + 1; j++) window.push([i, j]);
  const far = new Float64Array(window.length);
  const starts = [0];
  const offsets: [number, number][] = [];
  let low = 0,
    high = 0;
  for (let s = 0; s < SUB; s++) {
    for (let t = 0; t < SUB; t++) {
      const u0 = s / SUB,
        u1 = (s + 1) / SUB,
        v0 = t / SUB,
        v1 = (t + 1) / SUB;
      window.forEach(([i, j], n) => {
        const fa = Math.max(Math.abs(i - u0), Math.abs(i - u1)),
          fb = Math.max(Math.abs(j - v0), Math.abs(j - v1));
        far[n] = fa * fa + fb * fb;
      });
      const limit = Float64Array.from(far).sort()[k - 1] * (1 + 1e-9) + 1e-9;
      for (const [i, j] of window) {
        const da = Math.max(u0 - i, 0, i - u1),
          db = Math.max(v0 - j, 0, j - v1);
        if (da * da + db * db > limit) continue;
        if (Math.abs(i) === reach || i === reach + 1 || Math.abs(j) === reach || j === reach + 1) return null; // window too small
        offsets.push([i, j]);
        low = Math.min(low, i, j);
        high = Math.max(high, i, j);
      }
      starts.push(offsets.length);
    }
  }
  const bound = Math.max(-low, high);
  // Largest |log| of X^(i − low)·Y^(j − low)·E over the templates (X, Y < exp(g²/σ²)); beyond
  // SAFE_EXPONENT the products could overflow.
  if ((2 * g * g * (high - low)) / (sigma * sigma) + (g * g * bound * bound) / (sigma * sigma) > SAFE_EXPONENT)
    return null;
  const used = new Map<string, [number, number]>();
  for (const o of offsets) used.set(o.join(), o);
  const inside = new Uint8Array(columns * rows);
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) {
      let all = true;
      for (const [di, dj] of used.values()) {
        const ii = i + di,
          jj = j + dj;
        if (ii < 0 || ii >= columns || jj < 0 || jj >= rows || bins[ii * rows + jj] < 0) {
          all = false;
          break;
        }
      }
      inside[i * rows + j] = all ? 1 : 0;
    }
  }
  const steps = Math.max(SUB, Math.ceil((g * g) / (sigma * sigma) / MAX_TAYLOR_STEP));
  return {
    inside,
    start: Int32Array.from(starts),
    factor: Float64Array.from(offsets, ([i, j]) => Math.exp((-g * g * (i * i + j * j)) / (2 * sigma * sigma))),
    powA: Int32Array.from(offsets, ([i]) => i - low),
    powB: Int32Array.from(offsets, ([, j]) => j - low),
    delta: Int32Array.from(offsets, ([i, j]) => i * rows + j),
    low,
    high,
    expTable: Float64Array.from({ length: steps + 2 }, (_, m) => Math.exp((g * g * (m / steps)) / (sigma * sigma))),
    steps,
  };
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
  const { table, factor, packed, reach, refA, refB, expTable, uMin, step, c } = plan;
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
  const interior = plan.interior;
  const lookup = gamut.lookup;
  const invG = 1 / gamut.gridSize;
  const g2s2 = (gamut.gridSize * gamut.gridSize) / (sigma * sigma);
  const span = interior ? interior.high - interior.low + 1 : 0;
  const powA = new Float64Array(span),
    powB = new Float64Array(span);
  const interiorCells = interior?.inside ?? new Uint8Array(0);
  const { aOrigin, bOrigin, columns: lColumns, rows: lRows, bins } = lookup;
  const empty = new Float64Array(0),
    none = new Int32Array(0);
  const iStart = interior?.start ?? none,
    iFactor = interior?.factor ?? empty,
    iPa = interior?.powA ?? none;
  const iPb = interior?.powB ?? none,
    iDelta = interior?.delta ?? none,
    iExp = interior?.expTable ?? empty;
  const iSteps = interior?.steps ?? 1;

  for (let p = from, row = 0; p < to; p++, row += k) {
    const a = ab[2 * p],
      b = ab[2 * p + 1];
    if (!Number.isFinite(a)) throwNonFinite('ab', a, 2 * p);
    if (!Number.isFinite(b)) throwNonFinite('ab', b, 2 * p + 1);
    if (interior !== null) {
      const fa = (a - aOrigin) * invG,
        fb = (b - bOrigin) * invG;
      const li = Math.floor(fa),
        lj = Math.floor(fb);
      if (li >= 0 && li < lColumns && lj >= 0 && lj < lRows && interiorCells[li * lRows + lj] === 1) {
        const base = li * lRows + lj,
          fu = fa - li,
          fv = fb - lj;
        const x = expUnit(fu, iExp, iSteps, g2s2),
          y = expUnit(fv, iExp, iSteps, g2s2);
        powA[0] = 1;
        powB[0] = 1;
        for (let e = 1; e < span; e++) {
          powA[e] = powA[e - 1] * x;
          powB[e] = powB[e - 1] * y;
        }
        const template = ((fu * SUB) | 0) * SUB + ((fv * SUB) | 0);
        const first = iStart[template];
        let count = iStart[template + 1] - first;
        for (let m = 0; m < count; m++) {
          const n = first + m;
          scratchW[m] = iFactor[n] * powA[iPa[n]] * powB[iPb[n]];
          scratchId[m] = bins[base + iDelta[n]];
        }
        while (count > k) {
          let lowest = 0;
          for (let m = 1; m < count; m++) if (scratchW[m] < scratchW[lowest]) lowest = m;
          count--;
          scratchW[lowest] = scratchW[count];
          scratchId[lowest] = scratchId[count];
        }
        let total = 0;
        for (let m = 0; m < k; m++) total += scratchW[m];
        const scale = 1 / total;
        for (let m = 0; m < k; m++) {
          indices[row + m] = scratchId[m];
          weights[row + m] = scratchW[m] * scale;
        }
        continue;
      }
    }
    const i = Math.floor((a - aStart) / cellSize),
      j = Math.floor((b - bStart) / cellSize);
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
    const ix = 1 / x,
      iy = 1 / y;
    for (let e = 1; e <= r; e++) {
      powX[maxReach - e] = powX[maxReach - e + 1] * ix;
      powY[maxReach - e] = powY[maxReach - e + 1] * iy;
    }
    const start = offsets[cell];
    let count = offsets[cell + 1] - start;
    for (let m = 0, q = 3 * start; m < count; m++, q += 3) {
      scratchW[m] = factor[start + m] * powX[packed[q]] * powY[packed[q + 1]];
      scratchId[m] = packed[q + 2];
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

/** exp(g²·f/σ²) for f ∈ [0, 1) from the table entry below f and a Taylor correction (< 1e-9 relative). */
function expUnit(f: number, expTable: Float64Array, steps: number, g2s2: number): number {
  const pos = f * steps;
  const m = Math.floor(pos);
  const t = (g2s2 * (pos - m)) / steps;
  return expTable[m] * (1 + t * (1 + t * (0.5 + t * (1 / 6 + t * (1 / 24)))));
}

/** exp(c·u) from the table entry below u times a Taylor correction for the remainder (< 1e-9 relative). */
function expFactor(u: number, expTable: Float64Array, uMin: number, invStep: number, step: number, c: number): number {
  const pos = (u - uMin) * invStep;
  const m = Math.floor(pos);
  const t = c * (pos - m) * step;
  return expTable[m] * (1 + t * (1 + t * (0.5 + t * (1 / 6 + t * (1 / 24)))));
}
