/**
 * A pickle interpreter for PyTorch state dicts, and nothing more.
 *
 * A pickle is a program for a stack machine whose instructions may import any Python global and call it
 * (GLOBAL + REDUCE is `os.system('…')`). Python's own `pickle.load` is therefore unsafe on untrusted files,
 * and so is any general-purpose unpickler that maps globals to functions. This one is written for the
 * opposite goal: it runs only the opcodes that `torch.save` emits for a state dict (protocols 2 to 5),
 * keeps every global as an inert name ({@link PickleGlobal}), and hands REDUCE / NEWOBJ / BUILD /
 * BINPERSID to hooks (`pickle-globals.ts`) that rebuild a short allow-list of torch's reconstruction
 * functions as plain data and refuse everything else. No byte of the file is ever executed.
 *
 * The npm pickle parsers were considered and not used: `pickleparser` calls whatever its name resolver
 * returns on REDUCE and copies BUILD state onto objects with `Object.assign` (the `__proto__` key), and
 * `jpickle` is a general unpickler too; both answer unknown globals with placeholders rather than a
 * refusal. An interpreter of forty opcodes is shorter than the adapter that would make either safe.
 *
 * Interpreted opcodes (anything else is refused with an `unknown-opcode` error that names it):
 * - framing: PROTO, FRAME, STOP
 * - scalars: NONE, NEWTRUE, NEWFALSE, BININT, BININT1, BININT2, LONG1, BINFLOAT
 * - strings: BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING (Python 2 `str`, as UTF-8)
 * - containers: MARK, EMPTY_TUPLE, TUPLE, TUPLE1, TUPLE2, TUPLE3, EMPTY_LIST, APPEND, APPENDS, EMPTY_DICT,
 *   SETITEM, SETITEMS
 * - memo: BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET
 * - names and calls (handed to the hooks): GLOBAL, STACK_GLOBAL, BINPERSID, REDUCE, NEWOBJ, NEWOBJ_EX, BUILD
 *
 * Every length the file declares is checked against the bytes present before anything is allocated, so
 * a crafted length cannot make the reader allocate more than the file's own size.
 */
import { WeightsFileError } from '../../errors.js';
import {
  PickleDict,
  PickleFloat,
  PickleGlobal,
  PickleList,
  PickleTuple,
  type PickleValue,
  describePickleValue,
} from './pickle-value.js';

/** What the interpreter asks of its caller: the allow-listed meaning of calls, builds and persistent ids. */
export interface PickleHooks {
  /** REDUCE (`callable(*args)`) and NEWOBJ / NEWOBJ_EX (`cls.__new__(cls, *args)`), as pure data. */
  apply(callable: PickleValue, args: PickleTuple, opcode: 'REDUCE' | 'NEWOBJ', where: string): PickleValue;
  /** BUILD (`target.__setstate__(state)`), as pure data. */
  build(target: PickleValue, state: PickleValue, where: string): void;
  /** BINPERSID: the object a persistent id stands for (torch's storages). */
  persistentLoad(pid: PickleValue, where: string): PickleValue;
}

/** The value a pickle returns and the offset just past its STOP. */
export interface PickleResult {
  value: PickleValue;
  end: number;
}

// Opcode bytes (Python's Lib/pickle.py), all of them, so a refusal can name the one it met.
const OPCODE_NAMES: { [code: number]: string } = {
  0x28: 'MARK',
  0x2e: 'STOP',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x46: 'FLOAT',
  0x49: 'INT',
  0x4a: 'BININT',
  0x4b: 'BININT1',
  0x4c: 'LONG',
  0x4d: 'BININT2',
  0x4e: 'NONE',
  0x50: 'PERSID',
  0x51: 'BINPERSID',
  0x52: 'REDUCE',
  0x53: 'STRING',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE',
  0x58: 'BINUNICODE',
  0x61: 'APPEND',
  0x62: 'BUILD',
  0x63: 'GLOBAL',
  0x64: 'DICT',
  0x7d: 'EMPTY_DICT',
  0x65: 'APPENDS',
  0x67: 'GET',
  0x68: 'BINGET',
  0x69: 'INST',
  0x6a: 'LONG_BINGET',
  0x6c: 'LIST',
  0x5d: 'EMPTY_LIST',
  0x6f: 'OBJ',
  0x70: 'PUT',
  0x71: 'BINPUT',
  0x72: 'LONG_BINPUT',
  0x73: 'SETITEM',
  0x74: 'TUPLE',
  0x29: 'EMPTY_TUPLE',
  0x75: 'SETITEMS',
  0x47: 'BINFLOAT',
  0x80: 'PROTO',
  0x81: 'NEWOBJ',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
  0x85: 'TUPLE1',
  0x86: 'TUPLE2',
  0x87: 'TUPLE3',
  0x88: 'NEWTRUE',
  0x89: 'NEWFALSE',
  0x8a: 'LONG1',
  0x8b: 'LONG4',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE',
  0x95: 'FRAME',
  0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

const HIGHEST_PROTOCOL = 5;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Run the pickle that starts at `start` in `bytes` until its STOP.
 *
 * @param bytes   the buffer holding the pickle (the whole legacy file, or a zip's `data.pkl`).
 * @param start   offset of the pickle's first opcode.
 * @param source  name of the pickle for error messages (`'archive/data.pkl'`).
 * @param hooks   the allow-listed meaning of REDUCE, NEWOBJ, BUILD and BINPERSID.
 * @returns the value STOP returns and the offset just past STOP.
 * @throws {WeightsFileError} `unknown-opcode`, `truncated`, `corrupt`, or whatever the hooks refuse.
 */
export function runPickle(bytes: Uint8Array, start: number, source: string, hooks: PickleHooks): PickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = start;
  let opStart = start;
  const where = (): string => `${source} at byte ${opStart - start}`;

  const corrupt = (found: string, hint: string): WeightsFileError =>
    new WeightsFileError('corrupt', found, where(), hint);
  const need = (n: number, what: string): void => {
    if (n > bytes.length - pos) {
      throw new WeightsFileError(
        'truncated',
        `${what} declaring ${n} bytes with ${Math.max(0, bytes.length - pos)} left in the pickle`,
        where(),
        'The pickle ends before the data it declares: the file is cut off or corrupt.',
      );
    }
  };
  const u8 = (): number => {
    need(1, 'an operand');
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2, 'an operand');
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = (): number => {
    need(4, 'an operand');
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const u64 = (): number => {
    need(8, 'an operand');
    pos += 8;
    const low = view.getUint32(pos - 8, true);
    const high = view.getUint32(pos - 4, true);
    // Any length ≥ 2^53 is far beyond any buffer: report it as huge rather than wrap it.
    return high >= 0x200000 ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + low;
  };
  const text = (n: number, what: string): string => {
    need(n, what);
    pos += n;
    try {
      return utf8.decode(bytes.subarray(pos - n, pos));
    } catch {
      throw corrupt(`${what} that is not UTF-8`, 'A string in the pickle does not decode: the file is corrupt.');
    }
  };
  const line = (what: string): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) need(bytes.length - pos + 1, what);
    return text(end - pos + 1, what).slice(0, -1);
  };
  const pop = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) {
      throw corrupt('an empty stack', 'The pickle pops more values than it pushed: the file is corrupt.');
    }
    return stack.pop() as PickleValue;
  };
  const top = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]))
      throw corrupt('an empty stack', 'The pickle reads a value it never pushed: the file is corrupt.');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw corrupt('no MARK', 'The pickle closes a group it never opened: the file is corrupt.');
    return stack.splice(mark);
  };
  const put = (index: number): void => {
    memo.set(index, top());
  };
  const get = (index: number): void => {
    if (!memo.has(index))
      throw corrupt(`memo index ${index}`, 'The pickle refers to a value it never stored: the file is corrupt.');
    stack.push(memo.get(index) as PickleValue);
  };
  const setItems = (dict: PickleValue, items: PickleValue[]): void => {
    if (!(dict instanceof PickleDict)) {
      throw corrupt(`SETITEMS on a ${describePickleValue(dict)}`, 'Only dicts take items: the file is corrupt.');
    }
    if (items.length % 2 !== 0) throw corrupt(`${items.length} values for key/value pairs`, 'The file is corrupt.');
    for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i], items[i + 1]);
  };
  const append = (list: PickleValue, items: PickleValue[]): void => {
    if (!(list instanceof PickleList)) {
      throw corrupt(
        `APPENDS on a ${describePickleValue(list)}`,
        'Only lists take appended items: the file is corrupt.',
      );
    }
    // One by one: spreading a long run of items into push() overflows the call stack.
    for (const item of items) list.items.push(item);
  };

  while (pos < bytes.length) {
    opStart = pos;
    const op = bytes[pos++];
    switch (op) {
      case 0x80: {
        // PROTO
        const protocol = u8();
        if (protocol > HIGHEST_PROTOCOL) {
          throw corrupt(
            `pickle protocol ${protocol}`,
            `Protocols up to ${HIGHEST_PROTOCOL} exist: the file is corrupt.`,
          );
        }
        break;
      }
      case 0x95: {
        // FRAME: a length hint of protocol 4+; the opcodes inside are read as usual.
        const n = u64();
        if (n > bytes.length - pos) need(n, 'FRAME');
        break;
      }
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: pos };
      }
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4, 'BININT');
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement of n bytes
        const n = u8();
        need(n, 'LONG1');
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] >= 0x80) value -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(
          value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value,
        );
        break;
      }
      case 0x47: // BINFLOAT: big-endian float64
        need(8, 'BINFLOAT');
        stack.push(new PickleFloat(view.getFloat64(pos, false)));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32(), 'BINUNICODE'));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8(), 'SHORT_BINUNICODE'));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64(), 'BINUNICODE8'));
        break;
      case 0x54: {
        // BINSTRING (signed length)
        need(4, 'BINSTRING');
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) throw corrupt(`BINSTRING of length ${n}`, 'A negative length: the file is corrupt.');
        stack.push(text(n, 'BINSTRING'));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(text(u8(), 'SHORT_BINSTRING'));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PickleTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PickleTuple([pop(), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push(new PickleList());
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict(false));
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(u8());
        break;
      case 0x6a: // LONG_BINGET
        get(u32());
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line('GLOBAL module');
        stack.push(new PickleGlobal(module, line('GLOBAL name')));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw corrupt(
            `STACK_GLOBAL of ${describePickleValue(module)} and ${describePickleValue(name)}`,
            'A global is named by two strings: the file is corrupt.',
          );
        }
        stack.push(new PickleGlobal(module, name));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        stack.push(hooks.persistentLoad(pid, where()));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        if (!(args instanceof PickleTuple))
          throw corrupt(
            `REDUCE with ${describePickleValue(args)} as arguments`,
            'REDUCE takes a tuple: the file is corrupt.',
          );
        stack.push(hooks.apply(callable, args, 'REDUCE', where()));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(args instanceof PickleTuple))
          throw corrupt(
            `NEWOBJ with ${describePickleValue(args)} as arguments`,
            'NEWOBJ takes a tuple: the file is corrupt.',
          );
        stack.push(hooks.apply(cls, args, 'NEWOBJ', where()));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX: keyword arguments are never needed by an allow-listed class
        pop();
        const args = pop();
        const cls = pop();
        if (!(args instanceof PickleTuple))
          throw corrupt(
            `NEWOBJ_EX with ${describePickleValue(args)} as arguments`,
            'NEWOBJ_EX takes a tuple: the file is corrupt.',
          );
        stack.push(hooks.apply(cls, args, 'NEWOBJ', where()));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        hooks.build(top(), state, where());
        break;
      }
      default: {
        const name = OPCODE_NAMES[op];
        const hex = `0x${op.toString(16).padStart(2, '0')}`;
        throw new WeightsFileError(
          'unknown-opcode',
          name ? `opcode ${name} (${hex})` : `byte ${hex}, which is no pickle opcode`,
          where(),
          name
            ? 'A state dict saved by torch.save never needs it, so the reader does not interpret it.'
            : 'The pickle is corrupt.',
        );
      }
    }
  }
  throw new WeightsFileError(
    'truncated',
    'the end of the pickle before its STOP',
    where(),
    'The file is cut off or corrupt.',
  );
}
