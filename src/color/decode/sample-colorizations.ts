/**
 * Several plausible colorizations from one predicted distribution over ab bins. Zhang et al. (ECCV 2016,
 * §3.3) decode a single annealed mean; because the model predicts a full distribution per pixel, it can
 * also be sampled, which shows the multimodality the paper motivates (§1, Fig. 2).
 *
 * Per-pixel independent draws give salt-and-pepper noise, so draws are made spatially coherent:
 * 1. for each sample, a smooth seeded Gaussian random field z over the image (unit-variance noise on a
 *    coarse grid, randomly shifted, interpolated with smoothstep weights and rescaled so every pixel is
 *    exactly N(0, 1));
 * 2. u = Φ(z) is then uniform on (0, 1) at every pixel, yet nearby pixels get nearly the same u;
 * 3. the bins are ordered by hue angle, then chroma, and each pixel's annealed distribution becomes a
 *    cumulative distribution along that order. With `window` 0 the pixel takes the bin where the cumulative
 *    distribution first reaches u (inverse CDF): an exact draw from its own annealed distribution. With
 *    `window` w > 0 it takes the mean ab of the slice of mass w around u (from u − w/2 to u + w/2, moved
 *    inside [0, 1]): the annealed mean of one side of the distribution, a distinct mode where there are
 *    several, close to the mean where there is one. w = 1 is the annealed mean itself; this path runs as
 *    tensor operations and reads nothing back.
 * Neighbouring pixels with similar distributions make the same choice, so whole regions change colour
 * together.
 */
import * as tf from '@tensorflow/tfjs-core';
import { annealDistributionUnchecked } from './anneal-distribution.js';
import { resolveDecodeConfig, type DecodeConfig, type ResolvedDecodeConfig } from './decode-config.js';
import type { AbGamut } from '../bins/gamut.js';
import { createRandom, type Random } from '../../random.js';
import { checkConfigRange } from '../../validate.js';

/**
 * Options of {@link sampleColorizations}.
 * @example sampleColorizations(logits, { count: 8, seed: 1, correlationLength: 16 });
 */
export interface SampleConfig extends DecodeConfig {
  /** K, the number of colorizations: an integer in [1, {@link MAX_SAMPLE_COUNT}]. Default 4. */
  count?: number;
  /** Seed of the random fields; the same seed gives the same samples. Default 0. */
  seed?: number;
  /**
   * Spacing of the random field's coarse grid, in pixels of `dist` (larger: bigger regions share a
   * colour choice). Default a quarter of the larger side, at least 2.
   */
  correlationLength?: number;
  /**
   * Share w in [0, 1] of each pixel's probability mass a sample averages over (see the file comment): 0, the
   * default, draws one bin per pixel; larger values give smoother samples closer to the annealed mean.
   */
  window?: number;
}

/**
 * The `window` `createColorizer` samples with: each alternative averages this share of a pixel's annealed
 * distribution, so alternatives are smooth within objects and stay near the annealed mean in accuracy
 * (measured on held-out photos in docs/default-model/model-card.md).
 * @example sampleColorizations(logits, { count: 3, window: COLORIZER_SAMPLE_WINDOW });
 */
export const COLORIZER_SAMPLE_WINDOW = 0.5;

/**
 * Most colorizations one call draws (K ≤ 64: each is a full `[N, H, W, 2]` tensor).
 * @example sampleColorizations(logits, { count: Math.min(wanted, MAX_SAMPLE_COUNT) });
 */
export const MAX_SAMPLE_COUNT = 64;

/** {@link SampleConfig} with its defaults filled in and checked; `correlationLength` undefined is the default. */
export interface ResolvedSampleConfig extends ResolvedDecodeConfig {
  count: number;
  seed: number;
  correlationLength: number | undefined;
  /** Share of the mass each sample averages over; 0 (an exact draw) when absent. */
  window?: number;
}

/**
 * Draw K spatially coherent colorizations from a distribution over ab bins, annealed with temperature T
 * (default {@link DEFAULT_TEMPERATURE} as for the annealed mean, which keeps draws on the likely modes; T = 1
 * samples the model's distribution as it is). The options are checked at once (a bad one throws before any
 * work); the distribution is read without blocking (`await data()`), so a GPU backend keeps its thread free.
 *
 * @param dist  `[N, H, W, Q]` logits (default) or probabilities over the bins of `config.gamut`.
 * @param config  `{ count = 4, seed = 0, temperature = DEFAULT_TEMPERATURE, input = 'logits', gamut = ZHANG_GAMUT, correlationLength }`.
 * @returns a promise of K tensors `[N, H, W, 2]` of ab in Lab units; every pair is a bin centre of the gamut.
 *          The caller owns them (dispose each); `dist` is not disposed and may be disposed once this returns.
 * @throws InputError on a wrong rank or last dimension; ConfigError on a bad option.
 * @example
 * const samples = await sampleColorizations(logits, { count: 3, seed: 7 });
 * // … use samples[0..2] …
 * samples.forEach((s) => s.dispose());
 */
export function sampleColorizations(dist: tf.Tensor4D, config: SampleConfig = {}): Promise<tf.Tensor4D[]> {
  const count = config.count ?? 4;
  const seed = config.seed ?? 0;
  const { correlationLength } = config;
  const decode = resolveDecodeConfig(dist, config);
  checkConfigRange('count', count, 1, MAX_SAMPLE_COUNT, { integer: true });
  checkConfigRange('seed', seed, -(2 ** 53), 2 ** 53, { integer: true });
  if (correlationLength !== undefined)
    checkConfigRange('correlationLength', correlationLength, 0, Infinity, { openLow: true, openHigh: true });
  const window = config.window ?? 0;
  checkConfigRange('window', window, 0, 1);
  return sampleColorizationsUnchecked(dist, { ...decode, count, seed, correlationLength, window });
}

/**
 * The core of {@link sampleColorizations}, for callers that validated their options already. Internal. The
 * annealed distribution is computed before the first `await`, so `dist` may be disposed once this returns.
 */
export async function sampleColorizationsUnchecked(
  dist: tf.Tensor4D,
  config: ResolvedSampleConfig,
): Promise<tf.Tensor4D[]> {
  const { gamut, input, temperature, count, seed } = config;
  const [n, h, w, q] = dist.shape;
  const correlationLength = config.correlationLength ?? Math.max(2, Math.max(h, w) / 4);
  if ((config.window ?? 0) > 0) return windowedSamples(dist, config, correlationLength);
  const annealed = annealDistributionUnchecked(dist, input, temperature);
  let probs: Float32Array;
  try {
    probs = (await annealed.data()) as Float32Array;
  } finally {
    annealed.dispose();
  }
  const order = hueOrder(gamut);
  const pixels = h * w;
  const samples: tf.Tensor4D[] = [];
  for (let s = 0; s < count; s++) {
    // One stream per sample, so sample s does not depend on how many samples were asked for.
    const rng = createRandom((seed + Math.imul(s + 1, 0x9e3779b9)) >>> 0);
    const ab = new Float32Array(n * pixels * 2);
    for (let image = 0; image < n; image++) {
      const field = smoothGaussianField(h, w, correlationLength, rng);
      for (let p = 0; p < pixels; p++) {
        const base = (image * pixels + p) * q;
        const bin = inverseCdf(probs, base, order, normalCdf(field[p]));
        ab[2 * (image * pixels + p)] = gamut.centres[2 * bin];
        ab[2 * (image * pixels + p) + 1] = gamut.centres[2 * bin + 1];
      }
    }
    samples.push(tf.tensor4d(ab, [n, h, w, 2], 'float32'));
  }
  return samples;
}

/** The uniform variates u = Φ(z) of each sample (H·W values per image), made on the CPU. */
function uniformFields(
  n: number,
  h: number,
  w: number,
  count: number,
  seed: number,
  correlationLength: number,
): Float32Array[] {
  const fields: Float32Array[] = [];
  for (let s = 0; s < count; s++) {
    // One stream per sample, so sample s does not depend on how many samples were asked for.
    const rng = createRandom((seed + Math.imul(s + 1, 0x9e3779b9)) >>> 0);
    const u = new Float32Array(n * h * w);
    for (let image = 0; image < n; image++) {
      const field = smoothGaussianField(h, w, correlationLength, rng);
      for (let p = 0; p < h * w; p++) u[image * h * w + p] = normalCdf(field[p]);
    }
    fields.push(u);
  }
  return fields;
}

/** Samples with `window` w > 0: the annealed mean of the slice of mass w around u, in tensor operations. */
function windowedSamples(dist: tf.Tensor4D, config: ResolvedSampleConfig, correlationLength: number): tf.Tensor4D[] {
  const { gamut, input, temperature, count, seed } = config;
  const window = config.window ?? 0;
  const [n, h, w, q] = dist.shape;
  const fields = uniformFields(n, h, w, count, seed, correlationLength);
  return tf.tidy(() => {
    const orderTensor = tf.tensor1d(hueOrder(gamut), 'int32');
    const sorted = tf.gather(annealDistributionUnchecked(dist, input, temperature), orderTensor, 3);
    const centres = tf.gather(tf.tensor2d(gamut.centres, [q, 2]), orderTensor, 0);
    const cumulative = tf.cumsum(sorted, 3);
    const total = tf.slice(cumulative, [0, 0, 0, q - 1], [n, h, w, 1]);
    const previous = tf.sub(cumulative, sorted);
    return fields.map((u) => {
      const uTensor = tf.tensor4d(u, [n, h, w, 1]);
      // Each bin's mass inside [lo, hi] = [u − w/2, u + w/2] moved inside [0, 1] (in units of the total),
      // normalized: the annealed mean of that slice of the distribution.
      const lo = tf.mul(tf.clipByValue(tf.sub(uTensor, window / 2), 0, 1 - window), total);
      const hi = tf.add(lo, tf.mul(total, window));
      const inside = tf.relu(tf.sub(tf.minimum(cumulative, hi), tf.maximum(previous, lo)));
      const weights = tf.div(inside, tf.maximum(tf.sum(inside, 3, true), 1e-12));
      return tf.reshape(tf.matMul(tf.reshape(weights, [-1, q]), centres), [n, h, w, 2]) as tf.Tensor4D;
    });
  });
}

/** The bin where the cumulative distribution (in `order`) first reaches u · total. */
function inverseCdf(probs: Float32Array, base: number, order: Int32Array, u: number): number {
  let total = 0;
  for (let m = 0; m < order.length; m++) total += probs[base + order[m]];
  const target = u * total;
  let cumulative = 0;
  let last = order[0];
  for (let m = 0; m < order.length; m++) {
    const bin = order[m];
    const p = probs[base + bin];
    if (p <= 0) continue;
    last = bin;
    cumulative += p;
    if (cumulative >= target) return bin;
  }
  return last; // rounding left the sum just short of u · total
}

const hueOrders = new WeakMap<AbGamut, Int32Array>();

/** Bin indices sorted by hue angle atan2(b, a), then chroma; cached per gamut. */
function hueOrder(gamut: AbGamut): Int32Array {
  let order = hueOrders.get(gamut);
  if (!order) {
    const c = gamut.centres;
    const hue = (q: number) => Math.atan2(c[2 * q + 1], c[2 * q]);
    const chroma = (q: number) => Math.hypot(c[2 * q], c[2 * q + 1]);
    order = Int32Array.from({ length: gamut.size }, (_, q) => q).sort(
      (x, y) => hue(x) - hue(y) || chroma(x) - chroma(y) || x - y,
    );
    hueOrders.set(gamut, order);
  }
  return order;
}

/**
 * An `h × w` field whose every value is N(0, 1) and whose neighbours are strongly correlated: i.i.d. normal
 * values on a grid of spacing `length` (shifted by a random phase), blended with smoothstep weights and
 * divided by the root of the summed squared weights (the blend's standard deviation at that pixel).
 */
function smoothGaussianField(h: number, w: number, length: number, rng: Random): Float64Array {
  const offsetY = rng.next() * length,
    offsetX = rng.next() * length;
  const rows = Math.floor((h - 1 + offsetY) / length) + 2;
  const cols = Math.floor((w - 1 + offsetX) / length) + 2;
  const nodes = new Float64Array(rows * cols);
  for (let i = 0; i < nodes.length; i++) nodes[i] = gaussian(rng);
  const field = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    const fy = (y + offsetY) / length;
    const iy = Math.floor(fy);
    const ty = smoothstep(fy - iy);
    for (let x = 0; x < w; x++) {
      const fx = (x + offsetX) / length;
      const ix = Math.floor(fx);
      const tx = smoothstep(fx - ix);
      const w00 = (1 - ty) * (1 - tx),
        w01 = (1 - ty) * tx,
        w10 = ty * (1 - tx),
        w11 = ty * tx;
      const top = iy * cols + ix,
        bottom = top + cols;
      const value = w00 * nodes[top] + w01 * nodes[top + 1] + w10 * nodes[bottom] + w11 * nodes[bottom + 1];
      field[y * w + x] = value / Math.sqrt(w00 * w00 + w01 * w01 + w10 * w10 + w11 * w11);
    }
  }
  return field;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** A standard normal draw (Box–Muller; 1 − u keeps the log argument in (0, 1]). */
function gaussian(rng: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Φ(z), the standard normal CDF, via erf from Abramowitz & Stegun, Handbook of Mathematical Functions,
 * formula 7.1.26 (absolute error < 1.5e-7, ample for choosing a bin).
 */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
