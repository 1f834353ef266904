import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createOptimizer, OPTIMIZER_PRESETS, resolveOptimizerConfig } from '../../src/train/optimizer-presets.js';

describe('optimizer presets', () => {
  it('zhang2016 is Adam(3e-5, β1 0.9, β2 0.99) with weight decay 1e-3', () => {
    const adam = createOptimizer('zhang2016');
    expect(adam.getClassName()).toBe('Adam');
    expect(adam.getConfig()).toMatchObject({ learningRate: 3e-5, beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
    expect(resolveOptimizerConfig('zhang2016').weightDecay).toBe(1e-3);
    adam.dispose();
  });

  it('nazeri2018 is Adam(2e-4, β1 0.5); iizuka2016 is ADADELTA with Zeiler’s ρ 0.95, ε 1e-6, rate 1', () => {
    const adam = createOptimizer('nazeri2018');
    expect(adam.getConfig()).toMatchObject({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
    const adadelta = createOptimizer('iizuka2016');
    expect(adadelta.getClassName()).toBe('Adadelta');
    expect(adadelta.getConfig()).toMatchObject({ learningRate: 1, rho: 0.95, epsilon: 1e-6 });
    adam.dispose();
    adadelta.dispose();
  });

  it('explicit configs fill defaults; SGD with momentum builds a Momentum optimizer', () => {
    expect(resolveOptimizerConfig({ kind: 'adam', learningRate: 1e-3 })).toEqual({
      kind: 'adam',
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    });
    const momentum = createOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 });
    expect(momentum.getClassName()).toBe('Momentum');
    momentum.dispose();
    expect(Object.isFrozen(OPTIMIZER_PRESETS.zhang2016)).toBe(true);
  });

  it('rejects bad configs with ConfigError naming the key', () => {
    expect(() => resolveOptimizerConfig('adamw' as never)).toThrow(ConfigError);
    expect(() => resolveOptimizerConfig({ kind: 'adam', learningRate: 0 })).toThrow(/learningRate/);
    expect(() => resolveOptimizerConfig({ kind: 'adam', learningRate: 1, beta1: 1 })).toThrow(/beta1/);
    expect(() => resolveOptimizerConfig({ kind: 'adadelta', rho: -0.1 })).toThrow(/rho/);
    expect(() => resolveOptimizerConfig({ kind: 'sgd', learningRate: 1, weightDecay: -1 })).toThrow(/weightDecay/);
  });
});
