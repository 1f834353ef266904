/**
 * Bilinear resizing with half-pixel centres whose gradient is right on every backend.
 *
 * `tf.image.resizeBilinear(x, size, false, true)` computes the half-pixel-centre resize
 * (the convention of PyTorch `interpolate(mode='bilinear', align_corners=False)` and of TensorFlow 2),
 * but the `ResizeBilinearGrad` kernels of the cpu and wasm backends in tfjs 4.22 ignore
 * `halfPixelCenters` and back-propagate through the legacy top-left-aligned grid instead, so a model that upsamples its
 * features this way trains on a gradient shifted by half an input pixel. The forward pass here is
 * the native kernel; the backward pass is the exact transpose of the same linear map, applied as two
 * small matrix products (one per spatial axis), which every backend differentiates correctly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertInRange, assertRank } from '../validate.js';

/**
 * The `[outSize, inSize]` matrix of 1-D linear interpolation with half-pixel centres: output sample
 * `i` reads the input at `(i + 0.5) · inSize / outSize − 0.5`, clamped to the edge pixels, which is
 * how tfjs's kernels and TensorFlow's `ResizeBilinear(half_pixel_centers=True)` compute it.
 */
function interpolationMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const source = Math.max(0, (i + 0.5) * scale - 0.5);
    const low = Math.min(Math.floor(source), inSize - 1);
    const high = Math.min(low + 1, inSize - 1);
    const frac = source - low;
    m[i * inSize + low] += 1 - frac;
    m[i * inSize + high] += frac;
  }
  return m;
}

/**
 * Resize a batch of feature maps bilinearly with half-pixel centres, differentiable on every backend.
 *
 * @param x     `[N, H, W, C]` float32 feature maps (any values).
 * @param size  `[outHeight, outWidth]`, positive integers (up- or downsampling).
 * @returns `[N, outHeight, outWidth, C]`; caller owns it. Equal to
 *   `tf.image.resizeBilinear(x, size, false, true)`; its gradient is the transpose of that map.
 * @example
 * const up = resizeBilinearHalfPixel(features, [64, 64]);  // e.g. [1, 16, 16, 2] → [1, 64, 64, 2]
 */
export function resizeBilinearHalfPixel(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  assertRank('x', x, 4);
  assertInRange('size[0]', size[0], 1, Infinity, { integer: true });
  assertInRange('size[1]', size[1], 1, Infinity, { integer: true });
  const [n, inH, inW, c] = x.shape;
  const [outH, outW] = size;
  if (inH === outH && inW === outW) return tf.clone(x);
  const resize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([]);
    return {
      value: tf.image.resizeBilinear(input as tf.Tensor4D, [outH, outW], false, true),
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => {
          // dx = Aᵀ_h · dy · A_w, one axis at a time; A is small (out × in), so the dense product is cheap.
          const heightT = tf.expandDims(tf.transpose(tf.tensor2d(interpolationMatrix(inH, outH), [outH, inH])), 0) as tf.Tensor3D;
          const widthT = tf.expandDims(tf.transpose(tf.tensor2d(interpolationMatrix(inW, outW), [outW, inW])), 0) as tf.Tensor3D;
          const alongH = tf.matMul(heightT, tf.reshape(dy, [n, outH, outW * c]) as tf.Tensor3D);
          const alongW = tf.matMul(widthT, tf.reshape(alongH, [n * inH, outW, c]) as tf.Tensor3D);
          return tf.reshape(alongW, [n, inH, inW, c]);
        }),
    };
  });
  return resize(x) as tf.Tensor4D;
}
