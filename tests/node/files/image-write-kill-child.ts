// Child process of image-write-kill.test.ts: writes pictures with writeImageFile in a loop, over four
// names in turn (so most writes replace an existing file), until it is killed. It prints `ready` once
// started and `wrote <k>` after the k-th write has returned. Picture k's pixels are derived from k, and
// its first pixel carries k, so the parent can check every byte of whatever it finds.
import { join } from 'node:path';
import { writeImageFile } from '../../../src/node/files/image-files.js';
import { createRandom } from '../../../src/random.js';

export const WIDTH = 900;
export const HEIGHT = 600;

/** RGB bytes of picture `k`: seeded noise (large once encoded), k in the first three bytes. */
export function pictureBytes(k: number): Uint8Array {
  const rng = createRandom(1000 + k);
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  data.set([k & 255, (k >> 8) & 255, (k >> 16) & 255], 0);
  return data;
}

export function nameOf(k: number): string {
  return `photo-${k % 4}.png`;
}

const isMain =
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() as string);
if (isMain) {
  const directory = process.argv[2];
  let k = Number(process.argv[3]);
  process.stdout.write('ready\n');
  for (;;) {
    await writeImageFile(join(directory, nameOf(k)), {
      data: pictureBytes(k),
      width: WIDTH,
      height: HEIGHT,
      channels: 3,
    });
    process.stdout.write(`wrote ${k}\n`);
    k += 1;
  }
}
