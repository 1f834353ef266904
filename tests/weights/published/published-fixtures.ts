import { readFileSync } from 'node:fs';

/** tests/fixtures/published/, written by tests/fixtures/make_published_layouts.py. */
export const PUBLISHED_FIXTURES = new URL('../../fixtures/published/', import.meta.url);

export interface PublishedFixture<M = Record<string, unknown>> {
  meta: M & { arrays: Record<string, { shape: number[]; offset: number }> };
  /** The named array (float32, NHWC) and its shape. */
  array(name: string): { data: Float32Array; shape: number[] };
}

export function readPublishedFixture<M = Record<string, unknown>>(name: string): PublishedFixture<M> {
  const meta = JSON.parse(
    readFileSync(new URL(`${name}.json`, PUBLISHED_FIXTURES), 'utf8'),
  ) as PublishedFixture<M>['meta'];
  const bytes = readFileSync(new URL(`${name}.bin`, PUBLISHED_FIXTURES));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    meta,
    array(key) {
      const entry = meta.arrays[key];
      if (entry === undefined) throw new Error(`fixture ${name} has no array ${key}`);
      const size = entry.shape.reduce((a, b) => a * b, 1);
      return { data: all.subarray(entry.offset, entry.offset + size), shape: entry.shape };
    },
  };
}

/** The bytes of a state-dict fixture, `<name>.zip.pth` or `<name>.legacy.pth`. */
export function readStateDictFile(name: string, format: 'zip' | 'legacy'): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`${name}.${format}.pth`, PUBLISHED_FIXTURES)));
}

/** Max-norm relative error: max |a − b| over max |b| (the output's own scale). */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0,
    scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
