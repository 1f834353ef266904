/**
 * Sizes and rectangles in pixels, shared by the colorizer (model input sizes, the letterbox's content box)
 * and the hint encoder (where a hint lands in the model's input).
 */

/** A spatial size in pixels. @example const size: PixelSize = { height: 256, width: 256 }; */
export interface PixelSize {
  height: number;
  width: number;
}

/** A rectangle in pixels. @example const box: PixelBox = { x: 0, y: 8, width: 32, height: 16 }; */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
