/**
 * A checkpoint store in memory: for tests, for short experiments, and as the reference behaviour of the
 * other stores (same ids, same latest/best/prune policy).
 */
import { CheckpointError, verifyCheckpointRecord, type CheckpointRecord } from './checkpoint-format.js';
import {
  copyCheckpointRecord,
  describeCheckpoint,
  findBestCheckpoint,
  formatCheckpointId,
  resolveCheckpointStoreConfig,
  selectCheckpointsToPrune,
  type CheckpointInfo,
  type CheckpointStore,
  type CheckpointStoreConfig,
} from './checkpoint-store.js';

/**
 * Create an in-memory {@link CheckpointStore}. Records are copied in and out, so later changes to a
 * caller's buffers do not alter saved checkpoints.
 *
 * @param config  retention: `keepLast` (default 3), `keepBest` (default true), `pruneOnSave` (default true).
 * @example
 * const store = createMemoryCheckpointStore({ keepLast: 2 });
 * await store.save(await captureCheckpoint({ models: { net }, step: 10 }));
 */
export function createMemoryCheckpointStore(config: CheckpointStoreConfig = {}): CheckpointStore {
  const settings = resolveCheckpointStoreConfig(config);
  const saved = new Map<string, CheckpointRecord>();
  let sequence = 0;
  let latest: string | undefined;

  const list = async (): Promise<CheckpointInfo[]> =>
    [...saved.values()]
      .map((r) => describeCheckpoint(r.id as string, r.manifest))
      .sort((a, b) => a.sequence - b.sequence);

  const load = async (id: string): Promise<CheckpointRecord> => {
    const record = saved.get(id);
    if (record === undefined) throw new CheckpointError(id, 'no such checkpoint in this store');
    const copy = copyCheckpointRecord(record);
    verifyCheckpointRecord(copy);
    return copy;
  };

  const prune = async (): Promise<string[]> => {
    const removed = selectCheckpointsToPrune(await list(), settings);
    for (const id of removed) saved.delete(id);
    return removed;
  };

  return {
    async save(record) {
      verifyCheckpointRecord(record);
      sequence += 1;
      const id = formatCheckpointId(sequence, record.manifest.step);
      saved.set(id, copyCheckpointRecord(record, id));
      latest = id;
      if (settings.pruneOnSave) await prune();
      return describeCheckpoint(id, record.manifest);
    },
    list,
    load,
    async loadLatest() {
      return latest !== undefined && saved.has(latest) ? load(latest) : undefined;
    },
    async loadBest() {
      const best = findBestCheckpoint(await list());
      return best === undefined ? undefined : load(best.id);
    },
    prune,
  };
}
