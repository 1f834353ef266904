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
 * equations (a weighted graph Laplacian plus a diagonal) are symmetric positive definite and are solved by
 * conjugate gradients with a Jacobi preconditioner, in plain arithmetic on the CPU: the grid is the model's
 * output grid (64 × 64 for a 256-pixel input), so a solve takes milliseconds whatever the photo's size.
 */
import { AB_SCALE } from '../color/lab/constants.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';
import { ConfigError, InputError, describeValue } from '../errors.js';
import { checkConfigKeys, checkConfigRange, configKeys } from '../validate.js';
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
   * Most conjugate-gradient iterations per ab channel. Default 500: on a 64 × 64 grid of a photo with the
   * default ε, within 1.4 ab units (mean 0.13) of the converged solve.
   */
  maxIterations?: number;
  /** Stop when the residual norm falls below this fraction of the right-hand side's. Default 1e-5. */
  tolerance?: number;
}

/** Defaults of {@link PropagateHintsOptions}. @example const sigma = options.sigma ?? PROPAGATE_HINTS_DEFAULTS.sigma; */
export const PROPAGATE_HINTS_DEFAULTS = {
  sigma: 3,
  colorWeight: 0.5,
  decay: 1e-4,
  maxIterations: 500,
  tolerance: 1e-5,
} as const;

const OPTION_KEYS = configKeys<PropagateHintsOptions>({
  sigma: true,
  colorWeight: true,
  decay: true,
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

/** Resolved {@link PropagateHintsOptions}. */
type Resolved = Required<PropagateHintsOptions>;

/**
 * Check spreading options (keys and ranges) and return them unchanged.
 * @throws ConfigError naming the key.
 */
export function checkPropagateHintsOptions(options: PropagateHintsOptions): PropagateHintsOptions {
  resolve(options);
  return options;
}

function resolve(options: PropagateHintsOptions): Resolved {
  checkConfigKeys(options, OPTION_KEYS);
  const o = { ...PROPAGATE_HINTS_DEFAULTS, ...options };
  checkConfigRange('sigma', o.sigma, 0, Infinity, { openLow: true });
  checkConfigRange('colorWeight', o.colorWeight, 0, Infinity);
  checkConfigRange('decay', o.decay, 0, Infinity);
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
  const o = resolve(options);
  const { width, height, lightness, ab, hintAb, hintWeight } = grid;
  const n = width * height;
  const out = Float32Array.from(ab);
  if (!hintWeight.some((m) => m > 0)) return out;

  // Edge weights: right[i] joins cell i and i + 1, down[i] joins cell i and i + width.
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

  const rhs = new Float64Array(n);
  const r = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const x = new Float64Array(n);
  for (let channel = 0; channel < 2; channel++) {
    let rhsNorm = 0;
    for (let i = 0; i < n; i++) {
      rhs[i] = hintWeight[i] > 0 ? HINT_FIDELITY * hintWeight[i] * (hintAb[2 * i + channel] - ab[2 * i + channel]) : 0;
      rhsNorm += rhs[i] * rhs[i];
    }
    if (rhsNorm === 0) continue;
    // Preconditioned conjugate gradients from x = 0.
    x.fill(0);
    r.set(rhs);
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
    for (let i = 0; i < n; i++)
      out[2 * i + channel] = Math.min(AB_SCALE, Math.max(-AB_SCALE, ab[2 * i + channel] + x[i]));
  }
  return out;
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
  const hintAb = new Float32Array(2 * h * w);
  const hintWeight = new Float32Array(h * w);
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
          const mk = planes.mask[k];
          if (mk === 0) continue;
          a += mk * planes.ab[2 * k];
          b += mk * planes.ab[2 * k + 1];
          m += mk;
        }
      }
      const cell = y * w + x;
      if (m === 0) continue;
      hintWeight[cell] = m / ((y1 - y0) * (x1 - x0));
      hintAb[2 * cell] = (a / m) * AB_SCALE;
      hintAb[2 * cell + 1] = (b / m) * AB_SCALE;
    }
  }
  return { hintAb, hintWeight };
}
