/**
 * A training progress display for Node terminals and logs, as a {@link TrainingCallbacks} consumer:
 * a bar, steps/s, ETA and the current losses. On a TTY one line is redrawn in place; elsewhere (CI logs,
 * files) a line is printed every `everySteps` steps so logs stay readable.
 */
import type { TrainingCallbacks } from '../../train/callbacks.js';
import { ConfigError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';

/**
 * Where the display writes: `process.stderr` or anything with `write` (and `isTTY` for redrawing).
 * @example
 * const lines: string[] = [];
 * const bar = createProgressBar({ stream: { write: (text) => lines.push(text) } }); // no TTY: one line per update
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Settings of {@link createProgressBar}.
 *
 * @example
 * const progress = createProgressBar({ everySteps: 100, losses: ['loss'] });
 */
export interface ProgressBarConfig {
  /** Output; default `process.stderr`. */
  stream?: ProgressStream;
  /** False turns the display off (the callbacks do nothing). Default true. */
  enabled?: boolean;
  /** Redraw one line (TTY) or print lines. Default: the stream's `isTTY`. */
  tty?: boolean;
  /** Non-TTY: print a line every this many steps (and at the end); integer ≥ 1. Default 50. */
  everySteps?: number;
  /** Characters of the bar; integer ≥ 4. Default 24. */
  width?: number;
  /** Losses to show, in order; default every loss of the step (at most 4). */
  losses?: readonly string[];
  /** Clock in milliseconds (for tests); default `performance.now`. */
  now?: () => number;
}

/**
 * A duration for humans: `1h02m`, `3m07s`, `12s`; `?` when unknown.
 *
 * @example
 * formatDuration(187); // '3m07s'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/** Losses in 4 significant digits (or exponent form when tiny or huge). */
function formatLoss(value: number): string {
  const a = Math.abs(value);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? value.toExponential(2) : value.toPrecision(4);
}

/**
 * Create the progress display. Pass it in a trainer's `callbacks`.
 *
 * @throws ConfigError for a bad `everySteps`, `width` or `stream`.
 * @example
 * await trainer.fit({ source, epochs: 10, callbacks: [createProgressBar()] });
 * // epoch 3/10 [#########...............] 1200/4000  5.1 steps/s  ETA 9m09s  loss 0.4312
 */
export function createProgressBar(config: ProgressBarConfig = {}): TrainingCallbacks {
  if (config.enabled === false) return {};
  const stream: ProgressStream = config.stream ?? process.stderr;
  if (typeof stream?.write !== 'function')
    throw new ConfigError('stream', 'a stream with write()', describeValue(stream));
  const everySteps = config.everySteps ?? 50;
  checkConfigRange('everySteps', everySteps, 1, Infinity, { integer: true });
  const width = config.width ?? 24;
  checkConfigRange('width', width, 4, Infinity, { integer: true });
  const tty = config.tty ?? stream.isTTY === true;
  const now = config.now ?? (() => performance.now());

  let started = 0;
  let firstStep = 0;
  let total: number | undefined;
  let epochs = 0;
  let drawn = false;

  const line = (epoch: number, step: number, losses: { [name: string]: number }): string => {
    const done = step - firstStep;
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const parts = [`epoch ${epoch + 1}/${epochs}`];
    if (total !== undefined && total > 0) {
      const filled = Math.min(width, Math.round((done / total) * width));
      parts.push(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    } else {
      parts.push(`step ${step}`);
    }
    parts.push(`${rate.toFixed(2)} steps/s`);
    if (total !== undefined) parts.push(`ETA ${rate > 0 ? formatDuration((total - done) / rate) : '?'}`);
    const names = config.losses ?? Object.keys(losses).slice(0, 4);
    const shown = names.filter((n) => typeof losses[n] === 'number').map((n) => `${n} ${formatLoss(losses[n])}`);
    if (shown.length > 0) parts.push(shown.join(' '));
    return parts.join('  ');
  };

  const print = (text: string): void => {
    if (tty && drawn) stream.write('\n');
    drawn = false;
    stream.write(`${text}\n`);
  };

  let last: { epoch: number; step: number; losses: { [name: string]: number } } | undefined;
  return {
    onTrainBegin(e) {
      started = now();
      firstStep = e.step;
      total = e.totalSteps;
      epochs = e.epochs;
      if (e.resumed) print(`resumed at epoch ${e.epoch + 1}, step ${e.step}`);
    },
    onBatchEnd(e) {
      last = { epoch: e.epoch, step: e.step, losses: e.losses };
      if (tty) {
        stream.write(`\r${line(e.epoch, e.step, e.losses)}\x1b[K`);
        drawn = true;
      } else if ((e.step - firstStep) % everySteps === 0) {
        print(line(e.epoch, e.step, e.losses));
      }
    },
    onValidation(e) {
      const metrics = Object.entries(e.metrics)
        .map(([n, v]) => `${n} ${formatLoss(v)}`)
        .join(' ');
      print(`validation at step ${e.step}: ${metrics}`);
    },
    onCollapse(e) {
      print(
        `collapse at step ${e.step} (${e.reasons.join(', ')}): restored step ${e.restoredStep}, learning rates ×${e.learningRateScale}`,
      );
    },
    onTrainEnd(e) {
      if (last !== undefined && !tty && (last.step - firstStep) % everySteps !== 0)
        print(line(last.epoch, last.step, last.losses));
      if (tty && drawn) stream.write('\n');
      drawn = false;
      if (e.aborted) stream.write(`stopped at step ${e.step}\n`);
    },
  };
}
