/**
 * Typed errors of tfjs-colorization. Public code never throws a bare `Error`.
 *
 * @example
 * try { rgbToLab(bad); } catch (e) { if (e instanceof InputError) console.log(e.argument); }
 */

/**
 * Base class of every error this library throws.
 * @example
 * try { await colorizer.colorize(photo); } catch (e) { if (e instanceof ColorizationError) console.error(e.message); else throw e; }
 */
export class ColorizationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An argument did not have the expected shape, type or range.
 *
 * @example
 * throw new InputError('image', 'channels 1, 3 or 4', `channels ${image.channels}`);
 * // → InputError: image: expected channels 1, 3 or 4, received channels 2
 */
export class InputError extends ColorizationError {
  constructor(
    /** Name of the offending argument (dotted for nested fields: `image.width`). */
    readonly argument: string,
    /** What was expected, in words. */
    readonly expected: string,
    /** What was received, in words. */
    readonly received: string,
  ) {
    super(`${argument}: expected ${expected}, received ${received}`);
  }
}

/**
 * A configuration object had an invalid key or value.
 *
 * @example
 * throw new ConfigError('preset', ['cifar10', 'places365'], 'imagenet');
 * // → ConfigError: preset: expected one of cifar10 | places365, received imagenet
 */
export class ConfigError extends ColorizationError {
  constructor(
    /** The config key at fault. */
    readonly key: string,
    /** Valid choices (list) or a description of the valid range (string). */
    readonly expected: readonly (string | number)[] | string,
    /** The value received, as text. */
    readonly received: string,
  ) {
    const wanted = typeof expected === 'string' ? expected : `one of ${expected.join(' | ')}`;
    super(`${key}: expected ${wanted}, received ${received}`);
  }
}

/**
 * A tfjs backend is missing or failed to start.
 *
 * @example
 * throw new BackendError('wasm', '@tensorflow/tfjs-backend-wasm', 'not registered');
 */
export class BackendError extends ColorizationError {
  constructor(
    /** The backend name (`cpu`, `wasm`, `webgl`, `webgpu`, …). */
    readonly backend: string,
    /** The npm package that provides it. */
    readonly packageName: string,
    reason: string,
  ) {
    super(
      `backend '${backend}' ${reason}. Install and import '${packageName}' before selecting it ` +
        `(for example: import '${packageName}';).`,
    );
  }
}

/**
 * What was wrong with a weights file, as a machine-readable reason of {@link WeightsFileError}.
 *
 * - `pickled-model`: the file pickles a whole model object (save `model.state_dict()` instead).
 * - `unknown-global`: the pickle names a Python global outside the reader's allow-list.
 * - `unknown-storage-type`: a tensor storage of a type the reader does not know.
 * - `unknown-opcode`: a pickle opcode outside the subset a state dict needs.
 * - `truncated`: the file ends before the data it declares (a storage, a zip entry, a pickle).
 * - `corrupt`: the bytes contradict themselves (bad magic, missing zip entry, inconsistent tensor).
 * - `not-a-state-dict`: the file reads, but holds something other than a map of names to tensors.
 * - `too-large`: a declared size is beyond what the file or the reader's limits allow.
 *
 * @example
 * const reason: WeightsFileReason = error.reason;   // from a caught WeightsFileError
 * if (reason === 'pickled-model') console.error('save model.state_dict(), not the model');
 */
export type WeightsFileReason =
  | 'pickled-model'
  | 'unknown-global'
  | 'unknown-storage-type'
  | 'unknown-opcode'
  | 'truncated'
  | 'corrupt'
  | 'not-a-state-dict'
  | 'too-large';

/**
 * A weights file (a PyTorch `.pth`, …) could not be read, or holds something the reader refuses.
 *
 * @example
 * try { readTorchStateDict(bytes); }
 * catch (e) { if (e instanceof WeightsFileError && e.reason === 'pickled-model') console.error(e.found); }
 * // → WeightsFileError: pickled-model: found __main__.ECCVGenerator (data.pkl at byte 2). …
 */
export class WeightsFileError extends ColorizationError {
  constructor(
    /** What kind of problem, for programs to branch on. */
    readonly reason: WeightsFileReason,
    /** What was found, in words: a global's `module.name`, an opcode, an entry name, a size. */
    readonly found: string,
    /** Where in the file: a zip entry and byte offset, a key of the state dict. */
    readonly location: string,
    /** What the reader expected and, where there is one, what to do instead. */
    readonly hint: string,
  ) {
    super(`${reason}: found ${found} (${location}). ${hint}`);
  }
}

/**
 * A state dict does not fit the layout a model expects: a missing or unexpected key, a tensor of the
 * wrong shape, or values the model cannot take (e.g. ECCV16 bin centres that are not the library's gamut).
 *
 * @example
 * throw new WeightLayoutError('model1.0.weight', 'shape [64, 1, 3, 3]', 'shape [64, 3, 3, 3]');
 * // → WeightLayoutError: model1.0.weight: expected shape [64, 1, 3, 3], found shape [64, 3, 3, 3]
 */
export class WeightLayoutError extends ColorizationError {
  constructor(
    /** The state-dict key at fault (`'model1.0.weight'`), or `'keys'` for the key set as a whole. */
    readonly key: string,
    /** What the layout expects there, in words (a shape, "absent", …). */
    readonly expected: string,
    /** What the state dict holds there, in words. */
    readonly found: string,
  ) {
    super(`${key}: expected ${expected}, found ${found}`);
  }
}

/** Describe any value briefly for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `tensor of shape [${shape.join(', ')}]`;
    return `object (${value.constructor?.name ?? 'Object'})`;
  }
  return typeof value;
}

/**
 * An output folder that cannot take the results: missing and not creatable, a file, not writable, or inside
 * a pseudo-filesystem of the kernel (`/proc`, `/sys`, `/dev`). Raised before any input is read.
 *
 * @example
 * try { await prepareOutputFolder('/proc/x'); } catch (e) { if (e instanceof OutputFolderError) console.error(e.path, e.reason); }
 * // → OutputFolderError: /proc/x: cannot hold results: it is inside /proc, a pseudo-filesystem of the kernel
 */
export class OutputFolderError extends ColorizationError {
  constructor(
    /** The output folder as given. */
    readonly path: string,
    /** Why it cannot hold the results, in words. */
    readonly reason: string,
  ) {
    super(`${path}: cannot hold results: ${reason}`);
  }
}

/**
 * A result would be written over a file the same run reads: refused, so that no original is ever lost.
 *
 * @example
 * throw new InputOverwriteError('scans/a.png', 'scans/a.png');
 * // → InputOverwriteError: refused: the result scans/a.png would replace the input scans/a.png; write the results into a folder apart from the inputs
 */
export class InputOverwriteError extends ColorizationError {
  constructor(
    /** The result's path. */
    readonly output: string,
    /** The input it would replace (the same path, or the same file through a link). */
    readonly input: string,
  ) {
    super(
      `refused: the result ${output} would replace the input ${input}; write the results into a folder apart from the inputs`,
    );
  }
}

/**
 * One colour hint (a user's point) was invalid: outside the picture, an unreadable colour, or beyond the
 * number of points the model supports. `index` is the hint's position in the list and `field` the key at
 * fault (`'x'`, `'y'`, `'color'`, or `''` for the hint as a whole); `argument` reads `hints[3].color`.
 *
 * @example
 * throw new HintError(3, 'color', "'#rrggbb', an [r, g, b] triple (0–255) or { a, b }", '"#12345"');
 * // → HintError: hints[3].color: expected '#rrggbb', an [r, g, b] triple (0–255) or { a, b }, received "#12345"
 */
export class HintError extends InputError {
  constructor(
    /** Position of the hint in the list (0-based). */
    readonly index: number,
    /** The hint's field at fault, or `''` for the hint as a whole. */
    readonly field: string,
    expected: string,
    received: string,
    /** The list's name in messages. Default `'hints'`. */
    listName = 'hints',
  ) {
    super(`${listName}[${index}]${field === '' ? '' : `.${field}`}`, expected, received);
  }
}

/** What went wrong in a TensorFlow Lite file. @example const kind: TfliteErrorKind = 'truncated'; */
export type TfliteErrorKind = 'not-tflite' | 'truncated' | 'unsupported' | 'mismatch';

/**
 * A TensorFlow Lite flatbuffer could not be read, or does not fit the network it should fill.
 * `kind` says which: `'not-tflite'` (no `TFL3` identifier), `'truncated'` (an offset points past the end),
 * `'unsupported'` (a tensor type, operator or layout this reader does not handle), `'mismatch'` (the file's
 * graph or a tensor's shape differs from the network being filled).
 *
 * @example
 * try { readTfliteModel(bytes); } catch (e) { if (e instanceof TfliteFormatError && e.kind === 'not-tflite') console.log('not a .tflite file'); }
 */
export class TfliteFormatError extends ColorizationError {
  constructor(
    /** Which kind of problem. */
    readonly kind: TfliteErrorKind,
    /** What was found, in words (tensor names, shapes, offsets). */
    readonly detail: string,
  ) {
    super(`TFLite file: ${detail}`);
  }
}
