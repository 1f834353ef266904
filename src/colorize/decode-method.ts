/**
 * The ways a colorizer turns a distribution over ab bins into one colour per pixel, shared by the colorize
 * options and a model folder's metadata (colorization.json).
 */

/**
 * How a distribution over ab bins becomes one colour per pixel (Zhang et al. 2016, §3.3):
 * `'annealed-mean'` (eq. 5, temperature T), `'mode'` (the most likely bin) or `'mean'` (T = 1).
 * @example const decode: DecodeMethod = 'mode';
 */
export type DecodeMethod = 'annealed-mean' | 'mode' | 'mean';

/** Every {@link DecodeMethod}. @example for (const decode of DECODE_METHODS) results[decode] = await colorizer.colorize(photo, { decode }); */
export const DECODE_METHODS: readonly DecodeMethod[] = Object.freeze(['annealed-mean', 'mode', 'mean']);
