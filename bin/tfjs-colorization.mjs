#!/usr/bin/env node
// The `tfjs-colorization` command. The program is `runCli` (src/node/cli/cli.ts); this file connects it to
// the process: arguments, streams, the version, backend packages and Ctrl-C.
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
// A source checkout without a build runs from src/ (under `node --import tsx`); set
// TFJS_COLORIZATION_FROM_SOURCE=1 to prefer src/ even when dist/ exists.
const fromSource =
  process.env.TFJS_COLORIZATION_FROM_SOURCE === '1' || !existsSync(new URL('dist/node/index.js', root));
const { runCli } = await import(
  fromSource ? new URL('src/node/index.ts', root).href : new URL('dist/node/index.js', root).href
);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

// tfjs-core greets every Node process with a hint to install tfjs-node (not installable offline, and not
// needed here); a command line's stderr is for the user's files. IS_TEST only gates that banner.
const tf = await import('@tensorflow/tfjs-core');
tf.env().set('IS_TEST', true);

const BACKEND_IMPORTS = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nstopping after the current file (Ctrl-C again to quit now)\n');
  controller.abort('SIGINT');
  process.once('SIGINT', () => process.exit(130));
});

const status = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  version,
  importBackend: async (name) => {
    await BACKEND_IMPORTS[name]();
  },
  signal: controller.signal,
});
// wasm pthread workers or sharp's thread pool must not keep the process alive after the work is done.
process.exit(status);
