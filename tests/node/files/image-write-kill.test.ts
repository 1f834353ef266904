// Crash test of image writes: a child process writes pictures in a loop and is killed with SIGKILL, half of
// the time at a random moment and half of the time the instant a temporary file appears (inside the write).
// After every kill each picture under its final name must be complete and exactly one the child wrote; the
// temporary files the kills left must be recognised and removed by removeStaleTemporaryFiles, which leaves
// other programs' files and live writers' files alone. Then the real command line is killed mid-batch and
// a later run cleans up and completes.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ATOMIC_TEMPORARY_FILE, removeStaleTemporaryFiles } from '../../../src/node/files/atomic-write.js';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { createRandom } from '../../../src/random.js';
import { grayPicture, tinyBinsModel } from '../../colorize/tiny-models.js';
import { runCliBinary } from '../cli/cli-fixtures.js';
import { HEIGHT, WIDTH, nameOf, pictureBytes } from './image-write-kill-child.js';

const KILLS = 12;
const CHILD = join(import.meta.dirname, 'image-write-kill-child.ts');
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'tfjs-colorization.mjs');

/** Start the child at picture `first`; kill it after `delayMs`, or (delayMs undefined) when a temporary file appears after its first write. */
function runAndKill(
  directory: string,
  first: number,
  delayMs: number | undefined,
): Promise<{ lastWritten: number; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory, String(first)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastWritten = first - 1;
    let buffered = '';
    let stderr = '';
    let watcher: ReturnType<typeof watch> | undefined;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'ready' && delayMs !== undefined) setTimeout(() => child.kill('SIGKILL'), delayMs);
        if (word === 'wrote') {
          lastWritten = Number(value);
          if (delayMs === undefined && watcher === undefined) {
            watcher = watch(directory, (_, name) => {
              if (name !== null && ATOMIC_TEMPORARY_FILE.test(name)) child.kill('SIGKILL');
            });
          }
        }
      }
    });
    child.on('exit', (code, signal) => {
      watcher?.close();
      if (signal === 'SIGKILL') resolve({ lastWritten, pid: child.pid as number });
      else reject(new Error(`child exited with code ${code}: ${stderr}`));
    });
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('image writes under SIGKILL', () => {
  it(`after each of ${KILLS} kills every picture under its final name is complete and one the child wrote; the leftovers are temporary files that a later clean-up removes, and only those`, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'image-kill-'));
    dirs.push(directory);
    // Not ours: another program's files, and a temporary file of a writer that still runs (this process).
    const foreign = [
      '.notes.tmp',
      '.photo-0.png.tmp-abc',
      `.photo-9.png.tmp-${process.pid}-0badf00d`,
      'photo.png.tmp-1-00000000',
    ];
    for (const name of foreign) await writeFile(join(directory, name), 'not a leftover of a killed write');
    const rng = createRandom(20261206);
    let next = 0;
    let killsInsideWrite = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const { lastWritten, pid } = await runAndKill(
        directory,
        next,
        kill % 2 === 0 ? Math.floor(rng.next() * 400) : undefined,
      );
      const names = await readdir(directory);
      const leftovers = names.filter((n) => !foreign.includes(n) && ATOMIC_TEMPORARY_FILE.test(n));
      if (leftovers.length > 0) killsInsideWrite += 1;
      for (const name of leftovers) expect(ATOMIC_TEMPORARY_FILE.exec(name)?.[2]).toBe(String(pid));
      // Every picture under a final name decodes whole and is byte for byte a picture the child made.
      for (const name of names.filter((n) => /^photo-\d\.png$/.test(n))) {
        const { data, info } = await sharp(join(directory, name), { failOn: 'truncated' })
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([info.width, info.height, info.channels]).toEqual([WIDTH, HEIGHT, 3]);
        const k = data[0] + (data[1] << 8) + (data[2] << 16);
        expect(nameOf(k)).toBe(name);
        expect(k).toBeLessThanOrEqual(lastWritten + 1);
        expect(Buffer.compare(data, Buffer.from(pictureBytes(k)))).toBe(0);
      }
      const removed = await removeStaleTemporaryFiles(directory);
      expect(removed.map((p) => p.slice(directory.length + 1)).sort()).toEqual(leftovers.sort());
      expect((await readdir(directory)).filter((n) => ATOMIC_TEMPORARY_FILE.test(n) && !foreign.includes(n))).toEqual(
        [],
      );
      next = lastWritten + 2;
    }
    for (const name of foreign) expect(await readdir(directory)).toContain(name);
    console.log(
      `image write kill test: ${KILLS} kills, ${killsInsideWrite} inside a write (a temporary file left behind)`,
    );
    // The kills must hit the write window, or the test proves nothing about partial pictures.
    expect(killsInsideWrite).toBeGreaterThan(1);
  }, 120_000);

  it('the command line killed mid-batch leaves only complete pictures; a later run removes its temporary files (not in the input folder) and finishes the batch', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cli-kill-'));
    dirs.push(root);
    await chmod(root, 0o755);
    const input = join(root, 'in');
    const out = join(root, 'out');
    await mkdir(input);
    const gray = Buffer.from(grayPicture(480, 360));
    for (let k = 0; k < 6; k++)
      await sharp(gray, { raw: { width: 480, height: 360, channels: 1 } })
        .png()
        .toFile(join(input, `p${k}.png`));
    // A leftover in the input folder is not the run's to remove.
    const inInput = join(input, `.p0.png.tmp-999999-00000000`);
    await writeFile(inInput, 'x');
    const modelDir = join(root, 'model');
    const model = tinyBinsModel({ size: 32 });
    await saveModelFiles(model, modelDir);
    model.dispose();
    const args = [
      'colorize',
      input,
      '-o',
      out,
      '--model',
      modelDir,
      '--backend',
      'cpu',
      '--samples',
      '2',
      '--skip-existing',
    ];
    const rng = createRandom(7);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, TFJS_COLORIZATION_FROM_SOURCE: '1' },
        });
        let armed = false;
        child.stderr.on('data', (d: Buffer) => {
          if (!armed && /\[\d\/6\]/.test(String(d))) {
            armed = true;
            setTimeout(() => child.kill('SIGKILL'), Math.floor(rng.next() * 300));
          }
        });
        child.on('exit', (code, signal) =>
          signal === 'SIGKILL' || code === 0 ? resolve() : reject(new Error(`exit ${code}`)),
        );
      });
      for (const name of (await readdir(out)).filter((n) => !ATOMIC_TEMPORARY_FILE.test(n))) {
        const info = (await sharp(join(out, name), { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true }))
          .info;
        expect([info.width, info.height]).toEqual([480, 360]);
      }
    }
    const finish = await runCliBinary(args);
    expect(finish.code).toBe(0);
    const names = await readdir(out);
    expect(names.filter((n) => ATOMIC_TEMPORARY_FILE.test(n))).toEqual([]);
    expect(names.sort()).toEqual(
      [0, 1, 2, 3, 4, 5].flatMap((k) => [`p${k}.png`, `p${k}.sample-1.png`, `p${k}.sample-2.png`]).sort(),
    );
    expect(await readdir(input)).toContain('.p0.png.tmp-999999-00000000');
  }, 120_000);
});
