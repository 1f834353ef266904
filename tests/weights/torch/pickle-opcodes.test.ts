/**
 * The pickle interpreter on hand-assembled pickles: the values it builds, that globals stay names and
 * reach nothing but the hooks, and its refusals of malformed programs.
 */
import { describe, expect, it } from 'vitest';
import { WeightsFileError } from '../../../src/errors.js';
import { type PickleHooks, runPickle } from '../../../src/weights/torch/pickle-opcodes.js';
import { torchPickleHooks } from '../../../src/weights/torch/pickle-globals.js';
import { StorageTable } from '../../../src/weights/torch/storage-table.js';
import {
  PickleDict,
  PickleFloat,
  PickleGlobal,
  PickleList,
  PickleTuple,
} from '../../../src/weights/torch/pickle-value.js';

const bytesOf = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

/** Hooks that record what reaches them and return a marker string. */
function recordingHooks(): PickleHooks & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    apply(callable, args, opcode) {
      calls.push(
        `${opcode} ${callable instanceof PickleGlobal ? callable.qualifiedName : typeof callable} (${args.items.length})`,
      );
      return 'applied';
    },
    build(_target, _state) {
      calls.push('BUILD');
    },
    persistentLoad(pid) {
      calls.push(`PERSID ${pid instanceof PickleTuple ? pid.items.length : typeof pid}`);
      return 'loaded';
    },
  };
}

function refusal(bytes: Uint8Array): WeightsFileError {
  try {
    runPickle(bytes, 0, 'test.pkl', recordingHooks());
  } catch (e) {
    if (e instanceof WeightsFileError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('runPickle', () => {
  it('builds dicts, lists, tuples, ints, floats, strings and bools from protocol-2 opcodes', () => {
    // {'a': [1, -2, 300], 'b': (None, True, 0.5), 'c': 2**70}
    const pickle = bytesOf(
      [0x80, 2],
      '}q',
      [0],
      '(X',
      [1, 0, 0, 0],
      'a]q',
      [1],
      '(K',
      [1],
      'J',
      [0xfe, 0xff, 0xff, 0xff],
      'M',
      [0x2c, 0x01],
      'e',
      'X',
      [1, 0, 0, 0],
      'bN',
      [0x88],
      'G',
      [0x3f, 0xe0, 0, 0, 0, 0, 0, 0],
      [0x87],
      'X',
      [1, 0, 0, 0],
      'c',
      [0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40],
      'u.',
    );
    const { value, end } = runPickle(pickle, 0, 'test.pkl', recordingHooks());
    expect(end).toBe(pickle.length);
    expect(value).toBeInstanceOf(PickleDict);
    const dict = value as PickleDict;
    expect((dict.entries.get('a') as PickleList).items).toEqual([1, -2, 300]);
    const tuple = dict.entries.get('b') as PickleTuple;
    expect(tuple.items[0]).toBe(null);
    expect(tuple.items[1]).toBe(true);
    expect((tuple.items[2] as PickleFloat).value).toBe(0.5);
    expect(dict.entries.get('c')).toBe(2n ** 70n);
  });

  it('memoizes (BINPUT / BINGET, MEMOIZE) and shares the same object', () => {
    const pickle = bytesOf([0x80, 4], ']', [0x94], 'h', [0], [0x86], '.');
    const { value } = runPickle(pickle, 0, 'test.pkl', recordingHooks());
    const [a, b] = (value as PickleTuple).items;
    expect(a).toBe(b);
  });

  it('keeps GLOBAL and STACK_GLOBAL as names and hands REDUCE, NEWOBJ, BUILD and BINPERSID to the hooks only', () => {
    const hooks = recordingHooks();
    const pickle = bytesOf(
      [0x80, 2],
      '(',
      'cos\nsystem\n',
      'X',
      [2, 0, 0, 0],
      'ls',
      [0x85],
      'R',
      [0x8c, 8],
      'builtins',
      [0x8c, 4],
      'eval',
      [0x93],
      ')',
      [0x81],
      '}',
      'b',
      'X',
      [1, 0, 0, 0],
      'k',
      [0x85],
      'Q',
      't.',
    );
    const { value } = runPickle(pickle, 0, 'test.pkl', hooks);
    expect(hooks.calls).toEqual(['REDUCE os.system (1)', 'NEWOBJ builtins.eval (0)', 'BUILD', 'PERSID 1']);
    expect((value as PickleTuple).items).toEqual(['applied', 'applied', 'loaded']);
  });

  it('appends a run of 300,000 items in one APPENDS', () => {
    const items = new Array<number[]>(300_000).fill([0x4b, 7]).flat();
    const { value } = runPickle(bytesOf([0x80, 2], '](', items, 'e.'), 0, 'test.pkl', recordingHooks());
    expect((value as PickleList).items.length).toBe(300_000);
  });

  it('random programs over the interpreted opcodes, with the real allow-list hooks, return or throw a WeightsFileError', () => {
    const opcodes = [
      0x80, 0x95, 0x2e, 0x28, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x47, 0x58, 0x8c, 0x8d, 0x54, 0x55, 0x29, 0x74,
      0x85, 0x86, 0x87, 0x5d, 0x61, 0x65, 0x7d, 0x73, 0x75, 0x71, 0x72, 0x94, 0x68, 0x6a, 0x63, 0x93, 0x51, 0x52, 0x81,
      0x92, 0x62,
    ];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const names = [
      'collections\nOrderedDict\n',
      'torch._utils\n_rebuild_tensor_v2\n',
      'torch\nFloatStorage\n',
      'os\nsystem\n',
    ];
    let returned = 0;
    for (let program = 0; program < 3000; program++) {
      const parts: number[] = [0x80, 2];
      const length = 1 + random(40);
      for (let i = 0; i < length; i++) {
        const op = opcodes[random(opcodes.length)];
        parts.push(op);
        if (op === 0x63) parts.push(...Array.from(names[random(names.length)], (c) => c.charCodeAt(0)));
        else for (let k = random(3); k > 0; k--) parts.push(random(4) === 0 ? random(256) : random(3));
      }
      parts.push(0x2e);
      try {
        runPickle(new Uint8Array(parts), 0, 'random.pkl', torchPickleHooks(new StorageTable()));
        returned++;
      } catch (e) {
        if (!(e instanceof WeightsFileError))
          throw new Error(`program ${program} [${parts.join(', ')}] threw ${String(e)}`);
      }
    }
    expect(returned).toBeGreaterThan(0);
  });

  it('refuses opcodes outside the subset by name, and bytes that are no opcode', () => {
    expect(refusal(bytesOf([0x80, 2], '(ios\nsystem\n.'))).toMatchObject({
      reason: 'unknown-opcode',
      found: 'opcode INST (0x69)',
    });
    expect(refusal(bytesOf([0x80, 2], 'K', [1], '2.'))).toMatchObject({
      reason: 'unknown-opcode',
      found: 'opcode DUP (0x32)',
    });
    expect(refusal(bytesOf([0x80, 2], [0x82, 1], '.'))).toMatchObject({
      reason: 'unknown-opcode',
      found: 'opcode EXT1 (0x82)',
    });
    expect(refusal(bytesOf([0x80, 2], [0xf0]))).toMatchObject({
      reason: 'unknown-opcode',
      found: 'byte 0xf0, which is no pickle opcode',
    });
  });

  it('refuses malformed programs as corrupt: empty stack, missing MARK, unknown memo, odd SETITEMS, protocol 6', () => {
    expect(refusal(bytesOf([0x80, 2], '.')).reason).toBe('corrupt');
    expect(refusal(bytesOf([0x80, 2], 't.')).reason).toBe('corrupt');
    expect(refusal(bytesOf([0x80, 2], 'h', [7], '.')).found).toBe('memo index 7');
    expect(refusal(bytesOf([0x80, 2], '}(K', [1], 'u.')).reason).toBe('corrupt');
    expect(refusal(bytesOf([0x80, 2], 'K', [1], '(K', [2], 's.')).reason).toBe('corrupt'); // SETITEM across a MARK
    expect(refusal(bytesOf([0x80, 6], '.')).found).toBe('pickle protocol 6');
  });

  it('refuses declared lengths beyond the bytes present before allocating, and a pickle without STOP', () => {
    const huge8 = refusal(bytesOf([0x80, 4], [0x8d, 0, 0, 0, 0, 0, 0, 0x10, 0], 'abc'));
    expect(huge8).toMatchObject({ reason: 'truncated' });
    expect(huge8.found).toMatch(/BINUNICODE8 declaring 4503599627370496 bytes with 3 left/);
    expect(refusal(bytesOf([0x80, 4], [0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0], 'N.')).reason).toBe('truncated');
    expect(refusal(bytesOf([0x80, 2], 'cos\nsys')).reason).toBe('truncated');
    expect(refusal(bytesOf([0x80, 2], 'N')).found).toBe('the end of the pickle before its STOP');
  });
});
