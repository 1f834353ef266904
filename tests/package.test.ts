// The package as npm sees it: licence, registry fields, the scripts that build it on install and before
// packing, a browser-test build that leaves dist/ alone, source maps without the builder's folders, and a
// quick start that installs a single sharp.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { relativeSourceMaps } from '../scripts/relative-source-maps.mjs';

const ROOT = join(import.meta.dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json as plain JSON; the tests below check its fields
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;

describe('package', () => {
  it('has an MIT LICENSE file that it ships, and repository, homepage, bugs and keywords for the registry page', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} tfjs-colorization contributors\n/);
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    expect(pkg.license).toBe('MIT');
    expect(pkg.files).toContain('LICENSE');
    expect(pkg.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/tfjs-colorization/tfjs-colorization.git',
    });
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/tfjs-colorization\/tfjs-colorization/);
    expect(pkg.bugs.url).toBe('https://github.com/tfjs-colorization/tfjs-colorization/issues');
    expect(pkg.keywords).toEqual(expect.arrayContaining(['colorization', 'tensorflowjs']));
  });

  it('builds dist/ on install from git (prepare) and before packing (prepack, types included); the browser tests build elsewhere', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
    expect(readFileSync(join(ROOT, 'scripts', 'prepare.mjs'), 'utf8')).toContain("spawnSync(npm, ['run', 'build']");
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.scripts.build).toBe('tsup');
    // No build that cleans dist/ without writing types: the browser build has its own config and folder.
    for (const name of ['test:browser', 'example:browser']) {
      expect(pkg.scripts[name]).toMatch(/^npm run build:browser && /);
      expect(pkg.scripts[name]).not.toMatch(/--no-dts/);
    }
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['./node'].types).toBe('./dist/node/index.d.ts');
  });

  it('the browser build writes build/browser/ and leaves dist/ untouched, with relative source maps', async () => {
    const sentinel = join(ROOT, 'dist', `.sentinel-${process.pid}`);
    await mkdir(join(ROOT, 'dist'), { recursive: true });
    await writeFile(sentinel, 'kept');
    try {
      await promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'),
          '--config',
          'tsup.browser.config.ts',
          '--silent',
        ],
        { cwd: ROOT, timeout: 120_000 },
      );
      expect(await readFile(sentinel, 'utf8')).toBe('kept');
      expect(existsSync(join(ROOT, 'build', 'browser', 'index.js'))).toBe(true);
      const maps = (await readdir(join(ROOT, 'build', 'browser'), { recursive: true })).filter((n) =>
        n.endsWith('.map'),
      );
      expect(maps.length).toBeGreaterThan(50);
      for (const name of maps) {
        const { sources } = JSON.parse(await readFile(join(ROOT, 'build', 'browser', name), 'utf8')) as {
          sources: string[];
        };
        for (const source of sources) expect(source, name).not.toMatch(/^(\/|[A-Za-z]:\\|file:)/);
      }
    } finally {
      await rm(sentinel, { force: true });
    }
  }, 180_000);

  it('relativeSourceMaps (run after the CommonJS build) turns absolute sources into paths relative to each map', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maps-'));
    try {
      await mkdir(join(dir, 'node'));
      await writeFile(
        join(dir, 'index.cjs.map'),
        JSON.stringify({ version: 3, sources: [join(dir, 'index.cjs'), '../src/a.ts'], mappings: '' }),
      );
      await writeFile(
        join(dir, 'node', 'index.cjs.map'),
        JSON.stringify({
          version: 3,
          sources: [`file://${join(dir, 'chunk.cjs')}`],
          sourceRoot: '/home/builder',
          mappings: '',
        }),
      );
      await writeFile(
        join(dir, 'clean.js.map'),
        JSON.stringify({ version: 3, sources: ['../src/b.ts'], mappings: '' }),
      );
      expect(relativeSourceMaps(dir)).toBe(2);
      expect(JSON.parse(await readFile(join(dir, 'index.cjs.map'), 'utf8')).sources).toEqual([
        'index.cjs',
        '../src/a.ts',
      ]);
      expect(JSON.parse(await readFile(join(dir, 'node', 'index.cjs.map'), 'utf8'))).toMatchObject({
        sources: ['../chunk.cjs'],
        sourceRoot: '',
      });
      expect(readFileSync(join(ROOT, 'tsup.config.ts'), 'utf8')).toMatch(
        /onSuccess: async \(\) => \{\s+relativeSourceMaps\('dist'\);/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sharp comes with the package once: an optional dependency that the quick start does not install a second time', () => {
    expect(pkg.optionalDependencies.sharp).toMatch(/^\^0\.34\./);
    expect(pkg.dependencies.sharp).toBeUndefined();
    expect(pkg.peerDependencies.sharp).toBeUndefined();
    const quickStart = readFileSync(join(ROOT, 'docs', 'quick-start.md'), 'utf8');
    const installs = [...quickStart.matchAll(/^npm install (.+)$/gm)].map((m) => m[1].split(/\s+/));
    expect(installs.length).toBeGreaterThan(0);
    const own = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
    for (const names of installs)
      for (const name of names)
        expect(own.has(name), `quick start installs ${name}, which the package already brings`).toBe(false);
  });
});
