import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../../../src/node/files/checkpoint-files.js';
import { captureCheckpoint, restoreCheckpoint } from '../../../src/train/checkpoint/checkpoint.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  describeCheckpointPart,
  type CheckpointRecord,
} from '../../../src/train/checkpoint/checkpoint-format.js';
import { ConfigError } from '../../../src/errors.js';

function tinyRecord(step: number, metric?: number): CheckpointRecord {
  const bytes = new Uint8Array(64).map((_, i) => (i * 31 + step) & 0xff);
  return {
    manifest: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: '2026-11-24T00:00:00.000Z',
      epoch: 0,
      step,
      models: {},
      optimizers: {},
      schedules: {},
      random: {},
      metadata: {},
      parts: { 'model-net': describeCheckpointPart(bytes) },
      ...(metric !== undefined && { metric: { name: 'val_loss', value: metric, mode: 'min' as const } }),
    },
    parts: { 'model-net': bytes },
  };
}

describe('createFileCheckpointStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const freshDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'ckpt-files-'));
    dirs.push(d);
    return join(d, 'store'); // not created yet: the first save creates it
  };

  it('round-trips a model and Adam state through files: one directory per checkpoint, manifest + one .bin per part, latest pointer', async () => {
    const directory = await freshDir();
    const store = createFileCheckpointStore({ directory });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] })] });
    const adam = tf.train.adam(0.1);
    tf.tidy(() => {
      adam.minimize(
        () => tf.sum(model.apply(tf.ones([1, 2])) as tf.Tensor) as tf.Scalar,
        false,
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
    });
    const info = await store.save(
      await captureCheckpoint({ models: { net: model }, optimizers: { net: adam }, epoch: 2, step: 7 }),
    );
    expect(info).toMatchObject({ id: 'ckpt-00000001-step-7', sequence: 1, epoch: 2, step: 7 });
    expect((await readdir(join(directory, info.id))).sort()).toEqual([
      'manifest.json',
      'model-net.bin',
      'optimizer-net.bin',
    ]);
    expect(await readFile(join(directory, 'latest'), 'utf8')).toBe(info.id);

    const loaded = await store.loadLatest();
    const target = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] })] });
    const targetAdam = tf.train.adam(0.1);
    await restoreCheckpoint(loaded as CheckpointRecord, { models: { net: target }, optimizers: { net: targetAdam } });
    for (let i = 0; i < model.weights.length; i++) {
      expect(Array.from(target.weights[i].read().dataSync())).toEqual(Array.from(model.weights[i].read().dataSync()));
    }
    expect(targetAdam.iterations).toBe(1);
    for (const m of [model, target]) m.dispose();
    adam.dispose();
    targetAdam.dispose();
  });

  it('keeps the newest N and the best checkpoint and removes the rest from disk', async () => {
    const directory = await freshDir();
    const store = createFileCheckpointStore({ directory, keepLast: 2 });
    const metrics = [0.9, 0.2, 0.5, 0.7, 0.6];
    for (let i = 0; i < metrics.length; i++) await store.save(tinyRecord(10 * (i + 1), metrics[i]));
    expect((await store.list()).map((c) => c.step)).toEqual([20, 40, 50]);
    expect((await readdir(directory)).sort()).toEqual([
      'ckpt-00000002-step-20',
      'ckpt-00000004-step-40',
      'ckpt-00000005-step-50',
      'latest',
    ]);
    expect((await store.loadBest())?.manifest.step).toBe(20);
    expect((await store.loadLatest())?.manifest.step).toBe(50);
  });

  it('never lists or loads temporary or half-deleted directories, and cleans them up on the next save', async () => {
    const directory = await freshDir();
    const store = createFileCheckpointStore({ directory });
    await store.save(tinyRecord(1));
    await mkdir(join(directory, '.tmp-ckpt-00000002-step-2-123-abcd'));
    await writeFile(join(directory, '.tmp-ckpt-00000002-step-2-123-abcd', 'model-net.bin'), 'partial');
    await mkdir(join(directory, '.deleted-ckpt-00000000-step-0-ffff'));
    expect((await store.list()).map((c) => c.id)).toEqual(['ckpt-00000001-step-1']);
    expect((await store.loadLatest())?.manifest.step).toBe(1);
    const info = await store.save(tinyRecord(3));
    expect(info.id).toBe('ckpt-00000002-step-3');
    expect((await readdir(directory)).sort()).toEqual(['ckpt-00000001-step-1', 'ckpt-00000002-step-3', 'latest']);
  });

  it('reports a damaged or truncated part with a CheckpointError instead of loading it', async () => {
    const directory = await freshDir();
    const store = createFileCheckpointStore({ directory });
    const { id } = await store.save(tinyRecord(5));
    await writeFile(join(directory, id, 'model-net.bin'), new Uint8Array(10));
    await expect(store.load(id)).rejects.toThrow(CheckpointError);
    await expect(store.load(id)).rejects.toThrow(/10 bytes, manifest says 64/);
    await rm(join(directory, id, 'model-net.bin'));
    await expect(store.loadLatest()).rejects.toThrow(/cannot read part 'model-net'/);
    await expect(store.load('../../etc')).rejects.toThrow(CheckpointError);
  });

  it('is empty before the first save and validates its config', async () => {
    const store = createFileCheckpointStore({ directory: await freshDir() });
    expect(await store.list()).toEqual([]);
    expect(await store.loadLatest()).toBeUndefined();
    expect(await store.loadBest()).toBeUndefined();
    expect(() => createFileCheckpointStore({ directory: '' })).toThrow(ConfigError);
    expect(() => createFileCheckpointStore({ directory: 'x', keepLast: 0 })).toThrow(/keepLast/);
  });
});
