/**
 * The `tfjs-colorization` command line: `tfjs-colorization colorize <files|folders…> -o <folder>`.
 * Arguments are parsed with `node:util` `parseArgs`; the work is `createNodeColorizer` + `colorizeFiles`.
 * `runCli` is the whole program as a function (testable, no `process.exit`); `bin/tfjs-colorization.mjs`
 * wires it to the process.
 */
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { BACKEND_PACKAGES } from '../../backend.js';
import { hasBundledModel } from '../../colorize/bundled-model.js';
import { DEFAULT_TEMPERATURE } from '../../color/decode/decode-config.js';
import {
  MAX_COLORIZE_SAMPLES,
  MAX_SATURATION,
  resolveColorizeOptions,
  type ColorizeOptions,
} from '../../colorize/colorize-options.js';
import { DECODE_METHODS } from '../../colorize/decode-method.js';
import { ColorizeAbortError } from '../../colorize/colorize-abort.js';
import { FIT_MODES } from '../../colorize/fit-lightness.js';
import { BackendError, ColorizationError, ConfigError, OutputFolderError } from '../../errors.js';
import { DEFAULT_MAX_FILE_PIXELS } from '../files/image-files.js';
import {
  checkColorizeFilesOptions,
  colorizeFiles,
  type ColorizeFileReport,
  type ColorizeFilesOptions,
} from './colorize-files.js';
import { formatDuration } from './progress-bar.js';
import { createNodeColorizer } from '../create-node-colorizer.js';
import { runConvertCommand, runGetCommand } from './weights-commands.js';
import { prepareOutputFolder } from './output-folder.js';
import type { CliEnvironment } from './cli-environment.js';

/** Backends the command line offers (the library works with any registered backend). @example console.log(`--backend ${CLI_BACKENDS.join(' | ')}`); */
export const CLI_BACKENDS = ['wasm', 'cpu'] as const;

const HELP = `Usage: tfjs-colorization colorize <files|folders...> -o <folder> [options]

Colorize gray (or faded colour, or sepia) photos. Each picture keeps its own lightness and size;
the model only predicts colour. Folders are walked (subfolders too) for .jpg .png .webp .tif … files.

Options:
  -o, --output <folder>    where to write the results (created if missing)       [required]
      --model <folder>     model folder (model.json + weights); default: the bundled model
      --decode <method>    ${DECODE_METHODS.join(' | ')}; default annealed-mean
      --temperature <T>    annealed-mean temperature in (0, 1]; default ${DEFAULT_TEMPERATURE}
      --samples <K>        also write K different plausible colorings (0-${MAX_COLORIZE_SAMPLES}); default 0
      --saturation <s>     how vivid: a multiplier on the predicted colour, 0-${MAX_SATURATION}; default 1
      --seed <n>           seed of the samples (same seed, same samples); default 0
      --size <pixels>      downscale pictures whose longer side is larger than this, while
                           decoding (JPEG/WebP shrink-on-load): reads pictures over --max-pixels
      --fit <mode>         ${FIT_MODES.join(' | ')}: how a picture meets the model's square input; default squash
      --format <format>    png | jpg | webp; default png. png keeps transparency and 16 bits,
                           webp keeps transparency, jpg flattens it onto white
      --quality <1-100>    jpg and webp quality; default 92
      --sheet              also write <name>.sheet.png: gray input | colorized | samples
      --backend <name>     ${CLI_BACKENDS.join(' | ')}; default wasm
      --threads <n>        wasm threads (1-8); default 2
      --max-pixels <n>     refuse pictures larger than this after --size (memory);
                           default ${DEFAULT_MAX_FILE_PIXELS}
      --skip-existing      leave pictures whose results all exist (resume a stopped batch);
                           default: results of an earlier run are replaced
  -q, --quiet              no progress lines (errors are still printed)
  -h, --help               show this help
  -v, --version            show the version

Examples:
  tfjs-colorization colorize old-photo.jpg -o colour/
  tfjs-colorization colorize scans/ -o colour/ --samples 3 --seed 7 --sheet
  tfjs-colorization colorize scans/ -o colour/ --size 1600 --format jpg --backend cpu
  tfjs-colorization colorize photo.png -o out/ --model models/my-colorizer --decode mode

Colour points: a file <picture name without extension>.hints.json beside a picture, such as
{"points":[{"x":120,"y":48,"color":"#3a6ea5"}]} (x, y in the picture's pixels), guides a model that takes
hints; it is used when present. A malformed one is an error for that picture only.

Animated pictures (GIF, WebP with several frames) and multi-page TIFFs are refused with a message.

Nothing is written over an input: a picture whose result would replace any input of the run (the
same file, also through a link) is refused with a message naming both, and the others go on. Write
the results into a folder apart from the inputs. Two inputs with the same name (a.jpg, a.png) give
a.png and a-2.png, with a warning naming both.

Other commands: convert <weights.pth> -o <folder> (PyTorch weights of a published model to a model
folder), get eccv16|siggraph17 (the authors' models, downloaded once); see <command> --help.

Exit status: 0 when every picture was colorized (or skipped), 1 when some failed (each is named on
stderr) or the run could not start, 2 for a bad command line or an output folder that cannot hold
results (missing and not creatable, a file, not writable, under /proc, /sys or /dev), checked before
any picture is read.
`;

class UsageError extends ColorizationError {}

function integerOption(name: string, text: string | undefined, low: number, high: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < low || value > high)
    throw new UsageError(`--${name}: expected an integer in [${low}, ${high}], received ${JSON.stringify(text)}`);
  return value;
}

function choiceOption<T extends string>(name: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!choices.includes(text as T))
    throw new UsageError(`--${name}: expected one of ${choices.join(' | ')}, received ${JSON.stringify(text)}`);
  return text as T;
}

/**
 * Run `check` on options read from flags; a `ConfigError` on one of them becomes a refusal naming the flag
 * and the text as typed (`flags` maps option keys to flag names).
 */
function checkFlags(check: () => void, flags: Record<string, string>, texts: Record<string, string | undefined>): void {
  try {
    check();
  } catch (e) {
    if (!(e instanceof ConfigError) || !(e.key in flags)) throw e;
    const expected = typeof e.expected === 'string' ? e.expected : `one of ${e.expected.join(' | ')}`;
    throw new UsageError(`--${flags[e.key]}: expected ${expected}, received ${JSON.stringify(texts[e.key])}`);
  }
}

const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));

/**
 * The colorize options typed on the command line, checked by the library's own `resolveColorizeOptions`
 * (ranges, choices, defaults in one place), with a refusal naming the flag and the text as typed. Numbers
 * are read with `Number` (so `abc` is NaN and refused); the model kind is not known yet, so `--samples` is
 * checked against a model with bins (a model without them refuses samples when the first picture runs).
 */
function colorizeOptionsFromFlags(
  texts: Record<'decode' | 'temperature' | 'samples' | 'seed' | 'fit' | 'saturation', string | undefined>,
): ColorizeOptions {
  const options: ColorizeOptions = {
    decode: texts.decode as ColorizeOptions['decode'],
    temperature: number(texts.temperature),
    samples: number(texts.samples),
    seed: number(texts.seed),
    fit: texts.fit as ColorizeOptions['fit'],
    saturation: number(texts.saturation),
  };
  const flags = Object.fromEntries(Object.keys(texts).map((key) => [key, key]));
  checkFlags(() => resolveColorizeOptions(options, 'bins'), flags, texts);
  return options;
}

/** The file options typed on the command line, checked by `colorizeFiles`'s own checker, refusals naming the flag. */
function fileOptionsFromFlags(
  outputDir: string,
  texts: Record<'maxSide' | 'format' | 'quality' | 'maxPixels', string | undefined>,
): Pick<ColorizeFilesOptions, 'outputDir' | 'maxSide' | 'format' | 'quality' | 'maxPixels'> {
  const options = {
    outputDir,
    maxSide: number(texts.maxSide),
    format: texts.format as ColorizeFilesOptions['format'],
    quality: number(texts.quality),
    maxPixels: number(texts.maxPixels),
  };
  const flags = { maxSide: 'size', format: 'format', quality: 'quality', maxPixels: 'max-pixels' };
  checkFlags(() => checkColorizeFilesOptions(options), flags, texts);
  return options;
}

/** `[3/40] 1.2 files/s, ETA 31s  name.jpg`: the progress line after a file. */
function progressLine(report: ColorizeFileReport): string {
  const done = report.index + 1;
  const rate = done / Math.max(report.elapsedSeconds, 1e-3);
  const eta = (report.total - done) / rate;
  const rateText = rate >= 1 ? `${rate.toFixed(1)} files/s` : `${(1 / rate).toFixed(1)} s/file`;
  return `[${done}/${report.total}] ${rateText}, ETA ${formatDuration(eta)}  ${basename(report.path)}${report.skipped ? ' (skipped: results exist)' : ''}`;
}

/**
 * Run the command line. Never exits the process; returns the exit status.
 *
 * @param argv  the arguments after the program name (`process.argv.slice(2)`).
 * @param env   output streams, version, backend importer, optional abort signal.
 * @returns 0 when every picture was colorized; 1 when some failed or the run could not start; 2 for a
 *   bad command line.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, version, importBackend });
 */
export async function runCli(argv: readonly string[], env: CliEnvironment): Promise<number> {
  if (argv[0] === 'convert' || argv[0] === 'get')
    return (argv[0] === 'convert' ? runConvertCommand : runGetCommand)(argv.slice(1), env);
  const { stdout, stderr } = env;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        model: { type: 'string' },
        decode: { type: 'string' },
        temperature: { type: 'string' },
        samples: { type: 'string' },
        saturation: { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string' },
        fit: { type: 'string' },
        format: { type: 'string' },
        quality: { type: 'string' },
        sheet: { type: 'boolean' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        'max-pixels': { type: 'string' },
        'skip-existing': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    stderr.write(`tfjs-colorization: ${(e as Error).message}\nRun 'tfjs-colorization --help' for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    stdout.write(`${env.version}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;

  let options: ColorizeFilesOptions;
  let backend: (typeof CLI_BACKENDS)[number];
  let threads: number;
  try {
    if (command !== 'colorize')
      throw new UsageError(
        command === undefined
          ? 'missing command: colorize'
          : `unknown command ${JSON.stringify(command)} (expected colorize)`,
      );
    if (paths.length === 0) throw new UsageError('colorize: name at least one file or folder');
    if (values.output === undefined || values.output.length === 0)
      throw new UsageError('colorize: -o <folder> is required');
    backend = choiceOption('backend', values.backend, CLI_BACKENDS) ?? 'wasm';
    threads = integerOption('threads', values.threads, 1, 8) ?? 2;
    options = {
      ...fileOptionsFromFlags(values.output, {
        maxSide: values.size,
        format: values.format,
        quality: values.quality,
        maxPixels: values['max-pixels'],
      }),
      ...colorizeOptionsFromFlags({
        decode: values.decode,
        temperature: values.temperature,
        samples: values.samples,
        seed: values.seed,
        fit: values.fit,
        saturation: values.saturation,
      }),
      sheet: values.sheet ?? false,
      skipExisting: values['skip-existing'] ?? false,
      signal: env.signal,
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr.write(`tfjs-colorization: ${e.message}\nRun 'tfjs-colorization --help' for usage.\n`);
    return 2;
  }

  // The output folder, before the model loads or any picture is read.
  try {
    await prepareOutputFolder(options.outputDir);
  } catch (e) {
    if (!(e instanceof OutputFolderError)) throw e;
    stderr.write(`tfjs-colorization: -o ${e.message}\n`);
    return 2;
  }

  const quiet = values.quiet ?? false;
  const redraw = !quiet && stderr.isTTY === true;
  let colorizer;
  try {
    try {
      await env.importBackend(backend);
    } catch (e) {
      throw new BackendError(
        backend,
        BACKEND_PACKAGES[backend],
        `could not be imported (${(e as Error).message.split('\n')[0]})`,
      );
    }
    if (values.model === undefined && !hasBundledModel()) {
      throw new UsageError(
        'this build has no bundled model: pass --model <folder> (a folder written by saveModelFiles)',
      );
    }
    colorizer = await createNodeColorizer({
      model: values.model,
      backend,
      threads,
      onWarning: (message) => quiet || stderr.write(`warning: ${message}\n`),
    });
  } catch (e) {
    stderr.write(`tfjs-colorization: ${(e as Error).message}\n`);
    return 1;
  }

  const started = performance.now();
  let lineOpen = false;
  const clearLine = () => {
    if (lineOpen) stderr.write('\r\x1b[K');
    lineOpen = false;
  };
  try {
    const summary = await colorizeFiles(colorizer, paths, {
      ...options,
      onWarning: (message) => {
        clearLine();
        stderr.write(`warning: ${message}\n`);
      },
      onFile: (report) => {
        if (report.error !== undefined) {
          clearLine();
          stderr.write(`error: ${report.error}\n`);
        }
        if (quiet) return;
        if (redraw) {
          stderr.write(`\r\x1b[K${progressLine(report)}`);
          lineOpen = true;
        } else {
          stderr.write(`${progressLine(report)}\n`);
        }
      },
    });
    clearLine();
    const seconds = (performance.now() - started) / 1000;
    if (summary.total === 0) {
      stderr.write(`tfjs-colorization: no image files found in ${paths.join(', ')}\n`);
      return 1;
    }
    const failed = summary.failures.length;
    if (!quiet || failed > 0) {
      stderr.write(
        `colorized ${summary.succeeded} of ${summary.total} file${summary.total === 1 ? '' : 's'} into ${options.outputDir} in ${formatDuration(seconds)}` +
          (summary.skipped > 0 ? `; ${summary.skipped} skipped (results exist)` : '') +
          (failed > 0 ? `; ${failed} failed` : '') +
          '\n',
      );
    }
    return failed > 0 ? 1 : 0;
  } catch (e) {
    clearLine();
    stderr.write(`tfjs-colorization: ${e instanceof ColorizeAbortError ? 'stopped' : (e as Error).message}\n`);
    return 1;
  } finally {
    colorizer.dispose();
  }
}
