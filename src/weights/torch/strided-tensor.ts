/**
 * A tensor of a state dict: a strided view of a storage's bytes, checked against the storage when made,
 * converted to float32 when asked.
 */
import { WeightsFileError } from '../../errors.js';
import type { TensorRecord } from './pickle-value.js';
import { elementReader } from './storage-elements.js';
import type { TorchDtype, TorchTensor } from './torch-tensor.js';

/**
 * The most elements a tensor may have beyond its storage's own count. Only zero strides (a broadcast
 * view such as `x.expand(…)`) give a tensor more elements than its storage; a crafted file could declare
 * `[2^30, 2^30]` over 2 bytes and ask `toFloat32` for 4 EB. Above this, such views are refused.
 */
export const MAX_BROADCAST_ELEMENTS = 2 ** 24;

/** A {@link TorchTensor} over bytes read from the file. */
export class StridedTensor implements TorchTensor {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  private readonly numel: number;

  /**
   * @param record  the tensor's description from the pickle; its storage must hold its bytes.
   * @param key     the tensor's name in the state dict, for error messages.
   * @param littleEndian  the file's byte order.
   * @throws {WeightsFileError} when the view reaches past the storage, or declares too many elements.
   */
  constructor(
    private readonly record: TensorRecord,
    key: string,
    private readonly littleEndian: boolean,
  ) {
    const { storage, storageOffset, shape, stride } = record;
    this.dtype = storage.dtype;
    this.shape = shape;
    const where = `tensor '${key}' (${record.location})`;
    if (storage.bytes === undefined) {
      throw new WeightsFileError(
        'corrupt',
        `no bytes for storage ${storage.key}`,
        where,
        'The file does not hold a storage its pickle names.',
      );
    }
    let numel = 1;
    let lastIndex = storageOffset;
    for (let d = 0; d < shape.length; d++) {
      numel *= shape[d];
      if (shape[d] > 0) lastIndex += (shape[d] - 1) * stride[d];
    }
    if (!Number.isSafeInteger(numel) || (numel > storage.numel && numel > MAX_BROADCAST_ELEMENTS)) {
      throw new WeightsFileError(
        'too-large',
        `shape [${shape.join(', ')}] (${Number.isSafeInteger(numel) ? numel : 'over 2^53'} elements) over a storage of ${storage.numel}`,
        where,
        `A tensor may exceed its storage's element count only as a broadcast view of at most ${MAX_BROADCAST_ELEMENTS} elements.`,
      );
    }
    if (numel > 0 && (!Number.isSafeInteger(lastIndex) || lastIndex >= storage.numel)) {
      throw new WeightsFileError(
        'corrupt',
        `offset ${storageOffset}, shape [${shape.join(', ')}], stride [${stride.join(', ')}] reaching element ${lastIndex}`,
        `${where}, storage ${storage.key} of ${storage.numel} elements`,
        'The tensor reaches past the end of its storage: the file is corrupt.',
      );
    }
    this.numel = numel;
  }

  /** Values in row-major order of `shape` (strides and offset applied), converted to float32. */
  toFloat32(): Float32Array {
    const { storage, storageOffset, shape, stride } = this.record;
    const bytes = storage.bytes as Uint8Array;
    const out = new Float32Array(this.numel);
    if (this.numel === 0) return out;
    if (this.dtype === 'float32' && this.littleEndian && isContiguous(shape, stride)) {
      // The common case: one copy (slice also realigns the bytes for the Float32Array).
      const start = storageOffset * 4;
      out.set(new Float32Array(bytes.slice(start, start + this.numel * 4).buffer));
      return out;
    }
    const read = elementReader(bytes, this.dtype, this.littleEndian);
    const rank = shape.length;
    const index = new Array<number>(rank).fill(0);
    let position = storageOffset;
    for (let i = 0; i < this.numel; i++) {
      out[i] = read(position);
      // Advance the multi-index in row-major order, moving `position` by the strides.
      for (let d = rank - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) {
          position += stride[d];
          break;
        }
        position -= (shape[d] - 1) * stride[d];
        index[d] = 0;
      }
    }
    return out;
  }
}

/** Whether `stride` is the row-major stride of `shape` (dimensions of size 1 may have any stride). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}
