import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readColorizationMetadata } from '../../../src/node/files/colorization-metadata-file.js';
import { createNodeColorizer } from '../../../src/node/create-node-colorizer.js';
import { readImageFile } from '../../../src/node/files/image-files.js';
import { loadModelFiles, readModelArtifacts } from '../../../src/node/files/model-files.js';
import { runCli } from '../../../src/node/cli/cli.js';
import type { CliEnvironment } from '../../../src/node/cli/cli-environment.js';
import { rgbToLab } from '../../../src/color/lab/lab.js';
import {
  maxRelativeError,
  PUBLISHED_FIXTURES,
  readPublishedFixture,
} from '../../weights/published/published-fixtures.js';
import { runCliBinary } from './cli-fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const fixture = (name: string) => join(PUBLISHED_FIXTURES.pathname, name);

function environment(): CliEnvironment & { out: string[]; err: string[] } {
  const out: string[] = [],
    err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    version: 'test',
    importBackend: async (name) => {
      await import(name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu');
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-commands-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function weightsBytes(folder: string): Promise<Buffer> {
  const [name] = (await readdir(folder)).filter((f) => f.startsWith('weights-'));
  return readFile(join(folder, name));
}

describe('tfjs-colorization convert', () => {
  test('an ECCV16 state dict no other test reads converts from either file format to the same weights, with the demo decoding recorded', async () => {
    const folders: string[] = [];
    for (const format of ['zip', 'legacy']) {
      const env = environment();
      const folder = join(dir, `unseen-${format}`);
      expect(await runCli(['convert', fixture(`eccv16-unseen.${format}.pth`), '-o', folder], env)).toBe(0);
      expect(env.out.join('')).toBe(`${folder}\n`);
      expect(env.err.join('')).toMatch(/\(eccv16: inputSize 256, widthMultiplier 0\.03125, bins 313\)/);
      folders.push(folder);
    }
    const [a, b] = await Promise.all(folders.map(weightsBytes));
    expect(a.length).toBeGreaterThan(0);
    expect(a.equals(b)).toBe(true);
    const metadata = await readColorizationMetadata(folders[0]);
    expect(metadata).toMatchObject({
      architecture: 'eccv16',
      decode: 'mean',
      pipeline: 'zhang-demo',
      source: { file: 'eccv16-unseen.zip.pth' },
    });
    const artifacts = await readModelArtifacts(folders[0]);
    expect(artifacts.weightSpecs?.map((s) => s.name)[0]).toBe('conv1_1/kernel');
  });

  test("a SIGGRAPH17 folder loads back and still gives PyTorch's ab on the fixture inputs; it colorizes with hints", async () => {
    const folder = join(dir, 'siggraph17');
    expect(
      await runCli(['convert', fixture('siggraph17.legacy.pth'), '-o', folder, '--size', '32'], environment()),
    ).toBe(0);
    expect(await readColorizationMetadata(folder)).toMatchObject({
      architecture: 'siggraph17',
      pipeline: 'zhang-demo',
    });
    const model = await loadModelFiles(folder);
    const reference = readPublishedFixture('siggraph17');
    const inputs = ['lightness', 'hint_ab', 'hint_mask'].map((name) => {
      const a = reference.array(name);
      return tf.tensor4d(a.data, a.shape as [number, number, number, number]);
    });
    const [ab] = model.predict(inputs) as tf.Tensor[];
    expect(maxRelativeError(ab.dataSync(), reference.array('ab').data)).toBeLessThan(1e-4);
    tf.dispose([...inputs, ab]);
    model.dispose();
    const colorizer = await createNodeColorizer({ model: folder, backend: 'cpu' });
    expect(colorizer.layout.acceptsHints).toBe(true);
    const photo = await readImageFile(fixture('kodak_kodim23.png'));
    const plain = await colorizer.colorize(photo);
    // A grid of strong blue points over the picture (the narrow random network reacts weakly to one).
    const hints = Array.from({ length: 64 }, (_, i) => ({
      x: 16 + 32 * (i % 8),
      y: 16 + 32 * Math.floor(i / 8),
      color: '#2060ff',
    }));
    // The network's own reaction, without the edge-aware spreading after it.
    const hinted = await colorizer.colorize(photo, { hints, hintPropagation: false });
    expect(Array.from(hinted.rgb.data)).not.toEqual(Array.from(plain.rgb.data));
    colorizer.dispose();
  }, 60_000);

  test('bad command lines exit 2; a file of another layout than --arch exits 1 naming the key', async () => {
    let env = environment();
    expect(await runCli(['convert', fixture('eccv16.zip.pth')], env)).toBe(2);
    expect(env.err.join('')).toMatch(/-o <folder> is required/);
    env = environment();
    expect(await runCli(['convert', fixture('eccv16.zip.pth'), '-o', join(dir, 'x'), '--arch', 'alexnet'], env)).toBe(
      2,
    );
    expect(env.err.join('')).toMatch(
      /--arch: expected one of eccv16 \| siggraph17 \| resnet18 \| vgg16, received "alexnet"/,
    );
    env = environment();
    expect(
      await runCli(['convert', fixture('eccv16.zip.pth'), '-o', join(dir, 'x'), '--arch', 'siggraph17'], env),
    ).toBe(1);
    expect(env.err.join('')).toMatch(
      /model1\.0\.weight: expected a floating-point tensor|model_class\.0\.weight: expected a weight of rank 2 or more, found no such key/,
    );
    env = environment();
    expect(await runCli(['convert', join(dir, 'nothing.pth'), '-o', join(dir, 'x')], env)).toBe(1);
    expect(env.err.join('')).toMatch(/nothing\.pth: cannot load .*ENOENT/);
  });
});

describe("the converted ECCV16 reproduces the authors' demo pipeline", () => {
  // tests/fixtures/make_published_layouts.py ran demo_release.py's steps (Pillow bicubic resize to 256²,
  // rgb2lab, the network with softmax, model_out and 4× upsampling, bilinear resize with
  // align_corners=False to the photo) on real photos; here the converted folder runs through
  // createNodeColorizer with nothing but its colorization.json.
  const demo = readPublishedFixture<{
    photos: { file: string; key: string; step: number; width: number; height: number }[];
  }>('eccv16-demo');
  let folder: string;
  beforeAll(async () => {
    folder = join(dir, 'demo');
    expect(await runCli(['convert', fixture('eccv16-demo.legacy.pth'), '-o', folder], environment())).toBe(0);
  });

  for (const photo of demo.meta.photos) {
    test(`${photo.key}: mean |Δab| ≤ 1 against the authors' pipeline, and the command line writes the same picture`, async () => {
      const colorizer = await createNodeColorizer({ model: folder, backend: 'cpu' });
      const image = await readImageFile(join(ROOT, photo.file));
      expect([image.width, image.height]).toEqual([photo.width, photo.height]);
      const before = tf.memory().numTensors;
      const { lab, rgb } = await colorizer.colorize(image, { returnLab: true });
      expect(tf.memory().numTensors).toBe(before);
      const reference = demo.array(`${photo.key}.ab`);
      const [rows, cols] = reference.shape;
      let sum = 0,
        worst = 0;
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const i = y * photo.step * photo.width + x * photo.step,
            j = 2 * (y * cols + x);
          const d = Math.hypot(lab!.a[i] - reference.data[j], lab!.b[i] - reference.data[j + 1]);
          sum += d;
          worst = Math.max(worst, d);
        }
      }
      const mean = sum / (rows * cols);
      console.log(
        `${photo.key}: mean |Δab| ${mean.toFixed(4)}, max ${worst.toFixed(3)} (ab std of the reference ${std(reference.data).toFixed(2)})`,
      );
      expect(mean).toBeLessThanOrEqual(1);
      colorizer.dispose();

      // The same through the real binary: colorize --model <folder> --decode mean.
      const out = join(dir, `out-${photo.key}`);
      const run = await runCliBinary(
        [
          'colorize',
          join(ROOT, photo.file),
          '-o',
          out,
          '--model',
          folder,
          '--decode',
          'mean',
          '--backend',
          'cpu',
          '-q',
        ],
        { timeoutMs: 120_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const written = await readImageFile(join(out, `${photo.key}.png`));
      expect(Array.from(written.data)).toEqual(Array.from(rgb.data));
      // And the written colours, back in Lab, are the authors' ab within 8-bit rounding on average.
      const labOut = rgbToLab(written.data, { channels: 3, outLayout: 'planar' });
      const n = photo.width * photo.height;
      let sumOut = 0;
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const i = y * photo.step * photo.width + x * photo.step,
            j = 2 * (y * cols + x);
          sumOut += Math.hypot(labOut[n + i] - reference.data[j], labOut[2 * n + i] - reference.data[j + 1]);
        }
      }
      console.log(`${photo.key}: written picture, mean |Δab| ${(sumOut / (rows * cols)).toFixed(4)}`);
      expect(sumOut / (rows * cols)).toBeLessThanOrEqual(1);
    }, 180_000);
  }
});

function std(values: Float32Array): number {
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / values.length);
}

describe('tfjs-colorization get (local HTTP server)', () => {
  let server: Server;
  let hits = 0;
  let url: string;
  beforeAll(async () => {
    const bytes = await readFile(fixture('eccv16-unseen.zip.pth'));
    const name = `colorization_release_v2-${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.pth`;
    server = createServer((_, res) => {
      hits++;
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('downloads, verifies and converts once; a repeated call does neither and prints the same folder', async () => {
    const cache = join(dir, 'cache');
    let env = environment();
    expect(await runCli(['get', 'eccv16', '--cache', cache, '--url', url], env)).toBe(0);
    expect(env.out.join('')).toBe(`${join(cache, 'eccv16')}\n`);
    expect(env.err.join('')).toMatch(/eccv16: downloaded .* converted into/);
    expect(hits).toBe(1);
    env = environment();
    expect(await runCli(['get', 'eccv16', '--cache', cache, '--url', url], env)).toBe(0);
    expect(env.err.join('')).toMatch(/already downloaded .* already converted/);
    expect(hits).toBe(1);
    expect(await readColorizationMetadata(join(cache, 'eccv16'))).toMatchObject({ decode: 'mean', source: { url } });
  });

  test('a name outside eccv16 | siggraph17 exits 2; a file whose hash is not its name exits 1 and leaves nothing', async () => {
    let env = environment();
    expect(await runCli(['get', 'eccv17'], env)).toBe(2);
    expect(env.err.join('')).toMatch(/get: expected one of eccv16 \| siggraph17, received "eccv17"/);
    const cache = join(dir, 'cache-bad');
    env = environment();
    expect(
      await runCli(
        ['get', 'eccv16', '--cache', cache, '--url', url.replace(/-[0-9a-f]{8}\.pth$/, '-00000000.pth')],
        env,
      ),
    ).toBe(1);
    expect(env.err.join('')).toMatch(/not 00000000/);
    expect(await readdir(cache)).toEqual([]);
  });
});
