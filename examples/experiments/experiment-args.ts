/**
 * Command-line flags shared by every experiment script, and the experiment-specific ones each script adds.
 *
 *   --data <dir>             photo folder (photos64/ with its manifest); required unless --cifar is given
 *   --cifar <dir>            CIFAR-10 binary folder (cifar-10-batches-bin); replaces the photos when given
 *   --minutes <n>            wall-clock budget of this session (default 30); the run saves and stops
 *   --epochs <n>             length of the whole run over all sessions (default per script)
 *   --out <dir>              run folder (default runs/<experiment>); a second call resumes from it
 *   --threads <n>            wasm threads (default 2)
 *   --batch-size <n>         training batch size (default per script)
 *   --limit <n>              use only the first n training images (quick checks)
 *   --val-images <n>         validation images for metrics and the summary (default 128)
 *   --validate-every <n>     steps between validations (default per script)
 *   --sample-every <n>       steps between sample sheets (default per script)
 *   --checkpoint-every <n>   steps between checkpoints (default 50)
 *   --seed <n>               seed of the model initializers and the data order (default 1)
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from 'tfjs-colorization';
import { requireFolderFlag } from '../require-data-folder.js';

export interface CommonArgs {
  data: string;
  cifar?: string;
  minutes: number;
  epochs: number;
  out: string;
  threads: number;
  batchSize: number;
  limit?: number;
  valImages: number;
  validateEvery: number;
  sampleEvery: number;
  checkpointEvery: number;
  seed: number;
}

export interface ScriptDefaults {
  epochs: number;
  batchSize: number;
  validateEvery: number;
  sampleEvery: number;
}

type Options = NonNullable<ParseArgsConfig['options']>;

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`--${flag}`, 'an integer ≥ 1', JSON.stringify(text));
  return value;
}

/**
 * Parse the shared flags plus `extra` (string flags with their defaults). Unknown flags are an error.
 * Returns the shared values and the extra ones as strings.
 */
export function parseExperimentArgs<E extends string>(
  experiment: string,
  defaults: ScriptDefaults,
  extra: Record<E, string>,
): { common: CommonArgs; extra: Record<E, string> } {
  const options: Options = {
    data: { type: 'string' },
    cifar: { type: 'string' },
    minutes: { type: 'string', default: '30' },
    epochs: { type: 'string' },
    out: { type: 'string', default: `runs/${experiment}` },
    threads: { type: 'string', default: '2' },
    'batch-size': { type: 'string' },
    limit: { type: 'string' },
    'val-images': { type: 'string', default: '128' },
    'validate-every': { type: 'string' },
    'sample-every': { type: 'string' },
    'checkpoint-every': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
  };
  for (const [flag, value] of Object.entries(extra) as [E, string][])
    options[flag] = { type: 'string', default: value };
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  const text = values as Record<string, string | undefined>;
  const minutes = Number(text.minutes);
  if (!(minutes > 0)) throw new ConfigError('--minutes', 'a number > 0', JSON.stringify(text.minutes));
  const common: CommonArgs = {
    data:
      text.cifar === undefined
        ? requireFolderFlag('--data', text.data, 'photos64/ and its manifest')
        : (text.data ?? ''),
    cifar: text.cifar,
    minutes,
    epochs: positiveInteger('epochs', text.epochs, defaults.epochs),
    out: text.out!,
    threads: positiveInteger('threads', text.threads, 2),
    batchSize: positiveInteger('batch-size', text['batch-size'], defaults.batchSize),
    limit: text.limit === undefined ? undefined : positiveInteger('limit', text.limit, 0),
    valImages: positiveInteger('val-images', text['val-images'], 128),
    validateEvery: positiveInteger('validate-every', text['validate-every'], defaults.validateEvery),
    sampleEvery: positiveInteger('sample-every', text['sample-every'], defaults.sampleEvery),
    checkpointEvery: positiveInteger('checkpoint-every', text['checkpoint-every'], 50),
    seed: Number.parseInt(text.seed!, 10),
  };
  const extraValues = Object.fromEntries(Object.keys(extra).map((k) => [k, text[k]!])) as Record<E, string>;
  return { common, extra: extraValues };
}

/** Check a flag against its allowed values. */
export function choose<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new ConfigError(`--${flag}`, choices, JSON.stringify(value));
  return value as T;
}
