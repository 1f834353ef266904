/** Put library images (RGB or RGBA bytes) and lightness planes on canvases at full resolution. */
import { labPlanesToRgb, type ColorizedImage } from 'tfjs-colorization';

/** Draw an RGB(A) 0–255 image; the canvas takes the image's size (CSS scales it for display). */
export function drawImage(canvas: HTMLCanvasElement, image: ColorizedImage): void {
  const { width, height } = image;
  let rgba = image.data;
  if (image.channels === 3) {
    rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
      rgba[j] = image.data[i];
      rgba[j + 1] = image.data[i + 1];
      rgba[j + 2] = image.data[i + 2];
      rgba[j + 3] = 255;
    }
  }
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
}

/** Draw a lightness plane (L in [0, 100]) as the gray picture the model sees. */
export function drawLightness(canvas: HTMLCanvasElement, lightness: Float32Array, width: number, height: number): void {
  const zeros = new Float32Array(lightness.length);
  const data = new Uint8ClampedArray(lightness.length * 4); // on its own ArrayBuffer, as ImageData wants
  labPlanesToRgb(lightness, zeros, zeros, { channels: 4, out: data });
  drawImage(canvas, { data, width, height, channels: 4 });
}

/** Empty a canvas (a previous result must not stay next to a new input). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')!.clearRect(0, 0, canvas.width, canvas.height);
}
