/**
 * Several threads for the tfjs wasm backend under Node. Depends on internals of
 * `@tensorflow/tfjs-backend-wasm` 4.22 (file names in `wasm-out/`, how it hands emscripten the
 * pthread worker, the `PThread` object of the emscripten module); when they change, it falls back to
 * one thread with a warning instead of failing. See docs/kernels.md.
 *
 * Why it is needed (the speed-up is measured in docs/performance.md and docs/kernels.md):
 * - tfjs 4.22 reports `WASM_HAS_MULTITHREAD_SUPPORT = false` whenever it runs in Node (tfjs issue
 *   #3830), so Node always gets the single-threaded binary.
 * - Forcing the flag makes tfjs give emscripten a `blob:` URL for the pthread worker, which Node's
 *   `worker_threads` rejects (`ERR_WORKER_PATH`).
 * - The C++ side sizes its pool as `min(8, logical cores / 2)`, one thread on a 2-vCPU machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_PACKAGES } from '../backend.js';
import { BackendError } from '../errors.js';
import { checkConfigRange } from '../validate.js';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const WORKER_MODULE = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`;
const GLUE_MODULE = `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`;
/**
 * The C++ pool never exceeds 8 threads.
 * @example
 * await useWasmThreads({ threads: Math.min(os.availableParallelism(), MAX_WASM_THREADS) });
 */
export const MAX_WASM_THREADS = 8;

/**
 * Options of {@link useWasmThreads}.
 * @example
 * const { threads } = await useWasmThreads({ threads: 4, onWarning: (message) => console.warn(message) });
 */
export interface WasmThreadsConfig {
  /** Threads for XNNPACK, 1…8. Default 2. 1 selects the ordinary single-threaded binary. */
  threads?: number;
  /** Called with a sentence when threads could not be enabled. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Give up on the threaded binary after this long (ms) and fall back to one thread. Default 60000. */
  timeoutMs?: number;
  /**
   * Keep the pthread workers counted as live handles. Default `false`: they are `unref`ed, so a
   * script ends when its own work ends, as it does with one thread.
   */
  keepProcessAlive?: boolean;
  /** Directory to resolve `@tensorflow/tfjs-backend-wasm` from. Default: the working directory, then this module. */
  resolveFrom?: string;
}

/** What {@link useWasmThreads} achieved. */
export interface WasmThreadsResult {
  /** Threads XNNPACK actually uses (1 after a fallback). */
  threads: number;
  /** Whether the multi-threaded binary is running. */
  threaded: boolean;
}

/** The parts of the 4.22 wasm backend object read here; all optional because they are internals. */
interface WasmBackendInternals {
  wasm?: {
    tfjs?: { getThreadsCount?: () => number };
    PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: { unref?: () => void }[] };
  };
}

/**
 * Select the wasm backend with several threads in Node (tfjs-backend-wasm 4.22). Call it instead of
 * `useBackend('wasm')`, before any tensor lives on wasm. The application still imports
 * `@tensorflow/tfjs-backend-wasm` itself, as for `useBackend`.
 *
 * Never fails because of the workaround: if the package's internals differ, the threaded binary does
 * not start in time, or wasm was already initialized, it reports through `onWarning` and leaves wasm
 * running with one thread. Outputs are the same as with one thread up to float rounding order.
 *
 * @param config  `threads` (default 2, at most {@link MAX_WASM_THREADS}), `onWarning`, `timeoutMs`,
 *   `keepProcessAlive`, `resolveFrom`.
 * @returns the thread count in use and whether the threaded binary runs.
 * @throws ConfigError for a thread count outside 1…8 or a non-positive timeout.
 * @throws BackendError when the wasm backend is not registered or fails to start even single-threaded.
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * import { useWasmThreads } from 'tfjs-colorization/node';
 * const { threads } = await useWasmThreads({ threads: 2 }); // 2 on a 2-vCPU machine
 */
export async function useWasmThreads(config: WasmThreadsConfig = {}): Promise<WasmThreadsResult> {
  const threads = config.threads ?? 2;
  checkConfigRange('threads', threads, 1, MAX_WASM_THREADS, { integer: true });
  const timeoutMs = config.timeoutMs ?? 60_000;
  checkConfigRange('timeoutMs', timeoutMs, 0, Number.MAX_SAFE_INTEGER, { openLow: true });
  const warn = config.onWarning ?? ((message: string) => process.emitWarning(message, 'WasmThreadsWarning'));
  if (tf.findBackendFactory('wasm') == null) throw new BackendError('wasm', BACKEND_PACKAGES.wasm, 'is not registered');

  if (tf.engine().registry.wasm != null) {
    await selectWasm();
    const running = threadsOf(tf.engine().registry.wasm);
    if (running !== threads)
      warn(
        `wasm was already initialized with ${running} thread(s); call useWasmThreads before the first use of wasm to change that.`,
      );
    return { threads: running, threaded: running > 1 };
  }
  if (threads === 1) {
    await selectWasm();
    return { threads: 1, threaded: false };
  }

  let files: ThreadFiles;
  try {
    files = prepareThreadFiles(config.resolveFrom);
  } catch (e) {
    return fallBack(warn, `could not prepare the pthread worker (${String((e as Error).message).split('\n')[0]})`);
  }
  installWorkerUrlHook(files);
  const osModule = os as { cpus: typeof os.cpus };
  const realCpus = osModule.cpus;
  // The pool is sized from the core count during initialization only, so report 2× threads just then.
  osModule.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  let started = false;
  try {
    started = await withTimeout(tf.setBackend('wasm'), timeoutMs);
  } catch {
    started = false;
  } finally {
    osModule.cpus = realCpus;
  }
  if (!started) return fallBack(warn, `the threaded wasm binary did not start within ${timeoutMs} ms or failed`);
  await tf.ready();
  const backend = tf.engine().registry.wasm;
  const running = threadsOf(backend);
  if (running < threads) warn(`wasm runs ${running} thread(s) instead of ${threads}.`);
  if (!config.keepProcessAlive && !releaseWorkers(backend)) {
    warn('could not unref the wasm pthread workers; end the process with process.exit().');
  }
  return { threads: running, threaded: true };
}

async function selectWasm(): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (e) {
    throw new BackendError('wasm', BACKEND_PACKAGES.wasm, `failed to initialize (${(e as Error).message})`);
  }
  if (!ok) throw new BackendError('wasm', BACKEND_PACKAGES.wasm, 'failed to initialize');
  await tf.ready();
}

async function fallBack(warn: (message: string) => void, reason: string): Promise<WasmThreadsResult> {
  warn(
    `wasm threads unavailable, using 1 thread: ${reason}. This workaround depends on ${WASM_PACKAGE} 4.22 internals.`,
  );
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await selectWasm();
  return { threads: threadsOf(tf.engine().registry.wasm), threaded: false };
}

function threadsOf(backend: unknown): number {
  const count = (backend as WasmBackendInternals | undefined)?.wasm?.tfjs?.getThreadsCount?.();
  return typeof count === 'number' && count >= 1 ? count : 1;
}

/** Unref every pthread worker so they do not keep Node running; false if the internals are not there. */
function releaseWorkers(backend: unknown): boolean {
  const pthreads = (backend as WasmBackendInternals | undefined)?.wasm?.PThread;
  const workers = [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])];
  if (workers.length === 0 || workers.some((w) => typeof w.unref !== 'function')) return false;
  for (const worker of workers) worker.unref!();
  return true;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The worker script on disk and the byte size of the Blob tfjs makes from the same source. */
interface ThreadFiles {
  workerPath: string;
  blobSize: number;
}

let preparedFiles: ThreadFiles | undefined;

/**
 * Write the pthread worker that tfjs would hand over as a `blob:` URL to a temporary `.cjs` file.
 * Inside the worker, emscripten turns the main script (a Blob in a message) into an object URL to
 * load; the appended line makes that URL the package's own copy of the same script instead.
 */
function prepareThreadFiles(resolveFrom: string | undefined): ThreadFiles {
  if (preparedFiles) return preparedFiles;
  const anchors = [resolveFrom ?? join(process.cwd(), 'noop.js')];
  if (resolveFrom == null && typeof import.meta.url === 'string') anchors.push(import.meta.url);
  let lastError: unknown;
  for (const anchor of anchors) {
    try {
      const require = createRequire(
        anchor.endsWith('.js') || anchor.startsWith('file:') ? anchor : join(anchor, 'noop.js'),
      );
      const { wasmWorkerContents } = require(WORKER_MODULE) as { wasmWorkerContents?: unknown };
      if (typeof wasmWorkerContents !== 'string') throw new Error(`${WORKER_MODULE} has no wasmWorkerContents string`);
      const gluePath = require.resolve(GLUE_MODULE);
      // tfjs escapes newlines before building its Blob (backend_wasm.ts); do the same so both match.
      const escaped = wasmWorkerContents.replace(/\n/g, '\\n');
      const dir = mkdtempSync(join(os.tmpdir(), 'tfjs-colorization-wasm-'));
      const workerPath = join(dir, 'pthread-worker.cjs');
      writeFileSync(
        workerPath,
        `${escaped}\nURL.createObjectURL=()=>${JSON.stringify(gluePath)};URL.revokeObjectURL=()=>{};\n`,
      );
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      preparedFiles = { workerPath, blobSize: Buffer.byteLength(escaped) };
      return preparedFiles;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

let hookInstalled = false;

/**
 * Make `URL.createObjectURL` return the worker file for tfjs's worker Blob (recognized by type and
 * size; every other Blob gets a normal object URL). Stays installed, since emscripten asks again
 * whenever it needs another worker.
 */
function installWorkerUrlHook(files: ThreadFiles): void {
  if (hookInstalled) return;
  hookInstalled = true;
  const original = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (object: Blob) =>
    object instanceof Blob && object.type === 'application/javascript' && object.size === files.blobSize
      ? files.workerPath
      : original(object);
}
