/**
 * The hints file: colour points saved as JSON, `{"points":[{"x":120,"y":48,"color":"#3a6ea5"}]}`, with x and y
 * in the pixels of the picture as displayed. The command line reads it from a sidecar beside a picture
 * (`<name>.hints.json`), and the example page saves and loads the same text.
 */
import { InputError, describeValue } from '../errors.js';
import type { ColorHint } from './color-hint.js';
import { checkHintPoint } from './encode-hints.js';

/** What a hints file holds, in words, for error messages. */
const HINTS_JSON_FORM = 'JSON of the form {"points":[{"x":120,"y":48,"color":"#3a6ea5"}, …]}';

/**
 * Read a hints file's text. Checks the structure and every point's fields (numbers ≥ 0 for x and y, a readable
 * colour); whether the points lie inside the picture is checked when a picture is colorized with them.
 *
 * @param text  the file's contents.
 * @param name  the file's name for errors. Default `'hints'`.
 * @returns the points, in file order.
 * @throws InputError naming `name` for text that is not JSON of that form; HintError (`<name>.points[2].color`)
 *   for a bad point.
 * @example
 * const points = parseHintsJson(await readFile('photo.hints.json', 'utf8'), 'photo.hints.json');
 * const { rgb } = await colorizer.colorize(photo, { hints: points });
 */
export function parseHintsJson(text: string, name = 'hints'): ColorHint[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new InputError(name, HINTS_JSON_FORM, `text that is not JSON (${(e as Error).message})`);
  }
  const points = (document as { points?: unknown } | null)?.points;
  if (typeof document !== 'object' || document === null || Array.isArray(document) || !Array.isArray(points)) {
    const received =
      typeof document === 'object' && document !== null && !Array.isArray(document)
        ? `an object whose points is ${describeValue(points)}`
        : describeValue(document);
    throw new InputError(name, HINTS_JSON_FORM, received);
  }
  points.forEach((point, index) => checkHintPoint(point, index, null, `${name}.points`));
  return points.map((point: { x: number; y: number; color: ColorHint['color'] }) => ({
    x: point.x,
    y: point.y,
    color: point.color,
  }));
}

/**
 * Write points as a hints file's text (the form {@link parseHintsJson} reads), one point per line.
 *
 * @param points  the points; checked as {@link parseHintsJson} checks them.
 * @returns the JSON text, ending in a newline.
 * @throws HintError for a bad point.
 * @example
 * const text = formatHintsJson([{ x: 120, y: 48, color: '#3a6ea5' }]);
 * // {"points":[\n  {"x":120,"y":48,"color":"#3a6ea5"}\n]}
 */
export function formatHintsJson(points: readonly ColorHint[]): string {
  if (!Array.isArray(points)) throw new InputError('points', 'an array of { x, y, color }', describeValue(points));
  points.forEach((point, index) => checkHintPoint(point, index, null, 'points'));
  const lines = points.map((p) => `  ${JSON.stringify({ x: p.x, y: p.y, color: p.color })}`);
  return lines.length === 0 ? '{"points":[]}\n' : `{"points":[\n${lines.join(',\n')}\n]}\n`;
}
