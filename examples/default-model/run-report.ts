/**
 * What a person watches while the bundled model trains: the run's curves as an SVG chart and sample sheets
 * of fixed held-out photos (gray input | colorized | original), both redrawn at every validation.
 *
 * The run writes two plain CSV files as it goes (train.ts): `curve.csv` (step, epoch, seconds, rate, ce:
 * the mean cross-entropy of the last 25 steps) and `validation.csv` (step, AuC, rebalanced AuC, PSNR,
 * colourfulness; no header, one line per validation). This file turns them into curve points.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageToLab, labPlanesToRgb, lightnessToInput, recombineLab, type ImageLike } from 'tfjs-colorization';
import { writeContactSheet, atomicWriteFile, renderCurvesSvg, type CurvePoint } from 'tfjs-colorization/node';

const VALIDATION_COLUMNS = ['auc', 'auc_rebalanced', 'psnr', 'colourfulness'] as const;

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Curve points of a default-model run folder: training cross-entropy, learning rate, validation metrics. */
export async function readRunCurves(runDir: string): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  let epochAt = 0;
  for (const line of await readLines(join(runDir, 'curve.csv'))) {
    const [step, epoch, , rate, ce] = line.split(',').map(Number);
    if (!Number.isInteger(step)) continue; // the header, or a line torn by a kill
    epochAt = epoch;
    points.push({ step, epoch, kind: 'train', name: 'cross-entropy (25-step mean)', value: ce });
    points.push({ step, epoch, kind: 'rate', name: 'adam', value: rate });
  }
  for (const line of await readLines(join(runDir, 'validation.csv'))) {
    const [step, ...values] = line.split(',').map(Number);
    if (!Number.isInteger(step) || values.length !== VALIDATION_COLUMNS.length) continue;
    VALIDATION_COLUMNS.forEach((name, i) =>
      points.push({ step, epoch: epochAt, kind: 'validation', name, value: values[i] }),
    );
  }
  return points;
}

/** Draw the run's curves to `outPath` (SVG), atomically. */
export async function writeRunCurves(runDir: string, outPath: string, title: string): Promise<void> {
  await atomicWriteFile(outPath, renderCurvesSvg(await readRunCurves(runDir), { title, columns: 3 }));
}

/**
 * A sample sheet of `photos`: gray input | colorized | original, one photo per row, at the photos' own size
 * (the model sees the lightness at `inputSize`; its ab is upsampled and joined with the full-size L).
 */
export async function writeRunSamples(
  path: string,
  photos: readonly ImageLike[],
  inputSize: number,
  predictAb: (input: tf.Tensor4D) => tf.Tensor4D,
  caption: string,
): Promise<void> {
  const rows: ImageLike[][] = [];
  for (const photo of photos) {
    const lab = imageToLab(photo);
    const input = lightnessToInput(lab, inputSize);
    const ab = predictAb(input);
    input.dispose();
    const zeros = new Float32Array(lab.lightness.length);
    const gray = {
      data: labPlanesToRgb(lab.lightness, zeros, zeros),
      width: lab.width,
      height: lab.height,
      channels: 3 as const,
    };
    rows.push([gray, recombineLab(lab, ab).image, photo]);
    ab.dispose();
  }
  await writeContactSheet(path, rows, { titles: ['gray input', 'colorized', 'original'], caption, cellHeight: 128 });
}
