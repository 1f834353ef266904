/**
 * A memory cache in front of a slow source, for data sets small enough to keep decoded: a folder of
 * 32 × 32 photos decodes in a few milliseconds per file (mostly per-call overhead), which over many
 * epochs costs more than the training it feeds; cached, it decodes once.
 */
import { InputError, describeValue } from '../../errors.js';
import { checkConfigRange } from '../../validate.js';
import type { ExampleSource, RawExample } from './example-source.js';

/**
 * Options of {@link cacheSource}.
 * @example
 * const cached = cacheSource(await createImageFolderSource('photos/'), { maxBytes: 2 * 1024 ** 3 }); // 2 GiB
 */
export interface CacheSourceOptions {
  /** Largest total of cached pixel bytes; examples read after the budget is full are not cached. Default 512 MiB. */
  maxBytes?: number;
}

/** A cached source and how full its cache is. */
export interface CachedSource extends ExampleSource {
  /** Pixel bytes held. */
  readonly cachedBytes: number;
  /** Examples held (unreadable ones included, as `undefined`, so a broken file is reported once). */
  readonly cachedExamples: number;
}

/**
 * Wrap a source so each example is read once and then served from memory, up to a byte budget. The
 * wrapped source must give the same example for an index every time (sources do: see `ExampleSource`).
 *
 * @param source  any {@link ExampleSource}.
 * @param options `maxBytes` (default 512 MiB): the cache stops growing there, later examples are read
 *   from `source` each time.
 * @returns a {@link CachedSource} with the same size and class names.
 * @example
 * const photos = cacheSource(await createImageFolderSource('data/photos32'));
 * const pipeline = createBatchPipeline(photos, { inputSize: 32, resize: 'none' });
 */
export function cacheSource(source: ExampleSource, options: CacheSourceOptions = {}): CachedSource {
  if (source === null || typeof source !== 'object' || typeof source.read !== 'function') {
    throw new InputError('source', 'an ExampleSource ({ size, read(index) })', describeValue(source));
  }
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  checkConfigRange('maxBytes', maxBytes, 0, Infinity);
  const cache = new Map<number, RawExample | undefined>();
  const pending = new Map<number, Promise<RawExample | undefined>>();
  let bytes = 0;
  return {
    size: source.size,
    classNames: source.classNames,
    get cachedBytes() {
      return bytes;
    },
    get cachedExamples() {
      return cache.size;
    },
    read(index: number): RawExample | undefined | Promise<RawExample | undefined> {
      if (cache.has(index)) return cache.get(index);
      // Two reads of one index in flight (read-ahead of two epochs) share one underlying read.
      const inFlight = pending.get(index);
      if (inFlight) return inFlight;
      const read = Promise.resolve(source.read(index)).then(
        (example) => {
          pending.delete(index);
          const size = example?.image.data.byteLength ?? 0;
          if (bytes + size <= maxBytes) {
            cache.set(index, example);
            bytes += size;
          }
          return example;
        },
        (error: unknown) => {
          pending.delete(index);
          throw error;
        },
      );
      pending.set(index, read);
      return read;
    },
  };
}
