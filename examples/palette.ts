/**
 * Render a gamut's bins on the ab plane: each bin a square of its colour at a fixed lightness,
 * a on the horizontal axis (−110 … 110, left to right), b on the vertical (110 at the top).
 */
import { labPlanesToRgb, type AbGamut, type ImageLike } from 'tfjs-colorization';

export function renderGamutPalette(gamut: AbGamut, lightness: number, size: number): ImageLike {
  const range = 120;
  const n = size * size;
  const L = new Float32Array(n).fill(lightness);
  const a = new Float32Array(n),
    b = new Float32Array(n);
  const inBin = new Uint8Array(n);
  const half = gamut.gridSize / 2;
  for (let q = 0; q < gamut.size; q++) {
    const ca = gamut.centres[2 * q],
      cb = gamut.centres[2 * q + 1];
    const x0 = Math.round(((ca - half + range) / (2 * range)) * size);
    const x1 = Math.round(((ca + half + range) / (2 * range)) * size);
    const y0 = Math.round(((range - (cb + half)) / (2 * range)) * size);
    const y1 = Math.round(((range - (cb - half)) / (2 * range)) * size);
    for (let y = Math.max(0, y0); y < Math.min(size, y1 - 1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(size, x1 - 1); x++) {
        const i = y * size + x;
        a[i] = ca;
        b[i] = cb;
        inBin[i] = 1;
      }
    }
  }
  const rgb = labPlanesToRgb(L, a, b);
  for (let i = 0; i < n; i++) if (!inBin[i]) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = 255;
  return { data: rgb, width: size, height: size, channels: 3 };
}
