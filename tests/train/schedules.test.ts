import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createStepDecay } from '../../src/train/schedules/step-decay.js';
import { createExponentialDecay } from '../../src/train/schedules/exponential-decay.js';
import { createReduceOnPlateau } from '../../src/train/schedules/reduce-on-plateau.js';
import { getLearningRate, setLearningRate } from '../../src/train/schedules/set-learning-rate.js';
import type { ScheduleState } from '../../src/train/schedules/schedule-state.js';
import { ConfigError, InputError } from '../../src/errors.js';

const viaJson = (s: ScheduleState): ScheduleState => JSON.parse(JSON.stringify(s));

describe('createStepDecay', () => {
  it('multiplies by factor every stepSize updates: 1e-3 halved every 10 steps', () => {
    const s = createStepDecay({ initialRate: 1e-3, factor: 0.5, stepSize: 10 });
    expect([0, 9, 10, 19, 20, 35].map((k) => s.rateAt(k))).toEqual([1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 1.25e-4]);
  });

  it('drops at each milestone (Zhang-style 3e-5 → ×0.1 at 200k and 375k, default factor 0.1)', () => {
    const s = createStepDecay({ initialRate: 3e-5, milestones: [200_000, 375_000] });
    expect(s.rateAt(199_999)).toBe(3e-5);
    expect(s.rateAt(200_000)).toBeCloseTo(3e-6, 20);
    expect(s.rateAt(374_999)).toBeCloseTo(3e-6, 20);
    expect(s.rateAt(375_000)).toBeCloseTo(3e-7, 20);
  });

  it('rebuilds the same schedule from its JSON state', () => {
    const a = createStepDecay({ initialRate: 0.1, factor: 0.3, milestones: [5, 8] });
    const b = createStepDecay({ initialRate: 9, stepSize: 1 });
    b.restore(viaJson(a.state()));
    for (let k = 0; k < 12; k++) expect(b.rateAt(k)).toBe(a.rateAt(k));
  });

  it('rejects bad configs naming the key, and negative or fractional steps', () => {
    expect(() => createStepDecay({ initialRate: 0, stepSize: 1 })).toThrow(/initialRate/);
    expect(() => createStepDecay({ initialRate: 1 })).toThrow(ConfigError);
    expect(() => createStepDecay({ initialRate: 1, stepSize: 2, milestones: [3] })).toThrow(/exactly one/);
    expect(() => createStepDecay({ initialRate: 1, milestones: [5, 5] })).toThrow(/milestones/);
    expect(() => createStepDecay({ initialRate: 1, stepSize: 2, factor: 1.5 })).toThrow(/factor/);
    expect(() => createStepDecay({ initialRate: 1, stepSize: 2 }).rateAt(-1)).toThrow(InputError);
    expect(() => createStepDecay({ initialRate: 1, stepSize: 2 }).restore({ kind: 'exponential-decay' })).toThrow(
      /kind/,
    );
  });
});

describe('createExponentialDecay', () => {
  it('decays continuously: 0.8 · 0.5^(step/4) at steps 0, 2, 4, 8', () => {
    const s = createExponentialDecay({ initialRate: 0.8, decayRate: 0.5, decaySteps: 4 });
    expect(s.rateAt(0)).toBe(0.8);
    expect(s.rateAt(2)).toBeCloseTo(0.8 / Math.SQRT2, 15);
    expect(s.rateAt(4)).toBe(0.4);
    expect(s.rateAt(8)).toBe(0.2);
  });

  it('decays in stairs with staircase and never goes below minRate (Nazeri: 2e-4 halved every 5e5 steps, floor 1e-8)', () => {
    const stairs = createExponentialDecay({ initialRate: 0.8, decayRate: 0.5, decaySteps: 4, staircase: true });
    expect([0, 3, 4, 7, 8].map((k) => stairs.rateAt(k))).toEqual([0.8, 0.8, 0.4, 0.4, 0.2]);
    const nazeri = createExponentialDecay({ initialRate: 2e-4, decayRate: 0.5, decaySteps: 5e5, minRate: 1e-8 });
    expect(nazeri.rateAt(1_000_000)).toBeCloseTo(5e-5, 18);
    expect(nazeri.rateAt(5e5 * 40)).toBe(1e-8);
  });

  it('rebuilds the same schedule from its JSON state', () => {
    const a = createExponentialDecay({
      initialRate: 0.3,
      decayRate: 0.9,
      decaySteps: 3,
      staircase: true,
      minRate: 0.1,
    });
    const b = createExponentialDecay({ initialRate: 1, decayRate: 0.1, decaySteps: 1 });
    b.restore(viaJson(a.state()));
    for (let k = 0; k < 40; k++) expect(b.rateAt(k)).toBe(a.rateAt(k));
  });

  it('rejects bad configs naming the key', () => {
    expect(() => createExponentialDecay({ initialRate: 1, decayRate: 0, decaySteps: 1 })).toThrow(/decayRate/);
    expect(() => createExponentialDecay({ initialRate: 1, decayRate: 0.5, decaySteps: 0 })).toThrow(/decaySteps/);
    expect(() => createExponentialDecay({ initialRate: 1, decayRate: 0.5, decaySteps: 1, minRate: 2 })).toThrow(
      /minRate/,
    );
  });
});

describe('createReduceOnPlateau', () => {
  it('halves the rate after more than `patience` evaluations without relative improvement (hand-computed)', () => {
    const s = createReduceOnPlateau({ initialRate: 1, factor: 0.5, patience: 2 });
    // 10 and 9 improve; three 9s are bad (the third exceeds patience 2 → 0.5); 8 improves; three 8s → 0.25.
    const rates = [10, 9, 9, 9, 9, 8, 8, 8, 8].map((m) => s.update(m));
    expect(rates).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  it('waits `cooldown` evaluations after a reduction before counting bad ones again', () => {
    const s = createReduceOnPlateau({ initialRate: 1, factor: 0.5, patience: 0, cooldown: 2 });
    expect([5, 5, 5, 5, 5, 5, 5, 5].map((m) => s.update(m))).toEqual([1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  });

  it('stops at minRate and skips reductions smaller than eps', () => {
    const s = createReduceOnPlateau({ initialRate: 1, factor: 0.1, patience: 0, minRate: 0.05 });
    expect([3, 3, 3, 3].map((m) => s.update(m))).toEqual([1, 0.1, 0.05, 0.05]);
  });

  it('in max mode with an absolute threshold, only gains larger than the threshold count', () => {
    const s = createReduceOnPlateau({
      initialRate: 1,
      mode: 'max',
      factor: 0.5,
      patience: 1,
      threshold: 0.5,
      thresholdMode: 'abs',
    });
    // 1 sets best; 1.4 is not > 1.5 (bad 1); 1.6 is (best 1.6); 2.0, 2.0 are not > 2.1 → bad 2 > 1 → 0.5.
    expect([1, 1.4, 1.6, 2.0, 2.0].map((m) => s.update(m))).toEqual([1, 1, 1, 1, 0.5]);
  });

  it('counts NaN as no improvement', () => {
    const s = createReduceOnPlateau({ initialRate: 1, factor: 0.5, patience: 1 });
    expect([1, NaN, NaN].map((m) => s.update(m))).toEqual([1, 1, 0.5]);
  });

  it('a run restored from the JSON state mid-way gives the same rates as the uninterrupted run', () => {
    const metrics = [5, 4, 4.2, 4.1, 4.3, 3, 3.5, 3.4, 3.6, 3.3, 3.2, 3.9, 4, 4, 4, 4];
    const config = { initialRate: 0.01, factor: 0.3, patience: 1, cooldown: 1, minRate: 1e-4 };
    const whole = createReduceOnPlateau(config);
    const expected = metrics.map((m) => whole.update(m));
    expect(new Set(expected).size).toBeGreaterThan(2); // the sequence does reduce, twice or more
    for (const cut of [0, 3, 7, 12]) {
      const first = createReduceOnPlateau(config);
      const got = metrics.slice(0, cut).map((m) => first.update(m));
      const second = createReduceOnPlateau({ initialRate: 1 });
      second.restore(viaJson(first.state()));
      expect(second.rate).toBe(first.rate);
      got.push(...metrics.slice(cut).map((m) => second.update(m)));
      expect(got).toEqual(expected);
    }
  });

  it('rejects bad configs and states naming the key', () => {
    expect(() => createReduceOnPlateau({ initialRate: 1, factor: 1 })).toThrow(/factor/);
    expect(() => createReduceOnPlateau({ initialRate: 1, mode: 'up' as 'min' })).toThrow(/mode/);
    expect(() => createReduceOnPlateau({ initialRate: 1, patience: -1 })).toThrow(/patience/);
    expect(() =>
      createReduceOnPlateau({ initialRate: 1 }).restore({ kind: 'reduce-on-plateau', initialRate: 1, rate: 'x' }),
    ).toThrow(/state.rate/);
  });
});

describe('setLearningRate', () => {
  const step = (opt: tf.Optimizer, x: tf.Variable, slope: number): void =>
    tf.tidy(() => {
      opt.minimize(() => tf.sum(tf.mul(x, slope)) as tf.Scalar, false, [x]);
    });

  it('changes the rate SGD and Momentum use on the next update (x ← x − rate·gradient)', () => {
    for (const opt of [tf.train.sgd(10), tf.train.momentum(10, 0.9)]) {
      const x = tf.variable(tf.scalar(1));
      setLearningRate(opt, 0.5);
      expect(getLearningRate(opt)).toBe(0.5);
      step(opt, x, 3);
      expect(x.dataSync()[0]).toBe(-0.5);
      x.dispose();
      opt.dispose();
    }
  });

  it('changes the rate Adam uses: its first update moves a weight by about the rate', () => {
    const opt = tf.train.adam(10);
    const x = tf.variable(tf.scalar(1));
    setLearningRate(opt, 0.25);
    step(opt, x, 3);
    // Adam's first step is rate · m̂ / (√v̂ + ε) = rate · g / (|g| + ε); float32 bias corrections (1 − 0.9 is not
    // exact in float32) put it within a few float32 ulps of 0.25, far from the old rate 10.
    expect(x.dataSync()[0]).toBeCloseTo(0.75, 5);
    x.dispose();
    opt.dispose();
  });

  it('covers RMSProp, Adagrad, Adadelta and Adamax, and rejects non-optimizers and bad rates', () => {
    for (const opt of [
      tf.train.rmsprop(1),
      tf.train.adagrad(1),
      tf.train.adadelta(1),
      tf.train.adamax(1, 0.9, 0.999),
    ]) {
      setLearningRate(opt, 0.125);
      expect(getLearningRate(opt)).toBe(0.125);
      opt.dispose();
    }
    expect(() => setLearningRate({} as tf.Optimizer, 0.1)).toThrow(InputError);
    expect(() => setLearningRate(tf.train.sgd(1), -1)).toThrow(/rate/);
  });
});
