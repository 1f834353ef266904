/**
 * Chromium for the browser tests, found or fetched, so that `npm test` passes on a machine with only
 * Node and npm. In order:
 * 1. `CHROMIUM_PATH`, when set (it must then exist);
 * 2. a system Chromium or Chrome (Debian's /usr/bin/chromium, chromium-browser, google-chrome, the macOS
 *    applications, or any of those names on PATH);
 * 3. the Chromium that playwright-core downloads, when it is already in playwright's cache;
 * 4. otherwise one is installed: Debian's `chromium` package with apt-get when running as root (what CI
 *    does), else playwright-core's own Chromium (`playwright-core install chromium`, a download into
 *    ~/.cache/ms-playwright, no root needed).
 * An error lists what was tried.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) if (folder !== '' && executable(join(folder, name))) return join(folder, name);
  }
  return undefined;
}

function playwrightChromium(): string | undefined {
  try {
    const path = chromium.executablePath();
    return path !== '' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[], log: (line: string) => void): boolean {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * The path of a Chromium to drive, installing one when none is found (see the file's comment).
 * @param log  where to say what is being installed.
 */
export function findOrInstallChromium(log: (line: string) => void = (line) => console.log(line)): string {
  const tried: string[] = [];
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (executable(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH=${fromEnv} is not an executable file`);
  }
  const found = SYSTEM_PATHS.find(executable) ?? onPath() ?? playwrightChromium();
  if (found !== undefined) return found;
  tried.push(
    `no Chromium at ${SYSTEM_PATHS.join(', ')}, none named ${NAMES.join(', ')} on PATH, none in playwright's cache`,
  );

  log('The browser tests need Chromium and none is installed: installing one.');
  const root = process.getuid?.() === 0;
  if (root && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    if (run('apt-get', ['update'], log) && run('apt-get', ['install', '-y', 'chromium'], log)) {
      const installed = SYSTEM_PATHS.find(executable) ?? onPath();
      if (installed !== undefined) return installed;
    }
    tried.push('apt-get install chromium (as root) did not give a chromium');
  }
  const cli = join(import.meta.dirname, '..', '..', 'node_modules', 'playwright-core', 'cli.js');
  if (run(process.execPath, [cli, 'install', 'chromium'], log)) {
    const downloaded = playwrightChromium();
    if (downloaded !== undefined) return downloaded;
  }
  tried.push("playwright-core install chromium (a download from playwright's servers) did not give a chromium");
  throw new Error(
    `the browser tests need Chromium: ${tried.join('; ')}. Install chromium (or Chrome) or set CHROMIUM_PATH to its executable.`,
  );
}
