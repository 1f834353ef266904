import { describe, expect, it } from 'vitest';
import { createRandom, shuffledIndices } from '../src/index.js';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(7),
      b = createRandom(7),
      c = createRandom(8);
    const sa = Array.from({ length: 5 }, () => a.next());
    const sb = Array.from({ length: 5 }, () => b.next());
    const sc = Array.from({ length: 5 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('resumes exactly from a saved state', () => {
    const a = createRandom(3);
    a.next();
    a.next();
    const resumed = createRandom(a.state());
    expect(resumed.next()).toBe(a.next());
  });

  it('draws roughly uniform values in [0, 1)', () => {
    const r = createRandom(1);
    let sum = 0,
      min = 1,
      max = 0;
    for (let i = 0; i < 20000; i++) {
      const v = r.next();
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });

  it('shuffles into a permutation', () => {
    const p = Array.from(shuffledIndices(100, createRandom(5)));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
