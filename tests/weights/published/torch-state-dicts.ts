import type * as tfl from '@tensorflow/tfjs-layers';
import type { TorchDtype, TorchStateDict, TorchTensor } from '../../../src/weights/torch/state-dict.js';
import type { StateDictMappingEntry } from '../../../src/weights/published/state-dict-mapping.js';

/** A state-dict tensor made in memory. */
export function torchTensor(
  shape: readonly number[],
  values: Float32Array,
  dtype: TorchDtype = 'float32',
): TorchTensor {
  return { dtype, shape, toFloat32: () => values.slice() };
}

/**
 * The state dict PyTorch would hold for a model's layers, written with explicit index loops from the
 * tfjs weights: conv [kh, kw, in, out] → [out, in, kh, kw]; transposed conv [kh, kw, out, in] →
 * [in, out, kh, kw]; dense [in, out] → [out, in]; BatchNorm gamma/beta/mean/variance →
 * weight/bias/running_mean/running_var (+ num_batches_tracked, an int64 scalar).
 */
export function stateDictFromModel(
  model: tfl.LayersModel,
  mapping: readonly StateDictMappingEntry[],
): Map<string, TorchTensor> {
  const dict = new Map<string, TorchTensor>();
  for (const { torch, layer, kind } of mapping) {
    const weights = model
      .getLayer(layer)
      .getWeights()
      .map((w) => ({ shape: w.shape, data: w.dataSync() as Float32Array }));
    if (kind === 'batch-norm') {
      ['weight', 'bias', 'running_mean', 'running_var'].forEach((suffix, i) =>
        dict.set(`${torch}.${suffix}`, torchTensor(weights[i].shape, weights[i].data)),
      );
      dict.set(`${torch}.num_batches_tracked`, torchTensor([], new Float32Array([100]), 'int64'));
      continue;
    }
    const [kernel, bias] = weights;
    if (kind === 'linear') {
      const [cin, cout] = kernel.shape;
      const out = new Float32Array(cin * cout);
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[o * cin + i] = kernel.data[i * cout + o];
      dict.set(`${torch}.weight`, torchTensor([cout, cin], out));
    } else {
      const [kh, kw, c2, c3] = kernel.shape;
      // conv: c2 = in, c3 = out → [out, in, kh, kw]; transposed: c2 = out, c3 = in → [in, out, kh, kw]. Both are [c3, c2, kh, kw].
      const out = new Float32Array(kernel.data.length);
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let a = 0; a < c2; a++)
            for (let b = 0; b < c3; b++) {
              out[((b * c2 + a) * kh + y) * kw + x] = kernel.data[((y * kw + x) * c2 + a) * c3 + b];
            }
      dict.set(`${torch}.weight`, torchTensor([c3, c2, kh, kw], out));
    }
    if (bias !== undefined) dict.set(`${torch}.bias`, torchTensor(bias.shape, bias.data));
  }
  return dict;
}

export type MutableStateDict = Map<string, TorchTensor> & TorchStateDict;
