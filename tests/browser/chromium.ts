/**
 * Chromium, headless, driven by playwright-core: the one global-setup.ts found or installed
 * (find-chromium.ts), passed in `CHROMIUM_PATH`. Each launch gets a new,
 * empty profile, and every page records console errors and uncaught exceptions so a test can require none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags every launch uses: no GPU, no network chatter, no first-run UI. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * WebGL without a GPU: SwiftShader (software) behind ANGLE. Chromium no longer falls back to it on its
 * own, so the webgl tests ask for it.
 */
export const SOFTWARE_WEBGL_FLAGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** A running browser with its own profile folder. */
export interface Browser {
  context: BrowserContext;
  /** A new page whose console errors and page errors go into `errors`. */
  newPage(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Launch chromium with {@link CHROMIUM_FLAGS} (plus `extraFlags`) on a new empty profile. */
export async function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'tfjs-colorization-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      return { page, errors };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
