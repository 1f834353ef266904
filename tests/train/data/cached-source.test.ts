import { describe, expect, it } from 'vitest';
import { cacheSource } from '../../../src/train/data/cached-source.js';
import type { ExampleSource } from '../../../src/train/data/example-source.js';
import { colourfulImages } from './test-images.js';

function countingSource(failing: number[] = []): { source: ExampleSource; reads: number[] } {
  const images = colourfulImages(5, 4, 4);
  const reads: number[] = [];
  return {
    reads,
    source: {
      size: 5,
      classNames: ['x'],
      read: async (i) => {
        reads.push(i);
        return failing.includes(i) ? undefined : { image: images[i], label: 0 };
      },
    },
  };
}

describe('cacheSource', () => {
  it('reads each example once, unreadable ones included, and serves the same objects after', async () => {
    const { source, reads } = countingSource([3]);
    const cached = cacheSource(source);
    expect([cached.size, cached.classNames]).toEqual([5, ['x']]);
    const first = await Promise.all([0, 1, 2, 3, 4, 0, 1].map((i) => cached.read(i)));
    const second = await Promise.all([0, 1, 2, 3, 4].map((i) => cached.read(i)));
    expect(reads).toEqual([0, 1, 2, 3, 4]);
    expect(second).toEqual(first.slice(0, 5));
    expect(second[0]).toBe(first[0]);
    expect(second[3]).toBeUndefined();
    expect(cached.cachedExamples).toBe(5);
    expect(cached.cachedBytes).toBe(4 * 48);
  });

  it('stops caching at the byte budget and reads the rest through', async () => {
    const { source, reads } = countingSource();
    const cached = cacheSource(source, { maxBytes: 2 * 48 });
    for (let round = 0; round < 2; round++) for (let i = 0; i < 5; i++) await cached.read(i);
    expect(reads).toEqual([0, 1, 2, 3, 4, 2, 3, 4]);
    expect(cached.cachedBytes).toBe(96);
  });
});
