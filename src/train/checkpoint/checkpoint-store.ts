/**
 * The checkpoint store interface and the policy every store shares: ids in save order, which checkpoint
 * is the latest and which the best, and which ones pruning removes (all but the last N and the best).
 * Implementations: {@link createMemoryCheckpointStore} (universal), {@link createIndexedDbCheckpointStore}
 * (browser), `createFileCheckpointStore` (Node, from `tfjs-colorization/node`).
 */
import { checkConfigRange } from '../../validate.js';
import { ConfigError, describeValue } from '../../errors.js';
import type { CheckpointManifest, CheckpointMetric, CheckpointRecord } from './checkpoint-format.js';

/** What a store knows about one saved checkpoint without loading its parts. */
export interface CheckpointInfo {
  /** Store-assigned id, `ckpt-<8-digit sequence>-step-<step>`; sorts in save order. */
  id: string;
  /** Save order: 1 for the first checkpoint of a store, then increasing. */
  sequence: number;
  epoch: number;
  step: number;
  createdAt: string;
  metric?: CheckpointMetric;
}

/**
 * Retention settings shared by every store.
 *
 * @example
 * const config: CheckpointStoreConfig = { keepLast: 3, keepBest: true };
 */
export interface CheckpointStoreConfig {
  /** How many of the newest checkpoints pruning keeps; an integer ≥ 1. Default 3. */
  keepLast?: number;
  /** Also keep the checkpoint with the best {@link CheckpointMetric}. Default true. */
  keepBest?: boolean;
  /** Prune after every save. Default true. */
  pruneOnSave?: boolean;
}

/** {@link CheckpointStoreConfig} with every default filled in. */
export type ResolvedCheckpointStoreConfig = Required<CheckpointStoreConfig>;

/**
 * A place to keep checkpoints. Saving is all-or-nothing: a checkpoint that was not completely written is
 * never listed or loaded. Loads verify every part's length and CRC-32.
 *
 * @example
 * const info = await store.save(await captureCheckpoint({ models: { generator }, step }));
 * const resumed = await store.loadLatest(); // undefined when the store is empty
 */
export interface CheckpointStore {
  /** Save a checkpoint under a new id, make it the latest, then prune (unless `pruneOnSave` is false). */
  save(record: CheckpointRecord): Promise<CheckpointInfo>;
  /** Complete checkpoints, oldest first. */
  list(): Promise<CheckpointInfo[]>;
  /** Load one checkpoint by id. Throws `CheckpointError` if it is missing or damaged. */
  load(id: string): Promise<CheckpointRecord>;
  /** The most recently saved complete checkpoint, or undefined if there is none. */
  loadLatest(): Promise<CheckpointRecord | undefined>;
  /** The checkpoint with the best metric (see {@link findBestCheckpoint}), or undefined if none has a metric. */
  loadBest(): Promise<CheckpointRecord | undefined>;
  /** Remove all but the newest `keepLast` and (with `keepBest`) the best; returns the removed ids. */
  prune(): Promise<string[]>;
}

/**
 * Fill in and validate a store config.
 *
 * @throws ConfigError naming the bad key.
 * @example
 * resolveCheckpointStoreConfig({ keepLast: 5 }); // { keepLast: 5, keepBest: true, pruneOnSave: true }
 */
export function resolveCheckpointStoreConfig(config: CheckpointStoreConfig = {}): ResolvedCheckpointStoreConfig {
  const resolved = { keepLast: 3, keepBest: true, pruneOnSave: true, ...config };
  checkConfigRange('keepLast', resolved.keepLast, 1, Infinity, { integer: true });
  for (const key of ['keepBest', 'pruneOnSave'] as const) {
    if (typeof resolved[key] !== 'boolean') throw new ConfigError(key, 'true or false', describeValue(resolved[key]));
  }
  return resolved;
}

const ID_PATTERN = /^ckpt-(\d{8,})-step-(\d+)$/;

/**
 * The id of the `sequence`-th checkpoint of a store, saved at `step`.
 *
 * @example
 * formatCheckpointId(3, 1200); // 'ckpt-00000003-step-1200'
 */
export function formatCheckpointId(sequence: number, step: number): string {
  return `ckpt-${String(sequence).padStart(8, '0')}-step-${step}`;
}

/**
 * The sequence number in a checkpoint id, or undefined if `id` is not a checkpoint id
 * (temporary and deleted entries of the Node store are not).
 *
 * @example
 * parseCheckpointSequence('ckpt-00000003-step-1200'); // 3
 */
export function parseCheckpointSequence(id: string): number | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? Number(match[1]) : undefined;
}

/**
 * Summary of a saved checkpoint from its id and manifest.
 *
 * @example
 * const info = describeCheckpoint('ckpt-00000001-step-10', record.manifest);
 */
export function describeCheckpoint(id: string, manifest: CheckpointManifest): CheckpointInfo {
  const info: CheckpointInfo = {
    id,
    sequence: parseCheckpointSequence(id) ?? 0,
    epoch: manifest.epoch,
    step: manifest.step,
    createdAt: manifest.createdAt,
  };
  if (manifest.metric !== undefined) info.metric = { ...manifest.metric };
  return info;
}

/**
 * The best checkpoint among `infos`: the one whose metric is lowest (mode `'min'`) or highest (`'max'`),
 * with the mode and metric name of the newest checkpoint that has a metric; ties go to the newer one.
 * Checkpoints with another metric name, or a NaN value, are not candidates.
 *
 * @param infos  in any order.
 * @example
 * const best = findBestCheckpoint(await store.list());
 */
export function findBestCheckpoint(infos: readonly CheckpointInfo[]): CheckpointInfo | undefined {
  const ordered = [...infos].sort((a, b) => a.sequence - b.sequence);
  const reference = [...ordered].reverse().find((i) => i.metric !== undefined)?.metric;
  if (reference === undefined) return undefined;
  let best: CheckpointInfo | undefined;
  for (const info of ordered) {
    const m = info.metric;
    if (m === undefined || m.name !== reference.name || Number.isNaN(m.value)) continue;
    const bestValue = best?.metric?.value;
    if (bestValue === undefined || (reference.mode === 'min' ? m.value <= bestValue : m.value >= bestValue))
      best = info;
  }
  return best;
}

/**
 * Ids that pruning removes: everything except the newest `keepLast` and, with `keepBest`, the best.
 *
 * @example
 * selectCheckpointsToPrune(infos, resolveCheckpointStoreConfig({ keepLast: 2 }));
 */
export function selectCheckpointsToPrune(
  infos: readonly CheckpointInfo[],
  config: ResolvedCheckpointStoreConfig,
): string[] {
  const ordered = [...infos].sort((a, b) => a.sequence - b.sequence);
  const keep = new Set(ordered.slice(-config.keepLast).map((i) => i.id));
  if (config.keepBest) {
    const best = findBestCheckpoint(ordered);
    if (best !== undefined) keep.add(best.id);
  }
  return ordered.filter((i) => !keep.has(i.id)).map((i) => i.id);
}

/** A deep copy of a record's parts and manifest, so a store and its caller never share mutable buffers. */
export function copyCheckpointRecord(record: CheckpointRecord, id?: string): CheckpointRecord {
  const parts: { [key: string]: Uint8Array } = {};
  for (const [key, bytes] of Object.entries(record.parts)) parts[key] = bytes.slice();
  const copy: CheckpointRecord = { manifest: structuredClone(record.manifest), parts };
  const newId = id ?? record.id;
  if (newId !== undefined) copy.id = newId;
  return copy;
}
