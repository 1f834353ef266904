import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ZHANG_GAMUT, createGamut } from '../../src/color/bins/gamut.js';
import { cropToContent, fitLightness } from '../../src/colorize/fit-lightness.js';
import { inspectColorizationModel } from '../../src/colorize/model-kind.js';
import { createColorizer } from '../../src/colorize/create-colorizer.js';
import { ConfigError } from '../../src/errors.js';
import { buildBaselineModel } from '../../src/models/baseline.js';
import { buildIizukaModel } from '../../src/models/iizuka.js';
import { buildNazeriGenerator } from '../../src/models/nazeri-generator.js';
import { buildZhangModel } from '../../src/models/zhang-eccv16.js';
import { grayPicture, tinyBinsModel } from './tiny-models.js';

describe("inspectColorizationModel on the library's model families", () => {
  it('Zhang → bins at 1/4 size, Nazeri → ab-tanh, Iizuka → ab-sigmoid with [global, local], baseline ab/bins', () => {
    const zhang = buildZhangModel({ inputSize: 32, widthMultiplier: 1 / 32, seed: 1 });
    expect(inspectColorizationModel(zhang, { gamut: ZHANG_GAMUT })).toEqual({
      kind: 'bins',
      localInputSize: { height: 32, width: 32 },
      globalInputSize: null,
      outputIndex: 0,
      acceptsHints: false,
    });
    const nazeri = buildNazeriGenerator({ preset: 'cifar10', seed: 1 });
    expect(inspectColorizationModel(nazeri, { gamut: ZHANG_GAMUT }).kind).toBe('ab-tanh');
    const iizuka = buildIizukaModel({ globalInputSize: 32, widthMultiplier: 1 / 16, numClasses: 3, seed: 1 });
    expect(inspectColorizationModel(iizuka, { gamut: ZHANG_GAMUT })).toEqual({
      kind: 'ab-sigmoid',
      localInputSize: null,
      globalInputSize: { height: 32, width: 32 },
      outputIndex: 0,
      acceptsHints: false,
    });
    const backbone = {
      inputChannels: 1,
      inputSize: 32,
      classes: 4,
      widthMultiplier: 1 / 16,
      stem: 'small' as const,
      seed: 1,
    };
    const baselineAb = buildBaselineModel({ backbone, output: 'ab' });
    const baselineBins = buildBaselineModel({ backbone, output: 'bins' });
    expect(inspectColorizationModel(baselineAb, { gamut: ZHANG_GAMUT }).kind).toBe('ab-tanh');
    expect(inspectColorizationModel(baselineBins, { gamut: ZHANG_GAMUT }).kind).toBe('bins');
    // An explicit kind overrides detection when the output fits it.
    expect(inspectColorizationModel(baselineAb, { gamut: ZHANG_GAMUT, modelKind: 'ab-sigmoid' }).kind).toBe(
      'ab-sigmoid',
    );
    expect(() => inspectColorizationModel(baselineAb, { gamut: ZHANG_GAMUT, modelKind: 'sepia' as never })).toThrow(
      ConfigError,
    );
    for (const m of [zhang, nazeri, iizuka, baselineAb, baselineBins]) m.dispose();
  });

  it('a custom gamut makes an output with that many channels a bins model', async () => {
    const gamut = createGamut([0, 0, 10, 0, 0, 10, -10, 0, 0, -10], 10);
    const model = tinyBinsModel({ bins: 5 });
    const colorizer = await createColorizer({ model, gamut });
    expect(colorizer.layout.kind).toBe('bins');
    const { rgb } = await colorizer.colorize(
      { data: grayPicture(16, 16), width: 16, height: 16, channels: 1 },
      { decode: 'mode' },
    );
    expect(rgb.width).toBe(16);
    colorizer.dispose();
    model.dispose();
  });

  it('an Iizuka model with any-size local input runs end to end at the chosen inputSize', async () => {
    const iizuka = buildIizukaModel({ globalInputSize: 32, widthMultiplier: 1 / 16, numClasses: 3, seed: 1 });
    const colorizer = await createColorizer({ model: iizuka, inputSize: 32 });
    const before = tf.memory().numTensors;
    const { rgb } = await colorizer.colorize({ data: grayPicture(50, 30), width: 50, height: 30, channels: 1 });
    expect([rgb.width, rgb.height]).toEqual([50, 30]);
    expect(tf.memory().numTensors).toBe(before);
    colorizer.dispose();
    iizuka.dispose();
  });
});

describe('fitLightness and cropToContent', () => {
  it('letterbox centres the picture on 8-pixel steps, pads with edge pixels, and the crop maps back to output pixels', () => {
    const width = 60,
      height = 20;
    const L = Float32Array.from({ length: width * height }, (_, i) => (i % width) + 10);
    const fitted = fitLightness({ lightness: L, width, height }, { height: 32, width: 32 }, 'letterbox');
    // 60 × 20 scaled by 32/60 → 32 × 10.7, rounded to 8-pixel steps → 32 × 8, centred at y = 8.
    expect(fitted.content).toEqual({ x: 0, y: 8, width: 32, height: 8 });
    const row = (y: number) => Array.from(fitted.data.subarray(y * 32, y * 32 + 32));
    expect(row(0)).toEqual(row(8));
    expect(row(31)).toEqual(row(15));
    const squash = fitLightness({ lightness: L, width, height }, { height: 32, width: 32 }, 'squash');
    expect(squash.content).toEqual({ x: 0, y: 0, width: 32, height: 32 });
    expect(squash.data[0]).toBeCloseTo((L[0] * 0.5 + L[1] * 0.5 - 50) / 100, 1);
    // Output at 1/4: the content rows 8…15 become output rows 2…3.
    const ab = { data: Float32Array.from({ length: 8 * 8 * 2 }, (_, i) => i), width: 8, height: 8 };
    const cropped = cropToContent(ab, fitted);
    expect([cropped.width, cropped.height]).toEqual([8, 2]);
    expect(Array.from(cropped.data.subarray(0, 2))).toEqual([2 * 8 * 2, 2 * 8 * 2 + 1]);
    expect(cropToContent(ab, squash)).toBe(ab);
  });
});
