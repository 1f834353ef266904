/**
 * Check of a per-bin distribution given to the prior functions. Internal to src/color: not re-exported.
 */
import { InputError, describeValue } from '../../errors.js';

/** Throw InputError unless `values` has `size` finite non-negative entries with a positive sum. */
export function checkDistribution(name: string, values: ArrayLike<number>, size: number): void {
  if (values?.length !== size) throw new InputError(name, `${size} values (one per bin)`, describeValue(values));
  let sum = 0;
  for (let q = 0; q < size; q++) {
    const v = values[q];
    if (!Number.isFinite(v) || v < 0)
      throw new InputError(name, 'finite values ≥ 0', `${describeValue(v)} at index ${q}`);
    sum += v;
  }
  if (!(sum > 0)) throw new InputError(name, 'a positive sum', 'all zeros');
}
