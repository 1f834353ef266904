/**
 * torch.save's zip format (torch ≥ 1.6): a zip whose single root folder (named after the file, or
 * `archive`) holds `data.pkl` (the object's pickle), `data/<key>` (each storage's raw bytes, stored
 * uncompressed and 64-byte aligned by torch), `version`, and since torch 2.0 `byteorder` (`little` or `big`).
 *
 * The zip container is read with fflate, which handles stored and deflated entries and zip64 records.
 * Before fflate allocates anything, every entry's declared sizes are checked against the file's size, so a
 * crafted central directory cannot make it allocate gigabytes.
 */
import { unzipSync } from 'fflate';
import { WeightsFileError } from '../../errors.js';
import { runPickle } from './pickle-opcodes.js';
import { torchPickleHooks } from './pickle-globals.js';
import type { PickleValue } from './pickle-value.js';
import { STORAGE_ELEMENT_BYTES, StorageTable } from './storage-table.js';

/** What a torch file's pickle returned, with every storage's bytes attached, and the file's byte order. */
export interface TorchPickleContents {
  value: PickleValue;
  littleEndian: boolean;
}

// Deflate cannot expand data by more than 1032:1 (RFC 1951's longest match from a 258-byte code); a
// larger declared size is a lie.
const DEFLATE_MAX_RATIO = 1032;
// Each central-directory record takes at least 46 bytes.
const CENTRAL_RECORD_BYTES = 46;

const ENTRY = /^([^/]+)\/(data\.pkl|byteorder|data\/[^/]+)$/;

/** Whether `bytes` start like a zip file (a local file header, or the end record of an empty zip). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 3 || bytes[2] === 5) &&
    (bytes[3] === 4 || bytes[3] === 6)
  );
}

/**
 * Read a zip-format torch file.
 * @throws {WeightsFileError} for a damaged zip, a missing `data.pkl` or storage entry, a storage shorter
 *   than its declared size, or anything the pickle's allow-list refuses.
 */
export function readZipFormat(bytes: Uint8Array): TorchPickleContents {
  const declared = new Map<string, { size: number; originalSize: number; compression: number }>();
  let records = 0;
  let files: { [name: string]: Uint8Array };
  try {
    files = unzipSync(bytes, {
      filter(entry) {
        if (++records > bytes.length / CENTRAL_RECORD_BYTES) {
          throw new WeightsFileError(
            'corrupt',
            `more than ${records - 1} central-directory records`,
            'zip central directory',
            'The zip declares more entries than the file can hold.',
          );
        }
        const { name, size, originalSize, compression } = entry;
        if (compression !== 0 && compression !== 8) {
          throw new WeightsFileError(
            'corrupt',
            `compression method ${compression}`,
            `zip entry ${name}`,
            'torch writes stored entries; the reader also inflates deflated ones.',
          );
        }
        if (size > bytes.length) {
          throw new WeightsFileError(
            'truncated',
            `an entry of ${size} bytes in a file of ${bytes.length}`,
            `zip entry ${name}`,
            'The file is cut off or corrupt.',
          );
        }
        if (
          (compression === 0 && originalSize !== size) ||
          (compression === 8 && originalSize > DEFLATE_MAX_RATIO * size + 64)
        ) {
          throw new WeightsFileError(
            'too-large',
            `${originalSize} uncompressed bytes from ${size} stored ones`,
            `zip entry ${name}`,
            'The entry declares more data than its compressed bytes can hold: the file is corrupt or crafted.',
          );
        }
        if (!ENTRY.test(name)) return false;
        declared.set(name, { size, originalSize, compression });
        return true;
      },
    });
  } catch (error) {
    if (error instanceof WeightsFileError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const noEndRecord = /invalid zip data/.test(message);
    throw new WeightsFileError(
      noEndRecord ? 'truncated' : 'corrupt',
      noEndRecord ? 'no end of central directory record' : `a zip that does not read (${message})`,
      'zip container',
      noEndRecord ? 'The zip ends without its directory: the file is cut off or is not a zip.' : 'The zip is damaged.',
    );
  }
  for (const [name, { originalSize }] of declared) {
    if (files[name].length !== originalSize) {
      throw new WeightsFileError(
        'truncated',
        `${files[name].length} of the ${originalSize} bytes declared`,
        `zip entry ${name}`,
        'The entry is cut off: the file is truncated or corrupt.',
      );
    }
  }

  const pickles = Object.keys(files).filter((name) => name.endsWith('/data.pkl'));
  if (pickles.length !== 1) {
    throw new WeightsFileError(
      'corrupt',
      pickles.length === 0 ? 'no data.pkl entry' : `${pickles.length} data.pkl entries (${pickles.join(', ')})`,
      'zip container',
      'A torch zip file has exactly one <root>/data.pkl holding the pickled object.',
    );
  }
  const root = pickles[0].slice(0, -'/data.pkl'.length);

  let littleEndian = true;
  const byteorder = files[`${root}/byteorder`];
  if (byteorder) {
    const order = new TextDecoder().decode(byteorder).trim();
    if (order !== 'little' && order !== 'big') {
      throw new WeightsFileError(
        'corrupt',
        `byteorder ${JSON.stringify(order.slice(0, 20))}`,
        `zip entry ${root}/byteorder`,
        "The byte order is 'little' or 'big'.",
      );
    }
    littleEndian = order === 'little';
  }

  const storages = new StorageTable();
  const { value } = runPickle(files[pickles[0]], 0, pickles[0], torchPickleHooks(storages));
  for (const storage of storages.roots()) {
    const name = `${root}/data/${storage.key}`;
    const data = files[name];
    if (!data) {
      throw new WeightsFileError(
        'corrupt',
        `no entry ${name}`,
        `storage ${storage.key} named at ${storage.location}`,
        'The zip lacks a storage its pickle names: the file is corrupt.',
      );
    }
    const needed = storage.numel * STORAGE_ELEMENT_BYTES[storage.dtype];
    if (data.length < needed) {
      throw new WeightsFileError(
        'truncated',
        `${data.length} bytes in ${name}`,
        `storage ${storage.key} of ${storage.numel} × ${storage.dtype} (${needed} bytes) named at ${storage.location}`,
        'The storage is shorter than its declared size: the file is truncated or corrupt.',
      );
    }
    storage.bytes = data.subarray(0, needed);
  }
  storages.resolveViews();
  return { value, littleEndian };
}
