/**
 * Sample contact sheets during training: every N steps, colorize one fixed validation batch and write
 * a sheet of rows `gray | prediction | truth`, so a person can watch the colours develop (the figure
 * layout of Zhang et al. 2016 Fig. 1 and Nazeri et al. 2018 Fig. 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { AB_SCALE, LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../../color/lab/constants.js';
import type { ImageLike } from '../../color/image/image.js';
import { labToRgbTensor } from '../../color/lab/lab-tensor.js';
import { ConfigError, InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import type { Batch } from '../../train/batch.js';
import type { SampleProducer, TrainingCallbacks } from '../../train/callbacks.js';
import { writeContactSheet } from '../files/contact-sheet-file.js';

/**
 * Rows `gray | prediction | truth` (truth only when the batch has ab targets) for a batch and its
 * predicted ab, as float RGB images in [0, 1]. Reads tensors; creates none that outlive the call.
 *
 * @param batch  lightness `[N, H, W, 1]` normalized as `(L − 50) / 100`, optional ab target `[N, H, W, 2]` ÷ 110.
 * @param predictedAb  `[N, H, W, 2]` ÷ 110.
 * @example
 * const rows = buildSampleRows(batch, trainer.predictAb(batch));
 */
export function buildSampleRows(batch: Batch, predictedAb: tf.Tensor4D): ImageLike[][] {
  const [n, h, w] = batch.input.shape;
  if (
    predictedAb.shape[0] !== n ||
    predictedAb.shape[1] !== h ||
    predictedAb.shape[2] !== w ||
    predictedAb.shape[3] !== 2
  ) {
    throw new InputError('predictedAb', `shape [${n}, ${h}, ${w}, 2]`, `shape [${predictedAb.shape.join(', ')}]`);
  }
  const truth = batch.targets.ab;
  const [gray, predicted, real] = tf.tidy(() => {
    const l = tf.add(tf.mul(batch.input, LIGHTNESS_SCALE), LIGHTNESS_CENTRE);
    const toRgb = (ab: tf.Tensor4D) => labToRgbTensor(tf.concat([l, tf.mul(ab, AB_SCALE)], -1));
    return [tf.clipByValue(tf.div(l, 100), 0, 1), toRgb(predictedAb), truth === undefined ? undefined : toRgb(truth)];
  });
  try {
    const grayData = gray.dataSync() as Float32Array;
    const predictedData = predicted.dataSync() as Float32Array;
    const realData = real?.dataSync() as Float32Array | undefined;
    const rows: ImageLike[][] = [];
    for (let i = 0; i < n; i += 1) {
      const row: ImageLike[] = [
        { data: grayData.slice(i * h * w, (i + 1) * h * w), width: w, height: h, channels: 1 },
        { data: predictedData.slice(i * h * w * 3, (i + 1) * h * w * 3), width: w, height: h, channels: 3 },
      ];
      if (realData !== undefined)
        row.push({ data: realData.slice(i * h * w * 3, (i + 1) * h * w * 3), width: w, height: h, channels: 3 });
      rows.push(row);
    }
    return rows;
  } finally {
    tf.dispose([gray, predicted, ...(real === undefined ? [] : [real])]);
  }
}

/**
 * Settings of {@link createSampleSheetCallback}.
 *
 * @example
 * const config: SampleSheetConfig = { directory: 'runs/zhang/samples', batch: fixedBatch, everySteps: 1000 };
 */
export interface SampleSheetConfig {
  /** Folder for the sheets (created if missing). */
  directory: string;
  /** The fixed validation batch to colorize every time. The caller owns it (dispose after training). */
  batch: Batch;
  /** Write a sheet every this many steps; integer ≥ 1. Default 500. */
  everySteps?: number;
  /** Also write one at the end of training. Default true. */
  atEnd?: boolean;
  /** File name for a step; default `samples-step-00001200.png` (`.jpg` for JPEG). */
  fileName?: (step: number) => string;
  /** Height of each cell in pixels. Default 128. */
  cellHeight?: number;
  /** Column titles. Default `['gray', 'prediction', 'truth']`. */
  titles?: readonly string[];
}

/** The callback, with the paths it has written so far. */
export interface SampleSheetCallback extends TrainingCallbacks {
  readonly written: readonly string[];
}

/**
 * Create a callback that writes sample sheets with `writeContactSheet` (PNG by default). The trainer must
 * predict ab (any colour objective or the GAN trainer; not `createLabelsObjective`).
 *
 * @throws ConfigError for a bad `everySteps`, `cellHeight` or `directory`; InputError for a bad batch.
 * @example
 * const samples = createSampleSheetCallback({ directory: 'samples', batch: fixedBatch, everySteps: 500 });
 * await trainer.fit({ source, epochs: 10, callbacks: [samples] });
 */
export function createSampleSheetCallback(config: SampleSheetConfig): SampleSheetCallback {
  if (typeof config?.directory !== 'string' || config.directory === '')
    throw new ConfigError('directory', 'a folder path', describeValue(config?.directory));
  const batch = config.batch;
  if (!(batch?.input instanceof tf.Tensor) || batch.input.rank !== 4)
    throw new InputError('config.batch', 'a Batch with an [N, H, W, 1] input', describeValue(batch));
  const everySteps = config.everySteps ?? 500;
  checkConfigRange('everySteps', everySteps, 1, Infinity, { integer: true });
  const cellHeight = config.cellHeight ?? 128;
  checkConfigRange('cellHeight', cellHeight, 1, Infinity, { integer: true });
  const fileName = config.fileName ?? ((step: number) => `samples-step-${String(step).padStart(8, '0')}.png`);
  const titles =
    config.titles ?? (batch.targets.ab === undefined ? ['gray', 'prediction'] : ['gray', 'prediction', 'truth']);
  const written: string[] = [];
  let producer: SampleProducer | undefined;
  let lastWritten = -1;

  const write = async (step: number): Promise<void> => {
    if (producer === undefined || step === lastWritten) return;
    const predicted = producer.predictAb(batch);
    let rows: ImageLike[][];
    try {
      rows = buildSampleRows(batch, predicted);
    } finally {
      predicted.dispose();
    }
    await mkdir(config.directory, { recursive: true });
    const path = join(config.directory, fileName(step));
    await writeContactSheet(path, rows, { cellHeight, titles });
    written.push(path);
    lastWritten = step;
  };

  return {
    written,
    async onBatchEnd(e) {
      producer = e.trainer;
      if (e.step % everySteps === 0) await write(e.step);
    },
    async onTrainEnd(e) {
      if (config.atEnd ?? true) await write(e.step);
    },
  };
}
