/**
 * A bounds-checked reader of FlatBuffers tables (the binary layout of TensorFlow Lite's `.tflite` files,
 * https://flatbuffers.dev/internals/). Every read is checked against the byte length, so a truncated or
 * corrupt file raises {@link TfliteFormatError} instead of yielding zeros: the `flatbuffers` npm runtime's
 * `ByteBuffer` reads past the end silently, which is why the few accessors needed here are written out.
 *
 * Layout in brief: a table starts with an int32 offset back to its vtable; the vtable holds its own byte
 * size, the table's size, then one uint16 per field (0 = absent, else the field's offset in the table).
 * Offsets to sub-tables, vectors and strings are uint32, relative to where they are stored.
 */
import { TfliteFormatError } from '../../errors.js';

/** A FlatBuffers table at a byte position of a buffer, with typed field accessors by field id. */
export class FlatbufferTable {
  constructor(
    /** The whole file. */
    readonly view: DataView,
    /** Byte position of the table. */
    readonly position: number,
    /** What the table is, for error messages (`'Tensor 12'`). */
    readonly what: string,
  ) {
    checkRange(view, position, 4, what);
  }

  /** The root table of a buffer (its first uint32 is the root's offset). */
  static root(view: DataView, what: string): FlatbufferTable {
    checkRange(view, 0, 4, what);
    return new FlatbufferTable(view, view.getUint32(0, true), what);
  }

  /** Byte position of field `id` inside the table, or 0 when the field is absent (then its default applies). */
  fieldPosition(id: number): number {
    const vtable = this.position - this.view.getInt32(this.position, true);
    checkRange(this.view, vtable, 4, `${this.what} vtable`);
    const vtableSize = this.view.getUint16(vtable, true);
    const slot = 4 + 2 * id;
    if (slot + 2 > vtableSize) return 0;
    checkRange(this.view, vtable, vtableSize, `${this.what} vtable`);
    const offset = this.view.getUint16(vtable + slot, true);
    return offset === 0 ? 0 : this.position + offset;
  }

  /** A scalar field read with `read` (a DataView getter), or `fallback` when absent. */
  private scalar(id: number, size: number, read: (p: number) => number, fallback: number, field: string): number {
    const p = this.fieldPosition(id);
    if (p === 0) return fallback;
    checkRange(this.view, p, size, `${this.what}.${field}`);
    return read(p);
  }

  /** int8 field. */
  int8(id: number, fallback: number, field: string): number {
    return this.scalar(id, 1, (p) => this.view.getInt8(p), fallback, field);
  }

  /** uint8 field (also bools and union types). */
  uint8(id: number, fallback: number, field: string): number {
    return this.scalar(id, 1, (p) => this.view.getUint8(p), fallback, field);
  }

  /** int32 field. */
  int32(id: number, fallback: number, field: string): number {
    return this.scalar(id, 4, (p) => this.view.getInt32(p, true), fallback, field);
  }

  /** uint32 field. */
  uint32(id: number, fallback: number, field: string): number {
    return this.scalar(id, 4, (p) => this.view.getUint32(p, true), fallback, field);
  }

  /** uint64 field as a number (exact below 2⁵³). */
  uint64(id: number, fallback: number, field: string): number {
    return this.scalar(id, 8, (p) => Number(this.view.getBigUint64(p, true)), fallback, field);
  }

  /** float32 field. */
  float32(id: number, fallback: number, field: string): number {
    return this.scalar(id, 4, (p) => this.view.getFloat32(p, true), fallback, field);
  }

  /** Follow the uint32 offset stored at `p`. */
  private indirect(p: number, field: string): number {
    checkRange(this.view, p, 4, `${this.what}.${field}`);
    return p + this.view.getUint32(p, true);
  }

  /** A sub-table field, or `undefined` when absent. */
  table(id: number, field: string): FlatbufferTable | undefined {
    const p = this.fieldPosition(id);
    return p === 0 ? undefined : new FlatbufferTable(this.view, this.indirect(p, field), `${this.what}.${field}`);
  }

  /** A vector field: its element count and the byte position of element 0, or `undefined` when absent. */
  vector(id: number, elementSize: number, field: string): { length: number; start: number } | undefined {
    const p = this.fieldPosition(id);
    if (p === 0) return undefined;
    const at = this.indirect(p, field);
    checkRange(this.view, at, 4, `${this.what}.${field}`);
    const length = this.view.getUint32(at, true);
    checkRange(this.view, at + 4, length * elementSize, `${this.what}.${field}`);
    return { length, start: at + 4 };
  }

  /** A vector of int32 as numbers (empty when absent). */
  int32s(id: number, field: string): number[] {
    const v = this.vector(id, 4, field);
    return v === undefined ? [] : Array.from({ length: v.length }, (_, i) => this.view.getInt32(v.start + 4 * i, true));
  }

  /** A vector of float32 (empty when absent). */
  float32s(id: number, field: string): number[] {
    const v = this.vector(id, 4, field);
    return v === undefined
      ? []
      : Array.from({ length: v.length }, (_, i) => this.view.getFloat32(v.start + 4 * i, true));
  }

  /** A vector of int64 as numbers (empty when absent; exact below 2⁵³). */
  int64s(id: number, field: string): number[] {
    const v = this.vector(id, 8, field);
    return v === undefined
      ? []
      : Array.from({ length: v.length }, (_, i) => Number(this.view.getBigInt64(v.start + 8 * i, true)));
  }

  /** A vector of bytes as a view into the file (no copy), or `undefined` when absent. */
  bytes(id: number, field: string): Uint8Array | undefined {
    const v = this.vector(id, 1, field);
    return v === undefined ? undefined : new Uint8Array(this.view.buffer, this.view.byteOffset + v.start, v.length);
  }

  /** A vector of tables (empty when absent); `name(i)` names element i for error messages. */
  tables(id: number, field: string, name: (i: number) => string): FlatbufferTable[] {
    const v = this.vector(id, 4, field);
    if (v === undefined) return [];
    return Array.from(
      { length: v.length },
      (_, i) => new FlatbufferTable(this.view, this.indirect(v.start + 4 * i, field), name(i)),
    );
  }

  /** A UTF-8 string field, or `fallback` when absent. */
  string(id: number, fallback: string, field: string): string {
    const v = this.vector(id, 1, field);
    if (v === undefined) return fallback;
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + v.start, v.length));
  }
}

/** Throw {@link TfliteFormatError} unless `[start, start + size)` lies inside the buffer. */
function checkRange(view: DataView, start: number, size: number, what: string): void {
  if (!Number.isInteger(start) || start < 0 || size < 0 || start + size > view.byteLength) {
    throw new TfliteFormatError(
      'truncated',
      `${what} lies at bytes ${start}…${start + size}, past the end of the ${view.byteLength}-byte file (truncated or corrupt)`,
    );
  }
}
