import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bundledModelDirectory, createNodeColorizer, imageToLab, readImageFile } from '../../../src/node/index.js';

// The pin is made by examples/default-model/export.ts when the model is exported (on wasm);
// here it is recomputed on the cpu backend from the shipped float16 files.
const FIXTURE = 'tests/fixtures/bundled-model';

describe('the bundled default model', () => {
  it('is found in the package and is at most 8 MB of weights', async () => {
    const { statSync, readdirSync } = await import('node:fs');
    const dir = bundledModelDirectory();
    const weights = readdirSync(dir)
      .filter((f) => f.endsWith('.bin'))
      .reduce((sum, f) => sum + statSync(`${dir}/${f}`).size, 0);
    expect(weights).toBeGreaterThan(1_000_000);
    expect(weights).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('loads without a model option and colorizes a known picture as stored at export, keeping its lightness', async () => {
    const before = tf.memory().numTensors;
    const input = await readImageFile(`${FIXTURE}/input.png`);
    const expected = await readImageFile(`${FIXTURE}/expected.png`);
    const colorizer = await createNodeColorizer({ backend: false });
    const { rgb, lab } = await colorizer.colorize(input, { returnLab: true });
    colorizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect([rgb.width, rgb.height]).toEqual([expected.width, expected.height]);
    let off = 0,
      worst = 0;
    for (let i = 0; i < rgb.data.length; i++) {
      const d = Math.abs(rgb.data[i] - expected.data[i]);
      worst = Math.max(worst, d);
      if (d > 1) off++;
    }
    // cpu here against wasm at export: float rounding may move a few values by one level.
    expect(off / rgb.data.length).toBeLessThan(0.01);
    expect(worst).toBeLessThanOrEqual(3);
    expect(Array.from(lab!.lightness)).toEqual(Array.from(imageToLab(input).lightness));
  });
});
