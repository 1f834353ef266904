/**
 * torch.save's legacy format (the default before torch 1.6, `_use_new_zipfile_serialization=False` after):
 * five pickles back to back, then the storages.
 *
 * 1. the magic number 0x1950a86a20f9469cfc6c;
 * 2. the protocol version, 1001;
 * 3. `sys_info`: `{'protocol_version': 1001, 'little_endian': bool, 'type_sizes': {…}}`;
 * 4. the object, whose storages are persistent ids `('storage', type, key, location, size, view)`;
 * 5. the storage keys, a list of strings;
 *
 * then, for each key in that list, its element count as an int64 and its raw bytes, in the byte order
 * `sys_info` gives.
 */
import { WeightsFileError } from '../../errors.js';
import { runPickle } from './pickle-opcodes.js';
import { torchPickleHooks } from './pickle-globals.js';
import { PickleDict, PickleList, type PickleValue, describePickleValue } from './pickle-value.js';
import { STORAGE_ELEMENT_BYTES, StorageTable } from './storage-table.js';
import type { TorchPickleContents } from './zip-format.js';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Whether `bytes` start like a pickle (the PROTO opcode of protocol 2 or later). */
export function looksLikeLegacy(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
}

/**
 * Read a legacy-format torch file.
 * @throws {WeightsFileError} for a wrong magic number or version, a storage section that is cut off or
 *   does not match the pickle's storages, or anything the pickle's allow-list refuses.
 */
export function readLegacyFormat(bytes: Uint8Array): TorchPickleContents {
  // The header pickles hold plain data; the allow-list hooks (with no storages) refuse anything else.
  const headerHooks = torchPickleHooks(new StorageTable());
  const magic = runPickle(bytes, 0, 'magic number pickle', headerHooks);
  if (magic.value !== MAGIC_NUMBER) {
    throw new WeightsFileError(
      'corrupt',
      `magic number ${show(magic.value)}`,
      'legacy header',
      `A legacy torch file starts with the magic number 0x${MAGIC_NUMBER.toString(16)}.`,
    );
  }
  const version = runPickle(bytes, magic.end, 'protocol version pickle', headerHooks);
  if (version.value !== PROTOCOL_VERSION) {
    throw new WeightsFileError(
      'corrupt',
      `protocol version ${show(version.value)}`,
      'legacy header',
      `torch's legacy format has version ${PROTOCOL_VERSION}.`,
    );
  }
  const sysInfo = runPickle(bytes, version.end, 'sys_info pickle', headerHooks);
  const littleEndian = sysInfo.value instanceof PickleDict ? sysInfo.value.entries.get('little_endian') : undefined;
  if (typeof littleEndian !== 'boolean') {
    throw new WeightsFileError(
      'corrupt',
      `sys_info ${describePickleValue(sysInfo.value)} without little_endian`,
      'legacy header',
      "sys_info is a dict with a bool 'little_endian'.",
    );
  }

  const storages = new StorageTable();
  const object = runPickle(bytes, sysInfo.end, 'object pickle', torchPickleHooks(storages));
  const keyList = runPickle(bytes, object.end, 'storage keys pickle', headerHooks);
  if (!(keyList.value instanceof PickleList) || !keyList.value.items.every((key) => typeof key === 'string')) {
    throw new WeightsFileError(
      'corrupt',
      `storage keys ${describePickleValue(keyList.value)}`,
      'storage keys pickle',
      'The storage keys are a list of strings.',
    );
  }

  const byKey = new Map(storages.roots().map((storage) => [storage.key, storage]));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keyList.end;
  for (const key of keyList.value.items as string[]) {
    const storage = byKey.get(key);
    if (!storage) {
      throw new WeightsFileError(
        'corrupt',
        `storage ${key} that no tensor names`,
        `storage section at byte ${pos}`,
        'Every stored storage is named by the pickle: the file is corrupt.',
      );
    }
    byKey.delete(key);
    if (bytes.length - pos < 8) {
      throw new WeightsFileError(
        'truncated',
        `storage ${key} without its size`,
        `storage section at byte ${pos}`,
        'The file is cut off.',
      );
    }
    const low = view.getUint32(littleEndian ? pos : pos + 4, littleEndian);
    const high = view.getInt32(littleEndian ? pos + 4 : pos, littleEndian);
    const count = high * 2 ** 32 + low;
    const size = STORAGE_ELEMENT_BYTES[storage.dtype];
    pos += 8;
    if (count < 0 || count * size > bytes.length - pos) {
      const exact = (BigInt(high) << 32n) | BigInt(low); // the count as written, even beyond 2^53
      throw new WeightsFileError(
        'truncated',
        `storage ${key} declaring ${exact} × ${storage.dtype} (${exact * BigInt(size)} bytes) with ${bytes.length - pos} left`,
        `storage section at byte ${pos - 8}`,
        'The file ends before the storage it declares: it is cut off or corrupt.',
      );
    }
    if (count !== storage.numel) {
      throw new WeightsFileError(
        'corrupt',
        `storage ${key} of ${count} elements`,
        `storage section at byte ${pos - 8}`,
        `The pickle names it with ${storage.numel} elements: the file is corrupt.`,
      );
    }
    storage.bytes = bytes.subarray(pos, pos + count * size);
    pos += count * size;
  }
  const missing = [...byKey.keys()];
  if (missing.length > 0) {
    throw new WeightsFileError(
      'corrupt',
      `no bytes for storage ${missing[0]}`,
      'storage section',
      'The pickle names a storage the file does not hold: the file is corrupt.',
    );
  }
  storages.resolveViews();
  return { value: object.value, littleEndian };
}

function show(value: PickleValue): string {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string'
    ? String(value)
    : describePickleValue(value);
}
