import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeHard, encodeHardTensor } from '../../../src/color/bins/encode-hard.js';
import { encodeSoft, encodeSoftSparse, encodeSoftTensor } from '../../../src/color/bins/encode-soft.js';
import { ZHANG_GAMUT, type AbGamut } from '../../../src/color/bins/gamut.js';
import { deriveGamut } from '../../../src/color/bins/derive-gamut.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import { createRandom } from '../../../src/random.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

interface EncodeFixture {
  sigma: number;
  ab: number[];
  neighbours: Record<string, { indices: number[]; weights: number[] }>;
}
const fixture: EncodeFixture = JSON.parse(
  readFileSync(new URL('../../fixtures/quant/encode.json', import.meta.url), 'utf8'),
);
const ab = Float32Array.from(fixture.ab);
const P = ab.length / 2;
const Q = 313;

/** Brute force over every bin: the k nearest by squared distance and their normalized Gaussian weights. */
function bruteForce(gamut: AbGamut, a: number, b: number, k: number, sigma: number): Map<number, number> {
  const d2 = Array.from({ length: gamut.size }, (_, q) => [
    (a - gamut.centres[2 * q]) ** 2 + (b - gamut.centres[2 * q + 1]) ** 2,
    q,
  ]);
  d2.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const chosen = d2.slice(0, k);
  const w = chosen.map(([d]) => Math.exp(-(d - chosen[0][0]) / (2 * sigma * sigma)));
  const sum = w.reduce((s, v) => s + v, 0);
  return new Map(chosen.map(([, q], m) => [q, w[m] / sum]));
}

describe('encodeHard', () => {
  it("matches scikit-learn's nearest bin for in-gamut, out-of-gamut and far values", () => {
    expect(Array.from(encodeHard(ab))).toEqual(fixture.neighbours['1'].indices);
  });

  it('maps every bin centre to itself and fills a given out buffer', () => {
    const out = new Int32Array(Q).fill(-7);
    const result = encodeHard(ZHANG_GAMUT.centres, {}, out);
    expect(result).toBe(out);
    expect(Array.from(out)).toEqual(Array.from({ length: Q }, (_, q) => q));
  });

  it('rejects odd lengths, non-finite values and wrong out buffers with InputError naming the argument', () => {
    expect(() => encodeHard(new Float32Array(3))).toThrow(/ab: expected interleaved/);
    expect(() => encodeHard(Float32Array.from([0, 0, NaN, 0]))).toThrow(
      /ab: expected finite a, b values, received NaN at index 2/,
    );
    expect(() => encodeHard(Float32Array.from([0, Infinity]))).toThrow(InputError);
    expect(() => encodeHard(new Float32Array(4), {}, new Int32Array(3))).toThrow(
      /out: expected an Int32Array of length 2/,
    );
  });
});

describe('encodeSoft', () => {
  for (const k of [5, 10]) {
    it(`matches scikit-learn's ${k} nearest bins and Gaussian weights (σ = 5), including out-of-gamut values`, () => {
      const dense = encodeSoft(ab, { neighbours: k });
      const ref = fixture.neighbours[String(k)];
      let worst = 0;
      for (let p = 0; p < P; p++) {
        const expected = new Float64Array(Q);
        for (let m = 0; m < k; m++) expected[ref.indices[p * k + m]] = ref.weights[p * k + m];
        worst = Math.max(worst, maxAbsDiff(dense.subarray(p * Q, (p + 1) * Q), expected));
      }
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it('defaults to k = 5, σ = 5: rows sum to 1 with 5 non-zero weights, the largest on the nearest bin', () => {
    const dense = encodeSoft(ab);
    const hard = encodeHard(ab);
    for (let p = 0; p < P; p++) {
      const row = dense.subarray(p * Q, (p + 1) * Q);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
      // Far outside the gamut (the fixture's last 60 pairs) the 2nd–5th weights can underflow float32.
      if (p < 100) expect(row.filter((v) => v > 0).length).toBe(5);
      else expect(row.filter((v) => v > 0).length).toBeLessThanOrEqual(5);
      expect(row.indexOf(Math.max(...row))).toBe(hard[p]);
    }
  });

  it('is exact on a dense sweep of the plane (−200…200) against a brute-force search, for k = 1, 5, 10 and 313', () => {
    const rng = createRandom(3);
    const pts = new Float32Array(2 * 600);
    for (let i = 0; i < pts.length; i++) pts[i] = rng.next() * 400 - 200;
    for (const k of [1, 5, 10, 313]) {
      const dense = encodeSoft(pts, { neighbours: k });
      let worst = 0;
      for (let p = 0; p < 600; p++) {
        const ref = bruteForce(ZHANG_GAMUT, pts[2 * p], pts[2 * p + 1], k, 5);
        const expected = new Float64Array(Q);
        ref.forEach((w, q) => (expected[q] = w));
        worst = Math.max(worst, maxAbsDiff(dense.subarray(p * Q, (p + 1) * Q), expected));
      }
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('stays exact for other σ (0.7 takes the direct formula; 2.5 and 12 the factored ones) and on a derived gamut of another grid size', () => {
    const rng = createRandom(4);
    const pts = new Float32Array(2 * 300);
    for (let i = 0; i < pts.length; i++) pts[i] = rng.next() * 300 - 150;
    const gamut20 = deriveGamut(20, { levels: 17 });
    for (const [gamut, sigma, k] of [
      [ZHANG_GAMUT, 0.7, 5],
      [ZHANG_GAMUT, 2.5, 5],
      [ZHANG_GAMUT, 12, 8],
      [gamut20, 8, 4],
    ] as const) {
      const dense = encodeSoft(pts, { gamut, sigma, neighbours: k });
      let worst = 0;
      for (let p = 0; p < 300; p++) {
        const expected = new Float64Array(gamut.size);
        bruteForce(gamut, pts[2 * p], pts[2 * p + 1], k, sigma).forEach((w, q) => (expected[q] = w));
        worst = Math.max(worst, maxAbsDiff(dense.subarray(p * gamut.size, (p + 1) * gamut.size), expected));
      }
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('clears and fills a reused out buffer; the sparse form carries the same weights', () => {
    const out = new Float32Array(P * Q).fill(9);
    expect(encodeSoft(ab, {}, out)).toBe(out);
    const sparse = encodeSoftSparse(ab);
    expect(sparse.neighbours).toBe(5);
    const rebuilt = new Float32Array(P * Q);
    for (let p = 0; p < P; p++)
      for (let m = 0; m < 5; m++) rebuilt[p * Q + sparse.indices[p * 5 + m]] = sparse.weights[p * 5 + m];
    expect(maxAbsDiff(out, rebuilt)).toBe(0);
  });

  it('rejects bad input with InputError and bad options with ConfigError naming the key', () => {
    expect(() => encodeSoft(new Float32Array(5))).toThrow(InputError);
    expect(() => encodeSoft(Float32Array.from([0, NaN]))).toThrow(/finite a, b values/);
    expect(() => encodeSoft(new Float32Array(4), {}, new Float32Array(10))).toThrow(
      /out: expected a Float32Array of length 626/,
    );
    expect(() => encodeSoft(ab, { neighbours: 0 })).toThrow(ConfigError);
    expect(() => encodeSoft(ab, { neighbours: 314 })).toThrow(
      /neighbours: expected an integer in \[1, 313\], received 314/,
    );
    expect(() => encodeSoft(ab, { neighbours: 2.5 })).toThrow(ConfigError);
    expect(() => encodeSoft(ab, { sigma: 0 })).toThrow(/sigma/);
  });
});

describeEachBackend('encode tensors', () => {
  const shape: [number, number, number, number] = [2, 8, 10, 2]; // the fixture holds 160 pairs

  it('encodeSoftTensor gives [N, H, W, Q] equal to the typed path and leaks nothing', () => {
    const x = tf.tensor4d(ab, shape);
    const before = tf.memory().numTensors;
    const y = encodeSoftTensor(x, { neighbours: 10 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.shape).toEqual([2, 8, 10, Q]);
    expect(maxAbsDiff(y.dataSync(), encodeSoft(ab, { neighbours: 10 }))).toBe(0);
    y.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('encodeHardTensor gives [N, H, W] int32 bin indices and leaks nothing', () => {
    const x = tf.tensor4d(ab, shape);
    const before = tf.memory().numTensors;
    const y = encodeHardTensor(x);
    expect(y.dtype).toBe('int32');
    expect(y.shape).toEqual([2, 8, 10]);
    expect(Array.from(y.dataSync())).toEqual(fixture.neighbours['1'].indices);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects a last dimension other than 2 or a wrong rank with InputError', () => {
    const wrong = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const rank3 = tf.zeros([2, 2, 2]);
    expect(() => encodeSoftTensor(wrong)).toThrow(/last dimension \(a, b\) = 2/);
    expect(() => encodeHardTensor(rank3 as unknown as tf.Tensor4D)).toThrow(InputError);
    wrong.dispose();
    rank3.dispose();
  });
});
