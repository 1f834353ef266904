/**
 * Benchmark harness: our path and a reference measured in the same run, interleaved round by round,
 * after warm-up; medians, spread and the ratio ours / reference. Bench-only: never imported by src/ or tests/.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';

/** One timed workload: `run` is called once per round; it may be async. */
export interface BenchCase {
  name: string;
  run: () => unknown | Promise<unknown>;
}

/** Timings of one case over all measured rounds, in milliseconds. */
export interface Timing {
  name: string;
  samples: number[];
  median: number;
  min: number;
  max: number;
}

function summarize(name: string, samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { name, samples, median, min: s[0], max: s[s.length - 1] };
}

/** A reference workload served by a long-lived Python process (see bench/reference/serve.py). */
export class PythonReference implements BenchCase {
  private proc?: ChildProcessWithoutNullStreams;
  private lines?: Interface;
  private pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  info: Record<string, unknown> = {};

  constructor(
    readonly name: string,
    readonly script: string,
    readonly args: string[] = [],
    readonly env: Record<string, string> = {},
  ) {}

  /** Start the process and wait for its setup to finish. */
  async start(): Promise<void> {
    this.proc = spawn('/usr/bin/python3', [this.script, ...this.args], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '2', ...this.env },
    });
    this.proc.stderr.on('data', (d) => process.stderr.write(d));
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.resolve(line));
    this.proc.once('exit', (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`${this.script} exited with ${code}`));
    });
    const ready = await this.next();
    if (!ready.startsWith('ready')) throw new Error(`${this.script}: unexpected first line ${ready}`);
    this.info = JSON.parse(ready.slice(6) || '{}');
  }

  private next(): Promise<string> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  /** One round; resolves with the milliseconds measured inside Python (no pipe overhead). */
  async run(): Promise<number> {
    const answer = this.next();
    this.proc!.stdin.write('run\n');
    return Number(await answer);
  }

  stop(): void {
    this.proc?.stdin.write('quit\n');
    this.proc?.stdin.end();
  }
}

/**
 * Time cases interleaved: each round runs every case once, in order, so machine noise hits all alike.
 * A {@link PythonReference} reports its own in-process time; other cases are timed here.
 */
export async function timeInterleaved(cases: BenchCase[], { warmup = 1, rounds = 7 } = {}): Promise<Timing[]> {
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < warmup + rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      let ms: number;
      if (c instanceof PythonReference) ms = await c.run();
      else {
        const t0 = performance.now();
        await c.run();
        ms = performance.now() - t0;
      }
      if (r >= warmup) samples[i].push(ms);
    }
  }
  return cases.map((c, i) => summarize(c.name, samples[i]));
}

/** The machine and runtime, printed with every result. */
export function machineInfo(): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    backend: tf.getBackend(),
    tfjs: tf.version_core,
  };
}

/** Format milliseconds compactly. */
export function ms(x: number): string {
  return x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
}

/** Print timings with the ratio of each to `reference` (a case name). */
export function printRatios(title: string, timings: Timing[], reference: string): string {
  const ref = timings.find((t) => t.name === reference);
  const lines = [`## ${title}`, '', '| case | median | min–max | ratio vs ' + reference + ' |', '|---|---|---|---|'];
  for (const t of timings) {
    const ratio = ref ? (t.median / ref.median).toFixed(3) + '×' : '—';
    lines.push(`| ${t.name} | ${ms(t.median)} | ${ms(t.min)}–${ms(t.max)} | ${ratio} |`);
  }
  const text = lines.join('\n');
  console.log(text + '\n');
  return text;
}

/**
 * Median CPU time (user + system, `process.cpuUsage`) of `rounds` calls of `run` after one warm-up call,
 * in milliseconds: on a shared machine, other processes' load does not inflate it as it does wall time.
 */
export function cpuMedianMs(run: () => unknown, rounds: number): number {
  run();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((x, y) => x - y)[rounds >> 1];
}

/**
 * The same for a Python reference: runs `script args --cpu-times <rounds>` (bench/reference/serve.py,
 * `time.process_time` per call after one warm-up call) with BLAS and OpenMP pinned to one thread, and
 * returns the median of the milliseconds it prints.
 */
export function pythonCpuMedianMs(script: string, args: string[], rounds: number): number {
  const python = spawnSync('/usr/bin/python3', [script, ...args, '--cpu-times', String(rounds)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  const times = (JSON.parse(python.stdout) as number[]).sort((x, y) => x - y);
  return times[times.length >> 1];
}

/** Time spent in one kernel name during one profiled run (`tf.profile`). */
export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
}

/** Time per kernel name of one profiled run, largest first. */
export function kernelShares(info: Awaited<ReturnType<typeof tf.profile>>): KernelShare[] {
  const byName = new Map<string, KernelShare>();
  // Entries named `<op>__op` are op scopes around the kernels (their time is counted again inside).
  for (const k of info.kernels.filter((kernel) => !kernel.name.endsWith('__op'))) {
    const entry = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, entry);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}

/** Column layout of {@link printKernelProfiles}: what one profiled run is called, how many kernels, column widths. */
export interface KernelProfileLayout {
  run: string;
  top: number;
  kernelWidth: number;
  callsWidth: number;
}

/**
 * Print each profile of `profiles` (name → {@link kernelShares}): a line with its total, then its `top`
 * kernels with calls, time and share of the total.
 */
export function printKernelProfiles(
  profiles: Record<string, KernelShare[]>,
  { run, top, kernelWidth, callsWidth }: KernelProfileLayout,
): void {
  for (const [name, shares] of Object.entries(profiles)) {
    const total = shares.reduce((s, k) => s + k.ms, 0);
    console.log(`kernel profile (${name}, ${run}, sum ${ms(total)}):`);
    for (const k of shares.slice(0, top)) {
      console.log(
        `  ${k.kernel.padEnd(kernelWidth)} ${String(k.calls).padStart(callsWidth)} calls ${ms(k.ms).padStart(9)} ${((100 * k.ms) / total).toFixed(1).padStart(5)} %`,
      );
    }
  }
}
