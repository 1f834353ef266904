/**
 * The data folder of the example scripts (training and validation photographs) lives outside the repository,
 * so every script takes its path from a flag and none assumes where it is.
 */
import { ConfigError } from 'tfjs-colorization';

/**
 * The value of a required folder flag, or a `ConfigError` naming the flag and what it should hold.
 *
 * @param flag  the flag as typed on the command line, e.g. `'--data'`.
 * @param value  the parsed value; `undefined` or empty when the flag was not given.
 * @param holds  what the folder must contain, for the message.
 * @example
 * const data = requireFolderFlag('--data', args.data, 'photos/ and photos64/ with their manifests');
 */
export function requireFolderFlag(flag: string, value: string | undefined, holds: string): string {
  if (value === undefined || value === '')
    throw new ConfigError(flag, `a folder with ${holds} (for example ${flag} ../shared/data)`, 'no folder');
  return value;
}
