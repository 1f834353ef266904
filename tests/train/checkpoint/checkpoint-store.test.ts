import { describe, expect, it } from 'vitest';
import { createMemoryCheckpointStore } from '../../../src/train/checkpoint/checkpoint-memory-store.js';
import { createIndexedDbCheckpointStore } from '../../../src/train/checkpoint/checkpoint-indexeddb-store.js';
import {
  findBestCheckpoint,
  formatCheckpointId,
  parseCheckpointSequence,
  resolveCheckpointStoreConfig,
  selectCheckpointsToPrune,
  type CheckpointInfo,
} from '../../../src/train/checkpoint/checkpoint-store.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  describeCheckpointPart,
  type CheckpointRecord,
} from '../../../src/train/checkpoint/checkpoint-format.js';
import { checksumCrc32 } from '../../../src/train/checkpoint/checkpoint-checksum.js';
import { ConfigError } from '../../../src/errors.js';

function record(step: number, metric?: { value: number; mode?: 'min' | 'max'; name?: string }): CheckpointRecord {
  const bytes = new Uint8Array([step & 0xff, 1, 2, 3]);
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
      parts: { 'model-a': describeCheckpointPart(bytes) },
      ...(metric && { metric: { name: metric.name ?? 'loss', value: metric.value, mode: metric.mode ?? 'min' } }),
    },
    parts: { 'model-a': bytes },
  };
}

const info = (sequence: number, value?: number, mode: 'min' | 'max' = 'min', name = 'loss'): CheckpointInfo => ({
  id: formatCheckpointId(sequence, sequence * 10),
  sequence,
  epoch: 0,
  step: sequence * 10,
  createdAt: '',
  ...(value !== undefined && { metric: { name, value, mode } }),
});

describe('checkpoint store policy', () => {
  it('CRC-32 matches the standard check value of "123456789"', () => {
    expect(checksumCrc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(checksumCrc32(new Uint8Array(0))).toBe(0);
  });

  it('ids sort in save order and give back their sequence', () => {
    expect(formatCheckpointId(3, 1200)).toBe('ckpt-00000003-step-1200');
    expect(parseCheckpointSequence('ckpt-00000003-step-1200')).toBe(3);
    expect(parseCheckpointSequence('.tmp-ckpt-00000003-step-1200-1-ab')).toBeUndefined();
    expect(parseCheckpointSequence('latest')).toBeUndefined();
  });

  it('the best is the lowest value in min mode and the highest in max mode, ties going to the newer one, other metric names ignored', () => {
    expect(findBestCheckpoint([info(1, 0.5), info(2, 0.3), info(3, 0.3), info(4, 0.4)])?.sequence).toBe(3);
    expect(findBestCheckpoint([info(1, 0.5, 'max'), info(2, 0.9, 'max'), info(3, 0.1, 'max')])?.sequence).toBe(2);
    expect(findBestCheckpoint([info(1, 0.01, 'min', 'other'), info(2, 0.5), info(3, NaN)])?.sequence).toBe(2);
    expect(findBestCheckpoint([info(1), info(2)])).toBeUndefined();
  });

  it('pruning keeps the newest keepLast plus the best, or only the newest without keepBest', () => {
    const infos = [info(1, 0.1), info(2, 0.5), info(3, 0.4), info(4, 0.6), info(5, 0.7)];
    expect(selectCheckpointsToPrune(infos, resolveCheckpointStoreConfig({ keepLast: 2 }))).toEqual([
      infos[1].id,
      infos[2].id,
    ]);
    expect(selectCheckpointsToPrune(infos, resolveCheckpointStoreConfig({ keepLast: 2, keepBest: false }))).toEqual([
      infos[0].id,
      infos[1].id,
      infos[2].id,
    ]);
    expect(selectCheckpointsToPrune(infos, resolveCheckpointStoreConfig({ keepLast: 10 }))).toEqual([]);
  });

  it('config defaults to keepLast 3 with best and prune-on-save, and rejects bad values naming the key', () => {
    expect(resolveCheckpointStoreConfig()).toEqual({ keepLast: 3, keepBest: true, pruneOnSave: true });
    expect(() => resolveCheckpointStoreConfig({ keepLast: 1.5 })).toThrow(ConfigError);
    expect(() => resolveCheckpointStoreConfig({ keepBest: 'yes' as unknown as boolean })).toThrow(/keepBest/);
  });
});

describe('createMemoryCheckpointStore', () => {
  it('saves with increasing ids, loads latest and best, and prunes to keep-last-2 + best on save', async () => {
    const store = createMemoryCheckpointStore({ keepLast: 2 });
    const values = [0.8, 0.1, 0.5, 0.6, 0.4];
    const ids: string[] = [];
    for (let i = 0; i < values.length; i++) ids.push((await store.save(record(i + 1, { value: values[i] }))).id);
    expect(ids[0]).toBe('ckpt-00000001-step-1');
    expect((await store.list()).map((c) => c.step)).toEqual([2, 4, 5]);
    expect((await store.loadLatest())?.manifest.step).toBe(5);
    expect((await store.loadBest())?.manifest.step).toBe(2);
    await expect(store.load(ids[0])).rejects.toThrow(CheckpointError);
  });

  it('keeps everything until prune() when pruneOnSave is false', async () => {
    const store = createMemoryCheckpointStore({ keepLast: 1, keepBest: false, pruneOnSave: false });
    for (let s = 1; s <= 3; s++) await store.save(record(s));
    expect((await store.list()).length).toBe(3);
    expect(await store.prune()).toEqual(['ckpt-00000001-step-1', 'ckpt-00000002-step-2']);
    expect((await store.list()).map((c) => c.step)).toEqual([3]);
  });

  it('copies records in and out, so changing a saved or loaded buffer changes nothing in the store', async () => {
    const store = createMemoryCheckpointStore();
    const r = record(7);
    await store.save(r);
    r.parts['model-a'][0] = 99;
    const loaded = (await store.loadLatest()) as CheckpointRecord;
    expect(loaded.parts['model-a'][0]).toBe(7);
    loaded.parts['model-a'][0] = 42;
    expect(((await store.loadLatest()) as CheckpointRecord).parts['model-a'][0]).toBe(7);
  });

  it('refuses to save a record whose parts do not match their checksums', async () => {
    const r = record(1);
    r.parts['model-a'] = new Uint8Array([0, 0, 0, 0]);
    await expect(createMemoryCheckpointStore().save(r)).rejects.toThrow(/CRC-32/);
    expect(await createMemoryCheckpointStore().loadLatest()).toBeUndefined();
  });
});

describe('createIndexedDbCheckpointStore', () => {
  it('reports a CheckpointError where IndexedDB does not exist (Node); the store itself is tested in a browser', () => {
    expect(typeof indexedDB).toBe('undefined');
    expect(() => createIndexedDbCheckpointStore({ name: 'run' })).toThrow(CheckpointError);
    expect(() => createIndexedDbCheckpointStore({ name: '' })).toThrow(ConfigError);
  });
});
