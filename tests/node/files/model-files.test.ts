import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIizukaModel } from '../../../src/models/iizuka.js';
import { ConfigError } from '../../../src/errors.js';
import {
  FLOAT16_MAX,
  ModelFileError,
  float16Bits,
  loadModelFiles,
  readModelArtifacts,
  saveModelFiles,
} from '../../../src/node/files/model-files.js';
import { maxAbsDiff } from '../../backends.js';
import { tinyBinsModel } from '../../colorize/tiny-models.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('float16Bits', () => {
  it('gives the IEEE binary16 bits of hand-checked values, rounding to nearest even', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0.1)).toBe(0x2e66);
    expect(float16Bits(1 / 3)).toBe(0x3555);
    expect(float16Bits(FLOAT16_MAX)).toBe(0x7bff);
    expect(float16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float16Bits(2 ** -26)).toBe(0x0000); // below half the smallest subnormal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even mantissa (up)
    expect(float16Bits(65520)).toBe(0x7c00); // rounds past the largest finite → ∞
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });
});

describe('saveModelFiles / loadModelFiles', () => {
  it('round-trips a model exactly with float32 weights, from a folder, its model.json or a file: URL', async () => {
    const model = tinyBinsModel({ size: 16, bins: 313 });
    const target = join(dir, 'f32');
    const saved = await saveModelFiles(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', saved.weightsPath.split('/').pop()].sort());
    expect(saved.weightBytes).toBe(model.countParams() * 4);
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 1);
    for (const location of [target, join(target, 'model.json'), pathToFileURL(target)]) {
      const loaded = await loadModelFiles(location);
      weightsOf(loaded).forEach((w, i) => expect(w).toEqual(weightsOf(model)[i]));
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      expect(b.dataSync()).toEqual(a.dataSync());
      tf.dispose([a, b]);
      loaded.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('stores float16 weights in half the bytes and loads them within half a float16 step', async () => {
    const model = tinyBinsModel({ size: 16 });
    const f32 = await saveModelFiles(model, join(dir, 'a32'));
    const f16 = await saveModelFiles(model, join(dir, 'a16'), { weights: 'float16' });
    expect(f16.weightBytes).toBe(f32.weightBytes / 2);
    expect((await stat(f16.weightsPath)).size).toBe(f16.weightBytes);
    const loaded = await loadModelFiles(join(dir, 'a16'));
    const original = weightsOf(model);
    weightsOf(loaded).forEach((w, i) => {
      expect(w.length).toBe(original[i].length);
      for (let j = 0; j < w.length; j++)
        expect(Math.abs(w[j] - original[i][j])).toBeLessThanOrEqual(Math.abs(original[i][j]) * 2 ** -11 + 2 ** -25);
    });
    expect(maxAbsDiff(weightsOf(loaded)[0], original[0])).toBeGreaterThan(0);
    loaded.dispose();
    model.dispose();
  });

  it("loads models with the library's custom layers (Iizuka fusion) and keeps outputs", async () => {
    const model = buildIizukaModel({
      globalInputSize: 32,
      localInputSize: 16,
      widthMultiplier: 1 / 16,
      numClasses: 3,
      seed: 1,
    });
    await saveModelFiles(model, join(dir, 'iizuka'));
    const loaded = await loadModelFiles(join(dir, 'iizuka'));
    const inputs = [
      tf.randomUniform([1, 32, 32, 1], -0.5, 0.5, 'float32', 2),
      tf.randomUniform([1, 16, 16, 1], -0.5, 0.5, 'float32', 3),
    ];
    const a = model.predict(inputs) as tf.Tensor[];
    const b = loaded.predict(inputs) as tf.Tensor[];
    expect(b[0].dataSync()).toEqual(a[0].dataSync());
    tf.dispose([...inputs, ...a, ...b]);
    loaded.dispose();
    model.dispose();
  });

  it('saving over a model replaces the pair and removes the old weights file, leaving no temporary file', async () => {
    const target = join(dir, 'replace');
    const first = tinyBinsModel({ seed: 1 });
    const second = tinyBinsModel({ seed: 9 });
    const a = await saveModelFiles(first, target);
    const b = await saveModelFiles(second, target);
    expect(a.weightsPath).not.toBe(b.weightsPath);
    expect((await readdir(target)).sort()).toEqual(['model.json', b.weightsPath.split('/').pop()].sort());
    const loaded = await loadModelFiles(target);
    weightsOf(loaded).forEach((w, i) => expect(w).toEqual(weightsOf(second)[i]));
    first.dispose();
    second.dispose();
    loaded.dispose();
  });

  it('throws ModelFileError for a missing folder, broken JSON, a non-model JSON and short weights', async () => {
    await expect(loadModelFiles(join(dir, 'nope'))).rejects.toBeInstanceOf(ModelFileError);
    const broken = join(dir, 'broken');
    const model = tinyBinsModel();
    const saved = await saveModelFiles(model, broken);
    model.dispose();
    const json = await readFile(saved.modelPath, 'utf8');
    await writeFile(saved.weightsPath, (await readFile(saved.weightsPath)).subarray(0, 100));
    await expect(loadModelFiles(broken)).rejects.toThrow(/weights hold 100 bytes, the manifest needs/);
    await writeFile(saved.modelPath, '{"hello": 1}');
    await expect(readModelArtifacts(broken)).rejects.toThrow(/no modelTopology/);
    await writeFile(saved.modelPath, json.slice(0, 50));
    await expect(loadModelFiles(broken)).rejects.toThrow(/not valid JSON/);
  });

  it('rejects an unknown weight storage and weights outside the float16 range with ConfigError', async () => {
    const model = tinyBinsModel();
    await expect(saveModelFiles(model, join(dir, 'x'), { weights: 'int8' as never })).rejects.toBeInstanceOf(
      ConfigError,
    );
    const huge = model.layers[1].getWeights().map((w) => tf.fill(w.shape, 1e6));
    model.layers[1].setWeights(huge);
    tf.dispose(huge);
    await expect(saveModelFiles(model, join(dir, 'big'), { weights: 'float16' })).rejects.toThrow(
      /weights: expected 'float32'/,
    );
    model.dispose();
  });
});
