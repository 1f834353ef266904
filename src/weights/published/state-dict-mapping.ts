/**
 * Loading a PyTorch state dict into a tfjs-layers model through a table of `PyTorch module → tfjs layer`,
 * checked key by key and shape by shape.
 *
 * Layout conversions (PyTorch is NCHW with `[out, in, kh, kw]` kernels, tfjs-layers NHWC):
 * - `Conv2d.weight` `[out, in, kh, kw]` → `Conv2D` (or `DilatedConv2D`) kernel `[kh, kw, in, out]`;
 * - `ConvTranspose2d.weight` `[in, out, kh, kw]` → `Conv2DTranspose` kernel `[kh, kw, out, in]` (both
 *   frameworks define the transposed conv as the input-gradient of the forward conv, so no flip);
 * - `Linear.weight` `[out, in]` → `Dense` kernel `[in, out]`;
 * - `BatchNorm2d` `weight, bias, running_mean, running_var` → gamma, beta, moving mean, moving variance
 *   (`num_batches_tracked` only counts training steps and is not needed for inference).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { WeightLayoutError } from '../../errors.js';
import type { TorchStateDict, TorchTensor } from '../torch/state-dict.js';

/**
 * The kind of PyTorch module a mapping entry reads.
 * @example const kind: TorchModuleKind = 'conv-transpose';
 */
export type TorchModuleKind = 'conv' | 'conv-transpose' | 'linear' | 'batch-norm';

/**
 * One row of a mapping: the PyTorch module's key prefix and the tfjs layer that receives its weights.
 * @example const entry: StateDictMappingEntry = { torch: 'model1.0', layer: 'conv1_1', kind: 'conv' };
 */
export interface StateDictMappingEntry {
  /** Key prefix of the module in the state dict (`'model1.0'` for `model1.0.weight`, `model1.0.bias`). */
  readonly torch: string;
  /** Name of the tfjs layer. */
  readonly layer: string;
  readonly kind: TorchModuleKind;
}

/** Options of {@link loadStateDictIntoModel}. @example const options: LoadStateDictOptions = { ignoreKey: (k) => k.startsWith('classifier.') }; */
export interface LoadStateDictOptions {
  /** Keys the caller reads itself or that do not matter; every other key must be consumed by the table. */
  ignoreKey?: (key: string) => boolean;
}

/** `[64, 1, 3, 3]` as text. @example shapeText([64, 1, 3, 3]); // '[64, 1, 3, 3]' */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The tensor under `key`, checked to exist, to be floating point and to have `shape`.
 * @throws WeightLayoutError naming the key, the expected shape and what was found.
 * @example const w = requireTensor(stateDict, 'model_out.weight', [2, 313, 1, 1]);
 */
export function requireTensor(dict: TorchStateDict, key: string, shape: readonly number[]): TorchTensor {
  const tensor = dict.get(key);
  if (tensor === undefined) throw new WeightLayoutError(key, `a tensor of shape ${shapeText(shape)}`, 'no such key');
  if (!['float16', 'bfloat16', 'float32', 'float64'].includes(tensor.dtype)) {
    throw new WeightLayoutError(
      key,
      `a floating-point tensor of shape ${shapeText(shape)}`,
      `a ${tensor.dtype} tensor`,
    );
  }
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new WeightLayoutError(key, `shape ${shapeText(shape)}`, `shape ${shapeText(tensor.shape)}`);
  }
  return tensor;
}

/** Reorder a row-major 4-D array: `out[perm applied]`, where output axis i is input axis `perm[i]`. */
function permute4d(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const s = perm.map((p) => inStrides[p]);
  const out = new Float32Array(values.length);
  let o = 0;
  for (let i0 = 0; i0 < outShape[0]; i0++) {
    for (let i1 = 0; i1 < outShape[1]; i1++) {
      for (let i2 = 0; i2 < outShape[2]; i2++) {
        const base = i0 * s[0] + i1 * s[1] + i2 * s[2];
        for (let i3 = 0; i3 < outShape[3]; i3++) out[o++] = values[base + i3 * s[3]];
      }
    }
  }
  return out;
}

function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/** The PyTorch shape of each tfjs weight of a layer of this kind, and the conversion to tfjs layout. */
function torchWeights(
  kind: TorchModuleKind,
  tfShapes: readonly (readonly number[])[],
): { suffix: string; shape: number[]; convert: (v: Float32Array) => Float32Array }[] {
  const identity = (v: Float32Array) => v;
  switch (kind) {
    case 'conv': {
      const [kh, kw, cin, cout] = tfShapes[0];
      const shape = [cout, cin, kh, kw];
      const rows = [{ suffix: 'weight', shape, convert: (v: Float32Array) => permute4d(v, shape, [2, 3, 1, 0]) }];
      return tfShapes.length > 1 ? [...rows, { suffix: 'bias', shape: [cout], convert: identity }] : rows;
    }
    case 'conv-transpose': {
      const [kh, kw, cout, cin] = tfShapes[0];
      const shape = [cin, cout, kh, kw];
      const rows = [{ suffix: 'weight', shape, convert: (v: Float32Array) => permute4d(v, shape, [2, 3, 1, 0]) }];
      return tfShapes.length > 1 ? [...rows, { suffix: 'bias', shape: [cout], convert: identity }] : rows;
    }
    case 'linear': {
      const [cin, cout] = tfShapes[0];
      const rows = [{ suffix: 'weight', shape: [cout, cin], convert: (v: Float32Array) => transpose2d(v, cout, cin) }];
      return tfShapes.length > 1 ? [...rows, { suffix: 'bias', shape: [cout], convert: identity }] : rows;
    }
    case 'batch-norm': {
      const c = tfShapes[0][0];
      return ['weight', 'bias', 'running_mean', 'running_var'].map((suffix) => ({
        suffix,
        shape: [c],
        convert: identity,
      }));
    }
  }
}

/**
 * Copy a state dict into a model's layers through a mapping table, after checking every key and shape.
 *
 * Nothing is written unless the whole table checks out. Then every key of the state dict must have been
 * read by the table, be a `num_batches_tracked` counter, or be ignored by `options.ignoreKey`.
 *
 * @param model  the tfjs-layers model (its weights are replaced).
 * @param dict  the state dict (`readTorchStateDict`).
 * @param mapping  the table; every weighted layer of the table must exist in `model`.
 * @param options  `ignoreKey`.
 * @throws WeightLayoutError naming the key, what was expected there and what was found.
 * @example
 * loadStateDictIntoModel(model, stateDict, [{ torch: 'model1.0', layer: 'conv1_1', kind: 'conv' }]);
 */
export function loadStateDictIntoModel(
  model: tfl.LayersModel,
  dict: TorchStateDict,
  mapping: readonly StateDictMappingEntry[],
  options: LoadStateDictOptions = {},
): void {
  const used = new Set<string>();
  const writes: { layer: tfl.layers.Layer; values: { data: Float32Array; shape: number[] }[] }[] = [];
  for (const entry of mapping) {
    const layer = model.getLayer(entry.layer);
    const tfShapes = layer.weights.map((w) => w.shape as number[]);
    const rows = torchWeights(entry.kind, tfShapes);
    const values = rows.map((row, i) => {
      const key = `${entry.torch}.${row.suffix}`;
      const tensor = requireTensor(dict, key, row.shape);
      used.add(key);
      return { data: row.convert(tensor.toFloat32()), shape: [...tfShapes[i]] };
    });
    if (entry.kind === 'batch-norm') used.add(`${entry.torch}.num_batches_tracked`);
    const withoutBias = entry.kind !== 'batch-norm' && tfShapes.length === 1;
    if (withoutBias && dict.has(`${entry.torch}.bias`))
      throw new WeightLayoutError(`${entry.torch}.bias`, `no bias (layer ${entry.layer} has none)`, 'a bias');
    writes.push({ layer, values });
  }
  for (const key of dict.keys()) {
    if (used.has(key) || key.endsWith('.num_batches_tracked') || options.ignoreKey?.(key)) continue;
    throw new WeightLayoutError(
      key,
      'no such key in this layout',
      `a tensor of shape ${shapeText(dict.get(key)?.shape ?? [])}`,
    );
  }
  for (const { layer, values } of writes) {
    const tensors = values.map((v) => tf.tensor(v.data, v.shape, 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}
