/**
 * The two steps where Zhang et al.'s demo (`colorizers/util.py` with `demo_release.py` in
 * richzhang/colorization) differs from the library's default pipeline, for the `'zhang-demo'` pipeline
 * of `colorization.json`:
 * - input: the 8-bit picture is resized with Pillow's bicubic filter (`resize_img`, resample 3) and the
 *   lightness taken from the resized colours (`preprocess_img`), instead of resizing the lightness;
 * - output: the prediction is first brought to the model's input size (the networks' `upsample4`, bilinear
 *   with `align_corners=False`), and `postprocess_tens` then resizes that to the picture bilinearly.
 */
import { LIGHTNESS_CENTRE, LIGHTNESS_SCALE } from '../color/lab/constants.js';
import type { ImageLike } from '../color/image/image.js';
import type { AbImage } from '../color/image/image-recombine.js';
import { resizePlane } from '../color/image/image-resample.js';
import { grayToLightness, rgbToLab } from '../color/lab/lab.js';
import { resizeBytesBicubicPil } from '../color/image/resize-bicubic-pil.js';
import type { FittedLightness } from './fit-lightness.js';
import type { PixelSize } from '../color/image/pixel-geometry.js';

/** The picture as the demo reads it: 8-bit gray or RGB (alpha dropped; floats in [0, 1] rounded to bytes). */
function eightBit(image: ImageLike): { data: Uint8ClampedArray; channels: 1 | 3 } {
  const { data, width, height, channels } = image;
  const outChannels = channels === 1 ? 1 : 3;
  const scale = data instanceof Float32Array ? 255 : 1;
  const out = new Uint8ClampedArray(width * height * outChannels);
  for (let i = 0, n = width * height; i < n; i++) {
    for (let c = 0; c < outChannels; c++) out[i * outChannels + c] = Math.round(data[i * channels + c] * scale);
  }
  return { data: out, channels: outChannels };
}

/**
 * The model input of the demo pipeline: the picture resized to `size` with Pillow's bicubic filter, its
 * lightness normalized to `(L − 50) / 100`.
 *
 * @param image  the checked picture (any size, 1, 3 or 4 channels).
 * @param size  the model's input size.
 * @returns the normalized input, the whole input being content (the demo squashes).
 * @example const local = zhangDemoLightness(toImageLike(photo), { height: 256, width: 256 });
 */
export function zhangDemoLightness(image: ImageLike, size: PixelSize): FittedLightness {
  const bytes = eightBit(image);
  const resized = resizeBytesBicubicPil(bytes.data, image.width, image.height, bytes.channels, size.width, size.height);
  const lightness =
    bytes.channels === 1
      ? grayToLightness(resized)
      : rgbToLab(resized, { channels: 3, outLayout: 'planar' }).subarray(0, size.width * size.height);
  const data = new Float32Array(size.width * size.height);
  for (let i = 0; i < data.length; i++) data[i] = (lightness[i] - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE;
  return { data, size: { ...size }, content: { x: 0, y: 0, width: size.width, height: size.height } };
}

/**
 * The demo's first upsampling: ab at the model's output size brought to its input size bilinearly with
 * half-pixel centres (PyTorch `nn.Upsample(scale_factor=4, mode='bilinear')`, `align_corners=False`).
 *
 * @param ab  the prediction at the model's output size, Lab units.
 * @param size  the model's input size.
 * @returns `ab` itself when the sizes already agree, else the upsampled ab.
 * @example const abInput = upsampleAbToInput(ab, { height: 256, width: 256 });
 */
export function upsampleAbToInput(ab: AbImage, size: PixelSize): AbImage {
  if (ab.width === size.width && ab.height === size.height) return ab;
  const data = resizePlane(ab.data, ab.width, ab.height, size.width, size.height, { channels: 2, antialias: false });
  return { data, width: size.width, height: size.height };
}
