/**
 * The `convert` and `get` commands of the command line:
 *
 *   tfjs-colorization convert <weights.pth> -o <folder> [--arch eccv16|siggraph17|resnet18|vgg16]
 *   tfjs-colorization get eccv16|siggraph17 [--cache <folder>]
 *
 * Both write an ordinary model folder (model.json, weights, colorization.json) that `colorize --model`,
 * `createNodeColorizer` and the browser page load.
 */
import { parseArgs } from 'node:util';
import { useBackend } from '../../backend.js';
import { ColorizationError } from '../../errors.js';
import { PUBLISHED_ARCHITECTURES, type PublishedArchitecture } from '../../weights/published/published-architecture.js';
import type { CliEnvironment } from './cli-environment.js';
import { defaultModelCache, getPublishedModel } from '../files/get-published-model.js';
import { PUBLISHED_WEIGHTS, type PublishedWeightsName } from '../files/published-weights.js';
import { convertTorchFile } from '../files/torch-model-files.js';

const CONVERT_HELP = `Usage: tfjs-colorization convert <weights.pth> -o <folder> [options]

Convert a PyTorch state-dict file of a published layout into a model folder.

Options:
  -o, --output <folder>   the model folder to write                                   [required]
      --arch <name>       ${PUBLISHED_ARCHITECTURES.join(' | ')}; default: found from the keys
      --size <pixels>     input size; default 256 (eccv16, siggraph17) or 224 (resnet18, vgg16)
      --float16           store the weights as float16 (half the size)
  -h, --help              show this help
`;

const GET_HELP = `Usage: tfjs-colorization get ${Object.keys(PUBLISHED_WEIGHTS).join('|')} [options]

Download the authors' released model once (SHA-256 prefix and size checked), convert it, and print the
model folder (use it with colorize --model <folder>).

Options:
      --cache <folder>    where files go; default ${defaultModelCache()}
      --url <url>         another address of the same file (a mirror)
  -q, --quiet             no progress lines
  -h, --help              show this help
`;

class UsageError extends ColorizationError {}

/**
 * Run `tfjs-colorization convert …` (arguments after the command name). Never exits the process.
 * @returns 0 on success, 1 when the conversion failed, 2 for a bad command line.
 * @example await runConvertCommand(['eccv16.pth', '-o', 'models/eccv16'], env);
 */
export async function runConvertCommand(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let input: string,
    output: string,
    architecture: PublishedArchitecture | undefined,
    inputSize: number | undefined,
    float16: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        arch: { type: 'string' },
        size: { type: 'string' },
        float16: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      env.stdout.write(CONVERT_HELP);
      return 0;
    }
    if (positionals.length !== 1)
      throw new UsageError(`convert: name exactly one weights file, received ${positionals.length}`);
    if (!values.output) throw new UsageError('convert: -o <folder> is required');
    if (values.arch !== undefined && !PUBLISHED_ARCHITECTURES.includes(values.arch as PublishedArchitecture)) {
      throw new UsageError(
        `--arch: expected one of ${PUBLISHED_ARCHITECTURES.join(' | ')}, received ${JSON.stringify(values.arch)}`,
      );
    }
    if (values.size !== undefined && !(Number.isInteger(Number(values.size)) && Number(values.size) > 0)) {
      throw new UsageError(`--size: expected a positive integer, received ${JSON.stringify(values.size)}`);
    }
    [input, output, architecture, inputSize, float16] = [
      positionals[0],
      values.output,
      values.arch as PublishedArchitecture | undefined,
      values.size === undefined ? undefined : Number(values.size),
      values.float16 ?? false,
    ];
  } catch (e) {
    env.stderr.write(`tfjs-colorization: ${(e as Error).message}\nRun 'tfjs-colorization convert --help' for usage.\n`);
    return 2;
  }
  try {
    await env.importBackend('cpu');
    await useBackend('cpu');
    const converted = await convertTorchFile(input, output, {
      architecture,
      inputSize,
      weights: float16 ? 'float16' : 'float32',
    });
    const widths = Object.entries(converted.config)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    env.stdout.write(`${converted.folder}\n`);
    env.stderr.write(
      `converted ${input} (${converted.architecture}: ${widths}) into ${converted.folder}, weights ${(converted.weightBytes / 1e6).toFixed(1)} MB\n`,
    );
    return 0;
  } catch (e) {
    env.stderr.write(`tfjs-colorization: ${(e as Error).message}\n`);
    return 1;
  }
}

/**
 * Run `tfjs-colorization get …` (arguments after the command name). Prints the model folder on stdout.
 * @returns 0 on success, 1 when the download or conversion failed, 2 for a bad command line.
 * @example await runGetCommand(['eccv16'], env);
 */
export async function runGetCommand(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let name: PublishedWeightsName, cache: string | undefined, url: string | undefined, quiet: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        cache: { type: 'string' },
        url: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      env.stdout.write(GET_HELP);
      return 0;
    }
    const names = Object.keys(PUBLISHED_WEIGHTS);
    if (positionals.length !== 1 || !names.includes(positionals[0])) {
      throw new UsageError(
        `get: expected one of ${names.join(' | ')}, received ${positionals.length === 0 ? 'nothing' : JSON.stringify(positionals.join(' '))}`,
      );
    }
    [name, cache, url, quiet] = [
      positionals[0] as PublishedWeightsName,
      values.cache,
      values.url,
      values.quiet ?? false,
    ];
  } catch (e) {
    env.stderr.write(`tfjs-colorization: ${(e as Error).message}\nRun 'tfjs-colorization get --help' for usage.\n`);
    return 2;
  }
  try {
    await env.importBackend('cpu');
    await useBackend('cpu');
    let lastReport = 0;
    const result = await getPublishedModel(name, {
      cache,
      url,
      onProgress: (bytes, total) => {
        if (quiet || bytes - lastReport < 8e6) return;
        lastReport = bytes;
        env.stderr.write(
          `downloaded ${(bytes / 1e6).toFixed(0)}${total === undefined ? '' : ` of ${(total / 1e6).toFixed(0)}`} MB\n`,
        );
      },
    });
    env.stdout.write(`${result.folder}\n`);
    if (!quiet)
      env.stderr.write(
        `${name}: ${result.downloaded ? 'downloaded' : 'already downloaded'} ${result.weightsPath}, ${result.converted ? 'converted' : 'already converted'} into ${result.folder}\n`,
      );
    return 0;
  } catch (e) {
    env.stderr.write(`tfjs-colorization: ${(e as Error).message}\n`);
    return 1;
  }
}
