/**
 * The data of the experiments: CIFAR-10 when a folder in the official binary layout is given (`--cifar`),
 * otherwise Tiny ImageNet's 64 × 64 photos (`<data>/photos64`, 200 classes, labels from the manifest's
 * `wnid` column), decoded once into memory. Scripts that work at CIFAR scale let the batch pipeline
 * downscale the photos to 32 × 32 (box + bilinear resampling of the Lab planes), which makes them a
 * CIFAR-sized stand-in: the real CIFAR-10 could not be obtained on this machine (see data/README.md).
 *
 * The demo photos of `examples/images/` are never trained on: they are excluded by file name, as the
 * default model's data loader does.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { type ExampleSource, type ImageLike, createArraySource } from 'tfjs-colorization';
import { readCifar10Folder } from 'tfjs-colorization/node';
import { heldOutNames } from '../default-model/data.js';
import type { CommonArgs } from './experiment-args.js';

export interface ExperimentData {
  train: ExampleSource;
  validation: ExampleSource;
  /** Class names in label order. */
  classNames: readonly string[];
  /** Side of the stored images (32 for CIFAR-10, 64 for the photos). */
  side: number;
  /** One line for logs and the run's config file. */
  description: string;
}

interface ManifestRow {
  file: string;
  split: string;
  wnid: string;
  className: string;
}

async function readManifest(path: string): Promise<ManifestRow[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column ${name}`);
    return i;
  };
  const [file, split, wnid, className] = [at('file'), at('split'), at('wnid'), at('class')];
  // The manifest has no quoted fields (make_photos64.py writes plain names), so a split on commas is exact.
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return { file: f[file], split: f[split], wnid: f[wnid], className: f[className] };
  });
}

/** `count` indices spread evenly over `0 … size − 1`, so a subset covers every class of a sorted list. */
export function spreadIndices(size: number, count: number): number[] {
  if (count >= size) return Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * size) / count));
}

async function decodeAll(paths: readonly string[]): Promise<ImageLike[]> {
  const images: ImageLike[] = new Array(paths.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < paths.length) {
        const i = next++;
        const { data, info } = await sharp(paths[i])
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
        images[i] = {
          data: new Uint8Array(data.buffer, data.byteOffset, data.length),
          width: info.width,
          height: info.height,
          channels: info.channels as 3,
        };
      }
    }),
  );
  return images;
}

function subset(source: ExampleSource, indices: readonly number[]): ExampleSource {
  return { size: indices.length, classNames: source.classNames, read: (i: number) => source.read(indices[i]) };
}

/**
 * Load the training and validation examples, with labels. `--limit` keeps that many training images spread
 * over the sorted list (so every class stays present); `--val-images` the same for validation.
 */
export async function loadExperimentData(args: CommonArgs): Promise<ExperimentData> {
  if (args.cifar !== undefined) {
    const train = await readCifar10Folder(args.cifar);
    const test = await readCifar10Folder(args.cifar, { split: 'test' });
    return {
      train: args.limit === undefined ? train : subset(train, spreadIndices(train.size, args.limit)),
      validation: subset(test, spreadIndices(test.size, args.valImages)),
      classNames: train.classNames ?? [],
      side: 32,
      description: `CIFAR-10 from ${args.cifar} (${train.size} train, ${test.size} test)`,
    };
  }
  const root = join(args.data, 'photos64');
  const rows = await readManifest(join(root, 'manifest.csv'));
  const wnids = [...new Set(rows.map((r) => r.wnid))].sort();
  const label = new Map(wnids.map((w, i) => [w, i]));
  const names = wnids.map((w) => rows.find((r) => r.wnid === w)!.className);
  const exclude = await heldOutNames();
  const pick = (split: string, count: number | undefined) => {
    const kept = rows
      .filter((r) => r.split === split && !exclude.has(basename(r.file)))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return spreadIndices(kept.length, count ?? kept.length).map((i) => kept[i]);
  };
  const trainRows = pick('train', args.limit);
  const valRows = pick('val', args.valImages);
  const [trainImages, valImages] = [
    await decodeAll(trainRows.map((r) => join(root, r.file))),
    await decodeAll(valRows.map((r) => join(root, r.file))),
  ];
  return {
    train: createArraySource(trainImages, { labels: trainRows.map((r) => label.get(r.wnid)!), classNames: names }),
    validation: createArraySource(valImages, { labels: valRows.map((r) => label.get(r.wnid)!), classNames: names }),
    classNames: names,
    side: 64,
    description: `Tiny ImageNet photos64 from ${root} (${trainImages.length} train, ${valImages.length} validation, ${wnids.length} classes)`,
  };
}
