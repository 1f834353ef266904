/**
 * Gaussian smoothing of an ab prior on the ab grid (Zhang, Isola, Efros, "Colorful Image Colorization",
 * ECCV 2016, §2.2: the empirical distribution is smoothed with a Gaussian kernel, σ = 5, before the
 * rebalancing weights are derived).
 */
import { ZHANG_GAMUT, type AbGamut } from '../bins/gamut.js';
import { checkDistribution } from './prior-input.js';
import { checkConfigRange } from '../../validate.js';

/**
 * Options of {@link smoothPrior}.
 * @example smoothPrior(prior, { sigma: 5, truncate: 4 });
 */
export interface SmoothPriorConfig {
  /** The bins the prior is over; default {@link ZHANG_GAMUT}. */
  gamut?: AbGamut;
  /** σ of the Gaussian, in Lab units (σ / gridSize in grid cells), > 0. Default 5 (§2.2). */
  sigma?: number;
  /** The kernel stops at `round(truncate · σ / gridSize)` cells from its centre, > 0. Default 4. */
  truncate?: number;
}

/**
 * Smooth a distribution over the bins with a Gaussian on the ab grid: the prior is laid on the lattice
 * (zeros at nodes outside the gamut), convolved with a normalized, truncated, separable Gaussian (zero
 * padding), read back at the bins and renormalized to sum 1 (the mass that spread to out-of-gamut nodes
 * is dropped).
 *
 * @param prior  Q non-negative finite values (need not sum to 1), in the gamut's bin order.
 * @param config  `{ gamut = ZHANG_GAMUT, sigma = 5, truncate = 4 }`.
 * @returns a new `Float64Array` of Q probabilities summing to 1.
 * @throws InputError on a wrong length, negative or non-finite values, or an all-zero prior; ConfigError on a bad option.
 * @example
 * const smoothed = smoothPrior(createAbPriorAccumulator().result()); // after adding data
 */
export function smoothPrior(prior: ArrayLike<number>, config: SmoothPriorConfig = {}): Float64Array {
  const gamut = config.gamut ?? ZHANG_GAMUT;
  const sigma = config.sigma ?? 5;
  const truncate = config.truncate ?? 4;
  checkConfigRange('sigma', sigma, 0, Infinity, { openLow: true, openHigh: true });
  checkConfigRange('truncate', truncate, 0, Infinity, { openLow: true, openHigh: true });
  checkDistribution('prior', prior, gamut.size);

  const s = sigma / gamut.gridSize;
  const radius = Math.floor(truncate * s + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let kernelSum = 0;
  for (let t = -radius; t <= radius; t++) kernelSum += kernel[t + radius] = Math.exp((-t * t) / (2 * s * s));
  for (let t = 0; t < kernel.length; t++) kernel[t] /= kernelSum;

  const { columns, rows, bins } = gamut.lookup;
  // Lattice padded by the kernel radius, so nothing spreads off the array.
  const width = columns + 2 * radius,
    height = rows + 2 * radius;
  const grid = new Float64Array(width * height);
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) {
      const q = bins[i * rows + j];
      if (q >= 0) grid[(i + radius) * height + (j + radius)] = prior[q];
    }
  }
  // Separable: along a (columns) then along b (rows).
  const along = new Float64Array(grid.length);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < height; j++) {
      let v = 0;
      for (let t = -radius; t <= radius; t++) {
        const ii = i + t;
        if (ii >= 0 && ii < width) v += kernel[t + radius] * grid[ii * height + j];
      }
      along[i * height + j] = v;
    }
  }
  const result = new Float64Array(gamut.size);
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) {
      const q = bins[i * rows + j];
      if (q < 0) continue;
      let v = 0;
      for (let t = -radius; t <= radius; t++) v += kernel[t + radius] * along[(i + radius) * height + (j + radius + t)];
      result[q] = v;
    }
  }
  const total = result.reduce((sum, v) => sum + v, 0);
  return result.map((v) => v / total);
}
