/**
 * Lazy access to `sharp` (an optional dependency): the Node entry loads without it, and only the
 * functions that decode or encode image files need it.
 */
import { ColorizationError } from '../../errors.js';

type Sharp = typeof import('sharp');
let cached: Promise<Sharp> | undefined;

/** Resolve the `sharp` module, or throw a {@link ColorizationError} saying how to install it. */
export function loadSharp(): Promise<Sharp> {
  cached ??= import('sharp').then(
    (m) => (m as unknown as { default?: Sharp }).default ?? (m as unknown as Sharp),
    (e: unknown) => {
      cached = undefined;
      throw new ColorizationError(
        `reading and writing image files needs the optional dependency 'sharp' (npm install sharp): ${(e as Error).message}`,
      );
    },
  );
  return cached;
}
