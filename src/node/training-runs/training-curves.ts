/**
 * Training curves on disk: a trainer callback that keeps a CSV of the losses, learning rates and
 * validation metrics of a run and redraws them as an SVG line chart (one small panel per series), so a
 * long run can be watched in any browser or image viewer while it trains.
 *
 * Both files are replaced with {@link atomicWriteFile}: a reader (or a crash) never sees half a file.
 * The CSV is long-format (`step,epoch,kind,name,value`), so series that appear late (validation metrics,
 * a collapse guard's reports) need no header change. A resumed run reads the CSV back and drops the rows
 * after the step it resumes from: those steps are trained again, and the curve shows them once.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, describeValue } from '../../errors.js';
import type { TrainingCallbacks } from '../../train/callbacks.js';
import { checkConfigRange } from '../../validate.js';
import { atomicWriteFile } from '../files/atomic-write.js';

/**
 * What a curve row holds: a training loss (window mean), a learning rate, or a validation metric.
 * @example
 * const kind: CurveKind = 'validation';
 * const validation = parseCurvesCsv(text).filter((p) => p.kind === kind);
 */
export type CurveKind = 'train' | 'rate' | 'validation';

/** One point of one series. */
export interface CurvePoint {
  /** Global step the value belongs to (the last step of a training window). */
  step: number;
  /** Epoch in progress at that step. */
  epoch: number;
  kind: CurveKind;
  /** Loss, optimizer or metric name (`loss`, `g_loss`, `model`, `psnr`, …). */
  name: string;
  value: number;
}

/** Header line of the curves CSV. @example formatCurvesCsv([]); // CURVES_CSV_HEADER plus a newline: no points yet */
export const CURVES_CSV_HEADER = 'step,epoch,kind,name,value';

const KINDS: readonly CurveKind[] = ['train', 'rate', 'validation'];

/**
 * The CSV text of a list of points: the header, then one line per point, in the given order.
 *
 * @example
 * formatCurvesCsv([{ step: 10, epoch: 0, kind: 'train', name: 'loss', value: 0.5 }]);
 * // 'step,epoch,kind,name,value\n10,0,train,loss,0.5\n'
 */
export function formatCurvesCsv(points: readonly CurvePoint[]): string {
  return `${CURVES_CSV_HEADER}\n${points.map((p) => `${p.step},${p.epoch},${p.kind},${p.name},${p.value}`).join('\n')}${points.length > 0 ? '\n' : ''}`;
}

/**
 * Parse what {@link formatCurvesCsv} wrote. Lines that are not five fields with numeric step, epoch and
 * value and a known kind (a torn line from a foreign writer, a blank line) are skipped, so a damaged file
 * costs points, not the run.
 *
 * @example
 * parseCurvesCsv('step,epoch,kind,name,value\n10,0,train,loss,0.5\n'); // [{ step: 10, …, value: 0.5 }]
 */
export function parseCurvesCsv(text: string): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(',');
    if (fields.length !== 5 || line.startsWith('step,')) continue;
    const [step, epoch, kind, name, value] = fields;
    const point = { step: Number(step), epoch: Number(epoch), kind: kind as CurveKind, name, value: Number(value) };
    if (
      !KINDS.includes(point.kind) ||
      name === '' ||
      !Number.isInteger(point.step) ||
      !Number.isInteger(point.epoch) ||
      value === '' ||
      Number.isNaN(point.value)
    )
      continue;
    points.push(point);
  }
  return points;
}

/**
 * Settings of {@link renderCurvesSvg}.
 *
 * @example
 * const options: CurvesChartOptions = { title: 'zhang-classification', columns: 3 };
 */
export interface CurvesChartOptions {
  /** Heading above the panels. Default none. */
  title?: string;
  /** Panels per row; integer ≥ 1. Default 3. */
  columns?: number;
  /** Panel size in pixels. Default 320 × 200. */
  panelWidth?: number;
  panelHeight?: number;
  /** Most points drawn per series; longer series are averaged in equal step buckets. Default 600. */
  maxPointsPerSeries?: number;
}

interface Series {
  kind: CurveKind;
  name: string;
  points: { step: number; value: number }[];
}

function groupSeries(points: readonly CurvePoint[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const key = `${p.kind}:${p.name}`;
    let series = byKey.get(key);
    if (series === undefined) byKey.set(key, (series = { kind: p.kind, name: p.name, points: [] }));
    series.points.push({ step: p.step, value: p.value });
  }
  // Training losses first, then validation metrics, then rates: the order a reader looks for them.
  const rank: Record<CurveKind, number> = { train: 0, validation: 1, rate: 2 };
  const series = [...byKey.values()].sort((a, b) => rank[a.kind] - rank[b.kind]);
  for (const s of series) s.points.sort((a, b) => a.step - b.step);
  return series;
}

function bucketMeans(
  points: readonly { step: number; value: number }[],
  maxPoints: number,
): { step: number; value: number }[] {
  if (points.length <= maxPoints) return [...points];
  const out: { step: number; value: number }[] = [];
  const size = points.length / maxPoints;
  for (let b = 0; b < maxPoints; b += 1) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    out.push({ step: slice[slice.length - 1].step, value: slice.reduce((s, p) => s + p.value, 0) / slice.length });
  }
  return out;
}

function formatTick(value: number, digits = 3): string {
  const a = Math.abs(value);
  if (a === 0) return '0';
  return a < 1e-3 || a >= 1e5
    ? value.toExponential(Math.max(1, digits - 2))
    : Number(value.toPrecision(digits)).toString();
}

/** Labels of an axis's ends with just enough digits to tell them apart (a loss moving in its fourth digit). */
function formatRange(lo: number, hi: number): [string, string] {
  for (let digits = 3; digits < 10; digits += 1) {
    const labels: [string, string] = [formatTick(lo, digits), formatTick(hi, digits)];
    if (labels[0] !== labels[1]) return labels;
  }
  return [formatTick(lo, 10), formatTick(hi, 10)];
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

const COLOURS: Record<CurveKind, string> = { train: '#1f77b4', validation: '#d62728', rate: '#2ca02c' };

/**
 * A self-contained SVG chart of curve points: one panel per series (kind and name), x = step, y = value
 * on a linear axis fitted to the series (min and max labelled), training losses in blue, validation
 * metrics in red with a dot per evaluation, learning rates in green. Steps are shared across panels.
 *
 * @param points  any order; points with non-finite values are left out.
 * @returns SVG text (UTF-8), about 10–40 KB for typical runs.
 * @throws ConfigError for a bad `columns`, panel size or `maxPointsPerSeries`.
 * @example
 * await writeFile('curves.svg', renderCurvesSvg(parseCurvesCsv(csv), { title: 'run 1' }));
 */
export function renderCurvesSvg(points: readonly CurvePoint[], options: CurvesChartOptions = {}): string {
  const columns = options.columns ?? 3;
  const panelWidth = options.panelWidth ?? 320;
  const panelHeight = options.panelHeight ?? 200;
  const maxPoints = options.maxPointsPerSeries ?? 600;
  checkConfigRange('columns', columns, 1, Infinity, { integer: true });
  checkConfigRange('panelWidth', panelWidth, 80, Infinity, { integer: true });
  checkConfigRange('panelHeight', panelHeight, 60, Infinity, { integer: true });
  checkConfigRange('maxPointsPerSeries', maxPoints, 2, Infinity, { integer: true });

  const series = groupSeries(points);
  const titleHeight = options.title === undefined ? 0 : 28;
  const rows = Math.max(1, Math.ceil(series.length / columns));
  const width = columns * panelWidth;
  const height = titleHeight + rows * panelHeight;
  let minStep = Infinity,
    maxStep = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      minStep = Math.min(minStep, p.step);
      maxStep = Math.max(maxStep, p.step);
    }
  if (maxStep <= minStep) {
    minStep = Number.isFinite(minStep) ? minStep - 1 : 0;
    maxStep = minStep + 2;
  }

  const margin = { left: 56, right: 12, top: 24, bottom: 30 };
  const plotW = panelWidth - margin.left - margin.right;
  const plotH = panelHeight - margin.top - margin.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title !== undefined)
    parts.push(`<text x="${width / 2}" y="19" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
  if (series.length === 0)
    parts.push(
      `<text x="${width / 2}" y="${titleHeight + panelHeight / 2}" text-anchor="middle" fill="#888">no data yet</text>`,
    );

  series.forEach((s, index) => {
    const ox = (index % columns) * panelWidth + margin.left;
    const oy = titleHeight + Math.floor(index / columns) * panelHeight + margin.top;
    const drawn = bucketMeans(s.points, maxPoints);
    let lo = Math.min(...drawn.map((p) => p.value));
    let hi = Math.max(...drawn.map((p) => p.value));
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      const pad = Math.abs(hi) * 0.05 || 1;
      lo -= pad;
      hi += pad;
    }
    const x = (step: number) => ox + ((step - minStep) / (maxStep - minStep)) * plotW;
    const y = (value: number) => oy + plotH - ((value - lo) / (hi - lo)) * plotH;
    const [loLabel, hiLabel] = formatRange(lo, hi);
    const label =
      s.kind === 'train' ? s.name : s.kind === 'rate' ? `learning rate (${s.name})` : `validation ${s.name}`;
    const colour = COLOURS[s.kind];
    parts.push(
      `<g>`,
      `<text x="${ox + plotW / 2}" y="${oy - 8}" text-anchor="middle" font-weight="bold">${escapeXml(label)}</text>`,
      `<rect x="${ox}" y="${oy}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
      `<text x="${ox - 4}" y="${oy + 4}" text-anchor="end">${hiLabel}</text>`,
      `<text x="${ox - 4}" y="${oy + plotH}" text-anchor="end">${loLabel}</text>`,
      `<text x="${ox}" y="${oy + plotH + 14}" text-anchor="start">${minStep}</text>`,
      `<text x="${ox + plotW}" y="${oy + plotH + 14}" text-anchor="end">${maxStep}</text>`,
      `<text x="${ox + plotW / 2}" y="${oy + plotH + 26}" text-anchor="middle" fill="#666">step</text>`,
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${drawn.map((p) => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')}"/>`,
    );
    // A lone point draws no line, so it gets a dot like the validation points.
    if (s.kind === 'validation' || drawn.length === 1)
      for (const p of drawn)
        parts.push(`<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    parts.push(`</g>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Settings of {@link createTrainingCurvesCallback}.
 *
 * @example
 * const config: TrainingCurvesConfig = { directory: 'runs/zhang', everySteps: 10, plotEverySteps: 100 };
 */
export interface TrainingCurvesConfig {
  /** Folder of the files (created if missing). */
  directory: string;
  /** Base name: `<name>.csv` and `<name>.svg`. Default `'curves'`. */
  name?: string;
  /** Append the mean of each loss over the last this many steps, and the learning rates; integer ≥ 1. Default 10. */
  everySteps?: number;
  /** Redraw the SVG every this many steps (and after every validation and at the end); integer ≥ 1. Default 100. */
  plotEverySteps?: number;
  /** Losses to record; default every loss the trainer reports. */
  losses?: readonly string[];
  /** Record learning rates. Default true. */
  learningRates?: boolean;
  /** Chart settings (the title defaults to the directory). */
  chart?: CurvesChartOptions;
}

/** The callback, with the paths it writes and the points so far. */
export interface TrainingCurvesCallback extends TrainingCallbacks {
  readonly csvPath: string;
  readonly svgPath: string;
  /** Every point of the run so far (after a resume: those kept from the file, then the new ones). */
  readonly points: readonly CurvePoint[];
  /** Write both files now (also done by the hooks). */
  flush(): Promise<void>;
}

/**
 * Create the curves callback. Pass it in a trainer's `callbacks` (or `fit`'s). On `onTrainBegin` it reads
 * an existing `<name>.csv` and keeps the points up to the step the run starts from, so a resumed run extends
 * its curve; a fresh run (step 0) starts an empty file. Losses are averaged over windows of `everySteps`
 * steps aligned to the global step, so a resumed run writes at the same steps an uninterrupted one would.
 * The partial window at the end (or at an abort) is written too.
 *
 * @throws ConfigError for a bad `directory`, `name`, `everySteps` or `plotEverySteps`.
 * @example
 * const curves = createTrainingCurvesCallback({ directory: 'runs/gan', everySteps: 20 });
 * await trainer.fit({ source, epochs: 10, callbacks: [createProgressBar(), curves] });
 * // runs/gan/curves.csv, runs/gan/curves.svg
 */
export function createTrainingCurvesCallback(config: TrainingCurvesConfig): TrainingCurvesCallback {
  if (typeof config?.directory !== 'string' || config.directory === '')
    throw new ConfigError('directory', 'a folder path', describeValue(config?.directory));
  const name = config.name ?? 'curves';
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name))
    throw new ConfigError('name', 'a file base name of letters, digits, _ . -', describeValue(name));
  const everySteps = config.everySteps ?? 10;
  checkConfigRange('everySteps', everySteps, 1, Infinity, { integer: true });
  const plotEverySteps = config.plotEverySteps ?? 100;
  checkConfigRange('plotEverySteps', plotEverySteps, 1, Infinity, { integer: true });
  const chart = { title: config.directory, ...config.chart };
  renderCurvesSvg([], chart); // checks the chart options now rather than at the first plot

  const csvPath = join(config.directory, `${name}.csv`);
  const svgPath = join(config.directory, `${name}.svg`);
  let points: CurvePoint[] = [];
  let sums: { [name: string]: number } = {};
  let counts: { [name: string]: number } = {};
  let rates: { [name: string]: number } = {};
  let windowSteps = 0;
  let last = { step: 0, epoch: 0 };

  const flushWindow = (): boolean => {
    if (windowSteps === 0) return false;
    for (const loss of Object.keys(sums))
      points.push({ ...last, kind: 'train', name: loss, value: sums[loss] / counts[loss] });
    if (config.learningRates !== false)
      for (const [optimizer, rate] of Object.entries(rates))
        points.push({ ...last, kind: 'rate', name: optimizer, value: rate });
    sums = {};
    counts = {};
    rates = {};
    windowSteps = 0;
    return true;
  };
  const writeCsv = () => atomicWriteFile(csvPath, formatCurvesCsv(points));
  const writeSvg = () => atomicWriteFile(svgPath, renderCurvesSvg(points, chart));
  const flush = async (): Promise<void> => {
    flushWindow();
    await mkdir(config.directory, { recursive: true });
    await writeCsv();
    await writeSvg();
  };

  return {
    csvPath,
    svgPath,
    get points() {
      return points;
    },
    flush,
    async onTrainBegin(e) {
      last = { step: e.step, epoch: e.epoch };
      sums = {};
      counts = {};
      rates = {};
      windowSteps = 0;
      let kept: CurvePoint[] = [];
      if (e.step > 0) {
        try {
          kept = parseCurvesCsv(await readFile(csvPath, 'utf8')).filter((p) => p.step <= e.step);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      points = kept;
      await mkdir(config.directory, { recursive: true });
      await writeCsv();
    },
    async onBatchEnd(e) {
      last = { step: e.step, epoch: e.epoch };
      for (const [loss, value] of Object.entries(e.losses)) {
        if (config.losses !== undefined && !config.losses.includes(loss)) continue;
        if (!Number.isFinite(value)) continue;
        sums[loss] = (sums[loss] ?? 0) + value;
        counts[loss] = (counts[loss] ?? 0) + 1;
      }
      rates = { ...e.learningRates };
      windowSteps += 1;
      if (e.step % everySteps === 0 && flushWindow()) await writeCsv();
      if (e.step % plotEverySteps === 0) await writeSvg();
    },
    async onValidation(e) {
      for (const [metric, value] of Object.entries(e.metrics))
        points.push({ step: e.step, epoch: e.epoch, kind: 'validation', name: metric, value });
      await writeCsv();
      await writeSvg();
    },
    async onTrainEnd() {
      await flush();
    },
  };
}
