/**
 * The shape shared by every learning-rate schedule: plain JSON state, so a checkpoint can store it and a
 * resumed run continues with exactly the same rates.
 */

/**
 * A JSON value (what `JSON.stringify` keeps unchanged).
 * @example
 * const metadata: { [key: string]: JsonValue } = { dataset: 'places365', sizes: [64, 128], notes: null };
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serializable state of a schedule. `kind` names the schedule (`'step-decay'`, `'exponential-decay'`,
 * `'reduce-on-plateau'`); the other fields belong to that kind.
 *
 * @example
 * const saved: ScheduleState = schedule.state(); // { kind: 'step-decay', initialRate: 0.001, ... }
 */
export interface ScheduleState {
  kind: string;
  [field: string]: JsonValue;
}

/**
 * A schedule whose rate is a pure function of the global step (step decay, exponential decay).
 *
 * @example
 * setLearningRate(optimizer, schedule.rateAt(step));
 */
export interface StepSchedule {
  readonly kind: string;
  /** Learning rate to use for the update at `step` (0-based count of updates done before it). */
  rateAt(step: number): number;
  /** JSON state for a checkpoint. */
  state(): ScheduleState;
  /** Adopt a state returned by {@link StepSchedule.state} (of the same kind). */
  restore(state: ScheduleState): void;
}

/**
 * A schedule driven by a monitored metric (reduce-on-plateau).
 *
 * @example
 * setLearningRate(optimizer, plateau.update(validationLoss));
 */
export interface MetricSchedule {
  readonly kind: string;
  /** The current learning rate. */
  readonly rate: number;
  /** Record one evaluation of the monitored metric; returns the rate to use from now on. */
  update(metric: number): number;
  /** JSON state for a checkpoint. */
  state(): ScheduleState;
  /** Adopt a state returned by {@link MetricSchedule.state} (of the same kind). */
  restore(state: ScheduleState): void;
}
