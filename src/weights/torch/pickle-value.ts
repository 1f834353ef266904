/**
 * The values the pickle interpreter builds: plain data only. A Python global is kept as its name
 * ({@link PickleGlobal}); nothing in a pickle ever becomes a JavaScript function.
 */

/** A Python float (kept apart from ints, which are plain numbers or bigints). */
export class PickleFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python list. */
export class PickleList {
  constructor(readonly items: PickleValue[] = []) {}
}

/**
 * A Python dict or `collections.OrderedDict`, keys in insertion order. `attributes` holds what BUILD
 * set on an OrderedDict (a state dict's `_metadata`).
 */
export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
  readonly attributes = new Map<string, PickleValue>();
  constructor(readonly ordered: boolean) {}
}

/** A Python global (`module.name`) named by GLOBAL or STACK_GLOBAL: a name, never resolved to code. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Element types of torch's storage classes (`torch.FloatStorage` → `float32`). */
export type StorageDtype =
  'float16' | 'bfloat16' | 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';

/**
 * A storage named by a persistent id: its key in the file, element type and element count. The bytes
 * are attached by the file format's reader (a zip entry, or the legacy file's storage section).
 */
export class StorageRef {
  /** Raw bytes of the storage (`numel` × element size), set once the file's reader has found them. */
  bytes: Uint8Array | undefined;
  constructor(
    readonly key: string,
    readonly dtype: StorageDtype,
    readonly numel: number,
    /** Where the storage was named, for error messages. */
    readonly location: string,
  ) {}
}

/**
 * A tensor as torch's `_rebuild_tensor_v2` describes it: a view of a storage. Bounds are checked when the
 * state dict is assembled, once every storage's bytes are known.
 */
export class TensorRecord {
  constructor(
    readonly storage: StorageRef,
    /** Offset into the storage, in elements. */
    readonly storageOffset: number,
    readonly shape: readonly number[],
    /** Strides in elements. */
    readonly stride: readonly number[],
    /** Where the tensor was rebuilt, for error messages. */
    readonly location: string,
  ) {}
}

/** Anything the interpreter can put on its stack. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleFloat
  | PickleTuple
  | PickleList
  | PickleDict
  | PickleGlobal
  | StorageRef
  | TensorRecord;

/** A short description of a pickle value for error messages (`'list'`, `'tuple of 3'`, `'float'`). */
export function describePickleValue(value: PickleValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (value instanceof PickleFloat) return 'float';
  if (typeof value === 'string') return 'str';
  if (value instanceof PickleTuple) return `tuple of ${value.items.length}`;
  if (value instanceof PickleList) return 'list';
  if (value instanceof PickleDict) return value.ordered ? 'OrderedDict' : 'dict';
  if (value instanceof PickleGlobal) return `global ${value.qualifiedName}`;
  if (value instanceof StorageRef) return `storage ${value.key}`;
  return 'tensor';
}
