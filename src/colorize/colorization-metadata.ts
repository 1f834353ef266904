/**
 * `colorization.json`: what a model folder says about decoding its model, beside `model.json`. A folder
 * converted from published weights carries the settings that reproduce the authors' own demo, so
 * `createColorizer` gives their pipeline without the user knowing it:
 *
 * ```json
 * { "format": "tfjs-colorization/colorization", "version": 1, "architecture": "eccv16",
 *   "decode": "mean", "pipeline": "zhang-demo",
 *   "source": { "file": "colorization_release_v2-9b330a0b.pth", "sha256": "9b330a0b…", "licence": "BSD-2-Clause" } }
 * ```
 *
 * Call options still win over the file (`colorize(photo, { decode: 'annealed-mean' })`).
 */
import { ConfigError, describeValue } from '../errors.js';
import { checkConfigChoice, checkConfigRange } from '../validate.js';
import { DECODE_METHODS, type DecodeMethod } from './decode-method.js';

/** File name of the metadata beside `model.json`. @example join(folder, COLORIZATION_METADATA_FILE) */
export const COLORIZATION_METADATA_FILE = 'colorization.json';

/** Value of the `format` field. @example COLORIZATION_METADATA_FORMAT === 'tfjs-colorization/colorization' */
export const COLORIZATION_METADATA_FORMAT = 'tfjs-colorization/colorization' as const;

/**
 * How a picture meets the model and the prediction meets the picture:
 * - `'library'` (default): the picture's lightness is resized (area + bilinear) to the model's input, and
 *   the prediction is upsampled bilinearly to the picture in one step (`fit-lightness.ts`, `recombineLab`).
 * - `'zhang-demo'`: Zhang et al.'s demo (`colorizers/util.py`): the 8-bit RGB picture is resized with
 *   Pillow's bicubic filter to the model's input and its lightness taken from that; the prediction is
 *   upsampled bilinearly (half-pixel centres, PyTorch's `align_corners=False`) to the model's input size,
 *   then again to the picture's size, and joined with the picture's own lightness. Squashing only.
 * @example const pipeline: ColorizePipeline = 'zhang-demo';
 */
export type ColorizePipeline = 'library' | 'zhang-demo';

/** Every {@link ColorizePipeline}. @example COLORIZE_PIPELINES.includes('zhang-demo'); // true */
export const COLORIZE_PIPELINES: readonly ColorizePipeline[] = Object.freeze(['library', 'zhang-demo']);

/**
 * Where converted weights came from. Free-form strings, recorded for people (provenance, licence).
 * @example const source: ColorizationSource = { file: 'siggraph17-df00044c.pth', licence: 'BSD-2-Clause' };
 */
export interface ColorizationSource {
  file?: string;
  url?: string;
  sha256?: string;
  licence?: string;
  paper?: string;
}

/**
 * The contents of `colorization.json`. Every field but `format` and `version` is optional.
 * @example const metadata: ColorizationMetadata = { format: COLORIZATION_METADATA_FORMAT, version: 1, decode: 'mean', pipeline: 'zhang-demo' };
 */
export interface ColorizationMetadata {
  format: typeof COLORIZATION_METADATA_FORMAT;
  version: 1;
  /** The published layout the model was converted from (`'eccv16'`, `'siggraph17'`, …). */
  architecture?: string;
  /** Default decoding of a `'bins'` model's distribution. */
  decode?: DecodeMethod;
  /** Default annealed-mean temperature in (0, 1]. */
  temperature?: number;
  /** Default {@link ColorizePipeline}. */
  pipeline?: ColorizePipeline;
  source?: ColorizationSource;
}

const KEYS = ['format', 'version', 'architecture', 'decode', 'temperature', 'pipeline', 'source'];
const SOURCE_KEYS = ['file', 'url', 'sha256', 'licence', 'paper'];

/**
 * Check parsed `colorization.json` contents and return them typed.
 *
 * @param value  the parsed JSON.
 * @returns the metadata.
 * @throws ConfigError naming the field (`metadata.decode`, …), what is valid and what was found.
 * @example
 * const metadata = parseColorizationMetadata(JSON.parse(await readFile('model/colorization.json', 'utf8')));
 */
export function parseColorizationMetadata(value: unknown): ColorizationMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('metadata', 'an object (the contents of colorization.json)', describeValue(value));
  const m = value as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!KEYS.includes(key))
      throw new ConfigError(`metadata.${key}`, `a known field: one of ${KEYS.join(' | ')}`, 'an unknown field');
  }
  if (m.format !== COLORIZATION_METADATA_FORMAT)
    throw new ConfigError('metadata.format', JSON.stringify(COLORIZATION_METADATA_FORMAT), describeValue(m.format));
  if (m.version !== 1) throw new ConfigError('metadata.version', '1', describeValue(m.version));
  if (m.architecture !== undefined && typeof m.architecture !== 'string')
    throw new ConfigError('metadata.architecture', 'a string', describeValue(m.architecture));
  if (m.decode !== undefined) checkConfigChoice('metadata.decode', m.decode, DECODE_METHODS);
  if (m.temperature !== undefined) checkConfigRange('metadata.temperature', m.temperature, 0, 1, { openLow: true });
  if (m.pipeline !== undefined) checkConfigChoice('metadata.pipeline', m.pipeline, COLORIZE_PIPELINES);
  if (m.source !== undefined) {
    if (typeof m.source !== 'object' || m.source === null || Array.isArray(m.source))
      throw new ConfigError('metadata.source', 'an object', describeValue(m.source));
    for (const [key, v] of Object.entries(m.source)) {
      if (!SOURCE_KEYS.includes(key))
        throw new ConfigError(
          `metadata.source.${key}`,
          `a known field: one of ${SOURCE_KEYS.join(' | ')}`,
          'an unknown field',
        );
      if (typeof v !== 'string') throw new ConfigError(`metadata.source.${key}`, 'a string', describeValue(v));
    }
  }
  return m as unknown as ColorizationMetadata;
}
