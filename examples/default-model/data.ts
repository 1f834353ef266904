/**
 * The photographs the default model trains and is validated on (`../shared/data`, see its README):
 * Tiny ImageNet photos at 64 px and the 256 px photo set, decoded once into memory at the training size.
 * The example photos shipped in `examples/images/` are left out of training.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import type { ImageLike } from 'tfjs-colorization';

/** Files never trained on: the demo's colour photos. */
export async function heldOutNames(): Promise<Set<string>> {
  const files = await readdir(join(import.meta.dirname, '..', 'images'));
  return new Set(files.filter((f) => /\.(jpe?g|png)$/i.test(f)));
}

/** Decode every image of `dirs` (sorted by name), downscaled with area averaging so the shorter side is `side`. */
export async function loadPhotos(
  dirs: readonly string[],
  side: number,
  options: { exclude?: Set<string>; limit?: number } = {},
): Promise<{ images: ImageLike[]; names: string[] }> {
  const paths: string[] = [];
  for (const dir of dirs) {
    for (const f of (await readdir(dir)).sort())
      if (/\.(jpe?g|png)$/i.test(f) && !options.exclude?.has(f)) paths.push(join(dir, f));
  }
  const chosen = options.limit ? paths.slice(0, options.limit) : paths;
  const images: ImageLike[] = new Array(chosen.length);
  const workers = 4;
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < chosen.length) {
        const i = next++;
        const img = sharp(chosen[i]).removeAlpha().toColourspace('srgb');
        const meta = await sharp(chosen[i]).metadata();
        const scale = side / Math.min(meta.width!, meta.height!);
        const resized =
          scale < 1
            ? img.resize(Math.round(meta.width! * scale), Math.round(meta.height! * scale), {
                kernel: 'linear',
                fastShrinkOnLoad: false,
              })
            : img;
        const { data, info } = await resized.raw().toBuffer({ resolveWithObject: true });
        images[i] = {
          data: new Uint8Array(data.buffer, data.byteOffset, data.length),
          width: info.width,
          height: info.height,
          channels: info.channels as 3,
        };
      }
    }),
  );
  return { images, names: chosen.map((p) => basename(p)) };
}
