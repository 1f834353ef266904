/**
 * Reduce-on-plateau: lower the learning rate when a monitored metric stops improving. The rules are
 * PyTorch's `ReduceLROnPlateau` (same names in camelCase, same defaults), so a recipe written for PyTorch
 * behaves the same here:
 *
 * - an evaluation is an improvement if it beats the best so far by more than `threshold`
 *   (relative: `best · (1 ∓ threshold)`, or absolute: `best ∓ threshold`);
 * - after more than `patience` evaluations without improvement, `rate ← max(rate · factor, minRate)`
 *   (a change smaller than `eps` is skipped), and the next `cooldown` evaluations count as neither good nor bad.
 */
import { InputError, describeValue } from '../../errors.js';
import { checkConfigChoice, checkConfigRange } from '../../validate.js';
import type { MetricSchedule, ScheduleState } from './schedule-state.js';

/**
 * Settings of {@link createReduceOnPlateau}; defaults are PyTorch's.
 *
 * @example
 * const config: ReduceOnPlateauConfig = { initialRate: 1e-3, mode: 'min', factor: 0.5, patience: 2 };
 */
export interface ReduceOnPlateauConfig {
  /** Starting rate; > 0. */
  initialRate: number;
  /** `'min'`: lower metric is better (losses); `'max'`: higher is better (AuC, PSNR). Default `'min'`. */
  mode?: 'min' | 'max';
  /** Multiplier on a plateau; in (0, 1). Default 0.1. */
  factor?: number;
  /** Evaluations without improvement tolerated before reducing; integer ≥ 0. Default 10. */
  patience?: number;
  /** Minimum improvement; ≥ 0. Default 1e-4. */
  threshold?: number;
  /** `'rel'`: threshold is a fraction of the best value; `'abs'`: in metric units. Default `'rel'`. */
  thresholdMode?: 'rel' | 'abs';
  /** Evaluations to wait after a reduction before counting again; integer ≥ 0. Default 0. */
  cooldown?: number;
  /** Lowest rate; ≥ 0. Default 0. */
  minRate?: number;
  /** Reductions smaller than this are skipped; ≥ 0. Default 1e-8. */
  eps?: number;
}

type PlateauSettings = Required<ReduceOnPlateauConfig>;

function resolve(config: ReduceOnPlateauConfig): PlateauSettings {
  const s: PlateauSettings = {
    mode: 'min',
    factor: 0.1,
    patience: 10,
    threshold: 1e-4,
    thresholdMode: 'rel',
    cooldown: 0,
    minRate: 0,
    eps: 1e-8,
    ...config,
  };
  checkConfigRange('initialRate', s.initialRate, 0, Infinity, { openLow: true });
  checkConfigChoice('mode', s.mode, ['min', 'max']);
  checkConfigRange('factor', s.factor, 0, 1, { openLow: true, openHigh: true });
  checkConfigRange('patience', s.patience, 0, Infinity, { integer: true });
  checkConfigRange('threshold', s.threshold, 0, Infinity);
  checkConfigChoice('thresholdMode', s.thresholdMode, ['rel', 'abs']);
  checkConfigRange('cooldown', s.cooldown, 0, Infinity, { integer: true });
  checkConfigRange('minRate', s.minRate, 0, Infinity);
  checkConfigRange('eps', s.eps, 0, Infinity);
  return s;
}

/**
 * Create a reduce-on-plateau schedule. Call `update(metric)` once per evaluation; it returns the rate to use
 * from then on. `state()` holds the config and the counters, so a resumed run reduces at the same evaluations.
 * A NaN metric counts as no improvement.
 *
 * @example
 * const plateau = createReduceOnPlateau({ initialRate: 1e-3, factor: 0.5, patience: 2 });
 * for (const loss of validationLosses) setLearningRate(optimizer, plateau.update(loss));
 */
export function createReduceOnPlateau(config: ReduceOnPlateauConfig): MetricSchedule {
  let settings = resolve(config);
  let rate = settings.initialRate;
  let best = settings.mode === 'min' ? Infinity : -Infinity;
  let badEvaluations = 0;
  let cooldownLeft = 0;
  let evaluations = 0;

  const improves = (value: number): boolean => {
    const { mode, threshold, thresholdMode } = settings;
    if (mode === 'min') return value < (thresholdMode === 'rel' ? best * (1 - threshold) : best - threshold);
    return value > (thresholdMode === 'rel' ? best * (1 + threshold) : best + threshold);
  };

  return {
    kind: 'reduce-on-plateau',
    get rate() {
      return rate;
    },
    update(metric: number): number {
      if (typeof metric !== 'number') throw new InputError('metric', 'a number', describeValue(metric));
      evaluations += 1;
      if (improves(metric)) {
        best = metric;
        badEvaluations = 0;
      } else {
        badEvaluations += 1;
      }
      if (cooldownLeft > 0) {
        cooldownLeft -= 1;
        badEvaluations = 0;
      }
      if (badEvaluations > settings.patience) {
        const reduced = Math.max(rate * settings.factor, settings.minRate);
        if (rate - reduced > settings.eps) rate = reduced;
        cooldownLeft = settings.cooldown;
        badEvaluations = 0;
      }
      return rate;
    },
    state(): ScheduleState {
      // JSON has no Infinity: an unset best is stored as null.
      return {
        kind: 'reduce-on-plateau',
        ...settings,
        rate,
        best: Number.isFinite(best) ? best : null,
        badEvaluations,
        cooldownLeft,
        evaluations,
      };
    },
    restore(state: ScheduleState): void {
      if (state?.kind !== 'reduce-on-plateau')
        throw new InputError('state.kind', "'reduce-on-plateau'", describeValue(state?.kind));
      const {
        kind: _kind,
        rate: savedRate,
        best: savedBest,
        badEvaluations: bad,
        cooldownLeft: cool,
        evaluations: count,
        ...saved
      } = state;
      settings = resolve(saved as unknown as ReduceOnPlateauConfig);
      for (const [name, value] of [
        ['state.rate', savedRate],
        ['state.badEvaluations', bad],
        ['state.cooldownLeft', cool],
        ['state.evaluations', count],
      ] as const) {
        if (typeof value !== 'number' || !(value >= 0))
          throw new InputError(name, 'a number ≥ 0', describeValue(value));
      }
      if (savedBest !== null && typeof savedBest !== 'number')
        throw new InputError('state.best', 'a number or null', describeValue(savedBest));
      rate = savedRate as number;
      best = savedBest === null ? (settings.mode === 'min' ? Infinity : -Infinity) : savedBest;
      badEvaluations = bad as number;
      cooldownLeft = cool as number;
      evaluations = count as number;
    },
  };
}
