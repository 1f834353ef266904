// Image files for the CLI and colorizeFiles tests: good pictures and every kind of bad file.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { grayPicture } from '../../colorize/tiny-models.js';

/** A black 8-bit gray PNG of `width × height` pixels: tiny on disk (zeros deflate well), huge decoded. */
export function blankPng(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), body])));
    return Buffer.concat([length, Buffer.from(type, 'ascii'), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit gray, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc((width + 1) * height))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Write good and bad image files into `folder`; returns the names of each kind. */
export async function writeTestImages(folder: string): Promise<{ good: string[]; bad: string[] }> {
  await mkdir(join(folder, 'sub'), { recursive: true });
  const gray = Buffer.from(grayPicture(60, 40));
  const jpeg = await sharp(gray, { raw: { width: 60, height: 40, channels: 1 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  const sepia = Buffer.alloc(60 * 40 * 3);
  for (let i = 0; i < 60 * 40; i++)
    sepia.set([Math.min(255, gray[i] + 30), Math.min(255, gray[i] + 10), Math.max(0, gray[i] - 20)], 3 * i);
  await sharp(gray, { raw: { width: 60, height: 40, channels: 1 } })
    .png()
    .toFile(join(folder, 'gray.png'));
  await sharp(sepia, { raw: { width: 60, height: 40, channels: 3 } })
    .jpeg()
    .toFile(join(folder, 'sub', 'sepia.jpg'));
  await writeFile(join(folder, 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  await writeFile(join(folder, 'empty.png'), '');
  await writeFile(join(folder, 'notes.jpg'), 'this is a text file with an image name\n');
  await sharp(Buffer.from([90]), { raw: { width: 1, height: 1, channels: 1 } })
    .png()
    .toFile(join(folder, 'dot.png'));
  await writeFile(join(folder, 'huge.png'), blankPng(8000, 8000));
  await writeFile(join(folder, 'readme.txt'), 'not picked up from a folder: no image extension\n');
  return {
    good: ['gray.png', 'sub/sepia.jpg'],
    bad: ['truncated.jpg', 'empty.png', 'notes.jpg', 'dot.png', 'huge.png'],
  };
}

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'tfjs-colorization.mjs');

/** What a run of the command left: its exit status (or the signal that ended it) and its output. */
export interface CliRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Run the real `tfjs-colorization` binary in a child process, from the sources (tsx), as a user would.
 * `uid` runs it as another user (a test running as root uses it to meet an unwritable folder).
 */
export function runCliBinary(
  args: string[],
  options: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', BIN, ...args],
      {
        env: { ...process.env, TFJS_COLORIZATION_FROM_SOURCE: '1' },
        timeout: options.timeoutMs ?? 60_000,
        uid: options.uid,
        gid: options.gid,
        cwd: join(import.meta.dirname, '..', '..', '..'),
      },
      (error, stdout, stderr) => {
        resolve({
          code: child.exitCode ?? -1,
          signal: child.signalCode,
          stdout,
          stderr,
          seconds: (Date.now() - started) / 1000,
        });
        void error;
      },
    );
  });
}

/**
 * A PNG written byte by byte (gray, gray + alpha, RGB or RGBA by `channels`; 8 or 16 bits) holding `values`
 * (row-major, interleaved): the exact colour type asked for, which encoders may otherwise change.
 */
export function pngBytes(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  values: ArrayLike<number>,
  depth: 8 | 16 = 16,
): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), body])));
    return Buffer.concat([length, Buffer.from(type, 'ascii'), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([depth, { 1: 0, 2: 4, 3: 2, 4: 6 }[channels], 0, 0, 0], 8);
  const bytesPer = depth / 8;
  const rows = Buffer.alloc((width * channels * bytesPer + 1) * height);
  let o = 0;
  for (let y = 0; y < height; y++) {
    rows[o++] = 0;
    for (let i = 0; i < width * channels; i++, o += bytesPer) {
      if (depth === 16) rows.writeUInt16BE(values[y * width * channels + i], o);
      else rows[o] = values[y * width * channels + i];
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
