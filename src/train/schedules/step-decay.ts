/**
 * Step decay: the learning rate is multiplied by `factor` every `stepSize` updates, or at each of a list of
 * `milestones` (the piecewise-constant drops most colorization papers report, e.g. Zhang et al. 2016 §3:
 * 3·10⁻⁵ lowered at fixed iteration counts).
 */
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { assertInRange, checkConfigRange } from '../../validate.js';
import type { ScheduleState, StepSchedule } from './schedule-state.js';

/**
 * Settings of {@link createStepDecay}. Give exactly one of `stepSize` and `milestones`.
 *
 * @example
 * const config: StepDecayConfig = { initialRate: 3e-5, factor: 0.3, milestones: [200_000, 375_000] };
 */
export interface StepDecayConfig {
  /** Rate before the first drop; > 0. */
  initialRate: number;
  /** Multiplier applied at each drop; in (0, 1]. Default 0.1. */
  factor?: number;
  /** Drop every `stepSize` updates (integer ≥ 1). */
  stepSize?: number;
  /** Drop when the step reaches each of these (strictly increasing integers ≥ 1). */
  milestones?: readonly number[];
}

interface StepDecayFields {
  initialRate: number;
  factor: number;
  stepSize: number | null;
  milestones: number[] | null;
}

function resolve(config: StepDecayConfig): StepDecayFields {
  checkConfigRange('initialRate', config?.initialRate, 0, Infinity, { openLow: true });
  const factor = config.factor ?? 0.1;
  checkConfigRange('factor', factor, 0, 1, { openLow: true });
  const hasSize = config.stepSize !== undefined && config.stepSize !== null;
  const hasMilestones = config.milestones !== undefined && config.milestones !== null;
  if (hasSize === hasMilestones)
    throw new ConfigError('stepSize', 'exactly one of stepSize and milestones', hasSize ? 'both' : 'neither');
  if (hasSize) {
    checkConfigRange('stepSize', config.stepSize, 1, Infinity, { integer: true });
    return { initialRate: config.initialRate, factor, stepSize: config.stepSize as number, milestones: null };
  }
  const milestones = [...(config.milestones as readonly number[])];
  milestones.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 1 || (i > 0 && m <= milestones[i - 1])) {
      throw new ConfigError('milestones', 'strictly increasing integers ≥ 1', `[${milestones.join(', ')}]`);
    }
  });
  return { initialRate: config.initialRate, factor, stepSize: null, milestones };
}

/**
 * Create a step-decay schedule: `rate(step) = initialRate · factor^k`, where k is `floor(step / stepSize)`
 * or the number of milestones ≤ step. Stateless: `state()` holds the config, so a checkpoint can rebuild it.
 *
 * @example
 * const schedule = createStepDecay({ initialRate: 1e-3, factor: 0.5, stepSize: 1000 });
 * schedule.rateAt(2500); // 2.5e-4
 */
export function createStepDecay(config: StepDecayConfig): StepSchedule {
  let fields = resolve(config);
  return {
    kind: 'step-decay',
    rateAt(step: number): number {
      assertInRange('step', step, 0, Infinity, { integer: true });
      const drops =
        fields.stepSize !== null
          ? Math.floor(step / fields.stepSize)
          : (fields.milestones as number[]).filter((m) => m <= step).length;
      return fields.initialRate * fields.factor ** drops;
    },
    state(): ScheduleState {
      return { kind: 'step-decay', ...fields, milestones: fields.milestones === null ? null : [...fields.milestones] };
    },
    restore(state: ScheduleState): void {
      if (state?.kind !== 'step-decay') throw new InputError('state.kind', "'step-decay'", describeValue(state?.kind));
      fields = resolve({
        initialRate: state.initialRate as number,
        factor: state.factor as number,
        ...(state.stepSize !== null && { stepSize: state.stepSize as number }),
        ...(state.milestones !== null && { milestones: state.milestones as number[] }),
      });
    },
  };
}
