/**
 * readTorchStateDict against files written by torch.save and the values torch reads back from them
 * (tests/fixtures/make_torch_state_dicts.py), and against crafted files it must refuse, each with its
 * typed reason, without running anything the pickle names.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WeightsFileError, readTorchStateDict } from '../../../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/torch_state_dicts');
interface Expected {
  dtype: string;
  shape: number[];
  values: number[];
}
const expected = JSON.parse(readFileSync(path.join(root, 'expected.json'), 'utf8')) as {
  [file: string]: { [key: string]: Expected };
};
const refused = JSON.parse(readFileSync(path.join(root, 'refused.json'), 'utf8')) as {
  marker: string;
  files: { [file: string]: { reason: string; found: string; location?: string } };
};
const read = (dir: string, file: string): Uint8Array => new Uint8Array(readFileSync(path.join(root, dir, file)));

describe('readTorchStateDict on files torch.save wrote', () => {
  it('has a fixture for every valid file and every file in the folder is listed', () => {
    expect(readdirSync(path.join(root, 'valid')).sort()).toEqual(Object.keys(expected).sort());
    expect(readdirSync(path.join(root, 'refused')).sort()).toEqual(Object.keys(refused.files).sort());
  });

  for (const [file, tensors] of Object.entries(expected)) {
    it(`${file}: every key in torch's order, with torch's dtype, shape and float32 values exactly`, () => {
      const stateDict = readTorchStateDict(read('valid', file));
      expect([...stateDict.keys()]).toEqual(Object.keys(tensors));
      for (const [key, want] of Object.entries(tensors)) {
        const tensor = stateDict.get(key)!;
        expect({ key, dtype: tensor.dtype, shape: tensor.shape }).toEqual({
          key,
          dtype: want.dtype,
          shape: want.shape,
        });
        const values = tensor.toFloat32();
        expect(values).toBeInstanceOf(Float32Array);
        // Exact: torch's own float32 conversion, written as shortest round-trip decimals.
        expect(Array.from(values), key).toEqual(want.values);
      }
    });
  }

  it('covers the cases it claims: every storage type, shared storages, strided views, a scalar, an empty tensor', () => {
    const mixed = expected['mixed-zip.pth'];
    const dtypes = new Set(Object.values(mixed).map((t) => t.dtype));
    expect([...dtypes].sort()).toEqual([
      'bfloat16',
      'bool',
      'float16',
      'float32',
      'float64',
      'int16',
      'int32',
      'int64',
      'int8',
      'uint8',
    ]);
    expect(mixed['1.num_batches_tracked']).toEqual({ dtype: 'int64', shape: [], values: [12345] });
    expect(mixed['scalar'].shape).toEqual([]);
    expect(mixed['empty'].shape).toEqual([0, 3]);
    // 2^60 + 2^36 + 1 rounds up to 2^60 + 2^37 in one rounding (through float64 it would tie to 2^60).
    expect(mixed['int64'].values[1]).toBe(2 ** 60 + 2 ** 37);
  });

  it('views that share a storage read the same bytes: shared.a and shared.b overlap in the base', () => {
    const stateDict = readTorchStateDict(read('valid', 'mixed-legacy.pth'));
    const whole = Array.from(stateDict.get('shared.whole')!.toFloat32());
    expect(Array.from(stateDict.get('shared.a')!.toFloat32())).toEqual(whole.slice(4, 16));
    expect(Array.from(stateDict.get('shared.b')!.toFloat32())).toEqual(whole.slice(10, 22));
  });

  it('reads a file given as a view at an odd offset into a larger buffer (as a Node Buffer may be)', () => {
    for (const file of ['mixed-zip.pth', 'mixed-legacy.pth']) {
      const bytes = read('valid', file);
      const larger = new Uint8Array(bytes.length + 11);
      larger.set(bytes, 7);
      const stateDict = readTorchStateDict(larger.subarray(7, 7 + bytes.length));
      for (const [key, want] of Object.entries(expected[file]))
        expect(Array.from(stateDict.get(key)!.toFloat32()), key).toEqual(want.values);
    }
  });

  it('reads the zip and legacy formats of one state dict to the same tensors', () => {
    const zip = readTorchStateDict(read('valid', 'mixed-zip.pth'));
    const legacy = readTorchStateDict(read('valid', 'mixed-legacy.pth'));
    expect([...legacy.keys()]).toEqual([...zip.keys()]);
    for (const [key, tensor] of zip)
      expect(Array.from(legacy.get(key)!.toFloat32()), key).toEqual(Array.from(tensor.toFloat32()));
  });
});

describe('readTorchStateDict refuses', () => {
  for (const [file, want] of Object.entries(refused.files)) {
    it(`${file}: a WeightsFileError '${want.reason}' that names ${want.found}`, () => {
      const bytes = read('refused', file);
      let error: unknown;
      try {
        readTorchStateDict(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WeightsFileError);
      const e = error as WeightsFileError;
      expect({ reason: e.reason, message: e.message }).toEqual({
        reason: want.reason,
        message: expect.stringContaining(want.found),
      });
      expect(e.found).toContain(want.found);
      expect(e.location).toContain(want.location ?? '');
      expect(e.location.length).toBeGreaterThan(0);
      expect(e.hint.length).toBeGreaterThan(0);
    });
  }

  it('pickles that would run a shell command or exec leave no trace: the file they would create never appears', () => {
    rmSync(refused.marker, { force: true });
    const malicious = Object.keys(refused.files).filter((f) =>
      /os-system|exec|inst-opcode|rebuild-with-global/.test(f),
    );
    expect(malicious.length).toBeGreaterThanOrEqual(7);
    for (const file of malicious) {
      expect(() => readTorchStateDict(read('refused', file))).toThrow(WeightsFileError);
    }
    expect(existsSync(refused.marker)).toBe(false);
  });

  it('a whole pickled model names its class and says to save model.state_dict()', () => {
    expect(() => readTorchStateDict(read('refused', 'whole-model-zip.pth'))).toThrow(
      /__main__\.ECCVGenerator.*state_dict\(\)/,
    );
    expect(() => readTorchStateDict(read('refused', 'whole-model-legacy.pth'))).toThrow(
      /__main__\.ECCVGenerator.*state_dict\(\)/,
    );
  });

  it('an empty file and a non-Uint8Array argument', () => {
    expect(() => readTorchStateDict(new Uint8Array(0))).toThrow(WeightsFileError);
    expect(() => readTorchStateDict([1, 2, 3] as unknown as Uint8Array)).toThrow(/Uint8Array/);
  });
});
