import { describe, expect, it } from 'vitest';
import { HintError, InputError } from '../../src/errors.js';
import { formatHintsJson, parseHintsJson } from '../../src/hints/hints-json.js';

describe('hints files: parseHintsJson and formatHintsJson', () => {
  it('reads the documented form and writes text that reads back to the same points', () => {
    const text =
      '{"points":[{"x":120,"y":48,"color":"#3a6ea5"},{"x":3.5,"y":0,"color":[200,40,40]},{"x":0,"y":9,"color":{"a":-20,"b":35}}]}';
    const points = parseHintsJson(text);
    expect(points).toEqual([
      { x: 120, y: 48, color: '#3a6ea5' },
      { x: 3.5, y: 0, color: [200, 40, 40] },
      { x: 0, y: 9, color: { a: -20, b: 35 } },
    ]);
    const written = formatHintsJson(points);
    expect(written).toBe(
      '{"points":[\n  {"x":120,"y":48,"color":"#3a6ea5"},\n  {"x":3.5,"y":0,"color":[200,40,40]},\n  {"x":0,"y":9,"color":{"a":-20,"b":35}}\n]}\n',
    );
    expect(parseHintsJson(written)).toEqual(points);
    expect(formatHintsJson([])).toBe('{"points":[]}\n');
    expect(parseHintsJson(formatHintsJson([]))).toEqual([]);
  });

  it('names the file and the point in every refusal', () => {
    const refuse = (text: string, type: abstract new (...args: never[]) => Error, pattern: RegExp): void => {
      let error: unknown;
      try {
        parseHintsJson(text, 'a.hints.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(pattern);
    };
    refuse('{points: oops', InputError, /^a\.hints\.json: expected JSON of the form .*received text that is not JSON/);
    refuse(
      '[{"x":1,"y":1,"color":"#000000"}]',
      InputError,
      /^a\.hints\.json: expected JSON .*received array of length 1/,
    );
    refuse('{"point":[]}', InputError, /received an object whose points is undefined/);
    refuse('null', InputError, /received null/);
    refuse(
      '{"points":[{"x":1,"y":1,"color":"#000000"},{"x":-1,"y":1,"color":"#000000"}]}',
      HintError,
      /^a\.hints\.json\.points\[1\]\.x: expected a number ≥ 0, received -1/,
    );
    refuse('{"points":[{"x":1,"y":"2","color":"#000000"}]}', HintError, /^a\.hints\.json\.points\[0\]\.y:/);
    refuse(
      '{"points":[{"x":1,"y":2,"color":"navy"}]}',
      HintError,
      /^a\.hints\.json\.points\[0\]\.color: expected '#rrggbb'.*received "navy"/,
    );
    refuse('{"points":[7]}', HintError, /^a\.hints\.json\.points\[0\]: expected a point/);
    expect(() => formatHintsJson([{ x: 1, y: 1, color: '#12' }])).toThrow(/^points\[0\]\.color/);
  });
});
