// Crash test of the Node checkpoint store: a child process saves checkpoints in a loop and is killed with
// SIGKILL at seeded random moments; after every kill the newest checkpoint must load, verify and be at least
// as new as the last save the child reported complete.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../../../src/node/files/checkpoint-files.js';
import { createRandom } from '../../../src/random.js';
import { partBytes, sha256 } from './checkpoint-kill-child.js';

const KILLS = 30;
const CHILD = join(import.meta.dirname, 'checkpoint-kill-child.ts');

interface Run {
  readySteps: number[];
  lastSaved: number;
}

/** Start the child, wait until it has resumed, let it save for `delayMs`, then SIGKILL it. */
function runAndKill(directory: string, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory], { stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { readySteps: [], lastSaved: -1 };
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'ready') {
          run.readySteps.push(Number(value));
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        } else if (word === 'saved') run.lastSaved = Number(value);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`child exited with code ${code}: ${stderr}`));
    });
  });
}

describe('file checkpoint store under SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`after each of ${KILLS} kills at random moments the newest checkpoint is complete, intact and not older than the last reported save`, async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ckpt-kill-'));
    dirs.push(directory);
    const rng = createRandom(20260124);
    let acknowledged = 0;
    let previousLatest = 0;
    let killsMidSave = 0;
    let killsDuringWrite = 0;
    const started = Date.now();
    for (let k = 0; k < KILLS; k++) {
      const run = await runAndKill(directory, Math.floor(rng.next() * 180));
      // The child resumed from exactly the checkpoint the parent found after the previous kill.
      expect(run.readySteps).toEqual([previousLatest]);
      acknowledged = Math.max(acknowledged, run.lastSaved);
      if ((await readdir(directory)).some((n) => n.startsWith('.tmp-'))) killsDuringWrite += 1;

      const store = createFileCheckpointStore({ directory, keepLast: 2 });
      const latest = await store.loadLatest();
      if (acknowledged > 0) expect(latest).toBeDefined();
      if (latest === undefined) continue;
      const step = latest.manifest.step;
      expect(step).toBeGreaterThanOrEqual(acknowledged);
      // At most one save can complete between the child's last report and the kill.
      expect(step).toBeLessThanOrEqual(Math.max(acknowledged, run.readySteps[0]) + 1);
      if (step > acknowledged) killsMidSave += 1;
      const digests = (latest.manifest.metadata.sha256 ?? {}) as Record<string, string>;
      const keys = Object.keys(latest.parts).sort();
      expect(keys).toEqual(['model-critic', 'model-generator', 'optimizer-generator']);
      for (const key of keys) {
        const expected = partBytes(step, ['model-generator', 'model-critic', 'optimizer-generator'].indexOf(key));
        expect(sha256(latest.parts[key])).toBe(digests[key]);
        expect(sha256(latest.parts[key])).toBe(sha256(expected));
      }
      // Every listed checkpoint loads and verifies, none is a temporary or half-deleted directory.
      for (const info of await store.list()) await expect(store.load(info.id)).resolves.toBeDefined();
      acknowledged = step;
      previousLatest = step;
    }
    const pointer = await readFile(join(directory, 'latest'), 'utf8');
    const names = await readdir(directory);
    expect(names).toContain(pointer);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `checkpoint kill test: ${KILLS} kills in ${seconds.toFixed(1)} s, newest step ${acknowledged}; ` +
        `${killsDuringWrite} kills left a half-written temporary directory, ${killsMidSave} landed after an unreported save`,
    );
    // The kills must actually hit the write window, or the test proves nothing about partial checkpoints.
    expect(killsDuringWrite).toBeGreaterThan(0);
  }, 120_000);
});
