/**
 * Argument checks shared by every public function. Each throws a typed error naming the argument,
 * what was expected and what was received. Messages are built only on failure.
 */
import { ConfigError, InputError, describeValue } from './errors.js';

/** Minimal structural view of a tensor, so this file needs no tfjs import. */
interface ShapedLike {
  readonly shape: readonly number[];
  readonly dtype?: string;
}

/** Throw {@link InputError} unless `x` is a tensor-like of the given rank. */
export function assertRank(name: string, x: unknown, rank: number | readonly number[]): asserts x is ShapedLike {
  const ranks = typeof rank === 'number' ? [rank] : rank;
  const shape = (x as ShapedLike | null)?.shape;
  if (!Array.isArray(shape)) throw new InputError(name, `a tensor of rank ${ranks.join(' or ')}`, describeValue(x));
  if (!ranks.includes(shape.length)) {
    throw new InputError(name, `rank ${ranks.join(' or ')}`, `shape [${shape.join(', ')}] (rank ${shape.length})`);
  }
}

/** Throw {@link InputError} unless dimension `axis` of `x` equals `size`. */
export function assertDim(name: string, x: ShapedLike, axis: number, size: number, what = `dimension ${axis}`): void {
  const ax = axis < 0 ? x.shape.length + axis : axis;
  if (x.shape[ax] !== size) {
    throw new InputError(name, `${what} = ${size}`, `shape [${x.shape.join(', ')}]`);
  }
}

/** Throw {@link InputError} unless two shapes are equal. */
export function assertSameShape(nameA: string, a: ShapedLike, nameB: string, b: ShapedLike): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new InputError(nameB, `the shape of ${nameA} [${a.shape.join(', ')}]`, `shape [${b.shape.join(', ')}]`);
  }
}

/** Options for {@link assertInRange}: open ends and integer-only. */
export interface RangeOptions {
  openLow?: boolean;
  openHigh?: boolean;
  integer?: boolean;
}

function rangeText(low: number, high: number, o: RangeOptions): string {
  const kind = o.integer ? 'an integer' : 'a number';
  if (high === Infinity) return `${kind} ${o.openLow ? '>' : '≥'} ${low}`;
  if (low === -Infinity) return `${kind} ${o.openHigh ? '<' : '≤'} ${high}`;
  return `${kind} in ${o.openLow ? '(' : '['}${low}, ${high}${o.openHigh ? ')' : ']'}`;
}

function inRange(value: unknown, low: number, high: number, o: RangeOptions): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) && !(value === Infinity && high === Infinity)) return false;
  if (o.integer && !Number.isInteger(value)) return false;
  if (o.openLow ? value <= low : value < low) return false;
  if (o.openHigh ? value >= high : value > high) return false;
  return true;
}

/** Throw {@link InputError} unless `value` is a finite number in the range. */
export function assertInRange(name: string, value: unknown, low: number, high: number, o: RangeOptions = {}): asserts value is number {
  if (!inRange(value, low, high, o)) throw new InputError(name, rangeText(low, high, o), describeValue(value));
}

/** Like {@link assertInRange} but throws {@link ConfigError}, for config keys. */
export function checkConfigRange(key: string, value: unknown, low: number, high: number, o: RangeOptions = {}): asserts value is number {
  if (!inRange(value, low, high, o)) throw new ConfigError(key, rangeText(low, high, o), describeValue(value));
}

/** Throw {@link ConfigError} unless `value` is one of `choices`. */
export function checkConfigChoice<T extends string | number>(key: string, value: unknown, choices: readonly T[]): asserts value is T {
  if (!choices.includes(value as T)) throw new ConfigError(key, choices, describeValue(value));
}

/** Throw {@link InputError} if any entry of `data` is NaN or infinite. Returns nothing; O(n). */
export function assertFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new InputError(name, 'finite values', `${describeValue(v)} at index ${i}`);
  }
}
