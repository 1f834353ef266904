import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWriteFile, fsyncDirectory } from '../../../src/node/files/atomic-write.js';

describe('atomicWriteFile', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const freshDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'atomic-'));
    dirs.push(d);
    return d;
  };

  it('creates a file with the given bytes and leaves no temporary file beside it', async () => {
    const dir = await freshDir();
    const path = join(dir, 'weights.bin');
    await atomicWriteFile(path, new Uint8Array([1, 2, 3, 250]));
    expect(Array.from(await readFile(path))).toEqual([1, 2, 3, 250]);
    expect(await readdir(dir)).toEqual(['weights.bin']);
  });

  it('replaces an existing file with the complete new content (strings as UTF-8)', async () => {
    const dir = await freshDir();
    const path = join(dir, 'latest');
    await writeFile(path, 'old content that is longer than the new one');
    await atomicWriteFile(path, 'né');
    expect(await readFile(path, 'utf8')).toBe('né');
    expect(await readdir(dir)).toEqual(['latest']);
  });

  it('passes on the file-system error for a missing directory and leaves nothing behind', async () => {
    const dir = await freshDir();
    await expect(atomicWriteFile(join(dir, 'missing', 'x.bin'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('fsyncs a directory without error', async () => {
    await expect(fsyncDirectory(await freshDir())).resolves.toBeUndefined();
  });
});
