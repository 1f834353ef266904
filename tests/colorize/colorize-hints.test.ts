import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageToLab, type ImageLike } from '../../src/color/image/image.js';
import { createColorizer, type Colorizer } from '../../src/colorize/create-colorizer.js';
import { inspectColorizationModel } from '../../src/colorize/model-kind.js';
import { ZHANG_GAMUT } from '../../src/color/bins/gamut.js';
import { ConfigError, HintError } from '../../src/errors.js';
import { maxAbsDiff } from '../backends.js';
import { grayPicture, tinyAbModel, tinyHintModel } from './tiny-models.js';

const W = 23,
  H = 17;
const gray: ImageLike = { data: grayPicture(W, H), width: W, height: H, channels: 1 };
// scikit-image rgb2lab of #3a6ea5 (58, 110, 165).
const BLUE = { a: 0.46528894, b: -34.72052226 };

/**
 * The tiny hint model's prediction worked out independently on cpu: lightness resized with
 * tf.image.resizeBilinear (half-pixel centres), ab/110 = hint + (0.3, −0.2) · L', upsampled back the same way.
 */
function referenceAb(hintCells: number[], hint: { a: number; b: number }): { a: Float32Array; b: Float32Array } {
  const L = imageToLab(gray).lightness;
  return tf.tidy(() => {
    const small = tf.div(tf.sub(tf.image.resizeBilinear(tf.tensor4d(L, [1, H, W, 1]), [16, 16], false, true), 50), 100);
    const planes = new Float32Array(16 * 16 * 2);
    for (const cell of hintCells) planes.set([hint.a / 110, hint.b / 110], 2 * cell);
    const tint = tf.concat([tf.mul(small, 0.3), tf.mul(small, -0.2)], 3);
    const ab = tf.mul(tf.add(tint, tf.tensor4d(planes, [1, 16, 16, 2])), 110);
    const [a, b] = tf.split(tf.image.resizeBilinear(ab as tf.Tensor4D, [H, W], false, true), 2, 3);
    return { a: a.dataSync() as Float32Array, b: b.dataSync() as Float32Array };
  });
}

// Pixel (11, 8) of the 23 × 17 photo falls in cell (8, 8) of the 16 × 16 grid: floor(11.5·16/23) = floor(8.5·16/17) = 8.
const point = { x: 11, y: 8, color: '#3a6ea5' };
const square3 = [7, 8, 9].flatMap((row) => [7, 8, 9].map((col) => row * 16 + col));

describe('createColorizer with a hint-capable model', () => {
  const model = tinyHintModel();
  let colorizer: Colorizer;
  beforeAll(async () => {
    colorizer = await createColorizer({ model });
  });
  afterAll(() => {
    colorizer.dispose();
    model.dispose();
  });

  it('detects three inputs [lightness, hint_ab, hint_mask] as a hint-capable model', () => {
    expect(colorizer.layout).toEqual({
      kind: 'ab-tanh',
      localInputSize: { height: 16, width: 16 },
      globalInputSize: null,
      outputIndex: 0,
      acceptsHints: true,
    });
  });

  it('without hints feeds all-zero hint planes (matches the independent pipeline with no hint)', async () => {
    const { lab } = await colorizer.colorize(gray, { returnLab: true });
    const ref = referenceAb([], BLUE);
    expect(maxAbsDiff(lab!.a, ref.a)).toBeLessThan(1e-3);
    expect(maxAbsDiff(lab!.b, ref.b)).toBeLessThan(1e-3);
  });

  it('puts a point where it was placed: the planes match a hand-built 3 × 3 square at cell (8, 8)', async () => {
    const { lab } = await colorizer.colorize(gray, {
      hints: [point],
      hintPointSize: 3,
      returnLab: true,
      hintPropagation: false,
    });
    const ref = referenceAb(square3, BLUE);
    expect(maxAbsDiff(lab!.a, ref.a)).toBeLessThan(1e-3);
    expect(maxAbsDiff(lab!.b, ref.b)).toBeLessThan(1e-3);
    // At the point the colour is the hint's blue (plus the model's small lightness tint); far away it is not.
    const none = referenceAb([], BLUE);
    const at = 8 * W + 11,
      far = 1 * W + 1;
    expect(lab!.b[at] - none.b[at]).toBeCloseTo(BLUE.b, 3);
    expect(lab!.b[far] - none.b[far]).toBeCloseTo(0, 5);
  });

  it('a hint image painted at the same place gives the same planes as the point of one cell', async () => {
    // One painted pixel at (11, 8): it falls in cell (8, 8), the same cell as the point.
    const rgba = new Uint8ClampedArray(4 * W * H);
    rgba.set([58, 110, 165, 255], 4 * (8 * W + 11));
    const fromImage = await colorizer.colorize(gray, {
      hints: { image: { data: rgba, width: W, height: H, channels: 4 } },
      returnLab: true,
      hintPropagation: false,
    });
    const fromPoint = await colorizer.colorize(gray, {
      hints: [point],
      hintPointSize: 1,
      returnLab: true,
      hintPropagation: false,
    });
    expect(maxAbsDiff(fromImage.lab!.a, fromPoint.lab!.a)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fromImage.lab!.b, fromPoint.lab!.b)).toBeLessThan(1e-5);
    const ref = referenceAb([8 * 16 + 8], BLUE);
    expect(maxAbsDiff(fromPoint.lab!.b, ref.b)).toBeLessThan(1e-3);
  });

  it('rejects bad hints with a HintError naming the hint, and leaks no tensor either way', async () => {
    const before = tf.memory().numTensors;
    await expect(colorizer.colorize(gray, { hints: [point, { x: W, y: 0, color: '#000000' }] })).rejects.toThrow(
      HintError,
    );
    await expect(colorizer.colorize(gray, { hints: [point, { x: 0, y: 0, color: 'blue' }] })).rejects.toThrow(
      /^hints\[1\]\.color: expected/,
    );
    await colorizer.colorize(gray, { hints: [point], saturation: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('by default spreads the points so their colours hold where placed (propagateHints after the model)', async () => {
    const before = tf.memory().numTensors;
    const spread = await colorizer.colorize(gray, { hints: [point], hintPointSize: 3, returnLab: true });
    const modelOnly = referenceAb(square3, BLUE);
    const at = 8 * W + 11;
    // The model alone puts hint + its own tint there; the spreading removes the difference at the point.
    expect(Math.abs(modelOnly.b[at] - BLUE.b)).toBeGreaterThan(1);
    expect(spread.lab!.a[at]).toBeCloseTo(BLUE.a, 0);
    expect(spread.lab!.b[at]).toBeCloseTo(BLUE.b, 0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a bad hintPropagation with a ConfigError naming it (or its key)', async () => {
    await expect(colorizer.colorize(gray, { hints: [point], hintPropagation: 'yes' as never })).rejects.toThrow(
      /^hintPropagation: expected true, false or a PropagateHintsOptions object/,
    );
    await expect(colorizer.colorize(gray, { hints: [point], hintPropagation: { sigma: -1 } })).rejects.toThrow(
      /^sigma:/,
    );
  });

  it('the same points give the same result on cpu and wasm', async () => {
    const previous = tf.getBackend();
    const results: Uint8ClampedArray[] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const c = await createColorizer({ model: tinyHintModel() });
      results.push((await c.colorize(gray, { hints: [point, { x: 3, y: 14, color: [200, 40, 40] }] })).rgb.data);
      c.model.dispose();
      c.dispose();
    }
    await tf.setBackend(previous);
    expect(maxAbsDiff(results[0], results[1])).toBeLessThanOrEqual(1);
  });
});

describe('hints given to a model without hint inputs, and saturation', () => {
  const model = tinyAbModel();
  let colorizer: Colorizer;
  beforeAll(async () => {
    colorizer = await createColorizer({ model, inputSize: 16 });
  });
  afterAll(() => {
    colorizer.dispose();
    model.dispose();
  });

  it('a one-input model refuses hints with a ConfigError on `hints` (an empty list is no hint)', async () => {
    const error = await colorizer.colorize(gray, { hints: [point] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('hints');
    await expect(colorizer.colorize(gray, { hints: [] })).resolves.toBeDefined();
  });

  it('saturation multiplies the predicted ab (0 gives the gray photo) and is checked to lie in [0, 4]', async () => {
    const base = (await colorizer.colorize(gray, { returnLab: true })).lab!;
    const vivid = (await colorizer.colorize(gray, { returnLab: true, saturation: 1.5 })).lab!;
    const a15 = base.a.map((v) => v * 1.5);
    const b15 = base.b.map((v) => v * 1.5);
    expect(maxAbsDiff(vivid.a, a15)).toBeLessThan(1e-3);
    expect(maxAbsDiff(vivid.b, b15)).toBeLessThan(1e-3);
    expect(Math.max(...base.a.map(Math.abs))).toBeGreaterThan(1); // the model does predict colour
    const { rgb } = await colorizer.colorize(gray, { saturation: 0 });
    for (let i = 0; i < rgb.data.length; i += 3) {
      expect(Math.abs(rgb.data[i] - rgb.data[i + 1])).toBeLessThanOrEqual(1);
      expect(Math.abs(rgb.data[i + 1] - rgb.data[i + 2])).toBeLessThanOrEqual(1);
    }
    for (const bad of [-0.1, 4.5, Number.NaN, '2']) {
      await expect(colorizer.colorize(gray, { saturation: bad as number })).rejects.toThrow(
        /^saturation: expected a number in \[0, 4\]/,
      );
    }
  });
});

describe('inspectColorizationModel: hint-capable models', () => {
  it('refuses three inputs that are not [.., 1], [.., 2], [.., 1] at one size', () => {
    const a = tfl.input({ shape: [8, 8, 1] }),
      b = tfl.input({ shape: [8, 8, 1] }),
      c = tfl.input({ shape: [8, 8, 1] });
    const out = tfl.layers
      .conv2d({ filters: 2, kernelSize: 1 })
      .apply(tfl.layers.concatenate().apply([a, b, c]) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    const wrong = tfl.model({ inputs: [a, b, c], outputs: out });
    expect(() => inspectColorizationModel(wrong, { gamut: ZHANG_GAMUT })).toThrow(
      /input 1 \(hint_ab\) of shape \[null, 8, 8, 1\]/,
    );
    wrong.dispose();
  });
});
