/**
 * What every experiment script does around its trainer: the wasm backend with the convolution-gradient
 * kernels, a file checkpoint store in the run folder, resume from it, a time budget (and Ctrl-C) that
 * stops the run cleanly with a checkpoint, the progress bar, sample sheets of a fixed validation batch,
 * the curves CSV + SVG, and the final validation summary (`summary.json`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  computeColorfulness,
  createBatchPipeline,
  createValidationAccumulator,
  disposeBatch,
  registerKernels,
  type Batch,
  type BatchPipelineConfig,
  type BatchSource,
  type ExampleSource,
  type FitResult,
  type ResumeResult,
  type GanTrainer,
  type SupervisedTrainer,
  type TrainingCallbacks,
} from 'tfjs-colorization';
import {
  atomicWriteFile,
  buildSampleRows,
  createFileCheckpointStore,
  createProgressBar,
  createSampleSheetCallback,
  createTrainingCurvesCallback,
  useWasmThreads,
} from 'tfjs-colorization/node';
import { spreadIndices } from './experiment-data.js';

/** Select wasm with `threads` threads and register the training kernels. Returns the threads in use. */
export async function startWasm(threads: number): Promise<number> {
  tf.env().set('PROD', true);
  const { threads: running } = await useWasmThreads({ threads });
  registerKernels({ backend: 'wasm' });
  return running;
}

/** The run folder's checkpoint store: the newest two and the best by the monitored metric. */
export function createRunStore(out: string) {
  return createFileCheckpointStore({ directory: join(out, 'checkpoints'), keepLast: 2, keepBest: true });
}

/**
 * `size` examples spread evenly over the source (so a sorted validation list shows many classes, not the
 * first few), through a deterministic validation pipeline, as one batch the caller owns.
 */
export async function takeFixedBatch(source: ExampleSource, config: BatchPipelineConfig, size: number): Promise<Batch> {
  const picks = spreadIndices(source.size, size);
  const spread: ExampleSource = {
    size: picks.length,
    classNames: source.classNames,
    read: (i) => source.read(picks[i]),
  };
  const pipeline = createBatchPipeline(spread, {
    ...config,
    batchSize: size,
    shuffle: false,
    crop: 'centre',
    flip: false,
    prefetch: false,
  });
  const iterator = pipeline.batches(0)[Symbol.asyncIterator]();
  const first = await iterator.next();
  await iterator.return?.();
  if (first.done) throw new Error('the validation source yielded no batch');
  return first.value;
}

type AnyTrainer = Pick<SupervisedTrainer, 'fit' | 'evaluate' | 'resume' | 'predictAb'> | GanTrainer;

export interface ExperimentRun {
  /** Script name, for logs and the summary. */
  name: string;
  /** Run folder. */
  out: string;
  /** Wall-clock budget of this session. */
  minutes: number;
  /** Epochs of the whole run. */
  epochs: number;
  trainer: AnyTrainer;
  /** The store the trainer checkpoints into (resumed from here). */
  store: ReturnType<typeof createRunStore>;
  source: BatchSource;
  /** Deterministic validation batches; `validationBatches` of them are used. */
  validation: BatchSource;
  validationBatches: number;
  validateEvery: number;
  /** Colour experiments: the fixed batch for sample sheets, every `sampleEvery` steps. */
  samples?: { batch: Batch; everySteps: number };
  /** Losses the progress bar shows. */
  progressLosses?: readonly string[];
  /** Everything that defines the run, written to `config.json` (a resumed run with other settings logs the change). */
  config: Record<string, unknown>;
}

/** The run's previous `config.json` (undefined for a new run) and the top-level keys this run changes. */
async function compareConfig(
  out: string,
  config: Record<string, unknown>,
): Promise<{ previous?: Record<string, unknown>; changed: string[] }> {
  let text: string;
  try {
    text = await readFile(join(out, 'config.json'), 'utf8');
  } catch {
    return { changed: [] };
  }
  const previous = JSON.parse(text) as Record<string, unknown>;
  const changed = Object.keys({ ...previous, ...config }).filter(
    (k) => JSON.stringify(previous[k]) !== JSON.stringify(config[k]),
  );
  return { previous, changed };
}

/**
 * Resume from the store. Settings that differ from the run's `config.json` take effect, are reported and
 * appended to `config-changes.jsonl` (step, old and new values) before `config.json` is rewritten. A
 * changed `optimizer` (a new `--lr` on a plateau) resumes with the schedule built from the new settings
 * instead of the checkpoint's (`schedules: 'keep'`); weights, Adam moments and data position still come
 * back. Otherwise the run continues exactly.
 */
async function resumeRun(run: ExperimentRun): Promise<ResumeResult | undefined> {
  const { previous, changed } = await compareConfig(run.out, run.config);
  const newSchedule = changed.includes('optimizer');
  const resumed = await run.trainer.resume(run.store, newSchedule ? { schedules: 'keep' } : {});
  if (resumed !== undefined && previous !== undefined && changed.length > 0) {
    const was = Object.fromEntries(changed.map((k) => [k, previous[k] ?? null]));
    const now = Object.fromEntries(changed.map((k) => [k, run.config[k] ?? null]));
    console.warn(
      `warning: settings differ from ${join(run.out, 'config.json')} in ${changed.join(', ')}; the new ones apply from step ${resumed.step}${newSchedule ? ' (the learning-rate schedule too: it is rebuilt from them, not restored from the checkpoint)' : ''}; logged in config-changes.jsonl (use another --out for a new run)`,
    );
    await appendFile(
      join(run.out, 'config-changes.jsonl'),
      `${JSON.stringify({ time: new Date().toISOString(), step: resumed.step, was, now })}\n`,
    );
  }
  await atomicWriteFile(join(run.out, 'config.json'), `${JSON.stringify(run.config, null, 2)}\n`);
  return resumed;
}

/**
 * Validation summary: the trainer's metrics (losses, AuC, PSNR, accuracy as the objective has them),
 * Hasler–Süsstrunk colourfulness of the predictions and of the truth, and the gray baseline (ab = 0)
 * on the same images, so a reader sees how far the model is from doing nothing.
 */
export async function summarize(
  trainer: AnyTrainer,
  validation: BatchSource,
  maxBatches: number,
  predictsAb: boolean,
): Promise<Record<string, number>> {
  const metrics = await trainer.evaluate(validation, maxBatches);
  if (!predictsAb) return metrics;
  const gray = createValidationAccumulator();
  let colourfulness = 0,
    truthColourfulness = 0,
    images = 0,
    seen = 0;
  for await (const batch of validation.batches(0)) {
    try {
      const predicted = trainer.predictAb(batch);
      try {
        for (const [, prediction, truth] of buildSampleRows(batch, predicted)) {
          colourfulness += computeColorfulness(prediction, { dataRange: 1 });
          truthColourfulness += computeColorfulness(truth, { dataRange: 1 });
          images += 1;
        }
      } finally {
        predicted.dispose();
      }
      const zero = tf.zerosLike(batch.targets.ab!) as tf.Tensor4D;
      gray.addColor(batch.input, zero, batch.targets.ab as tf.Tensor4D);
      zero.dispose();
    } finally {
      disposeBatch(batch);
    }
    if (++seen >= maxBatches) break;
  }
  const baseline = gray.result();
  return {
    ...metrics,
    colourfulness: colourfulness / images,
    truth_colourfulness: truthColourfulness / images,
    gray_auc: baseline.auc,
    gray_psnr: baseline.psnr,
    validation_images: images,
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.floor(sorted.length / 2)].toFixed(0));
}

/**
 * Resume from the store, train until the budget runs out (or SIGINT/SIGTERM), then write `summary.json`.
 * The trainer saves a checkpoint when the run stops, so the next call with the same `--out` continues.
 */
export async function runExperiment(run: ExperimentRun): Promise<FitResult> {
  await mkdir(run.out, { recursive: true });
  const resumed = await resumeRun(run);
  console.log(
    resumed
      ? `resuming ${run.name} at step ${resumed.step} (epoch ${resumed.epoch}, batch ${resumed.startBatch})`
      : `starting ${run.name} in ${run.out}`,
  );

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), run.minutes * 60_000);
  const stop = () => {
    console.log('\nstopping: finishing the step and saving a checkpoint');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  // Median time between consecutive steps: the step time without the validation and sample-sheet stalls.
  const intervals: number[] = [];
  let previous: number | undefined;
  let sessionSteps = 0;
  const timing: TrainingCallbacks = {
    onBatchEnd() {
      sessionSteps += 1;
      const now = performance.now();
      if (previous !== undefined) intervals.push(now - previous);
      previous = now;
    },
    onValidation() {
      previous = undefined;
    },
  };
  const callbacks: TrainingCallbacks[] = [
    createProgressBar({ everySteps: 10, ...(run.progressLosses ? { losses: run.progressLosses } : {}) }),
    createTrainingCurvesCallback({ directory: run.out, everySteps: 5, plotEverySteps: 25, chart: { title: run.name } }),
    timing,
  ];
  if (run.samples)
    callbacks.push(
      createSampleSheetCallback({
        directory: join(run.out, 'samples'),
        batch: run.samples.batch,
        everySteps: run.samples.everySteps,
        cellHeight: 96,
      }),
    );

  const started = Date.now();
  const result = await run.trainer.fit({
    source: run.source,
    epochs: run.epochs,
    validation: { source: run.validation, everySteps: run.validateEvery, maxBatches: run.validationBatches },
    signal: controller.signal,
    callbacks,
  });
  clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  const trainSeconds = (Date.now() - started) / 1000;

  console.log(
    `stopped at step ${result.step} (${result.stopReason}); validating on ${run.validationBatches} batch(es) for the summary`,
  );
  const metrics = await summarize(run.trainer, run.validation, run.validationBatches, run.samples !== undefined);
  const summary = {
    experiment: run.name,
    step: result.step,
    epoch: result.epoch,
    stopReason: result.stopReason,
    session: {
      steps: sessionSteps,
      seconds: Math.round(trainSeconds),
      medianSecondsPerStep: median(intervals) / 1000,
      backend: tf.getBackend(),
    },
    lastLosses: result.lastLosses,
    metrics,
    writtenAt: new Date().toISOString(),
  };
  await atomicWriteFile(join(run.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(metrics));
  return result;
}
