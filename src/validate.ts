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
  if (typeof value !== 'number' || (!Number.isFinite(value) && !(value === Infinity && high === Infinity)))
    return false;
  if (o.integer && !Number.isInteger(value)) return false;
  if (o.openLow ? value <= low : value < low) return false;
  if (o.openHigh ? value >= high : value > high) return false;
  return true;
}

/** Throw {@link InputError} unless `value` is a finite number in the range. */
export function assertInRange(
  name: string,
  value: unknown,
  low: number,
  high: number,
  o: RangeOptions = {},
): asserts value is number {
  if (!inRange(value, low, high, o)) throw new InputError(name, rangeText(low, high, o), describeValue(value));
}

/** Like {@link assertInRange} but throws {@link ConfigError}, for config keys. */
export function checkConfigRange(
  key: string,
  value: unknown,
  low: number,
  high: number,
  o: RangeOptions = {},
): asserts value is number {
  if (!inRange(value, low, high, o)) throw new ConfigError(key, rangeText(low, high, o), describeValue(value));
}

/** Throw {@link ConfigError} unless `value` is one of `choices`. */
export function checkConfigChoice<T extends string | number>(
  key: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if (!choices.includes(value as T)) throw new ConfigError(key, choices, describeValue(value));
}

/**
 * The keys of a config interface as a list, checked by the compiler: `keys` must name every key of `T`
 * (optional ones included) and nothing else, so a key added to the interface cannot be forgotten here.
 */
export function configKeys<T extends object>(keys: { readonly [K in keyof Required<T>]: true }): readonly (keyof T &
  string)[] {
  return Object.freeze(Object.keys(keys)) as readonly (keyof T & string)[];
}

/**
 * Throw {@link ConfigError} unless `config` is a plain object whose keys are all among `keys`. Every model
 * builder calls this first, so a misspelt key (`width` for `widthMultiplier`) is refused, not silently
 * ignored. Keys whose value is `undefined` count like any other.
 */
export function checkConfigKeys(config: unknown, keys: readonly string[]): asserts config is object {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('config', 'an object with keys among ' + keys.join(', '), describeValue(config));
  }
  for (const key of Object.keys(config)) {
    if (!keys.includes(key)) throw new ConfigError(key, `a known key: one of ${keys.join(' | ')}`, 'an unknown key');
  }
}

/** Throw {@link InputError} if any entry of `data` is NaN or infinite. Returns nothing; O(n). */
export function assertFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new InputError(name, 'finite values', `${describeValue(v)} at index ${i}`);
  }
}
