/**
 * Reading a hint's colour: sRGB hex or triple → CIE Lab chroma through the library's own sRGB → Lab
 * conversion (D65, matching scikit-image's `rgb2lab`), or Lab chroma given directly.
 */
import { rgbToLab } from '../color/lab/lab.js';
import { InputError, describeValue } from '../errors.js';
import type { HintColor } from './color-hint.js';

/** The range of a and b accepted in `{ a, b }` colours (the sRGB gamut spans about −86 … 98 in a, −108 … 95 in b). */
const AB_LIMIT = 128;

/**
 * What a hint colour may be, in words, as error messages state it.
 * @example
 * console.error(`--color: expected ${HINT_COLOR_FORMS}`);
 */
export const HINT_COLOR_FORMS = "'#rrggbb', an [r, g, b] triple (0–255) or { a, b } (each in [−128, 128])";

/**
 * The CIE Lab chroma `{ a, b }` of a hint colour. Hex and triples go through `rgbToLab` (the lightness it
 * computes is dropped: the photo keeps its own).
 *
 * @param color  `'#rrggbb'`, `[r, g, b]` (0–255, fractions allowed) or `{ a, b }`.
 * @param name   argument name for errors. Default `'color'`.
 * @returns `{ a, b }` in Lab units.
 * @throws InputError naming `name` for anything else (a 3-digit hex, a value out of range, NaN, …).
 * @example
 * hintColorToAb('#ff0000'); // { a: 80.1…, b: 67.2… }
 */
export function hintColorToAb(color: HintColor, name = 'color'): { a: number; b: number } {
  const ab = readHintColor(color);
  if (ab === undefined) throw new InputError(name, HINT_COLOR_FORMS, describeHintColor(color));
  return ab;
}

/** {@link hintColorToAb} without the throw: `undefined` for an invalid colour. */
export function readHintColor(color: unknown): { a: number; b: number } | undefined {
  const rgb = readRgb(color);
  if (rgb !== undefined) {
    const lab = rgbToLab(rgb);
    return { a: lab[1], b: lab[2] };
  }
  if (typeof color === 'object' && color !== null && !Array.isArray(color) && !ArrayBuffer.isView(color)) {
    const { a, b } = color as { a: unknown; b: unknown };
    if (isInRange(a) && isInRange(b)) return { a, b };
  }
  return undefined;
}

function isInRange(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= AB_LIMIT;
}

/** sRGB as floats 0–1, or undefined when `color` is not a valid hex or triple. */
function readRgb(color: unknown): Float32Array | undefined {
  if (typeof color === 'string') {
    const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
    if (match === null) return undefined;
    return Float32Array.from(match.slice(1, 4), (hex) => parseInt(hex, 16) / 255);
  }
  if (
    Array.isArray(color) &&
    color.length === 3 &&
    color.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 255)
  ) {
    return Float32Array.from(color as number[], (v) => v / 255);
  }
  return undefined;
}

/** A colour value, briefly, for error messages. */
export function describeHintColor(color: unknown): string {
  if (Array.isArray(color)) return `[${color.map((v) => describeValue(v)).join(', ')}]`;
  if (typeof color === 'object' && color !== null && !ArrayBuffer.isView(color)) {
    const { a, b } = color as { a?: unknown; b?: unknown };
    return `{ a: ${describeValue(a)}, b: ${describeValue(b)} }`;
  }
  return describeValue(color);
}
