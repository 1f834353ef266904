import { describe, expect, it } from 'vitest';
import {
  SOFT_ENCODE_BLOCK,
  SOFT_ENCODE_CONSTANTS,
  encodeSoftRowsWithKernel,
  hasSimdSoftEncodeKernel,
  runSoftEncodeKernel,
  softEncodeKernelServes,
} from '../../../src/color/bins/soft-encode-kernel.js';
import { encodeSoftRows } from '../../../src/color/bins/soft-weights.js';
import { encodeSoft, encodeSoftSparse } from '../../../src/color/bins/encode-soft.js';
import { ZHANG_GAMUT as G } from '../../../src/color/bins/gamut.js';
import { deriveGamut } from '../../../src/color/bins/derive-gamut.js';
import { rgbToLab } from '../../../src/color/lab/lab.js';
import { InputError } from '../../../src/errors.js';
import { createRandom } from '../../../src/random.js';

const SIGMA = 5;
const g = G.gridSize;
const { aOrigin, bOrigin, columns, rows, bins } = G.lookup;
/** The kernel's margin in Lab units² (it works in lattice units²). */
const MARGIN_LAB2 = SOFT_ENCODE_CONSTANTS.margin * g * g;

interface Reference {
  /** The 5 nearest bins (set) and their float64 weights exp(−d²/2σ²), normalized. */
  weights: Map<number, number>;
  /** Squared distance of the 6th minus the 5th nearest bin, Lab units². */
  gap: number;
}

/** Brute force over all 313 bins in float64: independent of the lattice and of the kernel. */
function bruteForce(a: number, b: number): Reference {
  const d2 = Array.from({ length: G.size }, (_, q) => [
    (a - G.centres[2 * q]) ** 2 + (b - G.centres[2 * q + 1]) ** 2,
    q,
  ]);
  d2.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const w = d2.slice(0, 5).map(([d]) => Math.exp(-(d - d2[0][0]) / (2 * SIGMA * SIGMA)));
  const sum = w.reduce((s, v) => s + v, 0);
  return { weights: new Map(d2.slice(0, 5).map(([, q], m) => [q, w[m] / sum])), gap: d2[5][0] - d2[4][0] };
}

/** Ab values of every kind the kernel must accept or refuse, interleaved, float64. */
function testValues(): Float64Array {
  const rng = createRandom(11);
  const v: number[] = [];
  // Uniform over and beyond the gamut (about half out of gamut or on the rim).
  for (let i = 0; i < 6000; i++) v.push(rng.next() * 300 - 150, rng.next() * 300 - 150);
  // Photo-like: Lab of random sRGB colours, and of smooth ramps between two colours (what a training pipeline sees).
  const rgb = new Float32Array(3 * 8000);
  for (let i = 0; i < 2000; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = rng.next();
  for (let i = 2000; i < 8000; i += 100) {
    const from = [rng.next(), rng.next(), rng.next()],
      to = [rng.next(), rng.next(), rng.next()];
    for (let j = 0; j < 100; j++)
      for (let c = 0; c < 3; c++) rgb[3 * (i + j) + c] = from[c] + ((to[c] - from[c]) * j) / 99;
  }
  const lab = rgbToLab(rgb);
  for (let i = 0; i < 8000; i++) v.push(lab[3 * i + 1], lab[3 * i + 2]);
  // Near-ties: points on every line where two of the nodes the kernel compares are equidistant (lattice
  // units: |du| = ½, |du| = |dv|, D = O, O = M, s = 0), then moved by 1e-9 … 1e-2 of a grid step.
  const interior: [number, number][] = [];
  for (let i = 2; i < columns - 2; i++)
    for (let j = 2; j < rows - 2; j++) if (bins[i * rows + j] >= 0) interior.push([i, j]);
  for (let n = 0; n < 4000; n++) {
    const [i, j] = interior[Math.floor(rng.next() * interior.length)];
    const s = rng.next() * 0.5;
    const lines: [number, number][] = [
      [0.5, s],
      [s, s],
      [s / 3, (1 - (2 * s) / 3) / 4],
      [s, (1 + 2 * s) / 4],
      [0, s],
    ];
    const [x, y] = lines[n % lines.length];
    const swap = rng.next() < 0.5,
      sa = rng.next() < 0.5 ? 1 : -1,
      sb = rng.next() < 0.5 ? 1 : -1;
    const step = 10 ** -(2 + Math.floor(rng.next() * 8)) * (rng.next() < 0.5 ? 1 : -1);
    const du = sa * (swap ? y : x) + (n % 3 === 0 ? step : 0),
      dv = sb * (swap ? x : y) + (n % 3 === 1 ? step : 0);
    v.push(aOrigin + g * (i + du), bOrigin + g * (j + dv));
  }
  // Bin centres, lattice midpoints and the gamut rim: around every bin with a missing lattice neighbour.
  for (let q = 0; q < G.size; q++)
    v.push(G.centres[2 * q], G.centres[2 * q + 1], G.centres[2 * q] + 5, G.centres[2 * q + 1] + 5);
  for (let q = 0; q < G.size; q++) {
    const i = Math.round((G.centres[2 * q] - aOrigin) / g),
      j = Math.round((G.centres[2 * q + 1] - bOrigin) / g);
    const onRim = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ].some(([di, dj]) => {
      const ii = i + di,
        jj = j + dj;
      return ii < 0 || jj < 0 || ii >= columns || jj >= rows || bins[ii * rows + jj] < 0;
    });
    if (onRim)
      for (let n = 0; n < 12; n++)
        v.push(G.centres[2 * q] + (rng.next() - 0.5) * 3 * g, G.centres[2 * q + 1] + (rng.next() - 0.5) * 3 * g);
  }
  // Far away, huge and non-finite values.
  v.push(1e30, 0, 0, -1e30, 3e38, 3e38, -2000, 5, NaN, 0, 0, NaN, Infinity, 0, 0, -Infinity, NaN, NaN);
  return Float64Array.from(v);
}

describe('soft-encoding kernel (k = 5, σ = 5)', () => {
  const values = testValues();
  const P = values.length / 2;

  it('runs the WebAssembly SIMD kernel on Node 20 and serves k = 5 with σ ≥ gridSize / 2 only', () => {
    expect(hasSimdSoftEncodeKernel()).toBe(true);
    expect(softEncodeKernelServes(G, 5, 5)).toBe(true);
    expect(softEncodeKernelServes(G, 5, 12)).toBe(true);
    expect(softEncodeKernelServes(G, 10, 5)).toBe(false);
    expect(softEncodeKernelServes(G, 5, 2.5)).toBe(false);
    expect(softEncodeKernelServes(deriveGamut(20, { levels: 17 }), 5, 10)).toBe(true);
  });

  it('accepts a pixel only when its 5 bins equal a brute-force search over all 313 bins with no near-tie, weights within 5e-7 of float64', () => {
    const indices = new Int32Array(5 * P),
      weights = new Float32Array(5 * P);
    const rejected = new Set(runSoftEncodeKernel(G, SIGMA, values, indices, weights));
    let accepted = 0,
      worstWeight = 0,
      smallestGap = Infinity;
    for (let p = 0; p < P; p++) {
      if (rejected.has(p)) continue;
      accepted++;
      const ref = bruteForce(values[2 * p], values[2 * p + 1]);
      smallestGap = Math.min(smallestGap, ref.gap);
      const got = Array.from(indices.subarray(5 * p, 5 * p + 5));
      expect(new Set(got)).toEqual(new Set(ref.weights.keys()));
      got.forEach((q, m) => (worstWeight = Math.max(worstWeight, Math.abs(weights[5 * p + m] - ref.weights.get(q)!))));
    }
    expect(accepted).toBeGreaterThan(0.5 * P);
    expect(worstWeight).toBeLessThan(5e-7);
    // Every accepted pixel's 5th and 6th bins are separated by (about) the margin: no tie decided the answer.
    expect(smallestGap).toBeGreaterThan(0.99 * MARGIN_LAB2);
  });

  it('refuses every near-tie (5th/6th gap below the margin), out-of-gamut, off-lattice and non-finite value', () => {
    const indices = new Int32Array(5 * P),
      weights = new Float32Array(5 * P);
    const rejected = new Set(runSoftEncodeKernel(G, SIGMA, values, indices, weights));
    let nearTies = 0;
    for (let p = 0; p < P; p++) {
      const a = values[2 * p],
        b = values[2 * p + 1];
      if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) > 1000 || Math.abs(b) > 1000) {
        expect(rejected.has(p)).toBe(true);
        continue;
      }
      const ref = bruteForce(a, b);
      if (ref.gap < 0.99 * MARGIN_LAB2) {
        nearTies++;
        expect(rejected.has(p)).toBe(true);
      }
      // Out of the gamut the nearest bin is farther than half a diagonal step: never accepted.
      const nearest = Math.min(
        ...Array.from({ length: G.size }, (_, q) => Math.hypot(a - G.centres[2 * q], b - G.centres[2 * q + 1])),
      );
      if (nearest > (g * Math.SQRT2) / 2 + 1e-9) expect(rejected.has(p)).toBe(true);
    }
    expect(nearTies).toBeGreaterThan(1000);
  });

  it('accepts nearly every pixel of photo-like input (rejections are ties or rim only)', () => {
    const photo = values.subarray(2 * 6000, 2 * 14000);
    const rejected = runSoftEncodeKernel(G, SIGMA, photo, new Int32Array(5 * 8000), new Float32Array(5 * 8000));
    expect(rejected.length).toBeLessThan(0.05 * 8000);
  });

  it('gives bit-identical rows and rejections on the SIMD kernel and the JavaScript twin, across blocks and odd counts', () => {
    const rng = createRandom(12);
    const n = 2 * SOFT_ENCODE_BLOCK + 3;
    const mixed = new Float64Array(2 * n);
    for (let i = 0; i < mixed.length; i++) mixed[i] = values[Math.floor(rng.next() * values.length)];
    for (const input of [values, mixed, Float32Array.from(values)]) {
      const m = input.length / 2;
      const i1 = new Int32Array(5 * m),
        w1 = new Float32Array(5 * m),
        i2 = new Int32Array(5 * m),
        w2 = new Float32Array(5 * m);
      const r1 = runSoftEncodeKernel(G, SIGMA, input, i1, w1, true),
        r2 = runSoftEncodeKernel(G, SIGMA, input, i2, w2, false);
      expect(Array.from(r1)).toEqual(Array.from(r2));
      const rejected = new Set(r1);
      for (let p = 0; p < m; p++) {
        if (rejected.has(p)) {
          i1.fill(0, 5 * p, 5 * p + 5);
          i2.fill(0, 5 * p, 5 * p + 5);
          w1.fill(0, 5 * p, 5 * p + 5);
          w2.fill(0, 5 * p, 5 * p + 5);
        }
      }
      expect(Buffer.from(i1.buffer).equals(Buffer.from(i2.buffer))).toBe(true);
      expect(Buffer.from(w1.buffer).equals(Buffer.from(w2.buffer))).toBe(true);
      // With the exact encoder behind both, every row agrees bit for bit.
      const finite = input.map((x) => (Number.isFinite(x) ? x : 0));
      encodeSoftRowsWithKernel(G, SIGMA, finite, 0, m, i1, w1, true);
      encodeSoftRowsWithKernel(G, SIGMA, finite, 0, m, i2, w2, false);
      expect(Buffer.from(i1.buffer).equals(Buffer.from(i2.buffer))).toBe(true);
      expect(Buffer.from(w1.buffer).equals(Buffer.from(w2.buffer))).toBe(true);
    }
  });

  it("with its exact fallback, gives the general encoder's bins and weights within one float32 step", () => {
    const finite = values.subarray(0, values.length - 18);
    const m = finite.length / 2;
    const i1 = new Int32Array(5 * m),
      w1 = new Float32Array(5 * m),
      i2 = new Int32Array(5 * m),
      w2 = new Float32Array(5 * m);
    encodeSoftRowsWithKernel(G, SIGMA, finite, 0, m, i1, w1);
    encodeSoftRows(G, 5, SIGMA, finite, 0, m, i2, w2);
    let worst = 0;
    for (let p = 0; p < m; p++) {
      const general = new Map<number, number>();
      for (let k = 0; k < 5; k++) general.set(i2[5 * p + k], w2[5 * p + k]);
      for (let k = 0; k < 5; k++) {
        expect(general.has(i1[5 * p + k])).toBe(true);
        worst = Math.max(worst, Math.abs(w1[5 * p + k] - general.get(i1[5 * p + k])!));
      }
    }
    expect(worst).toBeLessThanOrEqual(2 ** -24 * 2);
  });

  it('throws InputError naming the first non-finite value, as the general encoder does', () => {
    const ab = new Float64Array(2 * 5000).fill(3);
    ab[2 * 4321 + 1] = NaN;
    ab[2 * 4400] = Infinity;
    const indices = new Int32Array(5 * 5000),
      weights = new Float32Array(5 * 5000);
    expect(() => encodeSoftRowsWithKernel(G, SIGMA, ab, 0, 5000, indices, weights)).toThrow(InputError);
    expect(() => encodeSoftRowsWithKernel(G, SIGMA, ab, 0, 5000, indices, weights)).toThrow(
      /received NaN at index 8643/,
    );
    expect(() => encodeSoftRows(G, 5, SIGMA, ab, 0, 5000, indices, weights)).toThrow(/received NaN at index 8643/);
  });

  it('keeps encodeSoft and encodeSoftSparse exact on photo-like and out-of-gamut values against brute force', () => {
    const ab = Float32Array.from(values.subarray(0, values.length - 18));
    const m = ab.length / 2;
    const sparse = encodeSoftSparse(ab);
    const dense = encodeSoft(ab);
    let worst = 0;
    for (let p = 0; p < m; p++) {
      const ref = bruteForce(ab[2 * p], ab[2 * p + 1]);
      if (ref.gap === 0) continue; // an exact tie: either bin is right
      for (let k = 0; k < 5; k++) {
        const q = sparse.indices[5 * p + k];
        expect(ref.weights.has(q)).toBe(true);
        worst = Math.max(worst, Math.abs(sparse.weights[5 * p + k] - ref.weights.get(q)!));
        expect(dense[p * G.size + q]).toBe(sparse.weights[5 * p + k]);
      }
    }
    expect(worst).toBeLessThan(5e-7);
  });
});
