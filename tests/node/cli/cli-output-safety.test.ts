// The command line never writes over what the user owns, and checks its output folder before any work:
// every case runs the real binary on real files in a temporary folder.
import { createHash } from 'node:crypto';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelFiles } from '../../../src/node/files/model-files.js';
import { grayPicture, tinyBinsModel } from '../../colorize/tiny-models.js';
import { runCliBinary } from './cli-fixtures.js';

let root: string;
let modelDir: string;

async function digest(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** A folder with `gray.png`, `scan.jpg` (both pictures), returned with the digest of each file. */
async function inputFolder(name: string): Promise<{ folder: string; digests: Map<string, string> }> {
  const folder = join(root, name);
  await mkdir(folder, { recursive: true });
  const gray = Buffer.from(grayPicture(40, 30));
  await sharp(gray, { raw: { width: 40, height: 30, channels: 1 } })
    .png()
    .toFile(join(folder, 'gray.png'));
  await sharp(gray, { raw: { width: 40, height: 30, channels: 1 } })
    .jpeg()
    .toFile(join(folder, 'scan.jpg'));
  const digests = new Map<string, string>();
  for (const file of await readdir(folder)) digests.set(file, await digest(join(folder, file)));
  return { folder, digests };
}

async function expectUnchanged(folder: string, digests: Map<string, string>): Promise<void> {
  for (const [file, sum] of digests) expect(await digest(join(folder, file)), file).toBe(sum);
}

const base = () => ['--model', modelDir, '--backend', 'cpu'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cli-safety-'));
  // Readable by every user: one case runs the command as `nobody`.
  await chmod(root, 0o755);
  modelDir = join(root, 'model');
  const model = tinyBinsModel({ size: 32 });
  await saveModelFiles(model, modelDir);
  model.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the command line never writes over an input', () => {
  it('`photo.png -o .` (the folder of the photo) refuses the picture, names the result and the input, keeps the photo and exits 1', async () => {
    const { folder, digests } = await inputFolder('in-place');
    const run = await runCliBinary(['colorize', join(folder, 'gray.png'), '-o', folder, ...base()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: ${join(folder, 'gray.png')}: refused: the result ${join(folder, 'gray.png')} would replace the input ${join(folder, 'gray.png')}`,
    );
    expect(run.stderr).toMatch(/colorized 0 of 1 file into .* 1 failed/);
    await expectUnchanged(folder, digests);
    expect((await readdir(folder)).sort()).toEqual(['gray.png', 'scan.jpg']);
  });

  it('`scans/*.png scans/*.jpg -o scans` refuses only the picture whose result is an input (gray.png) and colorizes scan.jpg into scan.png beside it', async () => {
    const { folder, digests } = await inputFolder('shell-glob');
    const run = await runCliBinary([
      'colorize',
      join(folder, 'gray.png'),
      join(folder, 'scan.jpg'),
      '-o',
      folder,
      ...base(),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([
      `error: ${join(folder, 'gray.png')}: refused: the result ${join(folder, 'gray.png')} would replace the input ${join(folder, 'gray.png')}; write the results into a folder apart from the inputs`,
    ]);
    await expectUnchanged(folder, digests);
    const meta = await sharp(join(folder, 'scan.png')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 30]);
  });

  it('`scans -o scans` (the input folder is the output folder) stops before any picture, saying why, and changes nothing', async () => {
    const { folder, digests } = await inputFolder('same-folder');
    const run = await runCliBinary(['colorize', folder, '-o', `${folder}/`, ...base()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `tfjs-colorization: paths: expected folders apart from the output folder (results are never written among the originals), received ${JSON.stringify(folder)}, the output folder ${JSON.stringify(`${folder}/`)}\n`,
    );
    await expectUnchanged(folder, digests);
    expect((await readdir(folder)).sort()).toEqual(['gray.png', 'scan.jpg']);
  });

  it('an input reached through the output folder (a symbolic link to the inputs, a hard link of an input) is refused too; --format jpg gives gray.jpg which replaces another input, scan.jpg is not', async () => {
    const { folder, digests } = await inputFolder('linked');
    const viaSymlink = join(root, 'linked-out');
    await symlink(folder, viaSymlink);
    const a = await runCliBinary(['colorize', join(folder, 'gray.png'), '-o', viaSymlink, ...base()]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain(
      `refused: the result ${join(viaSymlink, 'gray.png')} would replace the input ${join(folder, 'gray.png')}`,
    );

    const hard = join(root, 'hard-out');
    await mkdir(hard);
    await link(join(folder, 'scan.jpg'), join(hard, 'gray.jpg'));
    const b = await runCliBinary([
      'colorize',
      join(folder, 'gray.png'),
      join(folder, 'scan.jpg'),
      '-o',
      hard,
      '--format',
      'jpg',
      ...base(),
    ]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(
      `refused: the result ${join(hard, 'gray.jpg')} would replace the input ${join(folder, 'scan.jpg')}`,
    );
    // scan.jpg's own result is hard/scan.jpg, a new file.
    expect((await sharp(join(hard, 'scan.jpg')).metadata()).width).toBe(40);
    await expectUnchanged(folder, digests);
  });

  it('--skip-existing leaves pictures whose results all exist and redoes a picture with a missing sample; without it results are replaced', async () => {
    const { folder } = await inputFolder('resume');
    const out = join(root, 'resume-out');
    const args = ['colorize', folder, '-o', out, '--samples', '1', ...base()];
    expect((await runCliBinary(args)).code).toBe(0);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['gray.png', 'gray.sample-1.png', 'scan.png', 'scan.sample-1.png']);
    // Mark the results so that a rewrite shows.
    for (const name of names) await writeFile(join(out, name), `marker ${name}`);
    await unlink(join(out, 'scan.sample-1.png'));

    const resumed = await runCliBinary([...args, '--skip-existing']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/\[1\/2\] .* gray\.png \(skipped: results exist\)/);
    expect(resumed.stderr).toMatch(/colorized 1 of 2 files into .*; 1 skipped \(results exist\)\n$/);
    expect(await readFile(join(out, 'gray.png'), 'utf8')).toBe('marker gray.png');
    expect(await readFile(join(out, 'gray.sample-1.png'), 'utf8')).toBe('marker gray.sample-1.png');
    expect((await sharp(join(out, 'scan.png')).metadata()).width).toBe(40);
    expect((await sharp(join(out, 'scan.sample-1.png')).metadata()).width).toBe(40);

    const again = await runCliBinary(args);
    expect(again.code).toBe(0);
    expect((await sharp(join(out, 'gray.png')).metadata()).width).toBe(40);
  });

  it('two inputs with the same output name (dup.jpg, dup.png) give dup.png and dup-2.png with a warning naming both inputs', async () => {
    const folder = join(root, 'dups');
    await mkdir(folder);
    const gray = Buffer.from(grayPicture(40, 30));
    await sharp(gray, { raw: { width: 40, height: 30, channels: 1 } })
      .jpeg()
      .toFile(join(folder, 'dup.jpg'));
    await sharp(gray, { raw: { width: 40, height: 30, channels: 1 } })
      .png()
      .toFile(join(folder, 'dup.png'));
    const out = join(root, 'dups-out');
    const run = await runCliBinary(['colorize', folder, '-o', out, '--quiet', ...base()]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `warning: ${join(folder, 'dup.jpg')} and ${join(folder, 'dup.png')} have the same output name; ${join(folder, 'dup.png')} is written as ${join(out, 'dup-2')}.png\n`,
    );
    expect((await readdir(out)).sort()).toEqual(['dup-2.png', 'dup.png']);
  });
});

describe('the command line checks its output folder before any work', () => {
  // A picture that would print an error line if it were read, and a model folder that does not exist:
  // exit status 2 with neither message shows the check came first.
  const unread = async () => {
    const folder = join(root, 'unread');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'broken.png'), 'not a picture');
    return folder;
  };
  const expectRefused = (run: { code: number; stderr: string }, path: string, reason: RegExp) => {
    expect(run.code).toBe(2);
    const [line, ...rest] = run.stderr.trim().split('\n');
    expect(line).toContain(`tfjs-colorization: -o ${path}: cannot hold results: `);
    expect(line).toMatch(reason);
    expect(rest).toEqual([]);
  };

  it('a file, a path under a file, /proc/x, /sys/x, /dev/x and a symbolic link into /proc exit 2 at once naming the path and the reason', async () => {
    const input = await unread();
    const file = join(root, 'a-file.png');
    await writeFile(file, 'x');
    const intoProc = join(root, 'to-proc');
    await symlink('/proc/self', intoProc);
    const missingModel = ['--model', join(root, 'no-model'), '--backend', 'cpu'];
    const cases: [string, RegExp][] = [
      [file, /it is a file, not a folder/],
      [join(file, 'sub'), new RegExp(`it cannot be created: ${file} is a file, not a folder`)],
      ['/proc/x', /inside \/proc, a pseudo-filesystem/],
      ['/proc', /inside \/proc, a pseudo-filesystem/],
      ['/sys/x/y', /inside \/sys, a pseudo-filesystem/],
      ['/dev/colour', /inside \/dev, a pseudo-filesystem/],
      [join(intoProc, 'out'), /it leads into \/proc \(\/proc\/\d+\), a pseudo-filesystem/],
    ];
    const runs = await Promise.all(
      cases.map(([path]) => runCliBinary(['colorize', input, '-o', path, ...missingModel], { timeoutMs: 30_000 })),
    );
    for (const [k, [path, reason]] of cases.entries()) expectRefused(runs[k], path, reason);
    expect(await stat(join(root, 'no-model')).catch(() => undefined)).toBeUndefined();
  });

  it('a folder the user cannot write exits 2 naming it (run as nobody when the suite runs as root); a missing folder is created', async () => {
    const input = await unread();
    const locked = join(root, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const missingModel = ['--model', join(root, 'no-model'), '--backend', 'cpu'];
    const [inside, below] = await Promise.all([
      runCliBinary(['colorize', input, '-o', locked, ...missingModel], asOther),
      runCliBinary(['colorize', input, '-o', join(locked, 'new', 'deeper'), ...missingModel], asOther),
    ]);
    expectRefused(inside, locked, /it is not writable: permission denied \(EACCES\)/);
    expectRefused(
      below,
      join(locked, 'new', 'deeper'),
      new RegExp(`it cannot be created in ${locked}: permission denied \\(EACCES\\)`),
    );
    // A missing folder is fine: created, then the run goes on (here to the missing model, exit 1).
    const fresh = join(root, 'fresh', 'a', 'b');
    const made = await runCliBinary(['colorize', input, '-o', fresh, ...missingModel]);
    expect(made.code).toBe(1);
    expect((await stat(fresh)).isDirectory()).toBe(true);
  });
});
