/**
 * Every model builder refuses a key it does not know, the same way (src/validate.ts `checkConfigKeys`): a
 * ConfigError naming the key, listing the known keys, before any layer is built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  buildBaselineModel, buildIizukaModel, buildLarssonModel, buildNazeriDiscriminator, buildNazeriGan,
  buildNazeriGenerator, buildResNet18, buildSiggraph17Model, buildVgg16, buildZhangModel,
} from '../../src/models/index.js';
import { checkConfigKeys, configKeys } from '../../src/validate.js';

/** Each builder with a config that is valid but for one misspelt key, and the keys it should list. */
const builders: [string, (config: never) => unknown, Record<string, unknown>, string][] = [
  ['buildZhangModel', buildZhangModel, { inputSize: 32, width: 0.5 }, 'width'],
  ['buildIizukaModel', buildIizukaModel, { numClasses: 3, classes: 3 }, 'classes'],
  ['buildLarssonModel', buildLarssonModel, { layerNames: ['a'], hidden: [8] }, 'hidden'],
  ['buildBaselineModel', buildBaselineModel, { output: 'ab', outputs: 'bins' }, 'outputs'],
  ['buildResNet18', buildResNet18, { inputSize: 32, width: 0.25 }, 'width'],
  ['buildNazeriGenerator', buildNazeriGenerator, { preset: 'cifar10', dropout: 0.5 }, 'dropout'],
  ['buildNazeriDiscriminator', buildNazeriDiscriminator, { preset: 'cifar10', channel: [8] }, 'channel'],
  ['buildNazeriGan', buildNazeriGan, { preset: 'cifar10', lambda: 100 }, 'lambda'],
  ['buildSiggraph17Model', buildSiggraph17Model, { inputSize: 32, width: 0.25 }, 'width'],
  ['buildVgg16', buildVgg16, { inputSize: 32, includeHead: false }, 'includeHead'],
];

describe('model builders refuse unknown config keys', () => {
  it.each(builders)('%s throws ConfigError naming the unknown key and listing the known ones, building nothing', (_name, build, config, key) => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      build(config as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).received).toBe('an unknown key');
    expect((error as ConfigError).message).toMatch(new RegExp(`^${key}: expected a known key: one of \\w+( \\| \\w+)+, received an unknown key$`));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('buildNazeriGan names an unknown key of its generator or discriminator part with the part as prefix', () => {
    expect(() => buildNazeriGan({ preset: 'cifar10', generator: { dropout: 0.5 } as never })).toThrow(
      /^generator\.dropout: expected a known key/,
    );
    expect(() => buildNazeriGan({ preset: 'cifar10', discriminator: { channel: [8] } as never })).toThrow(
      /^discriminator\.channel: expected a known key/,
    );
  });

  it('every builder refuses a config that is not an object', () => {
    for (const [, build] of builders) {
      expect(() => build([] as never)).toThrow(/^config: expected an object with keys among /);
    }
  });
});

describe('checkConfigKeys and configKeys', () => {
  it('accepts known keys, including ones set to undefined, and lists the keys in the order given', () => {
    const keys = configKeys<{ a?: number; b: string }>({ a: true, b: true });
    expect(keys).toEqual(['a', 'b']);
    expect(() => checkConfigKeys({ a: undefined, b: 'x' }, keys)).not.toThrow();
    expect(() => checkConfigKeys({}, keys)).not.toThrow();
    expect(() => checkConfigKeys({ c: 1 }, keys)).toThrow('c: expected a known key: one of a | b, received an unknown key');
    expect(() => checkConfigKeys(null, keys)).toThrow('config: expected an object with keys among a, b, received null');
  });
});
