/**
 * Edge-aware spreading of colour points over a colorization: the points' corrections (point colour minus the
 * predicted colour under it) are spread across the picture along regions of similar lightness and predicted
 * colour, and added to the prediction. This is the optimization of Levin, Lischinski & Weiss 2004
 * ("Colorization using Optimization", SIGGRAPH: neighbouring pixels of similar intensity get similar colours),
 * applied to the residual of a network's prediction rather than to the colour itself, so that away from the
 * points the network's colours stay and at the points the user's colours hold.
 *
 * On a grid of n cells with 4-neighbour weights w_ij = exp(−(ΔL² + c²·Δab²) / (2σ²)) from the guide's
 * lightness L and predicted ab, the correction r (one plane per ab channel) minimizes
 *
 *   Σ_(i,j) w_ij (r_i − r_j)² + λ Σ_i m_i (r_i − d_i)² + ε Σ_i r_i²
 *
 * with m_i the hint weight of cell i, d_i its point colour minus the prediction, λ = {@link HINT_FIDELITY}
 * (points hold almost exactly) and ε the `decay` (how far a point reaches across smooth regions). The normal
 * equations (a weighted graph Laplacian plus a diagonal) are symmetric positive definite and sparse. They are
 * solved in plain arithmetic on the CPU, on the model's output grid (64 × 64 for a 256-pixel input), so the cost
 * does not depend on the photo's size: exactly, by a banded Cholesky factorization (the band is the grid's
 * shorter side; about 8 M multiply-adds at 64 × 64), or for large grids by conjugate gradients with a Jacobi
 * preconditioner, started from the same problem solved on a grid of half the size.
 */
import { AB_SCALE } from '../color/lab/constants.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';
import { ConfigError, InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
import type { HintPlanes } from './encode-hints.js';

/** λ: the pull of a fully hinted cell towards its point colour, relative to an edge weight of at most 1. */
export const HINT_FIDELITY = 100;

/**
 * Options of {@link propagateHints}. The defaults were chosen on 30 photos of `scenes/val` (docs/hints.md).
 * @example
 * const options: PropagateHintsOptions = { sigma: 6, decay: 1e-3 }; // points reach less far, past fainter edges
 */
export interface PropagateHintsOptions {
  /** σ of the edge weights, in Lab units (lightness 0–100): smaller stops points at fainter edges. Default 3. */
  sigma?: number;
  /** c: how much a difference of predicted ab counts against a difference of lightness. Default 0.5. */
  colorWeight?: number;
  /** ε: how fast a point's correction fades with distance in a smooth region (0: never). Default 1e-4. */
  decay?: number;
  /**
   * How the system is solved: `'direct'` (banded Cholesky, exact), `'iterative'` (conjugate gradients from a
   * coarse-grid start, stopped by `maxIterations` / `tolerance`) or `'auto'`: direct up to grids of about
   * 160 × 160 (a 640-pixel model input), iterative beyond. Default `'auto'`.
   */
  solver?: 'auto' | 'direct' | 'iterative';
  /** Most conjugate-gradient iterations per ab channel and grid level (iterative solves). Default 500. */
  maxIterations?: number;
  /** Iterative solves stop when the residual norm falls below this fraction of the right-hand side's. Default 1e-8. */
  tolerance?: number;
}

/** Defaults of {@link PropagateHintsOptions}. @example const sigma = options.sigma ?? PROPAGATE_HINTS_DEFAULTS.sigma; */
export const PROPAGATE_HINTS_DEFAULTS = {
  sigma: 3,
  colorWeight: 0.5,
  decay: 1e-4,
  solver: 'auto',
  maxIterations: 500,
  tolerance: 1e-8,
} as const;

const OPTION_KEYS = configKeys<PropagateHintsOptions>({
  sigma: true,
  colorWeight: true,
  decay: true,
  solver: true,
  maxIterations: true,
  tolerance: true,
});

/**
 * The grid {@link propagateHints} works on: the prediction, its guide and the points, cell by cell.
 * @example
 * const grid: HintGrid = { width: 64, height: 64, lightness, ab, hintAb, hintWeight };
 */
export interface HintGrid {
  width: number;
  height: number;
  /** `height × width` lightness L in [0, 100] (the guide's edges). */
  lightness: Float32Array;
  /** `height × width × 2` interleaved predicted ab, Lab units. */
  ab: Float32Array;
  /** `height × width × 2` interleaved point ab, Lab units, where `hintWeight` > 0 (else ignored). */
  hintAb: Float32Array;
  /** `height × width` in [0, 1]: the fraction of each cell a point covers (0: no point). */
  hintWeight: Float32Array;
}

/** {@link PropagateHintsOptions} with every default filled in. */
export type ResolvedPropagateHintsOptions = Required<PropagateHintsOptions>;
type Resolved = ResolvedPropagateHintsOptions;

/**
 * Check spreading options (keys and ranges) once and fill in the defaults, for {@link propagateHintsUnchecked}.
 * @throws ConfigError naming the key.
 */
export function resolvePropagateHintsOptions(options: PropagateHintsOptions): ResolvedPropagateHintsOptions {
  return resolve(options);
}

function resolve(options: PropagateHintsOptions): Resolved {
  checkConfigKeys(options, OPTION_KEYS);
  const o = { ...PROPAGATE_HINTS_DEFAULTS, ...options };
  checkConfigRange('sigma', o.sigma, 0, Infinity, { openLow: true });
  checkConfigRange('colorWeight', o.colorWeight, 0, Infinity);
  checkConfigRange('decay', o.decay, 0, Infinity);
  checkConfigChoice('solver', o.solver, ['auto', 'direct', 'iterative'] as const);
  checkConfigRange('maxIterations', o.maxIterations, 1, 1e6, { integer: true });
  checkConfigRange('tolerance', o.tolerance, 0, 1, { openLow: true });
  return o;
}

function checkGrid(grid: HintGrid): void {
  if (typeof grid !== 'object' || grid === null) throw new InputError('grid', 'a HintGrid object', describeValue(grid));
  const { width, height } = grid;
  checkConfigRange('grid.width', width, 1, Infinity, { integer: true });
  checkConfigRange('grid.height', height, 1, Infinity, { integer: true });
  const n = width * height;
  const planes: [keyof HintGrid, number][] = [
    ['lightness', n],
    ['ab', 2 * n],
    ['hintAb', 2 * n],
    ['hintWeight', n],
  ];
  for (const [key, length] of planes) {
    const plane = grid[key];
    if (!(plane instanceof Float32Array) || plane.length !== length) {
      throw new InputError(
        `grid.${key}`,
        `a Float32Array of ${length} values (${height} × ${width}${length === 2 * n ? ' × 2' : ''})`,
        plane instanceof Float32Array ? `${plane.length} values` : describeValue(plane),
      );
    }
  }
}

/**
 * Spread the points' corrections over the prediction, along edges (see the file comment for the objective).
 *
 * @param grid     the prediction, its lightness guide and the point planes, all on one `height × width` grid.
 * @param options  see {@link PropagateHintsOptions}.
 * @returns a new `height × width × 2` interleaved ab (Lab units, clipped to ±110): the prediction plus the
 *   spread correction; a copy of `grid.ab` when no cell has a point.
 * @throws InputError for planes of the wrong size; ConfigError for a bad option.
 * @example
 * const pooled = poolHintPlanes(encodeHints(points, { photo, size: inputSize }), outputSize);
 * const ab = propagateHints({ ...outputSize, lightness, ab: predicted, ...pooled });
 */
export function propagateHints(grid: HintGrid, options: PropagateHintsOptions = {}): Float32Array {
  checkGrid(grid);
  return propagateHintsUnchecked(grid, resolve(options));
}

/**
 * {@link propagateHints} without its checks: for callers that built the grid themselves and resolved the
 * options once ({@link resolvePropagateHintsOptions}), as `colorize` does for every picture and sample.
 */
export function propagateHintsUnchecked(grid: HintGrid, o: ResolvedPropagateHintsOptions): Float32Array {
  const out = Float32Array.from(grid.ab);
  if (!grid.hintWeight.some((m) => m > 0)) return out;
  const correction = solveCorrection(grid, o);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(AB_SCALE, Math.max(-AB_SCALE, out[i] + correction[i]));
  return out;
}

/** Grids at least this many cells on each side are first solved at half their size (a starting point). */
const COARSEN_FROM = 32;

/**
 * The correction r (interleaved, unclipped) minimizing the objective, by Jacobi-preconditioned conjugate
 * gradients. Large grids start from the solution of the same problem on a grid of half the size (pooled
 * guide, prediction and points), carried back to every cell: far-reaching corrections then need few fine
 * iterations (a cascadic scheme), so the iteration cap rarely binds.
 */
function solveCorrection(grid: HintGrid, o: Resolved): Float64Array {
  const { width, height } = grid;
  const n = width * height;
  const band = Math.min(width, height);
  if (o.solver === 'direct' || (o.solver === 'auto' && n * band * band <= DIRECT_SOLVE_BUDGET))
    return solveBanded(grid, o);
  const start = new Float64Array(2 * n);
  if (width >= COARSEN_FROM && height >= COARSEN_FROM) {
    const coarseSize = { width: Math.ceil(width / 2), height: Math.ceil(height / 2) };
    const coarse = solveCorrection(coarsen(grid, coarseSize), o);
    // Each cell starts from the coarse cell it was pooled into.
    const rows = cellOwners(height, coarseSize.height);
    const cols = cellOwners(width, coarseSize.width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const c = rows[y] * coarseSize.width + cols[x];
        start[2 * (y * width + x)] = coarse[2 * c];
        start[2 * (y * width + x) + 1] = coarse[2 * c + 1];
      }
    }
  }
  const { right, down, diagonal } = buildSystem(grid, o);

  /** result = A · v with A = diag − (neighbour weights); returns v · A v. */
  const apply = (v: Float64Array, result: Float64Array): number => {
    let vAv = 0;
    for (let i = 0; i < n; i++) {
      // Weights across the grid's border are 0 (never set), so the row wrap-around adds nothing.
      let sum = diagonal[i] * v[i];
      if (i + 1 < n) sum -= right[i] * v[i + 1];
      if (i > 0) sum -= right[i - 1] * v[i - 1];
      if (i + width < n) sum -= down[i] * v[i + width];
      if (i >= width) sum -= down[i - width] * v[i - width];
      result[i] = sum;
      vAv += sum * v[i];
    }
    return vAv;
  };

  const result = new Float64Array(2 * n);
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const x = new Float64Array(n);
  for (let channel = 0; channel < 2; channel++) {
    let rhsNorm = 0;
    for (let i = 0; i < n; i++) x[i] = start[2 * i + channel];
    apply(x, q);
    const rhs = rightHandSide(grid, channel);
    for (let i = 0; i < n; i++) {
      rhsNorm += rhs[i] * rhs[i];
      r[i] = rhs[i] - q[i];
    }
    if (rhsNorm === 0) continue;
    let rz = 0;
    for (let i = 0; i < n; i++) {
      z[i] = r[i] / diagonal[i];
      rz += r[i] * z[i];
    }
    p.set(z);
    const stop = o.tolerance * o.tolerance * rhsNorm;
    for (let iteration = 0; iteration < o.maxIterations; iteration++) {
      const alpha = rz / apply(p, q);
      let rr = 0;
      for (let i = 0; i < n; i++) {
        x[i] += alpha * p[i];
        r[i] -= alpha * q[i];
        rr += r[i] * r[i];
      }
      if (rr <= stop) break;
      let rzNext = 0;
      for (let i = 0; i < n; i++) {
        z[i] = r[i] / diagonal[i];
        rzNext += r[i] * z[i];
      }
      const beta = rzNext / rz;
      rz = rzNext;
      for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
    }
    for (let i = 0; i < n; i++) result[2 * i + channel] = x[i];
  }
  return result;
}

/**
 * The system's matrix A = (weighted graph Laplacian) + diag(λ m + ε): `right[i]` joins cell i and i + 1,
 * `down[i]` cell i and i + width (0 across the border), `diagonal` is A's diagonal.
 */
function buildSystem(grid: HintGrid, o: Resolved): { right: Float64Array; down: Float64Array; diagonal: Float64Array } {
  const { width, height, lightness, ab, hintWeight } = grid;
  const n = width * height;
  const scale = -1 / (2 * o.sigma * o.sigma);
  const c2 = o.colorWeight * o.colorWeight;
  const weight = (i: number, j: number): number => {
    const dl = lightness[i] - lightness[j];
    const da = ab[2 * i] - ab[2 * j];
    const db = ab[2 * i + 1] - ab[2 * j + 1];
    return Math.exp(scale * (dl * dl + c2 * (da * da + db * db)));
  };
  const right = new Float64Array(n);
  const down = new Float64Array(n);
  const diagonal = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x + 1 < width) {
        const w = weight(i, i + 1);
        right[i] = w;
        diagonal[i] += w;
        diagonal[i + 1] += w;
      }
      if (y + 1 < height) {
        const w = weight(i, i + width);
        down[i] = w;
        diagonal[i] += w;
        diagonal[i + width] += w;
      }
    }
  }
  for (let i = 0; i < n; i++) diagonal[i] += HINT_FIDELITY * hintWeight[i] + o.decay;
  return { right, down, diagonal };
}

/** The right-hand side λ m (point − prediction) of one ab channel. */
function rightHandSide(grid: HintGrid, channel: number): Float64Array {
  const { hintWeight, hintAb, ab } = grid;
  return Float64Array.from(hintWeight, (m, i) =>
    m > 0 ? HINT_FIDELITY * m * (hintAb[2 * i + channel] - ab[2 * i + channel]) : 0,
  );
}

/**
 * Grids with cells × band² at most this are solved exactly by a banded Cholesky factorization (band = the
 * shorter side): 64 × 64 (a 256-pixel input) takes about 8 M multiply-adds, 128 × 128 about 270 M.
 */
const DIRECT_SOLVE_BUDGET = 1 << 28;

/**
 * The exact correction by a banded Cholesky factorization A = L Lᵀ, cells ordered along the longer side so
 * the band is the shorter one (the factor fills the band; nothing outside it), then two triangular solves per
 * ab channel.
 */
function solveBanded(grid: HintGrid, o: Resolved): Float64Array {
  const { width, height } = grid;
  const n = width * height;
  const { right, down, diagonal } = buildSystem(grid, o);
  // Order cells so neighbours are at most `band` apart: row-major when width ≤ height, else column-major.
  const rowMajor = width <= height;
  const band = rowMajor ? width : height;
  const order = (x: number, y: number) => (rowMajor ? y * width + x : x * height + y);
  const stride = band + 1;
  // factor[i * stride + (j − i + band)] = L[i][j] for i − band ≤ j ≤ i.
  const factor = new Float64Array(n * stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = y * width + x;
      const i = order(x, y);
      factor[i * stride + band] = diagonal[cell];
      // Lower-triangle entries: the neighbour before i in the ordering along each axis.
      if (x > 0) factor[i * stride + (order(x - 1, y) - i + band)] = -right[cell - 1];
      if (y > 0) factor[i * stride + (order(x, y - 1) - i + band)] = -down[cell - width];
    }
  }
  for (let i = 0; i < n; i++) {
    const rowI = i * stride;
    for (let j = Math.max(0, i - band); j <= i; j++) {
      const rowJ = j * stride;
      let sum = factor[rowI + (j - i + band)];
      // Σ_k L[i][k] L[j][k] over k < j within both bands.
      for (let k = Math.max(0, i - band); k < j; k++)
        sum -= factor[rowI + (k - i + band)] * factor[rowJ + (k - j + band)];
      factor[rowI + (j - i + band)] = j === i ? Math.sqrt(sum) : sum / factor[rowJ + band];
    }
  }
  const result = new Float64Array(2 * n);
  const v = new Float64Array(n);
  for (let channel = 0; channel < 2; channel++) {
    const rhs = rightHandSide(grid, channel);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) v[order(x, y)] = rhs[y * width + x];
    // L w = b, then Lᵀ r = w.
    for (let i = 0; i < n; i++) {
      let sum = v[i];
      for (let k = Math.max(0, i - band); k < i; k++) sum -= factor[i * stride + (k - i + band)] * v[k];
      v[i] = sum / factor[i * stride + band];
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = v[i];
      for (let k = i + 1; k <= Math.min(n - 1, i + band); k++) sum -= factor[k * stride + (i - k + band)] * v[k];
      v[i] = sum / factor[i * stride + band];
    }
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) result[2 * (y * width + x) + channel] = v[order(x, y)];
  }
  return result;
}

/** For each of `fine` rows (or columns), the row of a `coarse`-row grid it is pooled into by {@link poolPlane}. */
function cellOwners(fine: number, coarse: number): Int32Array {
  const owners = new Int32Array(fine);
  for (let c = 0; c < coarse; c++) {
    for (let f = Math.floor((c * fine) / coarse); f < Math.floor(((c + 1) * fine) / coarse); f++) owners[f] = c;
  }
  return owners;
}

/** The same problem on a coarser grid: guide, prediction and points pooled by area, points weighted by cover. */
function coarsen(grid: HintGrid, size: PixelSize): HintGrid {
  const from = { width: grid.width, height: grid.height };
  const points = poolAb(grid.hintAb, from, size, { weight: grid.hintWeight });
  return {
    ...size,
    lightness: poolPlane(grid.lightness, from, size),
    ab: poolAb(grid.ab, from, size).ab,
    hintAb: points.ab,
    hintWeight: points.weight,
  };
}

/**
 * Interleaved ab pooled by area onto a coarser grid (the mapping of {@link poolPlane}), each value counted with
 * its `weight` (default 1): per cell, `weight` is the mean weight and `ab` the weighted mean ab times `scale`
 * (0 where the weight is 0).
 */
function poolAb(
  ab: ArrayLike<number>,
  from: PixelSize,
  to: PixelSize,
  { weight, scale = 1 }: { weight?: ArrayLike<number>; scale?: number } = {},
): { ab: Float32Array; weight: Float32Array } {
  const { height: H, width: W } = from;
  const { height: h, width: w } = to;
  const pooledAb = new Float32Array(2 * h * w);
  const pooledWeight = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * H) / h),
      y1 = Math.floor(((y + 1) * H) / h);
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * W) / w),
        x1 = Math.floor(((x + 1) * W) / w);
      let a = 0,
        b = 0,
        m = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const k = yy * W + xx;
          const mk = weight === undefined ? 1 : weight[k];
          if (mk === 0) continue;
          a += mk * ab[2 * k];
          b += mk * ab[2 * k + 1];
          m += mk;
        }
      }
      const cell = y * w + x;
      if (m === 0) continue;
      pooledWeight[cell] = m / ((y1 - y0) * (x1 - x0));
      pooledAb[2 * cell] = (a / m) * scale;
      pooledAb[2 * cell + 1] = (b / m) * scale;
    }
  }
  return { ab: pooledAb, weight: pooledWeight };
}

/**
 * The mean of a `from`-sized plane over each cell of a coarser `to` grid (the area mapping of
 * {@link poolHintPlanes}).
 */
export function poolPlane(plane: ArrayLike<number>, from: PixelSize, to: PixelSize): Float32Array {
  const out = new Float32Array(to.height * to.width);
  for (let y = 0; y < to.height; y++) {
    const y0 = Math.floor((y * from.height) / to.height),
      y1 = Math.floor(((y + 1) * from.height) / to.height);
    for (let x = 0; x < to.width; x++) {
      const x0 = Math.floor((x * from.width) / to.width),
        x1 = Math.floor(((x + 1) * from.width) / to.width);
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += plane[yy * from.width + xx];
      out[y * to.width + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/**
 * Hint planes at a model's input size, averaged onto a coarser grid (the model's output grid): each cell's
 * weight is the fraction of its input pixels under a point, and its ab the mean point ab there, in Lab units.
 * Input pixel rows `floor(y · H / h)` … `floor((y + 1) · H / h) − 1` fall in output row y (the same for columns).
 *
 * @param planes  from `encodeHints` (ab / 110 and a 0/1 mask at `planes.size`).
 * @param size    the grid to pool onto; at most the planes' size in each dimension.
 * @returns `{ hintAb, hintWeight }` for a {@link HintGrid} of `size`.
 * @throws ConfigError when `size` is larger than the planes.
 * @example
 * const { hintAb, hintWeight } = poolHintPlanes(encodeHints(points, { photo, size: { height: 256, width: 256 } }), { height: 64, width: 64 });
 */
export function poolHintPlanes(planes: HintPlanes, size: PixelSize): Pick<HintGrid, 'hintAb' | 'hintWeight'> {
  const { height: H, width: W } = planes.size;
  const { height: h, width: w } = size;
  checkConfigRange('size.height', h, 1, H, { integer: true });
  checkConfigRange('size.width', w, 1, W, { integer: true });
  if (planes.ab.length !== 2 * H * W || planes.mask.length !== H * W) {
    throw new ConfigError('planes', `hint planes of ${H} × ${W}`, `${planes.mask.length} mask values`);
  }
  const { ab, weight } = poolAb(planes.ab, planes.size, size, { weight: planes.mask, scale: AB_SCALE });
  return { hintAb: ab, hintWeight: weight };
}
