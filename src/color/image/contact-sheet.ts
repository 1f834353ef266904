/**
 * Contact sheets: a grid of images (rows of gray | prediction | truth, or a photo's alternatives) in one
 * RGB picture, so a person can look at many results at once. Pure typed-array code, usable anywhere;
 * `tfjs-colorization/node` adds column titles and writes the sheet to a file.
 */
import type { ImageLike } from './image.js';
import { InputError } from '../../errors.js';

/**
 * Layout of {@link composeContactSheet}.
 * @example
 * const sheet = composeContactSheet([[gray, colour]], { cellHeight: 256, gap: 8, background: [0, 0, 0] });
 */
export interface ContactSheetConfig {
  /** Height of every cell in pixels; images keep their aspect ratio. Default 192. */
  cellHeight?: number;
  /** Gap between cells and around the sheet, pixels. Default 4. */
  gap?: number;
  /** Background RGB, 0–255. Default white. */
  background?: readonly [number, number, number];
}

/** Where each cell landed on the sheet, in sheet pixels. */
export interface ContactSheetCell {
  row: number;
  column: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A composed sheet: the RGB picture and its cell boxes (for titles drawn on top). */
export interface ContactSheet {
  image: ImageLike & { data: Uint8ClampedArray; channels: 3 };
  cells: ContactSheetCell[];
  /** x offset and width of every column, for column titles. */
  columns: { x: number; width: number }[];
}

/**
 * Lay out rows of images on one RGB sheet. Each image is resized (bilinear) to `cellHeight` keeping its
 * aspect ratio; a column is as wide as its widest cell; `null` leaves a cell empty.
 * Images may be gray, RGB or RGBA (alpha ignored), uint8 0–255 or float 0–1.
 *
 * @example
 * const sheet = composeContactSheet([[gray, predicted, truth]], { cellHeight: 128 });
 */
export function composeContactSheet(
  rows: readonly (readonly (ImageLike | null)[])[],
  config: ContactSheetConfig = {},
): ContactSheet {
  const cellHeight = config.cellHeight ?? 192;
  const gap = config.gap ?? 4;
  const [br, bg, bb] = config.background ?? [255, 255, 255];
  if (rows.length === 0 || rows.every((r) => r.length === 0))
    throw new InputError('rows', 'at least one image', 'no images');
  if (!Number.isInteger(cellHeight) || cellHeight < 1)
    throw new InputError('config.cellHeight', 'an integer ≥ 1', String(cellHeight));
  const columnCount = Math.max(...rows.map((r) => r.length));
  const cellWidth = (img: ImageLike): number => Math.max(1, Math.round((img.width * cellHeight) / img.height));
  const columnWidths = Array.from({ length: columnCount }, (_, c) =>
    Math.max(cellHeight >> 2, ...rows.map((r) => (r[c] ? cellWidth(r[c]!) : 0))),
  );
  const columns: { x: number; width: number }[] = [];
  let x = gap;
  for (const w of columnWidths) {
    columns.push({ x, width: w });
    x += w + gap;
  }
  const width = x;
  const height = gap + rows.length * (cellHeight + gap);
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[3 * i] = br;
    data[3 * i + 1] = bg;
    data[3 * i + 2] = bb;
  }
  const cells: ContactSheetCell[] = [];
  rows.forEach((row, r) => {
    row.forEach((img, c) => {
      if (!img) return;
      const w = cellWidth(img);
      const cx = columns[c].x + ((columnWidths[c] - w) >> 1);
      const cy = gap + r * (cellHeight + gap);
      drawResized(img, data, width, cx, cy, w, cellHeight);
      cells.push({ row: r, column: c, x: cx, y: cy, width: w, height: cellHeight });
    });
  });
  return { image: { data, width, height, channels: 3 }, cells, columns };
}

/** Bilinear resize (half-pixel centres) of `img` into a w×h box of the RGB canvas at (x0, y0). */
function drawResized(
  img: ImageLike,
  canvas: Uint8ClampedArray,
  canvasWidth: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
): void {
  const { data, width: sw, height: sh, channels } = img;
  if (data.length !== sw * sh * channels || sw < 1 || sh < 1) {
    throw new InputError(
      'image',
      `data of length width × height × channels = ${sw * sh * channels}`,
      `length ${data.length}`,
    );
  }
  const scale = data instanceof Float32Array ? 255 : 1;
  const gray = channels === 1;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * sh) / h - 0.5, 0), sh - 1);
    const y1 = Math.floor(sy),
      y2 = Math.min(y1 + 1, sh - 1),
      fy = sy - y1;
    for (let xx = 0; xx < w; xx++) {
      const sx = Math.min(Math.max(((xx + 0.5) * sw) / w - 0.5, 0), sw - 1);
      const x1 = Math.floor(sx),
        x2 = Math.min(x1 + 1, sw - 1),
        fx = sx - x1;
      const o = 3 * ((y0 + y) * canvasWidth + x0 + xx);
      for (let k = 0; k < 3; k++) {
        const ch = gray ? 0 : k;
        const p = (yy: number, xv: number): number => data[(yy * sw + xv) * channels + ch];
        const top = p(y1, x1) * (1 - fx) + p(y1, x2) * fx;
        const bottom = p(y2, x1) * (1 - fx) + p(y2, x2) * fx;
        canvas[o + k] = Math.round((top * (1 - fy) + bottom * fy) * scale);
      }
    }
  }
}
