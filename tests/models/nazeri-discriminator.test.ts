import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildNazeriDiscriminator } from '../../src/models/nazeri-discriminator.js';

const TINY_DISCRIMINATOR = { inputSize: 16, channels: [8, 16] };

const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout; // kernel + bias
const bn = (c: number): number => 4 * c; // γ, β (trainable) + moving mean, moving variance

describe('buildNazeriDiscriminator', () => {
  it('discriminator has 2,768,321 parameters for both presets; patch logits 4×4 (cifar10) and 32×32 (places365)', () => {
    // (1 + 2) → 64 (no BN), 64 → 128, 128 → 256, 256 → 512 (s1), 512 → 1 logit
    const expected = conv(4, 3, 64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) + conv(4, 256, 512) + bn(512) + conv(4, 512, 1);
    expect(expected).toBe(2_768_321);
    for (const [preset, side] of [['cifar10', 4], ['places365', 32]] as const) {
      const d = buildNazeriDiscriminator({ preset });
      expect(d.countParams()).toBe(expected);
      expect(d.outputs[0].shape).toEqual([null, side, side, 1]);
      d.dispose();
    }
  });

  it('scores S/2^(k−1) × S/2^(k−1) patches of the (lightness, ab) pair for several sizes', () => {
    for (const inputSize of [8, 16, 24]) {
      const d = buildNazeriDiscriminator({ ...TINY_DISCRIMINATOR, inputSize, seed: 2 });
      const l = tf.zeros([2, inputSize, inputSize, 1]);
      const ab = tf.zeros([2, inputSize, inputSize, 2]);
      const logits = d.predict([l, ab]) as tf.Tensor;
      expect(logits.shape).toEqual([2, inputSize / 2, inputSize / 2, 1]);
      tf.dispose([l, ab, logits]);
      d.dispose();
    }
    const three = buildNazeriDiscriminator({ inputSize: 64, channels: [4, 8, 16, 32] });
    expect(three.outputs[0].shape).toEqual([null, 8, 8, 1]);
    three.dispose();
  });

  it('has stable layer names, BatchNorm on every layer but the first, and logits without activation', () => {
    const d = buildNazeriDiscriminator(TINY_DISCRIMINATOR);
    expect(d.name).toBe('nazeri_discriminator');
    expect(d.layers.map((l) => l.name)).toEqual(['dis_lightness', 'dis_ab', 'dis_concat', 'dis_conv0', 'dis_lrelu0', 'dis_conv1', 'dis_bn1', 'dis_lrelu1', 'dis_logits']);
    expect(d.getLayer('dis_logits').getConfig().activation).toBe('linear');
    d.dispose();
  });

  it('rejects unknown presets, sizes not divisible by 2^(k−1) and bad channel lists with ConfigErrors naming the key', () => {
    expect(() => buildNazeriDiscriminator({ preset: 'imagenet' as never })).toThrow(ConfigError);
    expect(() => buildNazeriDiscriminator({ inputSize: 12 })).toThrow(/inputSize: expected a multiple of 8/);
    expect(() => buildNazeriDiscriminator({ preset: 'imagenet' as never })).toThrow(/preset: expected one of cifar10 \| places365/);
    expect(() => buildNazeriDiscriminator({ channels: [] })).toThrow(/channels: expected an array of at least 1 positive integers/);
  });
});
