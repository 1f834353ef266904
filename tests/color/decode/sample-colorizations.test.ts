import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { sampleColorizations } from '../../../src/color/decode/sample-colorizations.js';
import { decodeAnnealedMean } from '../../../src/color/decode/decode-annealed-mean.js';
import { ZHANG_GAMUT, findLatticeBin } from '../../../src/color/bins/gamut.js';
import { ConfigError } from '../../../src/errors.js';
import { describeEachBackend } from '../../backends.js';

const Q = 313;
const H = 24,
  W = 24;
// Three well-separated colours (bins of a green, a blue and a red-ish hue), equally likely at every pixel.
const MODES = [
  findLatticeBin(ZHANG_GAMUT, -40, 40),
  findLatticeBin(ZHANG_GAMUT, 10, -50),
  findLatticeBin(ZHANG_GAMUT, 60, 30),
];

/** Probabilities `[1, H, W, Q]` with mass on MODES (weights `w`) at every pixel. */
function multimodal(w = [1 / 3, 1 / 3, 1 / 3]): tf.Tensor4D {
  const p = new Float32Array(H * W * Q);
  for (let i = 0; i < H * W; i++) MODES.forEach((q, m) => (p[i * Q + q] = w[m]));
  return tf.tensor4d(p, [1, H, W, Q]);
}

function read(samples: tf.Tensor4D[]): Float32Array[] {
  const out = samples.map((s) => s.dataSync() as Float32Array);
  tf.dispose(samples);
  return out;
}

/** Share of horizontally or vertically adjacent pixel pairs with the same colour. */
function sameNeighbourShare(ab: Float32Array): number {
  let same = 0,
    pairs = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (x + 1 < W) {
        pairs++;
        if (ab[2 * p] === ab[2 * p + 2] && ab[2 * p + 1] === ab[2 * p + 3]) same++;
      }
      if (y + 1 < H) {
        pairs++;
        const r = p + W;
        if (ab[2 * p] === ab[2 * r] && ab[2 * p + 1] === ab[2 * r + 1]) same++;
      }
    }
  }
  return same / pairs;
}

describeEachBackend('sampleColorizations', () => {
  it('is reproducible: the same seed gives the same samples, another seed other samples', async () => {
    const dist = multimodal();
    const a = read(await sampleColorizations(dist, { count: 3, seed: 11, input: 'probabilities' }));
    const b = read(await sampleColorizations(dist, { count: 3, seed: 11, input: 'probabilities' }));
    const c = read(await sampleColorizations(dist, { count: 3, seed: 12, input: 'probabilities' }));
    a.forEach((s, k) => expect(Array.from(s)).toEqual(Array.from(b[k])));
    expect(Array.from(a[0])).not.toEqual(Array.from(c[0]));
    dist.dispose();
  });

  it('draws K different colorizations, each different from the annealed mean, each made of in-gamut bin centres', async () => {
    const dist = multimodal();
    const samples = read(await sampleColorizations(dist, { count: 4, seed: 1, input: 'probabilities' }));
    const meanT = decodeAnnealedMean(dist, { input: 'probabilities' });
    const mean = meanT.dataSync();
    meanT.dispose();
    const distance = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - y[i]);
      return s / (x.length / 2);
    };
    for (let k = 0; k < samples.length; k++) {
      expect(distance(samples[k], mean)).toBeGreaterThan(20); // mean ab distance per pixel, Lab units
      for (let j = 0; j < k; j++) expect(distance(samples[k], samples[j])).toBeGreaterThan(5);
      for (let p = 0; p < H * W; p++) {
        const a = samples[k][2 * p],
          b = samples[k][2 * p + 1];
        expect(MODES).toContain(findLatticeBin(ZHANG_GAMUT, a, b));
        expect(a).toBeGreaterThanOrEqual(ZHANG_GAMUT.aRange[0]);
        expect(a).toBeLessThanOrEqual(ZHANG_GAMUT.aRange[1]);
        expect(b).toBeGreaterThanOrEqual(ZHANG_GAMUT.bRange[0]);
        expect(b).toBeLessThanOrEqual(ZHANG_GAMUT.bRange[1]);
      }
    }
    dist.dispose();
  });

  it('is spatially coherent: far more equal neighbours than independent draws (1/3), more with a longer correlation length', async () => {
    const dist = multimodal();
    const share = async (correlationLength: number) => {
      const samples = read(
        await sampleColorizations(dist, { count: 4, seed: 5, input: 'probabilities', correlationLength }),
      );
      return samples.map(sameNeighbourShare).reduce((s, v) => s + v, 0) / samples.length;
    };
    const byDefault = await share(W / 4),
      short = await share(2),
      long = await share(12);
    for (const v of [byDefault, short, long]) expect(v).toBeGreaterThan(0.6);
    expect(byDefault).toBeGreaterThan(0.75);
    expect(long).toBeGreaterThan(byDefault);
    expect(byDefault).toBeGreaterThan(short);
    dist.dispose();
  });

  it('follows the annealed distribution at each pixel: frequencies over many samples match it', async () => {
    // Mode weights 0.6 / 0.3 / 0.1 at T = 1: each pixel's colour frequencies over 64 samples approach them.
    const dist = multimodal([0.6, 0.3, 0.1]);
    const samples = read(
      await sampleColorizations(dist, {
        count: 64,
        seed: 2,
        input: 'probabilities',
        temperature: 1,
        correlationLength: 3,
      }),
    );
    const counts = [0, 0, 0];
    for (const s of samples)
      for (let p = 0; p < H * W; p++) counts[MODES.indexOf(findLatticeBin(ZHANG_GAMUT, s[2 * p], s[2 * p + 1]))]++;
    const total = 64 * H * W;
    expect(counts[0] / total).toBeCloseTo(0.6, 1);
    expect(counts[1] / total).toBeCloseTo(0.3, 1);
    expect(counts[2] / total).toBeCloseTo(0.1, 1);
    dist.dispose();
  });

  it('with window 1 gives the annealed mean itself', async () => {
    const logits = tf.randomNormal([1, 5, 6, Q], 0, 2, 'float32', 9) as tf.Tensor4D;
    const [sample] = await sampleColorizations(logits, { count: 1, seed: 3, window: 1 });
    const mean = decodeAnnealedMean(logits);
    expect(tf.max(tf.abs(tf.sub(sample, mean))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([logits, sample, mean]);
  });

  it('with window 1/2 on two equally likely modes: colours on the segment between them, pure modes for about half the pixels, closer to the mean than exact draws', async () => {
    const p = new Float32Array(H * W * Q);
    for (let i = 0; i < H * W; i++) {
      p[i * Q + MODES[0]] = 0.5;
      p[i * Q + MODES[2]] = 0.5;
    }
    const dist = tf.tensor4d(p, [1, H, W, Q]);
    const centre = (q: number) => [ZHANG_GAMUT.centres[2 * q], ZHANG_GAMUT.centres[2 * q + 1]];
    const [ga, gb] = centre(MODES[0]),
      [ra, rb] = centre(MODES[2]);
    const windowed = read(
      await sampleColorizations(dist, { count: 4, seed: 4, input: 'probabilities', temperature: 1, window: 0.5 }),
    );
    const draws = read(await sampleColorizations(dist, { count: 4, seed: 4, input: 'probabilities', temperature: 1 }));
    const mean = [(ga + ra) / 2, (gb + rb) / 2];
    let pure = 0,
      windowedDistance = 0,
      drawDistance = 0;
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < H * W; i++) {
        const a = windowed[k][2 * i],
          b = windowed[k][2 * i + 1];
        const t = (a - ga) / (ra - ga);
        expect(t).toBeGreaterThanOrEqual(-1e-4);
        expect(t).toBeLessThanOrEqual(1 + 1e-4);
        expect(b).toBeCloseTo(gb + t * (rb - gb), 3);
        if (t < 1e-4 || t > 1 - 1e-4) pure++;
        windowedDistance += Math.hypot(a - mean[0], b - mean[1]);
        drawDistance += Math.hypot(draws[k][2 * i] - mean[0], draws[k][2 * i + 1] - mean[1]);
      }
    }
    expect(pure / (4 * H * W)).toBeGreaterThan(0.25);
    expect(pure / (4 * H * W)).toBeLessThan(0.75);
    expect(windowedDistance).toBeLessThan(0.8 * drawDistance);
    expect(Array.from(windowed[0])).not.toEqual(Array.from(windowed[1]));
    dist.dispose();
  });

  it('with a window is spatially smooth: neighbouring pixels differ far less than with a field of (almost) independent pixels', async () => {
    const dist = multimodal();
    const neighbourDifference = async (correlationLength: number) => {
      const samples = read(
        await sampleColorizations(dist, { count: 3, seed: 8, input: 'probabilities', window: 0.4, correlationLength }),
      );
      let sum = 0,
        pairs = 0;
      for (const ab of samples)
        for (let y = 0; y < H; y++)
          for (let x = 0; x + 1 < W; x++) {
            const q = y * W + x;
            sum += Math.hypot(ab[2 * q] - ab[2 * q + 2], ab[2 * q + 1] - ab[2 * q + 3]);
            pairs++;
          }
      return sum / pairs;
    };
    expect(await neighbourDifference(W / 4)).toBeLessThan(0.4 * (await neighbourDifference(0.5)));
    dist.dispose();
  });

  it('with a window leaks nothing beyond the K results and rejects a window outside [0, 1]', async () => {
    const logits = tf.randomNormal([2, 4, 5, Q], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const windowed = await sampleColorizations(logits, { count: 3, window: 0.5 });
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose(windowed);
    expect(() => sampleColorizations(logits, { window: 1.5 })).toThrow(
      /window: expected a number in \[0, 1\], received 1.5/,
    );
    logits.dispose();
  });

  it('accepts logits, leaks nothing beyond the K results and does not dispose its input', async () => {
    const logits = tf.randomNormal([2, 4, 5, Q], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const samples = await sampleColorizations(logits, { count: 2 });
    expect(samples.map((s) => s.shape)).toEqual([
      [2, 4, 5, 2],
      [2, 4, 5, 2],
    ]);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(samples);
    expect(logits.isDisposed).toBe(false);
    logits.dispose();
  });

  it('rejects a count outside [1, 64], a bad temperature or correlation length with ConfigError', () => {
    const dist = tf.zeros([1, 2, 2, Q]) as tf.Tensor4D;
    expect(() => sampleColorizations(dist, { count: 0 })).toThrow(
      /count: expected an integer in \[1, 64\], received 0/,
    );
    expect(() => sampleColorizations(dist, { count: 65 })).toThrow(ConfigError);
    expect(() => sampleColorizations(dist, { temperature: 0 })).toThrow(ConfigError);
    expect(() => sampleColorizations(dist, { correlationLength: -1 })).toThrow(ConfigError);
    dist.dispose();
  });

  it('reads the distribution without blocking (never dataSync), and its input may be disposed as soon as the call returns', async () => {
    const dist = multimodal();
    const expected = read(await sampleColorizations(dist, { count: 2, seed: 4, input: 'probabilities' }));
    const blocking = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    let result: tf.Tensor4D[];
    try {
      const pending = sampleColorizations(dist, { count: 2, seed: 4, input: 'probabilities' });
      dist.dispose();
      result = await pending;
      expect(blocking).not.toHaveBeenCalled();
    } finally {
      blocking.mockRestore();
    }
    read(result).forEach((s, k) => expect(Array.from(s)).toEqual(Array.from(expected[k])));
  });
});
