import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZHANG_PRIOR, createAbPriorAccumulator } from '../../../src/color/prior/prior.js';
import { smoothPrior } from '../../../src/color/prior/smooth-prior.js';
import { encodeSoftSparse } from '../../../src/color/bins/encode-soft.js';
import { ZHANG_GAMUT, findLatticeBin } from '../../../src/color/bins/gamut.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import { createRandom } from '../../../src/random.js';
import { maxAbsDiff } from '../../backends.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/quant/prior.json', import.meta.url), 'utf8')) as Record<
  string,
  number[]
>;
const bin = (a: number, b: number) => findLatticeBin(ZHANG_GAMUT, a, b);

describe('createAbPriorAccumulator', () => {
  it('counts hard bins: 3 pixels near (0, 0), 1 near (50, 50) → 0.75 / 0.25', () => {
    const acc = createAbPriorAccumulator();
    acc.add(Float32Array.from([0, 0, 2, -3, -4, 4.9, 51, 48]));
    const prior = acc.result();
    expect(acc.pixels).toBe(4);
    expect(prior[bin(0, 0)]).toBe(0.75);
    expect(prior[bin(50, 50)]).toBe(0.25);
    expect(prior.reduce((s, v) => s + v, 0)).toBe(1);
    expect(acc.counts()[bin(0, 0)]).toBe(3);
  });

  it('streams: many batches (arrays and [N, H, W, 2] tensors) give the prior of their concatenation', () => {
    const rng = createRandom(9);
    const all = new Float32Array(2 * 600);
    for (let i = 0; i < all.length; i++) all[i] = rng.next() * 200 - 100;
    const whole = createAbPriorAccumulator();
    whole.add(all);
    const streamed = createAbPriorAccumulator();
    streamed.add(all.subarray(0, 200));
    const t = tf.tensor4d(all.subarray(200, 600), [2, 10, 10, 2]);
    const before = tf.memory().numTensors;
    streamed.add(t);
    expect(tf.memory().numTensors).toBe(before);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    streamed.add(Array.from(all.subarray(600)));
    expect(streamed.pixels).toBe(600);
    expect(maxAbsDiff(streamed.result(), whole.result())).toBe(0);
  });

  it('counts soft encodings when asked: each pixel adds its k weights (sum 1), so totals equal the pixel count', () => {
    const ab = Float32Array.from([3, 4, -20, 33, 70, -10]);
    const acc = createAbPriorAccumulator({ counting: 'soft', neighbours: 10 });
    acc.add(ab);
    const counts = acc.counts();
    expect(counts.reduce((s, v) => s + v, 0)).toBeCloseTo(3, 6);
    const { indices, weights } = encodeSoftSparse(ab, { neighbours: 10 });
    const expected = new Float64Array(313);
    for (let m = 0; m < indices.length; m++) expected[indices[m]] += weights[m];
    expect(maxAbsDiff(counts, expected)).toBeLessThan(1e-12);
    expect(counts.filter((v) => v > 0).length).toBeGreaterThan(10);
  });

  it('rejects bad options with ConfigError and result() before any pixel with InputError', () => {
    expect(() => createAbPriorAccumulator({ counting: 'fuzzy' as never })).toThrow(
      /counting: expected one of hard \| soft/,
    );
    expect(() => createAbPriorAccumulator({ neighbours: 0 })).toThrow(ConfigError);
    expect(() => createAbPriorAccumulator().result()).toThrow(InputError);
    const acc = createAbPriorAccumulator();
    const wrong = tf.zeros([1, 2, 3]);
    expect(() => acc.add(wrong)).toThrow(/last dimension is 2/);
    expect(() => acc.add(new Float32Array(3))).toThrow(InputError);
    wrong.dispose();
  });
});

describe('smoothPrior', () => {
  it('matches scipy.ndimage.gaussian_filter on the ab lattice (σ = 5, truncate 4), renormalized to the bins', () => {
    expect(maxAbsDiff(smoothPrior(ZHANG_PRIOR), fx.smoothZhang)).toBeLessThan(1e-12);
    expect(maxAbsDiff(smoothPrior(ZHANG_PRIOR, { sigma: 10 }), fx.smoothZhangSigma10)).toBeLessThan(1e-12);
    expect(maxAbsDiff(smoothPrior(fx.randomPrior), fx.smoothRandom)).toBeLessThan(1e-12);
    expect(
      maxAbsDiff(smoothPrior(Float64Array.from({ length: 313 }, (_, q) => (q === 120 ? 1 : 0))), fx.smoothDelta),
    ).toBeLessThan(1e-12);
  });

  it('spreads a delta at (0, 0) symmetrically: the 4 neighbours get exp(−2) of the centre, the diagonals exp(−4)', () => {
    const s = smoothPrior(Float64Array.from({ length: 313 }, (_, q) => (q === 120 ? 1 : 0)));
    const centre = s[bin(0, 0)];
    for (const [a, b] of [
      [10, 0],
      [-10, 0],
      [0, 10],
      [0, -10],
    ])
      expect(s[bin(a, b)] / centre).toBeCloseTo(Math.exp(-2), 12);
    expect(s[bin(10, 10)] / centre).toBeCloseTo(Math.exp(-4), 12);
  });

  it('rejects a wrong length, negative, non-finite or all-zero prior with InputError, bad σ with ConfigError', () => {
    expect(() => smoothPrior(new Float64Array(312))).toThrow(/prior: expected 313 values/);
    expect(() => smoothPrior(Float64Array.from({ length: 313 }, (_, q) => (q === 5 ? -1 : 1)))).toThrow(
      /finite values ≥ 0/,
    );
    expect(() => smoothPrior(new Float64Array(313).fill(NaN))).toThrow(InputError);
    expect(() => smoothPrior(new Float64Array(313))).toThrow(/positive sum/);
    expect(() => smoothPrior(ZHANG_PRIOR, { sigma: 0 })).toThrow(ConfigError);
  });
});
