/**
 * Points revealed from the truth, placed and coloured the same way by the hints curve (evaluate-hints.ts) and
 * the tuning of the spreading (tune-propagation.ts): each point is a pixel drawn from the paper's centred
 * Gaussian (Zhang et al. 2017, σ = a quarter of each side), coloured with the mean truth ab over the square the
 * point covers on the model's grid. One sequence per photo; the first k are used, so more points always
 * include fewer.
 */
import {
  createRandom,
  defaultHintPointSize,
  deriveSeed,
  imageToLab,
  type ColorHint,
  type ImageLike,
  type PixelSize,
} from 'tfjs-colorization';

/** The first `count` points of photo number `index`'s sequence for a model whose input is `grid`. */
export function truthPoints(
  photo: ImageLike,
  grid: PixelSize,
  seed: number,
  index: number,
  count: number,
): ColorHint[] {
  const lab = imageToLab(photo);
  const { width, height } = photo;
  const pointSize = defaultHintPointSize(grid);
  const rng = createRandom(deriveSeed(seed, index));
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  // Half the side of the square a point covers, in photo pixels (the model grid's cells scaled to the photo).
  const halfX = Math.max(0, Math.floor(((pointSize * width) / grid.width - 1) / 2));
  const halfY = Math.max(0, Math.floor(((pointSize * height) / grid.height - 1) / 2));
  const points: ColorHint[] = [];
  for (let k = 0; k < count; k++) {
    const x = Math.min(width - 1, Math.max(0, Math.round(width / 2 + (width / 4) * gaussian())));
    const y = Math.min(height - 1, Math.max(0, Math.round(height / 2 + (height / 4) * gaussian())));
    let a = 0,
      b = 0,
      n = 0;
    for (let yy = Math.max(0, y - halfY); yy <= Math.min(height - 1, y + halfY); yy++) {
      for (let xx = Math.max(0, x - halfX); xx <= Math.min(width - 1, x + halfX); xx++) {
        a += lab.a[yy * width + xx];
        b += lab.b[yy * width + xx];
        n++;
      }
    }
    points.push({ x, y, color: { a: a / n, b: b / n } });
  }
  return points;
}
