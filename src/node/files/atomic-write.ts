/**
 * Crash-safe file writes for Node: after a crash or power loss a file written with {@link atomicWriteFile}
 * holds either its old content or the complete new content, never a mix or a truncated file.
 *
 * The recipe is the POSIX one: write a temporary file in the same directory, fsync it, rename it over the
 * target (rename is atomic within a file system), then fsync the directory so the rename itself is durable.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * fsync a directory, making renames and new entries inside it durable. Platforms that cannot open a
 * directory for syncing (Windows) skip it silently: their file systems journal renames.
 *
 * @example
 * await fsyncDirectory('/data/checkpoints');
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
  } catch (e) {
    if (process.platform === 'win32') return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw e;
  } finally {
    await handle.close();
  }
}

/**
 * Write `data` to `path`, then fsync it, so the bytes are on disk when the promise resolves.
 * Not atomic on its own: {@link atomicWriteFile} uses it on a temporary name.
 *
 * @example
 * await writeFileSynced('/tmp/x.bin', bytes);
 */
export async function writeFileSynced(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replace `path` atomically with `data`: temporary file `.<name>.tmp-<pid>-<random>` beside it, fsync,
 * rename over `path`, fsync the directory. Readers see the old file or the new one, never a partial one.
 * File-system errors (`ENOENT` for a missing directory, `EACCES`, …) are passed on as Node raises them.
 *
 * @param path  the file to create or replace; its directory must exist.
 * @param data  bytes, or a string written as UTF-8.
 * @example
 * await atomicWriteFile('out/latest', 'ckpt-00000007-step-700');
 */
export async function atomicWriteFile(path: string, data: Uint8Array | string): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFileSynced(temporary, data);
    await rename(temporary, path);
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  await fsyncDirectory(directory);
}

/**
 * The name of a temporary file of {@link atomicWriteFile}: `.<name>.tmp-<pid>-<8 hex digits>`, where
 * `<name>` is the final file's name and `<pid>` the writing process. Group 1 is the final name, group 2
 * the process id.
 * @example
 * ATOMIC_TEMPORARY_FILE.exec('.photo.png.tmp-4242-0badf00d')?.[2]; // '4242'
 */
export const ATOMIC_TEMPORARY_FILE = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{8}$/;

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporary files that interrupted {@link atomicWriteFile} calls left in `directory` (a process
 * killed between writing its temporary file and renaming it). Only regular files named like
 * {@link ATOMIC_TEMPORARY_FILE} whose writing process no longer runs are removed: a write in progress in
 * another process, files of other programs, and sub-folders are left alone.
 *
 * @param directory  the folder to clean; a missing folder has nothing to clean.
 * @returns the paths removed.
 * @example
 * const removed = await removeStaleTemporaryFiles('colour/');
 * if (removed.length > 0) console.log(`removed ${removed.length} leftovers of an interrupted run`);
 */
export async function removeStaleTemporaryFiles(directory: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = ATOMIC_TEMPORARY_FILE.exec(name);
    if (match === null) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || processIsRunning(pid)) continue;
    const path = join(directory, name);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}
