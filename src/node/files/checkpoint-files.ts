/**
 * A checkpoint store on the local file system (Node). One directory per checkpoint:
 *
 * ```
 * <directory>/
 *   latest                          id of the newest checkpoint (replaced atomically)
 *   ckpt-00000007-step-700/
 *     manifest.json                 the CheckpointManifest (topologies, specs, run state, part checksums)
 *     model-<name>.bin              weights of each model, in model.weights order
 *     optimizer-<name>.bin          state of each optimizer
 * ```
 *
 * Crash safety: a checkpoint is written into `.tmp-<id>-…/`, every file is fsynced, the directory is fsynced,
 * renamed into place in one atomic step and the parent directory is fsynced. Only names of the form
 * `ckpt-<sequence>-step-<step>` are ever listed or loaded, so a checkpoint interrupted at any moment
 * (SIGKILL, power loss) is never picked up; removal renames to `.deleted-…` before deleting for the same reason.
 * One process writes to a directory at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, describeValue } from '../../errors.js';
import {
  CheckpointError,
  assertCheckpointName,
  parseCheckpointManifest,
  verifyCheckpointRecord,
  type CheckpointRecord,
} from '../../train/checkpoint/checkpoint-format.js';
import {
  describeCheckpoint,
  findBestCheckpoint,
  formatCheckpointId,
  parseCheckpointSequence,
  resolveCheckpointStoreConfig,
  selectCheckpointsToPrune,
  type CheckpointInfo,
  type CheckpointStore,
  type CheckpointStoreConfig,
} from '../../train/checkpoint/checkpoint-store.js';
import { atomicWriteFile, fsyncDirectory, writeFileSynced } from './atomic-write.js';

/**
 * Settings of {@link createFileCheckpointStore}.
 *
 * @example
 * const config: FileCheckpointStoreConfig = { directory: 'runs/zhang/checkpoints', keepLast: 3 };
 */
export interface FileCheckpointStoreConfig extends CheckpointStoreConfig {
  /** Directory of the store; created on the first save. */
  directory: string;
}

/**
 * Name of the file holding the id of the newest checkpoint.
 * @example
 * const newestId = (await readFile(join('runs/zhang/checkpoints', LATEST_POINTER_FILE), 'utf8')).trim();
 */
export const LATEST_POINTER_FILE = 'latest';
const MANIFEST_FILE = 'manifest.json';
const TEMPORARY_PREFIX = '.tmp-';
const DELETED_PREFIX = '.deleted-';

/**
 * Create a {@link CheckpointStore} in a directory (see the file comment for the layout and crash safety).
 * Loads verify every part's length and CRC-32. File-system errors are passed on as Node raises them.
 *
 * @param config  `directory`, plus `keepLast` (default 3), `keepBest` (default true), `pruneOnSave` (default true).
 * @example
 * const store = createFileCheckpointStore({ directory: 'checkpoints', keepLast: 3 });
 * await store.save(await captureCheckpoint({ models: { net }, optimizers: { net: adam }, epoch, step }));
 * const resumed = await store.loadLatest();
 */
export function createFileCheckpointStore(config: FileCheckpointStoreConfig): CheckpointStore {
  if (typeof config?.directory !== 'string' || config.directory.length === 0) {
    throw new ConfigError('directory', 'a directory path', describeValue(config?.directory));
  }
  const { directory, ...retention } = config;
  const settings = resolveCheckpointStoreConfig(retention);

  const checkpointIds = async (): Promise<string[]> => {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter((n) => parseCheckpointSequence(n) !== undefined)
      .sort((a, b) => (parseCheckpointSequence(a) as number) - (parseCheckpointSequence(b) as number));
  };

  const readManifest = async (id: string) => {
    let text: string;
    try {
      text = await readFile(join(directory, id, MANIFEST_FILE), 'utf8');
    } catch (e) {
      throw new CheckpointError(
        id,
        `cannot read ${MANIFEST_FILE} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CheckpointError(id, `${MANIFEST_FILE} is not valid JSON`);
    }
    return parseCheckpointManifest(json, id);
  };

  const list = async (): Promise<CheckpointInfo[]> => {
    const infos: CheckpointInfo[] = [];
    for (const id of await checkpointIds()) {
      try {
        infos.push(describeCheckpoint(id, await readManifest(id)));
      } catch (e) {
        // A directory removed by a concurrent prune, or damaged outside this library: not a usable checkpoint.
        if (!(e instanceof CheckpointError)) throw e;
      }
    }
    return infos;
  };

  const load = async (id: string): Promise<CheckpointRecord> => {
    if (parseCheckpointSequence(id) === undefined) throw new CheckpointError(id, 'not a checkpoint id of this store');
    const manifest = await readManifest(id);
    const parts: { [key: string]: Uint8Array } = {};
    for (const key of Object.keys(manifest.parts)) {
      try {
        const buffer = await readFile(join(directory, id, `${key}.bin`));
        parts[key] = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (e) {
        throw new CheckpointError(
          id,
          `cannot read part '${key}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
    const record: CheckpointRecord = { id, manifest, parts };
    verifyCheckpointRecord(record);
    return record;
  };

  const remove = async (id: string): Promise<void> => {
    // Rename first so a kill during the recursive delete leaves no half-deleted directory under a checkpoint name.
    const doomed = join(directory, `${DELETED_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    await rename(join(directory, id), doomed);
    await rm(doomed, { recursive: true, force: true });
  };

  const prune = async (): Promise<string[]> => {
    const removed = selectCheckpointsToPrune(await list(), settings);
    for (const id of removed) await remove(id);
    if (removed.length > 0) await fsyncDirectory(directory);
    return removed;
  };

  const removeLeftovers = async (): Promise<void> => {
    for (const name of await readdir(directory)) {
      if (name.startsWith(TEMPORARY_PREFIX) || name.startsWith(DELETED_PREFIX))
        await rm(join(directory, name), { recursive: true, force: true });
    }
  };

  return {
    async save(record) {
      verifyCheckpointRecord(record);
      for (const key of Object.keys(record.manifest.parts)) assertCheckpointName('record.parts', key);
      await mkdir(directory, { recursive: true });
      await removeLeftovers();
      const ids = await checkpointIds();
      const sequence = ids.length === 0 ? 1 : (parseCheckpointSequence(ids[ids.length - 1]) as number) + 1;
      const id = formatCheckpointId(sequence, record.manifest.step);
      const temporary = join(directory, `${TEMPORARY_PREFIX}${id}-${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(temporary);
      try {
        for (const key of Object.keys(record.manifest.parts))
          await writeFileSynced(join(temporary, `${key}.bin`), record.parts[key]);
        await writeFileSynced(join(temporary, MANIFEST_FILE), JSON.stringify(record.manifest));
        await fsyncDirectory(temporary);
        await rename(temporary, join(directory, id));
      } catch (e) {
        await rm(temporary, { recursive: true, force: true });
        throw e;
      }
      await fsyncDirectory(directory);
      await atomicWriteFile(join(directory, LATEST_POINTER_FILE), id);
      if (settings.pruneOnSave) await prune();
      return describeCheckpoint(id, record.manifest);
    },
    list,
    load,
    async loadLatest() {
      // The newest complete directory is the latest checkpoint. The pointer file names the same one except
      // after a crash between the rename and the pointer update, when the newer complete checkpoint wins.
      const ids = await checkpointIds();
      return ids.length === 0 ? undefined : load(ids[ids.length - 1]);
    },
    async loadBest() {
      const best = findBestCheckpoint(await list());
      return best === undefined ? undefined : load(best.id);
    },
    prune,
  };
}
