import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZHANG_GAMUT } from '../../src/color/bins/gamut.js';
import { imageToLab, type ImageLike } from '../../src/color/image/image.js';
import { labPlanesToRgb } from '../../src/color/lab/lab.js';
import { ColorizeAbortError } from '../../src/colorize/colorize-abort.js';
import { createColorizer, type Colorizer } from '../../src/colorize/create-colorizer.js';
import { ColorizationError, ConfigError, InputError } from '../../src/errors.js';
import { buildZhangModel } from '../../src/models/zhang-eccv16.js';
import { maxAbsDiff } from '../backends.js';
import { grayPicture, tinyAbModel, tinyBinsModel, tinyTwoInputModel } from './tiny-models.js';

const W = 23,
  H = 17;
const gray: ImageLike = { data: grayPicture(W, H), width: W, height: H, channels: 1 };

/** Independent pipeline on cpu: tf.image.resizeBilinear (half-pixel centres) both ways, softmax decode by hand. */
function referenceAb(
  model: tfl.LayersModel,
  L: Float32Array,
  w: number,
  h: number,
  size: number,
  decode: (logits: tf.Tensor4D) => tf.Tensor4D,
): { a: Float32Array; b: Float32Array } {
  return tf.tidy(() => {
    const l = tf.tensor4d(L, [1, h, w, 1]);
    const input = tf.div(tf.sub(tf.image.resizeBilinear(l, [size, size], false, true), 50), 100);
    const ab = decode(model.predict(input) as tf.Tensor4D);
    const full = tf.image.resizeBilinear(ab, [h, w], false, true);
    const [a, b] = tf.split(full, 2, 3);
    return { a: a.dataSync() as Float32Array, b: b.dataSync() as Float32Array };
  });
}

const centres = () => tf.tensor2d(ZHANG_GAMUT.centres, [313, 2]);
const softmaxDecode = (temperature: number) => (logits: tf.Tensor4D) => {
  const [n, h, w, q] = logits.shape;
  return tf.reshape(tf.matMul(tf.reshape(tf.softmax(tf.div(logits, temperature)), [n * h * w, q]), centres()), [
    n,
    h,
    w,
    2,
  ]) as tf.Tensor4D;
};
const argmaxDecode = (logits: tf.Tensor4D) => {
  const [n, h, w, q] = logits.shape;
  return tf.reshape(tf.gather(centres(), tf.argMax(tf.reshape(logits, [n * h * w, q]), 1)), [
    n,
    h,
    w,
    2,
  ]) as tf.Tensor4D;
};

describe('createColorizer with a bins model (logits over 313 bins at 1/4 size)', () => {
  const model = tinyBinsModel();
  let colorizer: Colorizer;
  beforeAll(async () => {
    colorizer = await createColorizer({ model });
  });
  afterAll(() => {
    colorizer.dispose();
    model.dispose();
  });

  it('detects the kind, input size and colour output from the model', () => {
    expect(colorizer.layout).toEqual({
      kind: 'bins',
      localInputSize: { height: 16, width: 16 },
      globalInputSize: null,
      outputIndex: 0,
      acceptsHints: false,
    });
    expect(colorizer.inputSize).toEqual({ height: 16, width: 16 });
  });

  it('keeps L bit-identical at full resolution and matches an independent cpu pipeline (annealed mean, T = 0.38)', async () => {
    const L = imageToLab(gray).lightness;
    const result = await colorizer.colorize(gray, { returnLab: true });
    expect(result.rgb.width).toBe(W);
    expect(result.rgb.height).toBe(H);
    expect(result.rgb.channels).toBe(3);
    expect(result.lab!.lightness).toEqual(L);
    const ref = referenceAb(model, L, W, H, 16, softmaxDecode(0.38));
    expect(maxAbsDiff(result.lab!.a, ref.a)).toBeLessThan(1e-3);
    expect(maxAbsDiff(result.lab!.b, ref.b)).toBeLessThan(1e-3);
    expect(maxAbsDiff(result.rgb.data, labPlanesToRgb(L, ref.a, ref.b))).toBeLessThanOrEqual(1);
    // The model's colours are not gray: the test would not notice a lost ab otherwise.
    expect(Math.max(...ref.a.map(Math.abs), ...ref.b.map(Math.abs))).toBeGreaterThan(5);
  });

  it('decode "mode" gives the centres of the argmax bins, "mean" the T = 1 softmax mean, and annealed-mean at T = 1 equals mean', async () => {
    const L = imageToLab(gray).lightness;
    const mode = await colorizer.colorize(gray, { decode: 'mode', returnLab: true });
    const refMode = referenceAb(model, L, W, H, 16, argmaxDecode);
    expect(maxAbsDiff(mode.lab!.a, refMode.a)).toBeLessThan(1e-3);
    expect(maxAbsDiff(mode.lab!.b, refMode.b)).toBeLessThan(1e-3);
    const mean = await colorizer.colorize(gray, { decode: 'mean', returnLab: true });
    const refMean = referenceAb(model, L, W, H, 16, softmaxDecode(1));
    expect(maxAbsDiff(mean.lab!.a, refMean.a)).toBeLessThan(1e-3);
    const annealed1 = await colorizer.colorize(gray, { decode: 'annealed-mean', temperature: 1, returnLab: true });
    expect(maxAbsDiff(annealed1.lab!.a, mean.lab!.a)).toBeLessThan(1e-4);
    expect(maxAbsDiff(annealed1.lab!.b, mean.lab!.b)).toBeLessThan(1e-4);
    // The three decodings differ on this model (so the options are really passed through).
    expect(maxAbsDiff(mode.lab!.a, mean.lab!.a)).toBeGreaterThan(1);
  });

  it('samples: K full-resolution colorings that differ from each other, reproducible with the same seed', async () => {
    const first = await colorizer.colorize(gray, { samples: 3, seed: 11 });
    const again = await colorizer.colorize(gray, { samples: 3, seed: 11 });
    const other = await colorizer.colorize(gray, { samples: 3, seed: 12 });
    expect(first.samples).toHaveLength(3);
    for (const s of first.samples!) expect([s.width, s.height, s.channels]).toEqual([W, H, 3]);
    expect(maxAbsDiff(first.samples![0].data, first.samples![1].data)).toBeGreaterThan(0);
    expect(maxAbsDiff(first.samples![1].data, first.samples![2].data)).toBeGreaterThan(0);
    first.samples!.forEach((s, i) => expect(s.data).toEqual(again.samples![i].data));
    expect(maxAbsDiff(first.samples![0].data, other.samples![0].data)).toBeGreaterThan(0);
    expect(first.rgb.data).toEqual(other.rgb.data);
  });

  it('every input form of the same gray pixels gives the same colours', async () => {
    const bytes = gray.data as Uint8Array;
    const rgba = new Uint8ClampedArray(W * H * 4);
    const rgb = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) {
      rgba.set([bytes[i], bytes[i], bytes[i], 255], 4 * i);
      rgb.set([bytes[i], bytes[i], bytes[i]], 3 * i);
    }
    const reference = (await colorizer.colorize(gray)).rgb.data;
    const sameExactly = [
      ndarray(bytes, [H, W]),
      ndarray(Uint8Array.from(bytes), [H, W, 1]),
      tf.tensor3d(Int32Array.from(bytes), [H, W, 1], 'int32'),
      tf.tensor4d(Int32Array.from(bytes), [1, H, W, 1], 'int32'),
    ];
    for (const input of sameExactly) {
      expect((await colorizer.colorize(input)).rgb.data).toEqual(reference);
      if (input instanceof tf.Tensor) {
        expect(input.isDisposed).toBe(false);
        input.dispose();
      }
    }
    const colourForms = [
      { data: rgba, width: W, height: H },
      { data: rgb, width: W, height: H, channels: 3 as const },
      { data: Float32Array.from(rgb, (v) => v / 255), width: W, height: H, channels: 3 as const },
      ndarray(rgba, [H, W, 4]),
    ];
    for (const input of colourForms)
      expect(maxAbsDiff((await colorizer.colorize(input)).rgb.data, reference)).toBeLessThanOrEqual(1);
  });

  it('colour and sepia inputs are reduced to their lightness: two tints of one L plane colorize alike', async () => {
    // Mid-tone lightness, so both tints stay inside the sRGB gamut (no clipping changes L).
    const L = Float32Array.from(imageToLab(gray).lightness, (v) => 25 + 0.55 * v);
    const tinted = (a: number, b: number) => {
      const rgb01 = labPlanesToRgb(L, new Float32Array(L.length).fill(a), new Float32Array(L.length).fill(b), {
        format: 'float32',
      });
      return { data: rgb01, width: W, height: H, channels: 3 as const };
    };
    const sepia = await colorizer.colorize(tinted(4, 14), { returnLab: true });
    const cyan = await colorizer.colorize(tinted(-8, -6), { returnLab: true });
    expect(sepia.lab!.lightness).toEqual(imageToLab(tinted(4, 14)).lightness);
    expect(maxAbsDiff(sepia.lab!.lightness, L)).toBeLessThan(0.05);
    expect(maxAbsDiff(sepia.lab!.a, cyan.lab!.a)).toBeLessThan(0.05);
    expect(maxAbsDiff(sepia.rgb.data, cyan.rgb.data)).toBeLessThanOrEqual(1);
  });

  it('keeps L bit-identical for colour input converted in blocks (more pixels than one block)', async () => {
    const w = 300,
      h = 250;
    const rgba = new Uint8ClampedArray(w * h * 4).map((_, i) => (i * 37 + (i >> 9)) & 255);
    const picture = { data: rgba, width: w, height: h };
    const { lab } = await colorizer.colorize(picture, { returnLab: true });
    expect(lab!.lightness).toEqual(imageToLab({ ...picture, channels: 4 }).lightness);
  });

  it('RGBA output carries the input alpha (255 for inputs without alpha)', async () => {
    const rgba = new Uint8ClampedArray(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([10, 10, 10, i % 256], 4 * i);
    const out = await colorizer.colorize({ data: rgba, width: W, height: H }, { channels: 4 });
    expect(out.rgb.channels).toBe(4);
    for (let i = 0; i < W * H; i++) expect(out.rgb.data[4 * i + 3]).toBe(i % 256);
    const fromGray = await colorizer.colorize(gray, { channels: 4 });
    expect(fromGray.rgb.data.filter((_, i) => i % 4 === 3).every((v) => v === 255)).toBe(true);
  });

  it('letterbox: a wide picture keeps its full size, and a square one gives the same result as squash', async () => {
    const wide: ImageLike = { data: grayPicture(64, 16), width: 64, height: 16, channels: 1 };
    const letterboxed = await colorizer.colorize(wide, { fit: 'letterbox', returnLab: true });
    expect([letterboxed.rgb.width, letterboxed.rgb.height]).toEqual([64, 16]);
    expect(letterboxed.lab!.lightness).toEqual(imageToLab(wide).lightness);
    const squashed = await colorizer.colorize(wide);
    expect(maxAbsDiff(letterboxed.rgb.data, squashed.rgb.data)).toBeGreaterThan(0);
    const square: ImageLike = { data: grayPicture(32, 32), width: 32, height: 32, channels: 1 };
    expect((await colorizer.colorize(square, { fit: 'letterbox' })).rgb.data).toEqual(
      (await colorizer.colorize(square)).rgb.data,
    );
  });

  it('reports progress stages in order and stops with ColorizeAbortError when the signal aborts', async () => {
    const stages: string[] = [];
    await colorizer.colorize(gray, { onProgress: ({ stage }) => stages.push(stage) });
    expect(stages).toEqual(['prepare', 'predict', 'decode', 'recombine', 'done']);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = colorizer.colorize(gray, {
      signal: controller.signal,
      onProgress: ({ stage }) => stage === 'predict' && controller.abort('user'),
    });
    await expect(run).rejects.toBeInstanceOf(ColorizeAbortError);
    const aborted = new AbortController();
    aborted.abort();
    await expect(colorizer.colorize(gray, { signal: aborted.signal })).rejects.toBeInstanceOf(ColorizeAbortError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad inputs and options give typed errors naming the argument', async () => {
    await expect(colorizer.colorize(null as never)).rejects.toBeInstanceOf(InputError);
    await expect(
      colorizer.colorize({ data: new Uint8Array(8), width: 2, height: 2, channels: 2 as never }),
    ).rejects.toThrow(/channels/);
    await expect(
      colorizer.colorize({ data: new Uint8Array(3), width: 2, height: 2, channels: 1 }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(colorizer.colorize(tf.zeros([4, 4, 2]) as tf.Tensor3D)).rejects.toBeInstanceOf(InputError);
    await expect(colorizer.colorize(gray, { decode: 'median' as never })).rejects.toThrow(
      /decode: expected one of annealed-mean \| mode \| mean/,
    );
    await expect(colorizer.colorize(gray, { temperature: 0 })).rejects.toBeInstanceOf(ConfigError);
    await expect(colorizer.colorize(gray, { samples: 1.5 })).rejects.toBeInstanceOf(ConfigError);
    await expect(colorizer.colorize(gray, { fit: 'crop' as never })).rejects.toBeInstanceOf(ConfigError);
  });

  it('leaks no tensor across 100 colorize calls and a colorizeBatch run', async () => {
    const small: ImageLike = { data: grayPicture(12, 9), width: 12, height: 9, channels: 1 };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++)
      await colorizer.colorize(small, {
        decode: (['annealed-mean', 'mode', 'mean'] as const)[i % 3],
        samples: i % 10 === 0 ? 2 : 0,
      });
    expect(tf.memory().numTensors).toBe(before);
    let pulled = 0;
    async function* lazy() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield small;
      }
    }
    let taken = 0;
    for await (const result of colorizer.colorizeBatch(lazy())) {
      taken++;
      // One picture at a time: the next input is not decoded before this result is taken.
      expect(pulled).toBe(taken);
      expect(result.rgb.width).toBe(12);
    }
    expect(taken).toBe(5);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createColorizer with ab models', () => {
  it('a two-input [global, local] sigmoid model (Iizuka-shaped) gives ab = (2s − 1) · 110, the global input squashed', async () => {
    const model = tinyTwoInputModel();
    const colorizer = await createColorizer({ model });
    expect(colorizer.layout).toEqual({
      kind: 'ab-sigmoid',
      localInputSize: { height: 16, width: 16 },
      globalInputSize: { height: 8, width: 8 },
      outputIndex: 0,
      acceptsHints: false,
    });
    const picture: ImageLike = { data: grayPicture(16, 16, 2), width: 16, height: 16, channels: 1 };
    const L = imageToLab(picture).lightness;
    const result = await colorizer.colorize(picture, { returnLab: true });
    const ref = tf.tidy(() => {
      const l = tf.div(tf.sub(tf.tensor4d(L, [1, 16, 16, 1]), 50), 100) as tf.Tensor4D;
      // 16 → 8 is a 2× shrink: the box pre-filter averages 2 × 2 blocks, then bilinear at scale 1.
      const [s] = model.predict([tf.avgPool(l, 2, 2, 'valid'), l]) as tf.Tensor[];
      return tf.mul(tf.sub(tf.mul(s, 2), 1), 110).dataSync();
    });
    const interleaved = new Float32Array(2 * L.length);
    result.lab!.a.forEach((v, i) => (interleaved[2 * i] = v));
    result.lab!.b.forEach((v, i) => (interleaved[2 * i + 1] = v));
    expect(maxAbsDiff(interleaved, ref)).toBeLessThan(1e-3);
    await expect(colorizer.colorize(picture, { samples: 2 })).rejects.toThrow(
      /samples: expected 0 for a 'ab-sigmoid' model/,
    );
    colorizer.dispose();
    model.dispose();
  });

  it('an any-size tanh model runs at inputSize (default 256) and gives ab = 110 · output', async () => {
    const model = tinyAbModel();
    const withDefault = await createColorizer({ model });
    expect(withDefault.layout.kind).toBe('ab-tanh');
    expect(withDefault.inputSize).toEqual({ height: 256, width: 256 });
    withDefault.dispose();
    const colorizer = await createColorizer({ model, inputSize: 24 });
    const picture: ImageLike = { data: grayPicture(24, 24, 1), width: 24, height: 24, channels: 1 };
    const L = imageToLab(picture).lightness;
    const result = await colorizer.colorize(picture, { returnLab: true });
    const ref = tf.tidy(() =>
      tf.mul(model.predict(tf.div(tf.sub(tf.tensor4d(L, [1, 24, 24, 1]), 50), 100)) as tf.Tensor, 110).dataSync(),
    );
    expect(
      maxAbsDiff(
        result.lab!.a,
        ref.filter((_, i) => i % 2 === 0),
      ),
    ).toBeLessThan(1e-3);
    expect(
      maxAbsDiff(
        result.lab!.b,
        ref.filter((_, i) => i % 2 === 1),
      ),
    ).toBeLessThan(1e-3);
    colorizer.dispose();
    // Not disposed: the caller owns a model it passed in.
    expect(tf.tidy(() => (model.predict(tf.zeros([1, 8, 8, 1])) as tf.Tensor).shape)).toEqual([1, 8, 8, 2]);
    model.dispose();
  });
});

describe('createColorizer with BatchNorm folding', () => {
  it("runs a folded inference copy with the same colours, leaves the caller's model alone and frees the copy", async () => {
    const model = buildZhangModel({ inputSize: 32, widthMultiplier: 1 / 32, seed: 3 });
    // Non-trivial BatchNorm statistics, so the fold changes the kernels for real.
    let seed = 10;
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const weights = layer
        .getWeights()
        .map((w, i) =>
          i === 3
            ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed++)
            : tf.randomUniform(w.shape, -0.5, 1.5, 'float32', seed++),
        );
      layer.setWeights(weights);
      tf.dispose(weights);
    }
    const before = tf.memory().numTensors;
    const folded = await createColorizer({ model });
    const plain = await createColorizer({ model, foldBatchNorm: false });
    expect(folded.model).not.toBe(model);
    expect(plain.model).toBe(model);
    const picture: ImageLike = { data: grayPicture(40, 28), width: 40, height: 28, channels: 1 };
    const a = await folded.colorize(picture, { returnLab: true });
    const b = await plain.colorize(picture, { returnLab: true });
    expect(maxAbsDiff(a.lab!.a, b.lab!.a)).toBeLessThan(1e-2);
    expect(maxAbsDiff(a.lab!.b, b.lab!.b)).toBeLessThan(1e-2);
    expect(maxAbsDiff(a.rgb.data, b.rgb.data)).toBeLessThanOrEqual(1);
    folded.dispose();
    plain.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(model.layers[1].getWeights()[0].isDisposed).toBe(false);
    model.dispose();
    const other = tinyAbModel();
    await expect(createColorizer({ model: other, foldBatchNorm: 'yes' as never })).rejects.toThrow(
      /foldBatchNorm: expected one of true \| false/,
    );
    other.dispose();
  });
});

describe('createColorizer configuration errors', () => {
  it('throws ConfigError without a model while no bundled model is registered', async () => {
    await expect(createColorizer()).rejects.toThrow(/model: expected .*no bundled default model/);
    await expect(createColorizer({ model: 42 as never })).rejects.toBeInstanceOf(ConfigError);
  });

  it('rejects models that are not colorizers, conflicting sizes and kinds, and use after dispose', async () => {
    const ab = tinyAbModel({ size: 16 });
    await expect(createColorizer({ model: ab, inputSize: 32 })).rejects.toThrow(
      /inputSize: expected the model's fixed input size 16 × 16/,
    );
    await expect(createColorizer({ model: ab, modelKind: 'bins' })).rejects.toThrow(/modelKind/);
    const bins = tinyBinsModel({ bins: 10 });
    await expect(createColorizer({ model: bins })).rejects.toThrow(/model: expected an output of shape \[N, h, w, 2\]/);
    const colorizer = await createColorizer({ model: ab });
    colorizer.dispose();
    await expect(colorizer.colorize(gray)).rejects.toBeInstanceOf(ColorizationError);
    ab.dispose();
    bins.dispose();
  });

  it('a model that fails during prediction gives a ColorizationError naming the input size, and leaks nothing', async () => {
    const broken = tinyAbModel({ size: 16 });
    const colorizer = await createColorizer({ model: broken, foldBatchNorm: false });
    broken.predict = () => {
      throw new Error('boom');
    };
    const before = tf.memory().numTensors;
    await expect(colorizer.colorize(gray)).rejects.toThrow(
      /the model failed on a 16 × 16 input \(boom\); check inputSize/,
    );
    expect(tf.memory().numTensors).toBe(before);
    colorizer.dispose();
    broken.dispose();
  });

  it('loads in-memory model artifacts, owns that model and frees it on dispose', async () => {
    const source = tinyAbModel({ size: 16 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await source.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const before = tf.memory().numTensors;
    const colorizer = await createColorizer({ model: artifacts! });
    const expected = await createColorizer({ model: source });
    expect((await colorizer.colorize(gray)).rgb.data).toEqual((await expected.colorize(gray)).rgb.data);
    colorizer.dispose();
    expected.dispose();
    expect(tf.memory().numTensors).toBe(before);
    source.dispose();
  });
});
