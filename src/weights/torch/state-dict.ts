/**
 * The PyTorch state dict as this library sees it, and its reader: a map from parameter names to
 * read-only tensors, read from a `.pth` file without running its pickle.
 */
import { WeightsFileError, describeValue } from '../../errors.js';
import { looksLikeLegacy, readLegacyFormat } from './legacy-format.js';
import { PickleDict, type PickleValue, TensorRecord, describePickleValue } from './pickle-value.js';
import { StridedTensor } from './strided-tensor.js';
import type { TorchStateDict } from './torch-tensor.js';
import { looksLikeZip, readZipFormat } from './zip-format.js';

// The types are the shared contract of this module (consumers import them from here); they are declared in
// torch-tensor.ts so that the tensor implementation (strided-tensor.ts) needs nothing from this file.
export type { TorchDtype, TorchTensor, TorchStateDict } from './torch-tensor.js';

/** Keys under which a training checkpoint commonly nests the state dict, tried in this order. */
const WRAPPER_KEYS = ['state_dict', 'model'] as const;

/**
 * Read a PyTorch state-dict file (`torch.save(model.state_dict(), path)`) without running its pickle.
 *
 * Both of torch.save's formats are read: the zip format (torch ≥ 1.6; any root folder name; stored or
 * deflated entries; a `byteorder` entry) and the legacy format (`_use_new_zipfile_serialization=False`, and
 * every file saved before torch 1.6), pickled with protocols 2 to 5. Storages of float16, bfloat16, float32,
 * float64, int8, uint8, int16, int32, int64 and bool; tensors sharing a storage at different offsets; any
 * strides (transposed or sliced views, broadcast views); nn.Parameters; the OrderedDict's `_metadata`
 * (accepted and not returned).
 *
 * A training checkpoint that is a dict holding the state dict under `'state_dict'` or `'model'` (and other
 * entries such as `'epoch'` or `'optimizer'`) is unwrapped: the state dict under the first of those keys
 * is returned, the rest ignored.
 *
 * The pickle inside the file is interpreted, never executed: only the opcodes a state dict needs and an
 * allow-list of torch's reconstruction globals, rebuilt as data (see docs/weights.md). Anything else is
 * refused with a {@link WeightsFileError} whose `reason` says what was found: a whole pickled model
 * (`pickled-model`, naming its class), any other global (`unknown-global`), a storage type outside the list
 * above (`unknown-storage-type`), an opcode outside the subset (`unknown-opcode`), a file that is cut off
 * (`truncated`) or inconsistent (`corrupt`), declared sizes beyond the file (`too-large`), and a pickle
 * that holds something other than a map of names to tensors (`not-a-state-dict`).
 *
 * Legacy-format tensors are views of `bytes` until `toFloat32` copies them out: do not modify `bytes`
 * while the state dict is in use. (Zip entries are extracted, so a zip file needs about twice its size.)
 *
 * @param bytes the whole file.
 * @returns the tensors by name, in the file's order.
 * @throws {WeightsFileError} for anything that is not a plain state dict, as above.
 * @example
 * import { readFile } from 'node:fs/promises';
 * const stateDict = readTorchStateDict(new Uint8Array(await readFile('colorization_release_v2.pth')));
 * const kernel = stateDict.get('model1.0.weight')!;   // shape [64, 1, 3, 3]
 * const values = kernel.toFloat32();
 */
export function readTorchStateDict(bytes: Uint8Array): TorchStateDict {
  if (!(bytes instanceof Uint8Array)) {
    throw new WeightsFileError(
      'corrupt',
      `a ${describeValue(bytes)}`,
      'argument bytes',
      'Pass the whole file as a Uint8Array.',
    );
  }
  let contents;
  if (looksLikeZip(bytes)) contents = readZipFormat(bytes);
  else if (looksLikeLegacy(bytes)) contents = readLegacyFormat(bytes);
  else if (isTar(bytes)) {
    throw new WeightsFileError(
      'corrupt',
      'a tar archive',
      'byte 257 ("ustar")',
      'torch < 0.1.10 saved tar archives; the reader does not read them. Load the file with torch and save it again.',
    );
  } else {
    throw new WeightsFileError(
      'corrupt',
      `a file starting ${describeStart(bytes)}`,
      'byte 0',
      'A PyTorch file is a zip (torch ≥ 1.6) or starts with a pickle (the legacy format).',
    );
  }
  return toStateDict(contents.value, contents.littleEndian);
}

/** The state dict a pickle's value holds, unwrapping a checkpoint dict. */
function toStateDict(value: PickleValue, littleEndian: boolean): TorchStateDict {
  if (!(value instanceof PickleDict)) {
    throw new WeightsFileError(
      'not-a-state-dict',
      value instanceof TensorRecord ? 'a single tensor' : `a ${describePickleValue(value)}`,
      'the pickled object',
      'A state dict is a dict of names to tensors: in Python, torch.save(model.state_dict(), path).',
    );
  }
  const offending = firstNonTensor(value);
  if (offending === undefined) return tensorsOf(value, '', littleEndian);
  for (const wrapperKey of WRAPPER_KEYS) {
    const inner = value.entries.get(wrapperKey);
    if (inner instanceof PickleDict && firstNonTensor(inner) === undefined)
      return tensorsOf(inner, `${wrapperKey}.`, littleEndian);
  }
  const [key, entry] = offending;
  throw new WeightsFileError(
    'not-a-state-dict',
    `key ${typeof key === 'string' ? `'${key}'` : describePickleValue(key)} holding a ${describePickleValue(entry)}`,
    'the pickled dict',
    `A state dict maps names to tensors only${value.entries.size > 0 ? `; a checkpoint dict is read when it holds one under ${WRAPPER_KEYS.map((k) => `'${k}'`).join(' or ')}` : ''}.`,
  );
}

/** The first entry that is not a string key with a tensor value, if any. */
function firstNonTensor(dict: PickleDict): [PickleValue, PickleValue] | undefined {
  for (const entry of dict.entries) {
    if (typeof entry[0] !== 'string' || !(entry[1] instanceof TensorRecord)) return entry;
  }
  return undefined;
}

function tensorsOf(dict: PickleDict, prefix: string, littleEndian: boolean): TorchStateDict {
  const tensors = new Map<string, StridedTensor>();
  for (const [key, record] of dict.entries) {
    tensors.set(key as string, new StridedTensor(record as TensorRecord, `${prefix}${key as string}`, littleEndian));
  }
  return tensors;
}

/** Whether `bytes` are a POSIX tar archive (the "ustar" magic at byte 257). */
function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= 262 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar';
}

/** The first bytes of a file as hex and printable text, for a message. */
function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return head.length === 0 ? '(empty)' : `${hex} ("${text}")`;
}
