import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { encodeHints } from '../../src/hints/encode-hints.js';
import {
  HINT_FIDELITY,
  PROPAGATE_HINTS_DEFAULTS,
  poolHintPlanes,
  poolPlane,
  propagateHints,
  type HintGrid,
} from '../../src/hints/propagate-hints.js';
import { createRandom } from '../../src/random.js';

function grid(width: number, height: number, fill: Partial<HintGrid> = {}): HintGrid {
  const n = width * height;
  return {
    width,
    height,
    lightness: new Float32Array(n).fill(50),
    ab: new Float32Array(2 * n),
    hintAb: new Float32Array(2 * n),
    hintWeight: new Float32Array(n),
    ...fill,
  };
}

/** Solve A x = b by Gaussian elimination with partial pivoting (dense): an independent reference for the CG. */
function solveDense(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

describe('propagateHints', () => {
  it('two cells, one hinted: the closed-form solution of the 2 × 2 system', () => {
    // Lightness 50 and 56, σ = 6: w = exp(−36 / 72); no predicted colour, so c does not matter.
    const g = grid(2, 1, {
      lightness: Float32Array.of(50, 56),
      hintAb: Float32Array.of(30, -20, 0, 0),
      hintWeight: Float32Array.of(1, 0),
    });
    const eps = 1e-3,
      lambda = HINT_FIDELITY,
      w = Math.exp(-0.5);
    const out = propagateHints(g, { sigma: 6, decay: eps, tolerance: 1e-12 });
    // [w + λ + ε, −w; −w, w + ε] r = [λ d, 0]  ⇒  r1 = w r0 / (w + ε), r0 = λ d / (w + λ + ε − w² / (w + ε)).
    for (const [channel, d] of [
      [0, 30],
      [1, -20],
    ]) {
      const r0 = (lambda * d) / (w + lambda + eps - (w * w) / (w + eps));
      const r1 = (w * r0) / (w + eps);
      expect(out[channel]).toBeCloseTo(r0, 4);
      expect(out[2 + channel]).toBeCloseTo(r1, 4);
    }
  });

  it.each([
    [5, 4],
    [4, 5],
  ])('matches a dense solve of the same objective on a random %i × %i grid', (W, H) => {
    const rng = createRandom(3);
    const n = W * H;
    const g = grid(W, H, {
      lightness: Float32Array.from({ length: n }, () => 100 * rng.next()),
      ab: Float32Array.from({ length: 2 * n }, () => 60 * rng.next() - 30),
      hintAb: Float32Array.from({ length: 2 * n }, () => 100 * rng.next() - 50),
      hintWeight: Float32Array.from({ length: n }, (_, i) => (i % 7 === 2 ? rng.next() : 0)),
    });
    const options = { sigma: 20, colorWeight: 0.7, decay: 0.05, tolerance: 1e-12 };
    const out = propagateHints(g, options);
    // The objective's normal equations, built entry by entry from its definition.
    const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const weight = (i: number, j: number) => {
      const dl = g.lightness[i] - g.lightness[j];
      const da = g.ab[2 * i] - g.ab[2 * j],
        db = g.ab[2 * i + 1] - g.ab[2 * j + 1];
      return Math.exp(-(dl * dl + 0.49 * (da * da + db * db)) / (2 * 400));
    };
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        for (const j of [x + 1 < W ? i + 1 : -1, y + 1 < H ? i + W : -1]) {
          if (j < 0) continue;
          const w = weight(i, j);
          a[i][i] += w;
          a[j][j] += w;
          a[i][j] -= w;
          a[j][i] -= w;
        }
        a[i][i] += HINT_FIDELITY * g.hintWeight[i] + 0.05;
      }
    }
    for (const channel of [0, 1]) {
      const b = Array.from(
        { length: n },
        (_, i) => HINT_FIDELITY * g.hintWeight[i] * (g.hintAb[2 * i + channel] - g.ab[2 * i + channel]),
      );
      const r = solveDense(a, b);
      for (let i = 0; i < n; i++) {
        const expected = Math.min(110, Math.max(-110, g.ab[2 * i + channel] + r[i]));
        expect(out[2 * i + channel]).toBeCloseTo(expected, 3);
      }
    }
  });

  it('solves large grids iteratively (coarse-grid start) to the direct solution', () => {
    const rng = createRandom(5);
    const [W, H] = [40, 34];
    const n = W * H;
    // Smooth lightness with a vertical edge, a random prediction and 12 points.
    const lightness = Float32Array.from({ length: n }, (_, i) => 30 + 0.5 * Math.floor(i / W) + (i % W < 20 ? 0 : 40));
    const hintWeight = new Float32Array(n);
    const hintAb = new Float32Array(2 * n);
    for (let k = 0; k < 12; k++) {
      const cell = rng.int(n);
      hintWeight[cell] = 0.5 + 0.5 * rng.next();
      hintAb.set([80 * rng.next() - 40, 80 * rng.next() - 40], 2 * cell);
    }
    const g = grid(W, H, {
      lightness,
      ab: Float32Array.from({ length: 2 * n }, () => 20 * rng.next() - 10),
      hintAb,
      hintWeight,
    });
    const direct = propagateHints(g, { solver: 'direct' });
    const iterative = propagateHints(g, { solver: 'iterative', maxIterations: 5000, tolerance: 1e-10 });
    let max = 0;
    for (let i = 0; i < direct.length; i++) max = Math.max(max, Math.abs(direct[i] - iterative[i]));
    expect(max).toBeLessThan(1e-3);
    // The automatic choice for a grid this size is the direct solve.
    expect(Array.from(propagateHints(g))).toEqual(Array.from(direct));
  });

  it('stops at an edge: a point in the dark half colours the dark half, not the bright one', () => {
    const [W, H] = [16, 8];
    const lightness = Float32Array.from({ length: W * H }, (_, i) => (i % W < 8 ? 20 : 80));
    const hintAb = new Float32Array(2 * W * H);
    const hintWeight = new Float32Array(W * H);
    hintWeight[3 * W + 2] = 1;
    hintAb.set([40, 40], 2 * (3 * W + 2));
    const out = propagateHints(grid(W, H, { lightness, hintAb, hintWeight }));
    // Far side of the dark half, same side of the edge: nearly the point's colour.
    expect(out[2 * (7 * W + 7)]).toBeGreaterThan(30);
    // Across the edge (ΔL = 60 ≫ σ): nearly untouched.
    expect(Math.abs(out[2 * (3 * W + 8)])).toBeLessThan(1);
    expect(Math.abs(out[2 * (0 * W + 15)])).toBeLessThan(1);
  });

  it('keeps the prediction away from points where it decays, and returns a copy when there is no point', () => {
    const g = grid(4, 3, { ab: Float32Array.from({ length: 24 }, (_, i) => i - 12) });
    const out = propagateHints(g);
    expect(Array.from(out)).toEqual(Array.from(g.ab));
    expect(out).not.toBe(g.ab);
  });

  it('refuses planes of the wrong size and bad options, naming them', () => {
    const g = grid(4, 3);
    expect(() => propagateHints({ ...g, ab: new Float32Array(12) })).toThrow(InputError);
    expect(() => propagateHints({ ...g, ab: new Float32Array(12) })).toThrow(
      /^grid\.ab: expected a Float32Array of 24 values/,
    );
    expect(() => propagateHints({ ...g, hintWeight: [0] as unknown as Float32Array })).toThrow(/^grid\.hintWeight/);
    expect(() => propagateHints(g, { sigma: 0 })).toThrow(ConfigError);
    expect(() => propagateHints(g, { sigma: -1 })).toThrow(/^sigma:/);
    expect(() => propagateHints(g, { sigmas: 3 } as never)).toThrow(/^sigmas: expected a known key/);
    expect(() => propagateHints(g, { maxIterations: 2.5 })).toThrow(/^maxIterations:/);
    expect(() => propagateHints(g, { solver: 'lu' as never })).toThrow(
      /^solver: expected one of auto \| direct \| iterative/,
    );
    expect(PROPAGATE_HINTS_DEFAULTS.sigma).toBeGreaterThan(0);
  });
});

describe('poolHintPlanes and poolPlane', () => {
  it('average a point square onto a 4× coarser grid: weight = covered fraction, ab = mean point ab in Lab units', () => {
    // A 3 × 3 point at input cell (5, 5) of an 8 × 8 input covers input rows and columns 4–6: of output cell
    // (1, 1) (rows/columns 4–7) it covers 3 × 3 of 16 pixels.
    const planes = encodeHints([{ x: 5, y: 5, color: { a: 22, b: -11 } }], {
      photo: { width: 8, height: 8 },
      size: { height: 8, width: 8 },
      pointSize: 3,
    });
    const pooled = poolHintPlanes(planes, { height: 2, width: 2 });
    expect(Array.from(pooled.hintWeight)).toEqual([0, 0, 0, 9 / 16]);
    expect(pooled.hintAb[6]).toBeCloseTo(22, 4);
    expect(pooled.hintAb[7]).toBeCloseTo(-11, 4);
    expect(Array.from(pooled.hintAb.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => poolHintPlanes(planes, { height: 9, width: 2 })).toThrow(/^size\.height:/);
    // 3 × 2 → 1 × 1 and 3 → 2 rows (rows 0 and 1–2).
    expect(Array.from(poolPlane([1, 2, 3, 4, 5, 6], { height: 3, width: 2 }, { height: 1, width: 1 }))).toEqual([3.5]);
    expect(Array.from(poolPlane([1, 2, 3], { height: 3, width: 1 }, { height: 2, width: 1 }))).toEqual([1, 2.5]);
  });
});
