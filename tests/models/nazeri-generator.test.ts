import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { buildNazeriGenerator, resolveNazeriGeneratorConfig } from '../../src/models/nazeri-generator.js';
import { NAZERI_PRESET_TABLES } from '../../src/models/nazeri-presets.js';

// A narrow U-Net for the tests that run the network on the cpu backend: two halvings.
const TINY_GENERATOR = { inputSize: 16, encoderChannels: [8, 16, 32], decoderChannels: [16, 8], dropoutBlocks: 0 };

const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout; // kernel + bias
const bn = (c: number): number => 4 * c; // γ, β (trainable) + moving mean, moving variance

describe('buildNazeriGenerator', () => {
  it('presets follow the released layer tables (stride-1 first encoder layer, dropout only in cifar10)', () => {
    expect(NAZERI_PRESET_TABLES.cifar10).toEqual({
      inputSize: 32,
      encoderChannels: [64, 128, 256, 512, 512],
      decoderChannels: [512, 256, 128, 64],
      dropoutBlocks: 2,
      discriminatorChannels: [64, 128, 256, 512],
    });
    expect(NAZERI_PRESET_TABLES.places365.encoderChannels).toEqual([64, 64, 128, 256, 512, 512, 512, 512]);
    expect(NAZERI_PRESET_TABLES.places365.decoderChannels).toEqual([512, 512, 512, 256, 128, 64, 64]);
    expect(NAZERI_PRESET_TABLES.places365.dropoutBlocks).toBe(0);
  });

  it('cifar10 generator has 16,659,586 parameters (16,654,722 trainable), summed by hand from the table', () => {
    // encoder: 1→64 (s1), 64→128, 128→256, 256→512, 512→512, each conv + BN
    const encoder = conv(4, 1, 64) + bn(64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) + conv(4, 256, 512) + bn(512) + conv(4, 512, 512) + bn(512);
    // decoder inputs grow by the concatenated skip: 512 → 512; (512+512) → 256; (256+256) → 128; (128+128) → 64
    const decoder = conv(4, 512, 512) + bn(512) + conv(4, 1024, 256) + bn(256) + conv(4, 512, 128) + bn(128) + conv(4, 256, 64) + bn(64);
    const output = conv(1, 64 + 64, 2);
    expect(encoder + decoder + output).toBe(16_659_586);
    const g = buildNazeriGenerator({ preset: 'cifar10' });
    expect(g.countParams()).toBe(16_659_586);
    expect(g.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b as number), 1), 0)).toBe(16_659_586 - (64 + 128 + 256 + 512 + 512 + 512 + 256 + 128 + 64) * 2);
    expect(g.outputs[0].shape).toEqual([null, 32, 32, 2]);
    g.dispose();
  });

  it('places365 generator has 42,032,898 parameters, summed by hand from the table', () => {
    const encoder =
      conv(4, 1, 64) + bn(64) + conv(4, 64, 64) + bn(64) + conv(4, 64, 128) + bn(128) + conv(4, 128, 256) + bn(256) +
      conv(4, 256, 512) + bn(512) + conv(4, 512, 512) + bn(512) + conv(4, 512, 512) + bn(512) + conv(4, 512, 512) + bn(512);
    // decoder j meets encoder layer 6 − j: inputs 512, 1024, 1024, 1024, 512, 256, 128
    const decoder =
      conv(4, 512, 512) + bn(512) + conv(4, 1024, 512) + bn(512) + conv(4, 1024, 512) + bn(512) + conv(4, 1024, 256) + bn(256) +
      conv(4, 512, 128) + bn(128) + conv(4, 256, 64) + bn(64) + conv(4, 128, 64) + bn(64);
    const output = conv(1, 64 + 64, 2);
    expect(encoder + decoder + output).toBe(42_032_898);
    const g = buildNazeriGenerator({ preset: 'places365' });
    expect(g.countParams()).toBe(42_032_898);
    expect(g.outputs[0].shape).toEqual([null, 256, 256, 2]);
    g.dispose();
  });

  it('output is S×S×2 in (−1, 1) for several input sizes', () => {
    for (const inputSize of [8, 16, 24]) {
      const g = buildNazeriGenerator({ ...TINY_GENERATOR, inputSize, seed: 1 });
      const l = tf.randomUniform([2, inputSize, inputSize, 1], -0.5, 0.5, 'float32', 5);
      const ab = g.predict(l) as tf.Tensor;
      expect(ab.shape).toEqual([2, inputSize, inputSize, 2]);
      expect(ab.dataSync().every((v) => v > -1 && v < 1)).toBe(true); // tanh
      tf.dispose([l, ab]);
      g.dispose();
    }
    const big = buildNazeriGenerator({ preset: 'cifar10', inputSize: 64 });
    expect(big.outputs[0].shape).toEqual([null, 64, 64, 2]);
    big.dispose();
  });

  it('has stable layer names, BatchNorm on every encoder layer (paper) or not on the first (pix2pix), dropout in the first cifar10 blocks', () => {
    const g = buildNazeriGenerator({ ...TINY_GENERATOR, dropoutBlocks: 1 });
    expect(g.name).toBe('nazeri_generator');
    expect(g.layers.map((l) => l.name)).toEqual([
      'gen_lightness',
      'gen_conv0', 'gen_bn0', 'gen_lrelu0',
      'gen_conv1', 'gen_bn1', 'gen_lrelu1',
      'gen_conv2', 'gen_bn2', 'gen_lrelu2',
      'gen_deconv0', 'gen_deconv_bn0', 'gen_relu0', 'gen_dropout0', 'gen_concat0',
      'gen_deconv1', 'gen_deconv_bn1', 'gen_relu1', 'gen_concat1',
      'gen_ab',
    ]);
    g.dispose();
    const pix2pix = buildNazeriGenerator({ ...TINY_GENERATOR, firstEncoderBatchNorm: false });
    expect(pix2pix.layers.some((l) => l.name === 'gen_bn0')).toBe(false);
    expect(pix2pix.layers.some((l) => l.name === 'gen_bn1')).toBe(true);
    pix2pix.dispose();
    const cifar = buildNazeriGenerator({ preset: 'cifar10' });
    expect(cifar.layers.filter((l) => l.name.startsWith('gen_dropout')).map((l) => l.name)).toEqual(['gen_dropout0', 'gen_dropout1']);
    cifar.dispose();
  });

  it('resolves a partial config from its preset and clips the preset dropout to a shorter decoder', () => {
    const c = resolveNazeriGeneratorConfig({ preset: 'cifar10', encoderChannels: [8, 16], decoderChannels: [8], inputSize: 8 });
    expect(c).toEqual({
      preset: 'cifar10', inputSize: 8, encoderChannels: [8, 16], decoderChannels: [8],
      dropoutBlocks: 1, dropoutRate: 0.5, firstEncoderBatchNorm: true, seed: undefined,
    });
    expect(resolveNazeriGeneratorConfig().preset).toBe('places365');
  });

  it('rejects unknown presets, sizes not divisible by 2^depth and mismatched tables with ConfigErrors naming the key', () => {
    expect(() => buildNazeriGenerator({ preset: 'imagenet' as never })).toThrow(/preset: expected one of cifar10 \| places365, received "imagenet"/);
    expect(() => buildNazeriGenerator({ preset: 'imagenet' as never })).toThrow(ConfigError);
    expect(() => buildNazeriGenerator({ preset: 'cifar10', inputSize: 40 })).toThrow(/inputSize: expected a multiple of 16 \(2\^4, one halving per stride-2 layer\): 16, 32, 64, 128, …, received 40/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, decoderChannels: [16] })).toThrow(/decoderChannels: expected 2 entries/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, encoderChannels: [8, 0, 32] })).toThrow(/encoderChannels\[1\]: expected an integer ≥ 1, received 0/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, dropoutBlocks: 3 })).toThrow(/dropoutBlocks: expected an integer in \[0, 2\], received 3/);
    expect(() => buildNazeriGenerator({ ...TINY_GENERATOR, dropoutRate: 1 })).toThrow(/dropoutRate/);
  });
});
