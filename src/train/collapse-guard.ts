/**
 * A guard against GAN training collapse. GAN training (Goodfellow et al. 2014; Nazeri et al. 2018) can
 * fail abruptly: the discriminator wins outright (its loss drops to the floor set by label smoothing and
 * stays there, so the generator's adversarial gradient vanishes), or the generator's tanh output
 * saturates at ±1, or a validation metric falls off a cliff. The guard watches those signals; the GAN
 * trainer then restores the last snapshot taken while training was healthy, multiplies the learning
 * rates by `learningRateFactor` and goes on, reporting each event through `onCollapse`.
 *
 * Pure bookkeeping on numbers: no tensors, JSON state for checkpoints.
 */
import { InputError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import type { JsonValue } from './schedules/schedule-state.js';

/**
 * A validation-metric rule: collapse when the metric is worse than its best by more than `margin`.
 * @example
 * const guard = createCollapseGuard({ metric: { name: 'psnr', mode: 'max', margin: 2 } }); // collapse 2 dB below the best
 */
export interface CollapseMetricRule {
  /** Metric name as produced by validation (`'psnr'`, `'auc'`, `'val_g_reconstruction'`, …). */
  name: string;
  /** `'max'` if higher is better (PSNR, AuC), `'min'` for losses. */
  mode: 'min' | 'max';
  /** Allowed fall from the best value, in the metric's units; > 0. */
  margin: number;
}

/**
 * Settings of {@link createCollapseGuard}. A rule set to `null` is off.
 *
 * @example
 * const config: CollapseGuardConfig = { patience: 20, metric: { name: 'psnr', mode: 'max', margin: 2 } };
 */
export interface CollapseGuardConfig {
  /**
   * Collapse when the discriminator loss is within this much of its floor (the loss of a perfect
   * discriminator under label smoothing, `H(realLabel) + H(fakeLabel)` nats; 0.325 for 0.9 / 0) for
   * `patience` steps in a row; ≥ 0. Default 0.02. `null` turns the rule off.
   */
  discriminatorLossMargin?: number | null;
  /** |generator output| above this counts as saturated; in (0, 1). Default 0.99. */
  saturationLevel?: number;
  /**
   * Collapse when more than this fraction of generator outputs is saturated for `patience` steps in a
   * row; in (0, 1]. Default 0.5. `null` turns the rule off.
   */
  saturatedFraction?: number | null;
  /** Consecutive bad steps before the step rules fire; integer ≥ 1. Default 10. */
  patience?: number;
  /** Validation-metric rule; default none. Fires at the first validation that breaks it. */
  metric?: CollapseMetricRule | null;
  /** Learning-rate multiplier applied at each collapse; in (0, 1]. Default 0.5. */
  learningRateFactor?: number;
  /** Take a snapshot of healthy training every this many steps; integer ≥ 1. Default 50. */
  snapshotEverySteps?: number;
  /** Restores before the guard gives up and the run stops; integer ≥ 1. Default 5. */
  maxRestores?: number;
}

/** {@link CollapseGuardConfig} with every default filled in. */
export interface ResolvedCollapseGuardConfig {
  discriminatorLossMargin: number | null;
  saturationLevel: number;
  saturatedFraction: number | null;
  patience: number;
  metric: CollapseMetricRule | null;
  learningRateFactor: number;
  snapshotEverySteps: number;
  maxRestores: number;
}

/** What the trainer measured at one step. */
export interface CollapseStepSignals {
  /** Total discriminator loss of the step. */
  discriminatorLoss: number;
  /** The lowest value that loss can take (see {@link computeDiscriminatorLossFloor}). */
  discriminatorLossFloor: number;
  /** Fraction of generator outputs with |value| > `saturationLevel`, in [0, 1]. */
  saturatedFraction: number;
}

/** The guard's running state. */
export interface CollapseGuard {
  readonly config: ResolvedCollapseGuardConfig;
  /** Record a step; returns the rules that fire (empty when healthy). */
  observeStep(signals: CollapseStepSignals): string[];
  /** Record a validation; returns the rules that fire (empty when healthy or when the metric is absent). */
  observeMetrics(metrics: { readonly [name: string]: number }): string[];
  /** True when no step rule is counting bad steps (a snapshot taken now is "good"). */
  readonly healthy: boolean;
  /** Restores done so far. */
  readonly restores: number;
  /** Count a restore and clear the step counters; returns the new learning-rate scale. */
  recordRestore(): number;
  /** Product of all learning-rate reductions so far (1 before any collapse). */
  readonly learningRateScale: number;
  /** JSON state for a checkpoint. */
  state(): { [key: string]: JsonValue };
  /** Adopt a state from {@link CollapseGuard.state}. */
  restore(state: { [key: string]: JsonValue }): void;
}

/**
 * Binary entropy sum `H(realLabel) + H(fakeLabel)` in nats: the minimum of the mean discriminator
 * cross-entropy when real targets are `realLabel` and fake targets `fakeLabel`.
 *
 * @example
 * computeDiscriminatorLossFloor(0.9); // 0.325…
 */
export function computeDiscriminatorLossFloor(realLabel: number, fakeLabel = 0): number {
  const h = (p: number): number => (p <= 0 || p >= 1 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p)));
  return h(realLabel) + h(fakeLabel);
}

/**
 * Validate a guard config and fill its defaults.
 *
 * @throws ConfigError naming the key.
 * @example
 * resolveCollapseGuardConfig({}).patience; // 10
 */
export function resolveCollapseGuardConfig(config: CollapseGuardConfig = {}): ResolvedCollapseGuardConfig {
  const r: ResolvedCollapseGuardConfig = {
    discriminatorLossMargin: config.discriminatorLossMargin === undefined ? 0.02 : config.discriminatorLossMargin,
    saturationLevel: config.saturationLevel ?? 0.99,
    saturatedFraction: config.saturatedFraction === undefined ? 0.5 : config.saturatedFraction,
    patience: config.patience ?? 10,
    metric: config.metric ?? null,
    learningRateFactor: config.learningRateFactor ?? 0.5,
    snapshotEverySteps: config.snapshotEverySteps ?? 50,
    maxRestores: config.maxRestores ?? 5,
  };
  if (r.discriminatorLossMargin !== null)
    checkConfigRange('discriminatorLossMargin', r.discriminatorLossMargin, 0, Infinity);
  checkConfigRange('saturationLevel', r.saturationLevel, 0, 1, { openLow: true, openHigh: true });
  if (r.saturatedFraction !== null) checkConfigRange('saturatedFraction', r.saturatedFraction, 0, 1, { openLow: true });
  checkConfigRange('patience', r.patience, 1, Infinity, { integer: true });
  if (r.metric !== null) {
    if (typeof r.metric !== 'object' || typeof r.metric.name !== 'string')
      throw new InputError('metric', '{ name, mode, margin }', describeValue(r.metric));
    checkConfigChoice('metric.mode', r.metric.mode, ['min', 'max']);
    checkConfigRange('metric.margin', r.metric.margin, 0, Infinity, { openLow: true });
  }
  checkConfigRange('learningRateFactor', r.learningRateFactor, 0, 1, { openLow: true });
  checkConfigRange('snapshotEverySteps', r.snapshotEverySteps, 1, Infinity, { integer: true });
  checkConfigRange('maxRestores', r.maxRestores, 1, Infinity, { integer: true });
  return r;
}

/**
 * Create a collapse guard for {@link createGanTrainer} (pass its config as `collapseGuard`).
 *
 * @throws ConfigError naming the key for a bad setting.
 * @example
 * const guard = createCollapseGuard({ patience: 5 });
 * guard.observeStep({ discriminatorLoss: 0.33, discriminatorLossFloor: 0.325, saturatedFraction: 0 }); // [] until 5 in a row
 */
export function createCollapseGuard(config: CollapseGuardConfig = {}): CollapseGuard {
  const settings = resolveCollapseGuardConfig(config);
  let lowLossSteps = 0;
  let saturatedSteps = 0;
  let best: number | null = null;
  let restores = 0;
  let scale = 1;
  return {
    config: settings,
    observeStep(signals) {
      const reasons: string[] = [];
      if (settings.discriminatorLossMargin !== null) {
        lowLossSteps =
          signals.discriminatorLoss - signals.discriminatorLossFloor < settings.discriminatorLossMargin
            ? lowLossSteps + 1
            : 0;
        if (lowLossSteps >= settings.patience) reasons.push('discriminator-loss');
      }
      if (settings.saturatedFraction !== null) {
        saturatedSteps = signals.saturatedFraction > settings.saturatedFraction ? saturatedSteps + 1 : 0;
        if (saturatedSteps >= settings.patience) reasons.push('saturation');
      }
      return reasons;
    },
    observeMetrics(metrics) {
      const rule = settings.metric;
      if (rule === null) return [];
      const value = metrics[rule.name];
      if (typeof value !== 'number' || Number.isNaN(value)) return [];
      if (best === null) {
        best = value;
        return [];
      }
      const fall = rule.mode === 'max' ? best - value : value - best;
      if (fall > rule.margin) return ['metric'];
      if (rule.mode === 'max' ? value > best : value < best) best = value;
      return [];
    },
    get healthy() {
      return lowLossSteps === 0 && saturatedSteps === 0;
    },
    get restores() {
      return restores;
    },
    get learningRateScale() {
      return scale;
    },
    recordRestore() {
      restores += 1;
      lowLossSteps = 0;
      saturatedSteps = 0;
      scale *= settings.learningRateFactor;
      return scale;
    },
    state() {
      return { lowLossSteps, saturatedSteps, best, restores, scale };
    },
    restore(state) {
      const numbers = ['lowLossSteps', 'saturatedSteps', 'restores', 'scale'] as const;
      for (const key of numbers) {
        if (typeof state?.[key] !== 'number')
          throw new InputError(`state.${key}`, 'a number', describeValue(state?.[key]));
      }
      if (state.best !== null && typeof state.best !== 'number')
        throw new InputError('state.best', 'a number or null', describeValue(state.best));
      lowLossSteps = state.lowLossSteps as number;
      saturatedSteps = state.saturatedSteps as number;
      restores = state.restores as number;
      scale = state.scale as number;
      best = state.best as number | null;
    },
  };
}
