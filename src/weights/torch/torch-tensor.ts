/**
 * The types of a PyTorch state dict as this library sees it: element types, one read-only tensor, the map.
 * Re-exported by state-dict.ts, the module users and the layout mappers import them from.
 */

/**
 * Element type of a stored PyTorch tensor, named as numpy names it (`torch.float32` → `'float32'`).
 *
 * @example
 * const dtype: TorchDtype = stateDict.get('bn.num_batches_tracked')!.dtype;   // 'int64'
 */
export type TorchDtype =
  'float16' | 'bfloat16' | 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool';

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
  /**
   * Values in row-major order of `shape` (strides/offsets already applied), converted to float32
   * (rounded to nearest for float64 and large int64 values; bool as 0 / 1). A new array on every call.
   */
  toFloat32(): Float32Array;
}

/**
 * A state dict: parameter and buffer names (`'model1.0.weight'`, `'model1.4.running_mean'`) to tensors,
 * in the file's order.
 *
 * @example
 * for (const [name, tensor] of stateDict) console.log(name, tensor.dtype, tensor.shape);
 */
export type TorchStateDict = ReadonlyMap<string, TorchTensor>;
