/**
 * The storages a state-dict pickle names, one per key, shared by every tensor that views them.
 */
import { WeightsFileError } from '../../errors.js';
import { StorageRef, type StorageDtype } from './pickle-value.js';

/** Bytes per element of each storage type. */
export const STORAGE_ELEMENT_BYTES: { readonly [dtype in StorageDtype]: number } = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

/** A storage that is a slice of another (the legacy format's `view_metadata`, written by torch < 1.0). */
interface StorageView {
  readonly view: StorageRef;
  readonly root: StorageRef;
  /** Offset into the root, in elements. */
  readonly offset: number;
}

/**
 * Storages by key. The same key always gives the same {@link StorageRef}, so tensors that share a storage
 * in PyTorch share it here; a key named twice with another type or size is refused as corrupt.
 */
export class StorageTable {
  private readonly byKey = new Map<string, StorageRef>();
  private readonly views: StorageView[] = [];

  /** The storage `key` of `numel` elements of `dtype`, named at `where`. */
  get(key: string, dtype: StorageDtype, numel: number, where: string): StorageRef {
    const known = this.byKey.get(key);
    if (known) {
      if (known.dtype !== dtype || known.numel !== numel) {
        throw new WeightsFileError(
          'corrupt',
          `storage ${key} named as ${numel} × ${dtype} and as ${known.numel} × ${known.dtype}`,
          where,
          'One storage cannot have two types or sizes: the file is corrupt.',
        );
      }
      return known;
    }
    const ref = new StorageRef(key, dtype, numel, where);
    this.byKey.set(key, ref);
    return ref;
  }

  /** A storage `viewKey` of `numel` elements starting `offset` elements into `root`. */
  view(root: StorageRef, viewKey: string, offset: number, numel: number, where: string): StorageRef {
    const known = this.byKey.get(viewKey);
    if (known) return this.get(viewKey, root.dtype, numel, where);
    if (offset + numel > root.numel) {
      throw new WeightsFileError(
        'corrupt',
        `storage view ${viewKey} of elements ${offset}…${offset + numel} in storage ${root.key} of ${root.numel}`,
        where,
        'A storage view reaches past its root storage: the file is corrupt.',
      );
    }
    const view = this.get(viewKey, root.dtype, numel, where);
    this.views.push({ view, root, offset });
    return view;
  }

  /** Every storage named so far that is not a view (those hold bytes in the file), in naming order. */
  roots(): StorageRef[] {
    const viewed = new Set(this.views.map((v) => v.view));
    return [...this.byKey.values()].filter((ref) => !viewed.has(ref));
  }

  /** Give every view its bytes from its root's; call once every root has its bytes. */
  resolveViews(): void {
    for (const { view, root, offset } of this.views) {
      const size = STORAGE_ELEMENT_BYTES[root.dtype];
      view.bytes = root.bytes?.subarray(offset * size, (offset + view.numel) * size);
    }
  }
}
