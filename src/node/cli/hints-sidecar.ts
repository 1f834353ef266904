/**
 * Colour points for a picture on disk: a sidecar `<picture name without extension>.hints.json` beside the picture
 * (`scans/grandma-1952.jpg` → `scans/grandma-1952.hints.json`) holds `{"points":[{"x":120,"y":48,"color":"#3a6ea5"}]}`
 * with x and y in the pixels of the picture as displayed (EXIF orientation applied, before any downscaling).
 * `colorizeFiles` and the command line use it when it is there, with no flag.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ImageLike } from '../../color/image/image.js';
import { InputError } from '../../errors.js';
import type { ColorHint } from '../../hints/color-hint.js';
import { checkHintPoint } from '../../hints/encode-hints.js';
import { parseHintsJson } from '../../hints/hints-json.js';
import { loadSharp } from '../files/sharp.js';

/** The sidecar's name ending. @example `${stem}${HINTS_SIDECAR_SUFFIX}` // 'photo.hints.json' */
export const HINTS_SIDECAR_SUFFIX = '.hints.json';

/**
 * The sidecar path of a picture: its folder, its name without the extension, `.hints.json`.
 * @example
 * hintsSidecarPath('scans/grandma-1952.jpg'); // 'scans/grandma-1952.hints.json'
 */
export function hintsSidecarPath(picturePath: string): string {
  const name = basename(picturePath);
  return join(dirname(picturePath), `${name.slice(0, name.length - extname(name).length)}${HINTS_SIDECAR_SUFFIX}`);
}

/** Width and height of the picture as displayed: EXIF orientations 5–8 turn it a quarter. */
async function displayedSize(picturePath: string): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  const { width = 0, height = 0, orientation = 1 } = await sharp(picturePath, { limitInputPixels: false }).metadata();
  return orientation >= 5 ? { width: height, height: width } : { width, height };
}

/**
 * Read a picture's sidecar hints, if it has one, as points in the pixels of `image` (the picture as decoded,
 * perhaps downscaled: coordinates are scaled with the half-pixel-centre convention).
 *
 * @param picturePath  the picture's file path.
 * @param image  the decoded picture's size.
 * @param options  `acceptsHints`: whether the model takes hints (a sidecar for a model that does not is an error).
 * @returns the points, or `undefined` when there is no sidecar.
 * @throws InputError / HintError naming the sidecar (`scans/a.hints.json.points[2].x`) for a file that cannot be
 *   read, is not a hints file, has a point outside the picture, or is given to a model without hint inputs.
 * @example
 * const image = await readImageFile('scans/a.jpg');
 * const hints = await readHintsSidecar('scans/a.jpg', image, { acceptsHints: colorizer.layout.acceptsHints });
 * await colorizer.colorize(image, { hints });
 */
export async function readHintsSidecar(
  picturePath: string,
  image: Pick<ImageLike, 'width' | 'height'>,
  options: { acceptsHints: boolean },
): Promise<ColorHint[] | undefined> {
  const path = hintsSidecarPath(picturePath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InputError(path, 'a readable hints file', `an unreadable file (${code ?? (e as Error).message})`);
  }
  const points = parseHintsJson(text, path);
  if (points.length > 0 && !options.acceptsHints) {
    throw new InputError(
      path,
      'no hints file: the model takes no colour points (a hint-capable model has the inputs [lightness, hint_ab, hint_mask])',
      `${points.length} point${points.length === 1 ? '' : 's'}`,
    );
  }
  const shown = await displayedSize(picturePath);
  points.forEach((point, index) => checkHintPoint(point, index, shown, `${path}.points`));
  if (shown.width === image.width && shown.height === image.height) return points;
  const sx = image.width / shown.width,
    sy = image.height / shown.height;
  // Pixel centres map to pixel centres; the result stays inside [0, extent) as the checks require.
  const scale = (v: number, s: number, extent: number) =>
    Math.min(Math.max((v + 0.5) * s - 0.5, 0), extent * (1 - 1e-9));
  return points.map((p) => ({ x: scale(p.x, sx, image.width), y: scale(p.y, sy, image.height), color: p.color }));
}
