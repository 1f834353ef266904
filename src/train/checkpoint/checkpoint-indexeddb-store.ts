/**
 * A checkpoint store in the browser's IndexedDB. Models go through tfjs's own IndexedDB IO handler under
 * `indexeddb://<name>/<checkpoint id>/<model name>` (so `tf.loadLayersModel` can open them directly); the
 * manifest, the other binary parts (optimizer state) and the `latest` pointer go into this library's database
 * `<name>` in one IndexedDB transaction, written after the models. A checkpoint exists only once that
 * transaction has committed, so a tab closed mid-save leaves at most orphan models, which pruning removes.
 *
 * Tested in Node only through the shared logic (ids, latest, best, pruning: see the memory store, which
 * follows the same policy); this IndexedDB code itself needs a real browser and is tested there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue } from '../../errors.js';
import {
  CheckpointError,
  verifyCheckpointRecord,
  type CheckpointManifest,
  type CheckpointRecord,
} from './checkpoint-format.js';
import {
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
 * Settings of {@link createIndexedDbCheckpointStore}.
 *
 * @example
 * const config: IndexedDbCheckpointStoreConfig = { name: 'zhang-run-1', keepLast: 2 };
 */
export interface IndexedDbCheckpointStoreConfig extends CheckpointStoreConfig {
  /** Name of the store: the IndexedDB database name and the prefix of the tfjs model URLs. Default `'tfjs-colorization-checkpoints'`. */
  name?: string;
}

interface StoredCheckpoint {
  id: string;
  sequence: number;
  manifest: CheckpointManifest;
  /** Parts not held by tfjs (everything except model weights). */
  parts: { [key: string]: Uint8Array };
}

const CHECKPOINTS = 'checkpoints';
const POINTERS = 'pointers';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function completed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new CheckpointError('indexeddb', 'transaction aborted'));
  });
}

/**
 * Create a {@link CheckpointStore} in IndexedDB (browser). See the file comment for the layout and why an
 * interrupted save is never picked up. Loads verify every part's length and CRC-32, model weights included.
 *
 * @param config  `name`, plus `keepLast` (default 3), `keepBest` (default true), `pruneOnSave` (default true).
 * @throws CheckpointError when IndexedDB or tfjs's `indexeddb://` handler is not available (Node, some private modes).
 * @example
 * const store = createIndexedDbCheckpointStore({ name: 'my-run' });
 * await store.save(await captureCheckpoint({ models: { net }, optimizers: { net: adam }, step }));
 * const generator = await tf.loadLayersModel('indexeddb://my-run/ckpt-00000001-step-100/net');
 */
export function createIndexedDbCheckpointStore(config: IndexedDbCheckpointStoreConfig = {}): CheckpointStore {
  const { name = 'tfjs-colorization-checkpoints', ...retention } = config;
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('name', 'a non-empty string', describeValue(name));
  const settings = resolveCheckpointStoreConfig(retention);
  if (typeof indexedDB === 'undefined')
    throw new CheckpointError('indexeddb', 'IndexedDB is not available in this environment');
  const modelUrl = (id: string, model: string) => `indexeddb://${name}/${id}/${model}`;

  let database: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> => {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(CHECKPOINTS, { keyPath: 'id' });
        request.result.createObjectStore(POINTERS);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database;
  };

  const all = async (): Promise<StoredCheckpoint[]> => {
    const db = await open();
    const stored = await promised(
      db.transaction(CHECKPOINTS, 'readonly').objectStore(CHECKPOINTS).getAll() as IDBRequest<StoredCheckpoint[]>,
    );
    return stored.sort((a, b) => a.sequence - b.sequence);
  };

  const list = async (): Promise<CheckpointInfo[]> => (await all()).map((s) => describeCheckpoint(s.id, s.manifest));

  const load = async (id: string): Promise<CheckpointRecord> => {
    const db = await open();
    const stored = await promised(
      db.transaction(CHECKPOINTS, 'readonly').objectStore(CHECKPOINTS).get(id) as IDBRequest<
        StoredCheckpoint | undefined
      >,
    );
    if (stored === undefined) throw new CheckpointError(id, 'no such checkpoint in this store');
    const parts = { ...stored.parts };
    for (const [model, entry] of Object.entries(stored.manifest.models)) {
      const handler = tf.io.getLoadHandlers(modelUrl(id, model))[0];
      if (handler?.load === undefined) throw new CheckpointError(id, "tfjs has no 'indexeddb://' load handler here");
      const artifacts = await handler.load();
      parts[entry.part] =
        artifacts.weightData === undefined
          ? new Uint8Array(0)
          : new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData));
    }
    const record: CheckpointRecord = { id, manifest: stored.manifest, parts };
    verifyCheckpointRecord(record);
    return record;
  };

  const removeModels = async (id: string, models: readonly string[]): Promise<void> => {
    for (const model of models) {
      try {
        await tf.io.removeModel(modelUrl(id, model));
      } catch {
        // Already gone (an earlier interrupted removal): nothing to do.
      }
    }
  };

  const prune = async (): Promise<string[]> => {
    const stored = await all();
    const removed = selectCheckpointsToPrune(
      stored.map((s) => describeCheckpoint(s.id, s.manifest)),
      settings,
    );
    if (removed.length > 0) {
      const db = await open();
      const transaction = db.transaction(CHECKPOINTS, 'readwrite');
      for (const id of removed) transaction.objectStore(CHECKPOINTS).delete(id);
      await completed(transaction);
    }
    // Delete the models of removed checkpoints, and orphans left by saves that never committed.
    const kept = new Set(stored.map((s) => s.id).filter((id) => !removed.includes(id)));
    const prefix = `indexeddb://${name}/`;
    for (const url of Object.keys(await tf.io.listModels())) {
      if (!url.startsWith(prefix)) continue;
      const [id] = url.slice(prefix.length).split('/');
      if (!kept.has(id)) await tf.io.removeModel(url).catch(() => undefined);
    }
    return removed;
  };

  return {
    async save(record) {
      verifyCheckpointRecord(record);
      const stored = await all();
      const sequence = stored.length === 0 ? 1 : stored[stored.length - 1].sequence + 1;
      const id = formatCheckpointId(sequence, record.manifest.step);
      const modelParts = new Set<string>();
      for (const [model, entry] of Object.entries(record.manifest.models)) {
        const handler = tf.io.getSaveHandlers(modelUrl(id, model))[0];
        if (handler?.save === undefined) throw new CheckpointError(id, "tfjs has no 'indexeddb://' save handler here");
        const bytes = record.parts[entry.part];
        await handler.save({
          modelTopology: entry.topology ?? undefined,
          weightSpecs: entry.weightSpecs,
          weightData: bytes.slice().buffer as ArrayBuffer,
          ...(entry.format !== undefined && { format: entry.format }),
          ...(entry.generatedBy !== undefined && { generatedBy: entry.generatedBy }),
          ...(entry.convertedBy !== undefined && { convertedBy: entry.convertedBy }),
        });
        modelParts.add(entry.part);
      }
      const parts: { [key: string]: Uint8Array } = {};
      for (const [key, bytes] of Object.entries(record.parts)) if (!modelParts.has(key)) parts[key] = bytes.slice();
      const db = await open();
      const transaction = db.transaction([CHECKPOINTS, POINTERS], 'readwrite');
      transaction
        .objectStore(CHECKPOINTS)
        .put({ id, sequence, manifest: structuredClone(record.manifest), parts } satisfies StoredCheckpoint);
      transaction.objectStore(POINTERS).put(id, 'latest');
      try {
        await completed(transaction);
      } catch (e) {
        await removeModels(id, Object.keys(record.manifest.models));
        throw e;
      }
      if (settings.pruneOnSave) await prune();
      return describeCheckpoint(id, record.manifest);
    },
    list,
    load,
    async loadLatest() {
      // The 'latest' pointer (for other tools) and the newest record are written in one transaction, so they agree.
      const stored = await all();
      return stored.length === 0 ? undefined : load(stored[stored.length - 1].id);
    },
    async loadBest() {
      const best = findBestCheckpoint(await list());
      return best === undefined ? undefined : load(best.id);
    },
    prune,
  };
}
