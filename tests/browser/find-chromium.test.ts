// How the browser tests find their Chromium (the install branch needs a network and root, and runs on a
// machine that has none: it is exercised there, not here).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOrInstallChromium } from './find-chromium.js';

const saved = { CHROMIUM_PATH: process.env.CHROMIUM_PATH, PATH: process.env.PATH };
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('findOrInstallChromium', () => {
  it('takes CHROMIUM_PATH when it names an executable, refuses one that does not, and installs nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chromium-'));
    try {
      const fake = join(dir, 'my-chrome');
      await writeFile(fake, '#!/bin/sh\n');
      await chmod(fake, 0o755);
      const log: string[] = [];
      process.env.CHROMIUM_PATH = fake;
      expect(findOrInstallChromium((line) => log.push(line))).toBe(fake);
      process.env.CHROMIUM_PATH = join(dir, 'missing');
      expect(() => findOrInstallChromium((line) => log.push(line))).toThrow(
        /CHROMIUM_PATH=.*missing is not an executable file/,
      );
      expect(log).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('finds a browser by name on PATH when no CHROMIUM_PATH is set (or the system one, when the machine has it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chromium-path-'));
    try {
      const fake = join(dir, 'chromium-browser');
      await writeFile(fake, '#!/bin/sh\n');
      await chmod(fake, 0o755);
      delete process.env.CHROMIUM_PATH;
      process.env.PATH = `${dir}:${saved.PATH ?? ''}`;
      const found = findOrInstallChromium(() => {
        throw new Error('must not install');
      });
      expect([
        fake,
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/snap/bin/chromium',
      ]).toContain(found);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
