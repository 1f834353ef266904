import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { annealDistribution } from '../../../src/color/decode/anneal-distribution.js';
import { decodeAnnealedMean } from '../../../src/color/decode/decode-annealed-mean.js';
import { decodeMean } from '../../../src/color/decode/decode-mean.js';
import { decodeMode } from '../../../src/color/decode/decode-mode.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import { describeEachBackend, maxAbsDiff } from '../../backends.js';

interface DecodeFixture {
  shape: [number, number, number, number];
  logits: number[];
  probabilities: number[];
  annealedLogits038: number[];
  annealedLogits07: number[];
  annealedProbs038: number[];
  meanLogits: number[];
  meanProbs: number[];
  modeLogits: number[];
  modeProbs: number[];
}
const fx: DecodeFixture = JSON.parse(
  readFileSync(new URL('../../fixtures/quant/decode.json', import.meta.url), 'utf8'),
);

/** Run `fn` on fresh input tensors; check it leaves exactly its result behind and does not dispose inputs. */
function decode(values: number[], fn: (x: tf.Tensor4D) => tf.Tensor4D): Float32Array {
  const x = tf.tensor4d(values, fx.shape);
  const before = tf.memory().numTensors;
  const y = fn(x);
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(y.shape).toEqual([...fx.shape.slice(0, 3), 2]);
  const data = y.dataSync() as Float32Array;
  y.dispose();
  expect(x.isDisposed).toBe(false);
  x.dispose();
  return data;
}

describeEachBackend('decoders', () => {
  // ab values reach ~110: float32 softmax + matmul leave 1e-5 (cpu) to 5e-5 (wasm) absolute error.
  const TOL = 1e-4;

  it('annealed mean of logits matches numpy softmax(z / T) · centres at T = 0.38 (default) and 0.7', () => {
    expect(
      maxAbsDiff(
        decode(fx.logits, (x) => decodeAnnealedMean(x)),
        fx.annealedLogits038,
      ),
    ).toBeLessThan(TOL);
    expect(
      maxAbsDiff(
        decode(fx.logits, (x) => decodeAnnealedMean(x, { temperature: 0.7 })),
        fx.annealedLogits07,
      ),
    ).toBeLessThan(TOL);
  });

  it('annealed mean of probabilities uses softmax(log p / T) and tolerates exact zeros', () => {
    const out = decode(fx.probabilities, (x) => decodeAnnealedMean(x, { input: 'probabilities' }));
    expect(out.every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(out, fx.annealedProbs038)).toBeLessThan(TOL);
  });

  it('mean is the expectation of the bin centres (T = 1) for logits and probabilities', () => {
    expect(
      maxAbsDiff(
        decode(fx.logits, (x) => decodeMean(x)),
        fx.meanLogits,
      ),
    ).toBeLessThan(TOL);
    expect(
      maxAbsDiff(
        decode(fx.probabilities, (x) => decodeMean(x, { input: 'probabilities' })),
        fx.meanProbs,
      ),
    ).toBeLessThan(TOL);
  });

  it('mode is the centre of the argmax bin', () => {
    expect(
      maxAbsDiff(
        decode(fx.logits, (x) => decodeMode(x)),
        fx.modeLogits,
      ),
    ).toBe(0);
    expect(
      maxAbsDiff(
        decode(fx.probabilities, (x) => decodeMode(x, { input: 'probabilities' })),
        fx.modeProbs,
      ),
    ).toBe(0);
  });

  it('annealed mean approaches the mode as T → 0 and stays finite there', () => {
    const cold = decode(fx.logits, (x) => decodeAnnealedMean(x, { temperature: 0.01 }));
    expect(maxAbsDiff(cold, fx.modeLogits)).toBeLessThan(0.5);
  });

  it('annealDistribution returns probabilities summing to 1 per pixel and leaks nothing', () => {
    const x = tf.tensor4d(fx.logits, fx.shape);
    const before = tf.memory().numTensors;
    const p = annealDistribution(x);
    const sums = tf.sum(p, -1);
    expect(maxAbsDiff(sums.dataSync(), new Float32Array(12).fill(1))).toBeLessThan(1e-5);
    sums.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects a wrong rank or Q with InputError, T outside (0, 1] or an unknown input with ConfigError', () => {
    const x = tf.zeros([1, 2, 2, 313]) as tf.Tensor4D;
    const wrongQ = tf.zeros([1, 2, 2, 312]) as tf.Tensor4D;
    const rank3 = tf.zeros([2, 2, 313]) as unknown as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => decodeAnnealedMean(wrongQ)).toThrow(/last dimension Q \(the gamut's 313 bins\) = 313/);
    expect(() => decodeMode(rank3)).toThrow(InputError);
    expect(() => decodeAnnealedMean(x, { temperature: 0 })).toThrow(
      /temperature: expected a number in \(0, 1\], received 0/,
    );
    expect(() => decodeAnnealedMean(x, { temperature: 1.5 })).toThrow(ConfigError);
    expect(() => decodeAnnealedMean(x, { temperature: NaN })).toThrow(ConfigError);
    expect(() => decodeMean(x, { input: 'softmax' as never })).toThrow(
      /input: expected one of logits \| probabilities/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, wrongQ, rank3]);
  });
});
