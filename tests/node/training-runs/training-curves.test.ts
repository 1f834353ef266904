import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  CURVES_CSV_HEADER,
  createTrainingCurvesCallback,
  formatCurvesCsv,
  parseCurvesCsv,
  renderCurvesSvg,
  type CurvePoint,
} from '../../../src/node/training-runs/training-curves.js';
import type { BatchEndEvent } from '../../../src/train/callbacks.js';
import { createRegressionObjective } from '../../../src/train/objectives-regression.js';
import { createSupervisedTrainer } from '../../../src/train/supervised-trainer.js';
import { buildTinyAbModel, createTinySource, makeTinyData } from '../../train/trainer-fixtures.js';

/** A batch-end event with only what the curves callback reads. */
function batchEnd(step: number, losses: { [name: string]: number }, rate = 0.1, epoch = 0): BatchEndEvent {
  return {
    step,
    epoch,
    batch: step - 1,
    size: 1,
    losses,
    learningRates: { model: rate },
    stepsPerSecond: 1,
  } as unknown as BatchEndEvent;
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'curves-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('curves CSV', () => {
  it('round-trips points and skips torn, blank and foreign lines', () => {
    const points: CurvePoint[] = [
      { step: 10, epoch: 0, kind: 'train', name: 'loss', value: 0.25 },
      { step: 10, epoch: 0, kind: 'rate', name: 'model', value: 3e-5 },
      { step: 20, epoch: 1, kind: 'validation', name: 'psnr', value: 22.5 },
    ];
    const text = formatCurvesCsv(points);
    expect(text.split('\n')[0]).toBe(CURVES_CSV_HEADER);
    expect(text).toBe(
      `${CURVES_CSV_HEADER}\n10,0,train,loss,0.25\n10,0,rate,model,0.00003\n20,1,validation,psnr,22.5\n`,
    );
    expect(parseCurvesCsv(text)).toEqual(points);
    const damaged = `${text}\n30,1,train,loss\n30,1,bogus,loss,1\nx,1,train,loss,1\n40,1,train,loss,\n`;
    expect(parseCurvesCsv(damaged)).toEqual(points);
    expect(formatCurvesCsv([])).toBe(`${CURVES_CSV_HEADER}\n`);
  });
});

describe('curves SVG', () => {
  it('draws one panel per series with points placed on the step and value axes', () => {
    const points: CurvePoint[] = [
      { step: 0, epoch: 0, kind: 'train', name: 'loss', value: 2 },
      { step: 100, epoch: 0, kind: 'train', name: 'loss', value: 1 },
      { step: 100, epoch: 0, kind: 'validation', name: 'auc', value: 0.9 },
      { step: 50, epoch: 0, kind: 'rate', name: 'model', value: 1e-3 },
      { step: 60, epoch: 0, kind: 'train', name: 'nan', value: Number.NaN },
    ];
    const svg = renderCurvesSvg(points, { title: 'a < b', columns: 2, panelWidth: 200, panelHeight: 100 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="228"')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    // One dot for the validation point, one for the rate series' lone point.
    expect(svg.match(/<circle/g)).toHaveLength(2);
    // Panel 0 (loss): plot area x 56…188, y 28+24 = 52 … 52+46 = 98. Step 0 → left edge at the max value (top),
    // step 100 → right edge at the min value (bottom).
    expect(svg).toContain('points="56.0,52.0 188.0,98.0"');
    expect(svg.indexOf('>loss<')).toBeLessThan(svg.indexOf('>validation auc<'));
    expect(svg.indexOf('>validation auc<')).toBeLessThan(svg.indexOf('>learning rate (model)<'));
    expect(svg).not.toContain('>nan<');
  });

  it('labels an axis with enough digits to tell its ends apart', () => {
    const points: CurvePoint[] = [
      { step: 1, epoch: 0, kind: 'validation', name: 'val_classification', value: 5.2983 },
      { step: 2, epoch: 0, kind: 'validation', name: 'val_classification', value: 5.2977 },
    ];
    const svg = renderCurvesSvg(points);
    expect(svg).toContain('>5.2983</text>');
    expect(svg).toContain('>5.2977</text>');
  });

  it('averages long series into buckets and draws an empty chart without failing', () => {
    const points: CurvePoint[] = Array.from({ length: 1000 }, (_, i) => ({
      step: i + 1,
      epoch: 0,
      kind: 'train' as const,
      name: 'loss',
      value: i % 2,
    }));
    const svg = renderCurvesSvg(points, { maxPointsPerSeries: 10 });
    const coords = /points="([^"]+)"/.exec(svg)![1].split(' ');
    expect(coords).toHaveLength(10);
    // Every bucket holds 50 zeros and 50 ones: the mean 0.5 everywhere, a flat line.
    expect(new Set(coords.map((c) => c.split(',')[1])).size).toBe(1);
    expect(renderCurvesSvg([])).toContain('no data yet');
    // Points given out of step order are drawn in step order; a single training point gets a dot.
    const shuffled = renderCurvesSvg([
      { step: 3, epoch: 0, kind: 'train', name: 'loss', value: 3 },
      { step: 1, epoch: 0, kind: 'train', name: 'loss', value: 1 },
      { step: 2, epoch: 0, kind: 'train', name: 'loss', value: 2 },
      { step: 2, epoch: 0, kind: 'train', name: 'other', value: 5 },
    ]);
    const xs = /points="([^"]+)"/
      .exec(shuffled)![1]
      .split(' ')
      .map((c) => Number(c.split(',')[0]));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(shuffled.match(/<circle/g)).toHaveLength(1);
    expect(() => renderCurvesSvg([], { columns: 0 })).toThrow(ConfigError);
  });
});

describe('training curves callback', () => {
  it('writes window means and rates every N steps, validation points, the partial window at the end, and an SVG', async () => {
    const curves = createTrainingCurvesCallback({ directory, everySteps: 2, plotEverySteps: 4 });
    await curves.onTrainBegin!({ step: 0, epoch: 0, epochs: 1, resumed: false });
    await curves.onBatchEnd!(batchEnd(1, { loss: 1, part: 10 }, 0.1));
    await curves.onBatchEnd!(batchEnd(2, { loss: 3, part: 20 }, 0.2));
    await curves.onBatchEnd!(batchEnd(3, { loss: 5, part: 30 }, 0.3));
    expect(parseCurvesCsv(await readFile(curves.csvPath, 'utf8'))).toEqual([
      { step: 2, epoch: 0, kind: 'train', name: 'loss', value: 2 },
      { step: 2, epoch: 0, kind: 'train', name: 'part', value: 15 },
      { step: 2, epoch: 0, kind: 'rate', name: 'model', value: 0.2 },
    ]);
    await expect(readFile(curves.svgPath, 'utf8')).rejects.toThrow(/ENOENT/);
    await curves.onValidation!({ step: 3, epoch: 0, metrics: { psnr: 20 } });
    expect((await readFile(curves.svgPath, 'utf8')).match(/<polyline/g)).toHaveLength(4);
    await curves.onTrainEnd!({ step: 3, epoch: 0, aborted: true });
    const written = parseCurvesCsv(await readFile(curves.csvPath, 'utf8'));
    expect(written.slice(3)).toEqual([
      { step: 3, epoch: 0, kind: 'validation', name: 'psnr', value: 20 },
      { step: 3, epoch: 0, kind: 'train', name: 'loss', value: 5 },
      { step: 3, epoch: 0, kind: 'train', name: 'part', value: 30 },
      { step: 3, epoch: 0, kind: 'rate', name: 'model', value: 0.3 },
    ]);
    // Atomic writes leave no temporary files behind.
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(directory)).sort()).toEqual(['curves.csv', 'curves.svg']);
  });

  it('a resumed run keeps the points up to its step and drops the ones it will train again; a fresh run starts over', async () => {
    const rows: CurvePoint[] = [
      { step: 10, epoch: 0, kind: 'train', name: 'loss', value: 1 },
      { step: 20, epoch: 0, kind: 'train', name: 'loss', value: 0.5 },
      { step: 20, epoch: 0, kind: 'validation', name: 'auc', value: 0.8 },
      { step: 30, epoch: 1, kind: 'train', name: 'loss', value: 0.4 },
    ];
    const csv = join(directory, 'curves.csv');
    await writeFile(csv, formatCurvesCsv(rows));
    const resumed = createTrainingCurvesCallback({ directory, everySteps: 10 });
    await resumed.onTrainBegin!({ step: 20, epoch: 0, epochs: 2, resumed: true });
    expect(parseCurvesCsv(await readFile(csv, 'utf8'))).toEqual(rows.slice(0, 3));
    for (let s = 21; s <= 30; s += 1) await resumed.onBatchEnd!(batchEnd(s, { loss: 0.3 }, 0.1, 1));
    expect(resumed.points.at(-2)).toEqual({
      step: 30,
      epoch: 1,
      kind: 'train',
      name: 'loss',
      value: expect.closeTo(0.3, 12),
    });

    const fresh = createTrainingCurvesCallback({ directory, everySteps: 10 });
    await fresh.onTrainBegin!({ step: 0, epoch: 0, epochs: 2, resumed: false });
    expect(await readFile(csv, 'utf8')).toBe(`${CURVES_CSV_HEADER}\n`);
  });

  it('records the losses a real trainer reports, averaged over aligned windows', async () => {
    const seen: { [step: number]: number } = {};
    const curves = createTrainingCurvesCallback({ directory, everySteps: 2, losses: ['loss'], learningRates: false });
    const trainer = createSupervisedTrainer({ model: buildTinyAbModel(), objective: createRegressionObjective() });
    await trainer.fit({
      source: createTinySource(makeTinyData(12), { batchSize: 4 }),
      epochs: 2,
      callbacks: [{ onBatchEnd: (e) => void (seen[e.step] = e.losses.loss) }, curves],
    });
    const train = parseCurvesCsv(await readFile(curves.csvPath, 'utf8')).filter((p) => p.kind === 'train');
    // 2 epochs × 3 batches: windows end at steps 2, 4, 6; each value is the mean of its two steps' losses.
    expect(train.map((p) => [p.step, p.epoch])).toEqual([
      [2, 0],
      [4, 1],
      [6, 1],
    ]);
    for (const p of train) expect(p.value).toBeCloseTo((seen[p.step - 1] + seen[p.step]) / 2, 6);
    trainer.dispose();
    trainer.model.dispose();
  });

  it('rejects bad settings with ConfigError naming the key', () => {
    expect(() => createTrainingCurvesCallback({ directory: '' })).toThrow(/directory/);
    expect(() => createTrainingCurvesCallback({ directory, everySteps: 0 })).toThrow(/everySteps/);
    expect(() => createTrainingCurvesCallback({ directory, name: '../x' })).toThrow(/name/);
    expect(() => createTrainingCurvesCallback({ directory, chart: { panelWidth: 10 } })).toThrow(ConfigError);
  });
});
