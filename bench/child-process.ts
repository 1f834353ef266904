/**
 * One process per configuration: a bench file that measures several backend configurations runs itself
 * once per configuration with `--child=<backend>:<threads>` (wasm's thread count is fixed when wasm
 * starts), and each child prints one `REPORT <json>` line that the parent reads and prints.
 * Bench-only: never imported by src/ or tests/.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { machineInfo, type KernelShare } from './harness.js';

const CHILD_FLAG = '--child=';
const CONFIGS_FLAG = '--configs=';
const REPORT_PREFIX = 'REPORT ';

/** What every child reports, whatever it measures; a bench's own report extends it. */
export interface ChildReport {
  /** `wasm 2 threads`, `wasm 1 thread` or `cpu`. */
  configuration: string;
  machine: Record<string, string | number>;
  loadBefore: number[];
  loadAfter: number[];
  /** Peak resident memory of the child's node process. */
  peakRssMiB: number;
  notes: string[];
}

/** A report that also gives peak tensor memory (`tf.profile`'s `peakBytes`) and kernel profiles, each by what was profiled. */
export interface ProfiledChildReport extends ChildReport {
  peakTensorMiB: Record<string, number>;
  kernels: Record<string, KernelShare[]>;
}

/** A child's backend, started by {@link startChildBackend}; `notes` collects what the report should say. */
export interface ChildBackend {
  backend: 'wasm' | 'cpu';
  threads: number;
  notes: string[];
  loadBefore: number[];
}

/** The configuration this process is the child for (`--child=wasm:2` → `'wasm:2'`), or undefined in the parent. */
export function childConfiguration(): string | undefined {
  return process.argv.find((a) => a.startsWith(CHILD_FLAG))?.slice(CHILD_FLAG.length);
}

/** `--configs=wasm:1,wasm:2` runs only those configurations; default `all`. */
export function chosenConfigurations(all: string[]): string[] {
  const arg = process.argv.find((a) => a.startsWith(CONFIGS_FLAG));
  return arg ? arg.slice(CONFIGS_FLAG.length).split(',') : all;
}

/**
 * Run the bench file `scriptUrl` (its `import.meta.url`) once per configuration, one after another, each
 * as `--child=<configuration>` plus `childArgs`, with stderr passed through; hand each child's report to
 * `onReport` as soon as it ends. A child that prints no report is named on stderr with the end of its stdout.
 */
export function runConfigurations<R extends ChildReport>(
  scriptUrl: string,
  configurations: string[],
  onReport: (report: R) => void,
  childArgs: string[] = [],
): void {
  for (const configuration of configurations) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(scriptUrl), `${CHILD_FLAG}${configuration}`, ...childArgs],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 26,
      },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
    if (!line) {
      console.error(`${configuration} failed (exit ${r.status})\n${r.stdout.slice(-2000)}`);
      continue;
    }
    onReport(JSON.parse(line.slice(REPORT_PREFIX.length)) as R);
  }
}

/**
 * Start the backend of `configuration` (`wasm:<threads>` through `useWasmThreads`; any other, e.g. `cpu:1`, cpu) after
 * tfjs-layers, which must load before the library's model builders (the library never imports a backend).
 * The load average is taken first, before anything is loaded; a thread count other than the one asked
 * for, and `useWasmThreads`' warnings, go into `notes`.
 */
export async function startChildBackend(configuration: string): Promise<ChildBackend> {
  const [backendName, threadText] = configuration.split(':');
  const threads = Number(threadText);
  const started: ChildBackend = {
    backend: backendName === 'wasm' ? 'wasm' : 'cpu',
    threads,
    notes: [],
    loadBefore: loadavg(),
  };
  await import('@tensorflow/tfjs-layers');
  if (started.backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const { useWasmThreads } = await import('../src/node/wasm-threads.js');
    const result = await useWasmThreads({ threads, onWarning: (m) => started.notes.push(m) });
    if (result.threads !== threads) started.notes.push(`asked for ${threads} wasm threads, got ${result.threads}`);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
  }
  return started;
}

/**
 * End the child: print `REPORT <json>` for the parent, the common fields (configuration name, machine,
 * load average before and after, peak RSS, notes) filled in around `measured`, and exit.
 */
export function sendReport<R extends ChildReport>(started: ChildBackend, measured: Omit<R, keyof ChildReport>): never {
  const { backend, threads } = started;
  const report = {
    configuration: backend === 'wasm' ? `wasm ${threads} thread${threads > 1 ? 's' : ''}` : 'cpu',
    machine: machineInfo(),
    loadBefore: started.loadBefore,
    loadAfter: loadavg(),
    ...measured,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    notes: started.notes,
  };
  console.log(REPORT_PREFIX + JSON.stringify(report));
  process.exit(0);
}

/** The lines above a configuration's tables: its heading, the machine, the load average, `memoryLine`, then the notes. */
export function printReportHeader(report: ChildReport, memoryLine: string): void {
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\n### ${report.configuration}\n`);
  console.log(JSON.stringify(report.machine));
  console.log(`load average before ${load(report.loadBefore)}, after ${load(report.loadAfter)}`);
  console.log(memoryLine);
  for (const note of report.notes) console.log(`note: ${note}`);
}

/** `peak RSS (node) 812 MiB; peak tensor memory zhang stock 310 MiB, …`: the memory line of a report with tensor peaks. */
export function formatPeakMemory(report: ProfiledChildReport): string {
  const tensors = Object.entries(report.peakTensorMiB)
    .map(([k, v]) => `${k} ${v.toFixed(0)} MiB`)
    .join(', ');
  return `peak RSS (node) ${report.peakRssMiB.toFixed(0)} MiB; peak tensor memory ${tensors}`;
}
