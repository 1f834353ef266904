/**
 * Optimizers as plain configs, with the settings the colorization papers report as presets, so a run's
 * optimizer can be written down, validated, checkpointed and rebuilt identically.
 *
 * Weight decay: tfjs optimizers have no decay term, so a trainer given `weightDecay` adds the coupled L2
 * penalty `½·wd·Σ w²` over the kernels (variables of rank ≥ 2) to the loss; its gradient `wd·w` is what
 * Caffe's `weight_decay` adds before the Adam update (Zhang et al. 2016 trained in Caffe). Biases and
 * BatchNorm parameters are not decayed, like Caffe's `decay_mult: 0` on biases. This is not AdamW's
 * decoupled decay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';

/** Adam (Kingma & Ba 2015). */
export interface AdamOptimizerConfig {
  kind: 'adam';
  /** Step size; > 0. */
  learningRate: number;
  /** First-moment decay in [0, 1). Default 0.9. */
  beta1?: number;
  /** Second-moment decay in [0, 1). Default 0.999. */
  beta2?: number;
  /** Denominator guard; > 0. Default 1e-8 (tfjs uses its backend epsilon when absent; we pin it). */
  epsilon?: number;
  /** Coupled L2 weight decay on kernels (see the file comment); ≥ 0. Default 0. */
  weightDecay?: number;
}

/** ADADELTA (Zeiler 2012): per-parameter rates from running averages; learning rate 1 is Zeiler's rule. */
export interface AdadeltaOptimizerConfig {
  kind: 'adadelta';
  /** Multiplier of the ADADELTA update; > 0. Default 1 (Zeiler 2012, Algorithm 1). */
  learningRate?: number;
  /** Decay ρ of the running averages, in [0, 1). Default 0.95 (Zeiler 2012 §4). */
  rho?: number;
  /** ε; > 0. Default 1e-6 (Zeiler 2012 §4). */
  epsilon?: number;
  /** Coupled L2 weight decay on kernels; ≥ 0. Default 0. */
  weightDecay?: number;
}

/** Plain SGD with optional momentum. */
export interface SgdOptimizerConfig {
  kind: 'sgd';
  /** Step size; > 0. */
  learningRate: number;
  /** Momentum in [0, 1); 0 for plain SGD. Default 0. */
  momentum?: number;
  /** Coupled L2 weight decay on kernels; ≥ 0. Default 0. */
  weightDecay?: number;
}

/**
 * An optimizer as data; {@link createOptimizer} builds it.
 *
 * @example
 * const config: OptimizerConfig = { kind: 'adam', learningRate: 2e-4, beta1: 0.5 };
 */
export type OptimizerConfig = AdamOptimizerConfig | AdadeltaOptimizerConfig | SgdOptimizerConfig;

/** Names of {@link OPTIMIZER_PRESETS}. @example OPTIMIZER_PRESET_NAMES.map((name) => createOptimizer(name)); */
export const OPTIMIZER_PRESET_NAMES = ['zhang2016', 'iizuka2016', 'nazeri2018'] as const;

/** A preset name. */
export type OptimizerPresetName = (typeof OPTIMIZER_PRESET_NAMES)[number];

/**
 * The papers' optimizers:
 * - `zhang2016`: Adam, lr 3·10⁻⁵, β1 0.9, β2 0.99, weight decay 10⁻³ (Zhang, Isola, Efros 2016, §3;
 *   the released Caffe solver).
 * - `iizuka2016`: ADADELTA (Iizuka, Simo-Serra, Ishikawa 2016, §3.5) with Zeiler's ρ 0.95, ε 10⁻⁶, lr 1.
 * - `nazeri2018`: Adam, lr 2·10⁻⁴, β1 0.5, β2 0.999 for both networks (Nazeri, Ng, Ebrahimi 2018, §4).
 *
 * @example
 * const adam = createOptimizer(OPTIMIZER_PRESETS.zhang2016);
 */
export const OPTIMIZER_PRESETS: Readonly<Record<OptimizerPresetName, Readonly<OptimizerConfig>>> = Object.freeze({
  zhang2016: Object.freeze({
    kind: 'adam',
    learningRate: 3e-5,
    beta1: 0.9,
    beta2: 0.99,
    epsilon: 1e-8,
    weightDecay: 1e-3,
  } as const),
  iizuka2016: Object.freeze({ kind: 'adadelta', learningRate: 1, rho: 0.95, epsilon: 1e-6, weightDecay: 0 } as const),
  nazeri2018: Object.freeze({
    kind: 'adam',
    learningRate: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
  } as const),
});

/** An {@link OptimizerConfig} with every default filled in. */
export type ResolvedOptimizerConfig =
  Required<AdamOptimizerConfig> | Required<AdadeltaOptimizerConfig> | Required<SgdOptimizerConfig>;

/**
 * Validate an optimizer config and fill its defaults.
 *
 * @param config  a config or a preset name.
 * @throws ConfigError naming the key (`kind`, `learningRate`, `beta1`, …), the valid range and the value.
 * @example
 * resolveOptimizerConfig('nazeri2018').learningRate; // 2e-4
 */
export function resolveOptimizerConfig(config: OptimizerConfig | OptimizerPresetName): ResolvedOptimizerConfig {
  if (typeof config === 'string') {
    checkConfigChoice('optimizer', config, OPTIMIZER_PRESET_NAMES);
    return resolveOptimizerConfig(OPTIMIZER_PRESETS[config]);
  }
  if (config === null || typeof config !== 'object')
    throw new ConfigError('optimizer', 'an optimizer config or a preset name', describeValue(config));
  checkConfigChoice('kind', config.kind, ['adam', 'adadelta', 'sgd']);
  const weightDecay = config.weightDecay ?? 0;
  checkConfigRange('weightDecay', weightDecay, 0, Infinity);
  if (config.kind === 'adam') {
    const r = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...config, kind: 'adam' as const, weightDecay };
    checkConfigRange('learningRate', r.learningRate, 0, Infinity, { openLow: true });
    checkConfigRange('beta1', r.beta1, 0, 1, { openHigh: true });
    checkConfigRange('beta2', r.beta2, 0, 1, { openHigh: true });
    checkConfigRange('epsilon', r.epsilon, 0, Infinity, { openLow: true });
    return r;
  }
  if (config.kind === 'adadelta') {
    const r = { learningRate: 1, rho: 0.95, epsilon: 1e-6, ...config, kind: 'adadelta' as const, weightDecay };
    checkConfigRange('learningRate', r.learningRate, 0, Infinity, { openLow: true });
    checkConfigRange('rho', r.rho, 0, 1, { openHigh: true });
    checkConfigRange('epsilon', r.epsilon, 0, Infinity, { openLow: true });
    return r;
  }
  const r = { momentum: 0, ...config, kind: 'sgd' as const, weightDecay };
  checkConfigRange('learningRate', r.learningRate, 0, Infinity, { openLow: true });
  checkConfigRange('momentum', r.momentum, 0, 1, { openHigh: true });
  return r;
}

/**
 * Build a tfjs optimizer from a config or preset name. The caller owns it (`optimizer.dispose()`).
 * The config's `weightDecay` is not part of a tfjs optimizer; trainers read it from the config.
 *
 * @example
 * const adam = createOptimizer('zhang2016');               // Adam(3e-5, 0.9, 0.99)
 * const adadelta = createOptimizer({ kind: 'adadelta' });  // Zeiler's settings
 */
export function createOptimizer(config: OptimizerConfig | OptimizerPresetName): tf.Optimizer {
  const r = resolveOptimizerConfig(config);
  if (r.kind === 'adam') return tf.train.adam(r.learningRate, r.beta1, r.beta2, r.epsilon);
  if (r.kind === 'adadelta') return tf.train.adadelta(r.learningRate, r.rho, r.epsilon);
  return r.momentum > 0 ? tf.train.momentum(r.learningRate, r.momentum) : tf.train.sgd(r.learningRate);
}
