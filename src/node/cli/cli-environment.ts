/**
 * What the command line needs from its surroundings: output streams, the version, a backend importer
 * and an abort signal. Its own file so that the commands (`colorize` in cli.ts, `convert` and `get` in
 * weights-commands.ts) share it without importing each other.
 */
import type { ProgressStream } from './progress-bar.js';

/**
 * A writable text stream (`process.stderr` or a test double); `isTTY` enables the redrawn progress line.
 * The same contract as the training progress display's {@link ProgressStream}.
 * @example
 * const lines: string[] = [];
 * const stream: CliStream = { write: (text) => lines.push(text) }; // no TTY: one progress line per file
 */
export type CliStream = ProgressStream;

/**
 * What {@link runCli} needs from its surroundings.
 * @example await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, version: '0.1.0', importBackend });
 */
export interface CliEnvironment {
  stdout: CliStream;
  stderr: CliStream;
  /** The package version, printed by `--version`. */
  version: string;
  /** Import the package that registers a backend (`import('@tensorflow/tfjs-backend-wasm')`). */
  importBackend: (name: string) => Promise<void>;
  /** Stops the run between files (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}
