import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { COLORIZATION_METADATA_FORMAT, parseColorizationMetadata } from '../../src/colorize/colorization-metadata.js';
import { createColorizer } from '../../src/colorize/create-colorizer.js';
import { grayPicture, tinyBinsModel } from './tiny-models.js';

const base = { format: COLORIZATION_METADATA_FORMAT, version: 1 } as const;

describe('colorization.json metadata', () => {
  test('valid metadata is returned as it is; every bad field is a ConfigError naming it', () => {
    const full = {
      ...base,
      architecture: 'eccv16',
      decode: 'mean',
      temperature: 0.5,
      pipeline: 'zhang-demo',
      source: { file: 'a.pth', sha256: 'ab', licence: 'BSD-2-Clause' },
    };
    expect(parseColorizationMetadata(full)).toEqual(full);
    const cases: [unknown, RegExp][] = [
      [[], /^metadata: expected an object/],
      [{ ...base, format: 'other' }, /^metadata\.format: expected "tfjs-colorization\/colorization"/],
      [{ ...base, version: 2 }, /^metadata\.version: expected 1, received 2/],
      [{ ...base, decode: 'median' }, /^metadata\.decode: expected one of annealed-mean \| mode \| mean/],
      [{ ...base, temperature: 0 }, /^metadata\.temperature/],
      [{ ...base, pipeline: 'opencv' }, /^metadata\.pipeline: expected one of library \| zhang-demo/],
      [{ ...base, extra: 1 }, /^metadata\.extra: expected a known field/],
      [{ ...base, source: { file: 3 } }, /^metadata\.source\.file: expected a string/],
    ];
    for (const [value, message] of cases) {
      expect(() => parseColorizationMetadata(value)).toThrow(ConfigError);
      expect(() => parseColorizationMetadata(value)).toThrow(message);
    }
  });

  test("the metadata's decoding is every call's default, and a call's own option wins", async () => {
    const model = tinyBinsModel({ size: 32, seed: 4 });
    const picture = { data: grayPicture(40, 30, 2), width: 40, height: 30, channels: 1 as const };
    const plain = await createColorizer({ model });
    const withMetadata = await createColorizer({ model, metadata: { ...base, decode: 'mean' } });
    const mean = (await plain.colorize(picture, { decode: 'mean' })).rgb.data;
    const annealed = (await plain.colorize(picture)).rgb.data;
    expect(Array.from(mean)).not.toEqual(Array.from(annealed));
    expect(Array.from((await withMetadata.colorize(picture)).rgb.data)).toEqual(Array.from(mean));
    expect(Array.from((await withMetadata.colorize(picture, { decode: 'annealed-mean' })).rgb.data)).toEqual(
      Array.from(annealed),
    );
    plain.dispose();
    withMetadata.dispose();
    model.dispose();
  });

  test("'zhang-demo' changes how the picture meets the model; a bad pipeline is a ConfigError", async () => {
    const model = tinyBinsModel({ size: 32, seed: 4 });
    const picture = { data: grayPicture(70, 50, 3), width: 70, height: 50, channels: 1 as const };
    const library = await createColorizer({ model });
    const demo = await createColorizer({ model, metadata: { ...base, pipeline: 'zhang-demo' } });
    const a = (await library.colorize(picture)).rgb.data,
      b = (await demo.colorize(picture)).rgb.data;
    expect(b.length).toBe(a.length);
    expect(Array.from(b)).not.toEqual(Array.from(a));
    await expect(createColorizer({ model, pipeline: 'pil' as never })).rejects.toThrow(
      /pipeline: expected one of library \| zhang-demo/,
    );
    library.dispose();
    demo.dispose();
    model.dispose();
  });
});
