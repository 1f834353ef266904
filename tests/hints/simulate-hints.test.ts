import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { createRandom, type Random } from '../../src/random.js';
import { simulateHints } from '../../src/hints/simulate-hints.js';

/** A generator that replays fixed uniform draws, so the expected hints can be worked out by hand. */
function scripted(values: number[]): Random {
  let i = 0;
  const next = (): number => {
    if (i >= values.length) throw new Error('scripted generator ran out of draws');
    return values[i++];
  };
  return { next, int: (n) => Math.floor(next() * n), state: () => i };
}

/** ab / 110 of a 1 × H × W picture where a = (y·W + x)/100 and b = −a. */
function rampAb(h: number, w: number, n = 1): tf.Tensor4D {
  const data = new Float32Array(n * h * w * 2);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < h * w; i++) {
      data[2 * (e * h * w + i)] = i / 100;
      data[2 * (e * h * w + i) + 1] = -i / 100;
    }
  }
  return tf.tensor4d(data, [n, h, w, 2]);
}

describe('simulateHints', () => {
  it('reveals the mean ab of the drawn patch over the whole patch, with the mask set there only (hand-computed)', () => {
    const ab = rampAb(4, 4);
    // patch size index floor(0.6·2) = 1 → P = 2; uniform corners over 4 − 2 + 1 = 3: floor(0.5·3) = 1 (top), floor(0.9·3) = 2 (left).
    const { hintAb, hintMask } = simulateHints(ab, {
      points: 1,
      patchSizes: [1, 2],
      location: 'uniform',
      random: scripted([0.6, 0.5, 0.9]),
    });
    // Pixels (1,2) (1,3) (2,2) (2,3) → indices 6, 7, 10, 11; mean a = 34/4/100 = 0.085.
    const mask = Array.from(hintMask.dataSync());
    const expectedMask = new Array(16).fill(0);
    for (const i of [6, 7, 10, 11]) expectedMask[i] = 1;
    expect(mask).toEqual(expectedMask);
    const planes = hintAb.dataSync();
    for (let i = 0; i < 16; i++) {
      const inside = expectedMask[i] === 1;
      expect(planes[2 * i]).toBeCloseTo(inside ? 0.085 : 0, 6);
      expect(planes[2 * i + 1]).toBeCloseTo(inside ? -0.085 : 0, 6);
    }
    expect(hintAb.shape).toEqual([1, 4, 4, 2]);
    expect(hintMask.shape).toEqual([1, 4, 4, 1]);
    tf.dispose([ab, hintAb, hintMask]);
  });

  it('draws the number of points from the geometric distribution: points are added while a draw is ≥ p', () => {
    const ab = rampAb(3, 3);
    // p = 1/8: 0.5 ≥ p and 0.3 ≥ p add two points, 0.1 < p stops. Then each point: P = 1 (one choice), corners
    // floor(0.1·3) = 0, floor(0.7·3) = 2, then floor(0.4·3) = 1, floor(0.4·3) = 1. Points at (0,2) and (1,1).
    const random = scripted([0.5, 0.3, 0.1, 0, 0.1, 0.7, 0, 0.4, 0.4]);
    const { hintAb, hintMask } = simulateHints(ab, { location: 'uniform', patchSizes: [1], random });
    expect(Array.from(hintMask.dataSync())).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0]);
    const planes = hintAb.dataSync();
    expect(planes[2 * 2]).toBeCloseTo(0.02, 6);
    expect(planes[2 * 4 + 1]).toBeCloseTo(-0.04, 6);
    expect(random.state()).toBe(9); // every scripted draw used, none more
    tf.dispose([ab, hintAb, hintMask]);
  });

  it("places a point by the paper's clipped Gaussian: N(span/2, (span/4)²) with span = side − P + 1", () => {
    const ab = rampAb(8, 8);
    // Box–Muller with 1 − u1 = e^(−1/2) and u2 = 0 gives z = 1: row 8/2 + 8/4 = 6. Then 1 − u1 = 1, u2 = 0 gives
    // z = 0: column 4. A draw of z = sqrt(2·8) = 4 (row 4 + 8 = 12) is clipped to the last corner, 7.
    const u = 1 - Math.exp(-0.5);
    const { hintMask } = simulateHints(ab, { points: 1, patchSizes: [1], random: scripted([0, u, 0, 0, 0]) });
    const mask = hintMask.dataSync();
    expect(Array.from(mask).reduce((s, v) => s + v, 0)).toBe(1);
    expect(mask[6 * 8 + 4]).toBe(1);
    const far = simulateHints(ab, { points: 1, patchSizes: [1], random: scripted([0, 1 - Math.exp(-8), 0, 0, 0]) });
    expect(far.hintMask.dataSync()[7 * 8 + 4]).toBe(1);
    tf.dispose([ab, hintMask, far.hintAb, far.hintMask]);
  });

  it('a later point overwrites an earlier one where patches overlap, and a patch larger than the picture is clipped to it', () => {
    const ab = rampAb(2, 3);
    // First point P = 9 → clipped to 2 (min(H, W)), corners 0 and floor(0.99·2) = 1: pixels 1,2,4,5, mean a = 0.03.
    // Second point P = 1 at (0, 1): pixel 1, a = 0.01.
    const random = scripted([0.9, 0, 0.99, 0.1, 0.2, 0.5]);
    const { hintAb, hintMask } = simulateHints(ab, { points: 2, patchSizes: [1, 9], location: 'uniform', random });
    expect(Array.from(hintMask.dataSync())).toEqual([0, 1, 1, 0, 1, 1]);
    const a = Array.from(hintAb.dataSync()).filter((_, i) => i % 2 === 0);
    [0, 0.01, 0.03, 0, 0.03, 0.03].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
    tf.dispose([ab, hintAb, hintMask]);
  });

  it('the number of points has the geometric mean (1 − p)/p and a share p of examples without points; noHintsShare adds empty examples', () => {
    const n = 4000;
    const ab = rampAb(16, 16, n);
    const stats = (options: object): { zeros: number; meanPoints: number } => {
      // Patches of one pixel, placed uniformly on 256 pixels: the mask count is close to the number of points.
      const { hintAb, hintMask } = simulateHints(ab, { patchSizes: [1], location: 'uniform', seed: 11, ...options });
      const counts = (tf.sum(hintMask, [1, 2, 3]) as tf.Tensor1D).dataSync();
      tf.dispose([hintAb, hintMask]);
      let zeros = 0;
      let total = 0;
      for (const c of counts) {
        if (c === 0) zeros++;
        total += c;
      }
      return { zeros: zeros / n, meanPoints: total / n };
    };
    const paper = stats({});
    expect(paper.zeros).toBeGreaterThan(0.125 - 0.02);
    expect(paper.zeros).toBeLessThan(0.125 + 0.02);
    // (1 − p)/p = 7 points; a few collide on the same pixel (≈ 7·6/2/256 ≈ 0.1 lost on average).
    expect(paper.meanPoints).toBeGreaterThan(6.5);
    expect(paper.meanPoints).toBeLessThan(7.3);
    const withEmpty = stats({ noHintsShare: 0.5 });
    // 0.5 + 0.5 · 1/8 = 0.5625
    expect(withEmpty.zeros).toBeGreaterThan(0.5625 - 0.03);
    expect(withEmpty.zeros).toBeLessThan(0.5625 + 0.03);
    const fixed = stats({ points: 3 });
    expect(fixed.zeros).toBe(0);
    ab.dispose();
  });

  it('the same seed gives the same hints, another seed other hints, and a shared generator advances between batches', () => {
    const ab = rampAb(12, 12, 4);
    const run = (options: object): number[] => {
      const { hintAb, hintMask } = simulateHints(ab, options);
      const values = [...hintAb.dataSync(), ...hintMask.dataSync()];
      tf.dispose([hintAb, hintMask]);
      return values;
    };
    expect(run({ seed: 3 })).toEqual(run({ seed: 3 }));
    expect(run({ seed: 3 })).not.toEqual(run({ seed: 4 }));
    const shared = createRandom(3);
    const first = run({ random: shared });
    const second = run({ random: shared });
    expect(second).not.toEqual(first);
    expect(first).toEqual(run({ seed: 3 }));
    const again = createRandom(3);
    expect([run({ random: again }), run({ random: again })]).toEqual([first, second]);
    ab.dispose();
  });

  it('leaves no tensor behind but the two it returns', () => {
    const ab = rampAb(5, 5, 2);
    const before = tf.memory().numTensors;
    const { hintAb, hintMask } = simulateHints(ab, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([hintAb, hintMask, ab]);
  });

  it('rejects bad input and options with typed errors naming them', () => {
    const ab = rampAb(4, 4);
    const gray = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => simulateHints(gray)).toThrow(InputError);
    expect(() => simulateHints(tf.zeros([4, 4, 2]) as unknown as tf.Tensor4D)).toThrow(/ab: expected/);
    expect(() => simulateHints(ab, { stopProbability: 0 })).toThrow(ConfigError);
    expect(() => simulateHints(ab, { noHintsShare: 1.5 })).toThrow(/noHintsShare/);
    expect(() => simulateHints(ab, { points: 2.5 })).toThrow(/points/);
    expect(() => simulateHints(ab, { patchSizes: [] })).toThrow(/patchSizes/);
    expect(() => simulateHints(ab, { patchSizes: [3, 0] })).toThrow(/patchSizes\[1\]/);
    expect(() => simulateHints(ab, { location: 'edge' as 'uniform' })).toThrow(/location/);
    tf.dispose([ab, gray]);
  });
});
