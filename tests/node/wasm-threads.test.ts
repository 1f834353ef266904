import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeError } from '../kernels/kernel-test-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

interface ChildResult {
  threads: number;
  threaded: boolean;
  backend: string;
  warnings: string[];
  values: number[];
}

/** Run the child script in a fresh Node; resolve with its result and exit code, or reject after 90 s. */
function runChild(args: string[]): Promise<{ result: ChildResult; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'wasm-threads-child.ts'), ...args], {
      cwd: join(here, '..', '..'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`child did not exit within 90 s (it printed: ${stdout.slice(0, 200)} ${stderr.slice(0, 500)})`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) reject(new Error(`no result (exit ${code}): ${stderr.slice(0, 1000)}`));
      else resolve({ result: JSON.parse(line.slice(7)) as ChildResult, code });
    });
  });
}

describe('useWasmThreads (child processes)', () => {
  it('runs wasm with 2 threads, gives the 1-thread results, and lets the process exit by itself', async () => {
    const [two, one] = await Promise.all([runChild(['2']), runChild(['1'])]);
    expect(two.code).toBe(0);
    expect(one.code).toBe(0);
    expect(two.result).toMatchObject({ backend: 'wasm', threads: 2, threaded: true, warnings: [] });
    expect(one.result).toMatchObject({ backend: 'wasm', threads: 1, threaded: false, warnings: [] });
    expect(two.result.values.length).toBe(one.result.values.length);
    expect(relativeError(two.result.values, one.result.values)).toBeLessThan(1e-5);
  });

  it('falls back to one thread with a warning when the wasm package files cannot be found', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-tfjs-here-'));
    const { result, code } = await runChild(['2', empty]);
    expect(code).toBe(0);
    expect(result).toMatchObject({ backend: 'wasm', threads: 1, threaded: false });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/using 1 thread.*4\.22 internals/);
  });
});
