/**
 * Exponential decay: `rate(step) = initialRate · decayRate^(step / decaySteps)`, optionally in whole
 * `decaySteps` stairs, never below `minRate`. Nazeri et al. 2018 (released code defaults) use 2·10⁻⁴ halved
 * every 5·10⁵ steps with a floor of 10⁻⁸; the same formula as TensorFlow's `exponential_decay`.
 */
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { assertInRange, checkConfigRange } from '../../validate.js';
import type { ScheduleState, StepSchedule } from './schedule-state.js';

/**
 * Settings of {@link createExponentialDecay}.
 *
 * @example
 * const nazeri: ExponentialDecayConfig = { initialRate: 2e-4, decayRate: 0.5, decaySteps: 5e5, minRate: 1e-8 };
 */
export interface ExponentialDecayConfig {
  /** Rate at step 0; > 0. */
  initialRate: number;
  /** Multiplier per `decaySteps` updates; in (0, 1]. */
  decayRate: number;
  /** Updates per factor of `decayRate`; > 0. */
  decaySteps: number;
  /** Decay in whole stairs (`floor(step / decaySteps)`) instead of continuously. Default false. */
  staircase?: boolean;
  /** Lower bound of the rate; ≥ 0. Default 0. */
  minRate?: number;
}

interface ExponentialFields {
  initialRate: number;
  decayRate: number;
  decaySteps: number;
  staircase: boolean;
  minRate: number;
}

function resolve(config: ExponentialDecayConfig): ExponentialFields {
  checkConfigRange('initialRate', config?.initialRate, 0, Infinity, { openLow: true });
  checkConfigRange('decayRate', config.decayRate, 0, 1, { openLow: true });
  checkConfigRange('decaySteps', config.decaySteps, 0, Infinity, { openLow: true });
  const staircase = config.staircase ?? false;
  if (typeof staircase !== 'boolean') throw new ConfigError('staircase', 'true or false', describeValue(staircase));
  const minRate = config.minRate ?? 0;
  checkConfigRange('minRate', minRate, 0, config.initialRate);
  return {
    initialRate: config.initialRate,
    decayRate: config.decayRate,
    decaySteps: config.decaySteps,
    staircase,
    minRate,
  };
}

/**
 * Create an exponential-decay schedule (see the file comment for the formula). Stateless: `state()` holds
 * the config, so a checkpoint can rebuild it.
 *
 * @example
 * const schedule = createExponentialDecay({ initialRate: 2e-4, decayRate: 0.5, decaySteps: 500_000, minRate: 1e-8 });
 * schedule.rateAt(1_000_000); // 5e-5
 */
export function createExponentialDecay(config: ExponentialDecayConfig): StepSchedule {
  let fields = resolve(config);
  return {
    kind: 'exponential-decay',
    rateAt(step: number): number {
      assertInRange('step', step, 0, Infinity, { integer: true });
      const exponent = fields.staircase ? Math.floor(step / fields.decaySteps) : step / fields.decaySteps;
      return Math.max(fields.minRate, fields.initialRate * fields.decayRate ** exponent);
    },
    state(): ScheduleState {
      return { kind: 'exponential-decay', ...fields };
    },
    restore(state: ScheduleState): void {
      if (state?.kind !== 'exponential-decay')
        throw new InputError('state.kind', "'exponential-decay'", describeValue(state?.kind));
      fields = resolve(state as unknown as ExponentialDecayConfig);
    },
  };
}
