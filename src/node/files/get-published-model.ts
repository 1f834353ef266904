/**
 * `get`: the authors' published colorizers fetched once into a cache folder and converted there, ready
 * for `createNodeColorizer({ model })` and `colorize --model`.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { COLORIZATION_METADATA_FILE } from '../../colorize/colorization-metadata.js';
import { ConfigError, describeValue } from '../../errors.js';
import { checkConfigChoice } from '../../validate.js';
import { downloadVerified, type DownloadOptions } from './download-verified.js';
import { PUBLISHED_WEIGHTS, type PublishedWeightsName } from './published-weights.js';
import { convertTorchFile } from './torch-model-files.js';

/**
 * The default cache folder: `$TFJS_COLORIZATION_CACHE`, else `$XDG_CACHE_HOME/tfjs-colorization`, else
 * `~/.cache/tfjs-colorization`.
 * @example defaultModelCache(); // '/home/me/.cache/tfjs-colorization'
 */
export function defaultModelCache(): string {
  const env = process.env;
  if (env.TFJS_COLORIZATION_CACHE) return env.TFJS_COLORIZATION_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tfjs-colorization');
}

/** Options of {@link getPublishedModel}. @example const options: GetPublishedModelOptions = { cache: 'models/' }; */
export interface GetPublishedModelOptions extends DownloadOptions {
  /** Cache folder; default {@link defaultModelCache}. */
  cache?: string;
  /** Another address of the same file (a mirror); its file name must carry the same hash prefix scheme. */
  url?: string;
}

/** What {@link getPublishedModel} did. @example const { folder } = await getPublishedModel('eccv16'); */
export interface PublishedModelFiles {
  /** The converted model folder (model.json, weights, colorization.json). */
  folder: string;
  /** The verified `.pth` file. */
  weightsPath: string;
  downloaded: boolean;
  converted: boolean;
}

async function convertedSha256(folder: string): Promise<string | undefined> {
  try {
    const metadata = JSON.parse(await readFile(join(folder, COLORIZATION_METADATA_FILE), 'utf8')) as {
      source?: { sha256?: unknown };
    };
    await readFile(join(folder, 'model.json'));
    return typeof metadata.source?.sha256 === 'string' ? metadata.source.sha256 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Download (once, verified: see `downloadVerified`) and convert (once) one of the authors' models.
 * Repeated calls find both steps done and return at once. A tfjs backend must be selected.
 *
 * @param name  `'eccv16'` or `'siggraph17'` (see {@link PUBLISHED_WEIGHTS}).
 * @param options  `cache`, `url`, `onProgress`, `fetch`.
 * @returns where the model folder and the weights file are.
 * @throws ConfigError for an unknown name; DownloadError when the download fails or does not verify;
 *   WeightsFileError / WeightLayoutError when the file does not convert.
 * @example
 * const { folder } = await getPublishedModel('eccv16');
 * const colorizer = await createNodeColorizer({ model: folder });
 */
export async function getPublishedModel(
  name: PublishedWeightsName,
  options: GetPublishedModelOptions = {},
): Promise<PublishedModelFiles> {
  checkConfigChoice('name', name, Object.keys(PUBLISHED_WEIGHTS) as PublishedWeightsName[]);
  const cache = options.cache ?? defaultModelCache();
  if (typeof cache !== 'string' || cache.length === 0)
    throw new ConfigError('cache', 'a folder path', describeValue(cache));
  const published = PUBLISHED_WEIGHTS[name];
  const url = options.url ?? published.url;
  const file = await downloadVerified(url, cache, { onProgress: options.onProgress, fetch: options.fetch });
  const folder = join(cache, name);
  if ((await convertedSha256(folder)) === file.sha256)
    return { folder, weightsPath: file.path, downloaded: file.downloaded, converted: false };
  await convertTorchFile(file.path, folder, { architecture: published.architecture, url });
  return { folder, weightsPath: file.path, downloaded: file.downloaded, converted: true };
}
