/**
 * Cancellation of colorization work through a standard `AbortSignal` (as `fetch` and UpscalerJS's
 * `execute(image, { signal })` do): checked between steps, never in the middle of a tensor op.
 */
import { ColorizationError } from '../errors.js';

/**
 * Thrown when the `signal` passed to `colorize` or `colorizeBatch` is aborted. Its `name` is
 * `'ColorizeAbortError'`; `reason` is the signal's reason.
 * @example
 * try { await colorizer.colorize(image, { signal }); } catch (e) { if (e instanceof ColorizeAbortError) return; throw e; }
 */
export class ColorizeAbortError extends ColorizationError {
  constructor(readonly reason: unknown) {
    super(
      `colorization aborted${reason instanceof Error ? ` (${reason.message})` : reason !== undefined ? ` (${String(reason)})` : ''}`,
    );
  }
}

/**
 * Throw {@link ColorizeAbortError} when `signal` is aborted; do nothing without a signal.
 * @example throwIfColorizeAborted(options.signal);
 */
export function throwIfColorizeAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ColorizeAbortError(signal.reason);
}
