/**
 * The PyTorch state dict as this library sees it: a map from parameter names to read-only tensors.
 * The reader lives in the files beside this one; this file holds the shared types and the entry point.
 */
import { WeightsFileError } from '../../errors.js';

/**
 * Element type of a stored PyTorch tensor, named as numpy names it (`torch.float32` → `'float32'`).
 */
export type TorchDtype =
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool';

/**
 * One tensor of a state dict, read from the file without tfjs.
 *
 * @example
 * const w = stateDict.get('model1.0.weight')!;   // dtype 'float32', shape [64, 1, 3, 3]
 * const values = w.toFloat32();                    // length 576, row-major (C order)
 */
export interface TorchTensor {
  /** The element type the file stores. */
  readonly dtype: TorchDtype;
  /** The tensor's shape (`[]` for a scalar such as `num_batches_tracked`). */
  readonly shape: readonly number[];
  /** Values in row-major order of `shape` (strides/offsets already applied), converted to float32. */
  toFloat32(): Float32Array;
}

/**
 * A state dict: parameter and buffer names (`'model1.0.weight'`, `'model1.4.running_mean'`) to tensors,
 * in the file's order.
 */
export type TorchStateDict = ReadonlyMap<string, TorchTensor>;

/**
 * Read a PyTorch state-dict file (`torch.save(model.state_dict(), path)`) without running its pickle.
 *
 * @param bytes the whole file: the zip format (torch ≥ 1.6) or the legacy format.
 * @returns the tensors by name, in the file's order.
 * @throws {WeightsFileError} for anything that is not a plain state dict.
 * @example
 * const stateDict = readTorchStateDict(new Uint8Array(await (await fetch('/eccv16.pth')).arrayBuffer()));
 */
export function readTorchStateDict(bytes: Uint8Array): TorchStateDict {
  throw new WeightsFileError('corrupt', `${bytes.length} bytes`, 'whole file', 'The reader is not implemented yet.');
}
