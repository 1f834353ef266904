/**
 * The public surface is reviewed, not accidental: docs/api-report.md lists every name each package entry
 * exports, and this test fails when the sources export something else (run `npm run api:report`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_REPORT_FILE, formatApiReport, packageEntries } from '../../scripts/api-report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('public entries', () => {
  it('every subpath of package.json exports has its source index and dist files named after it', () => {
    const { exports } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    for (const entry of packageEntries(root)) {
      expect(existsSync(path.join(root, entry.source)), entry.source).toBe(true);
      const key =
        entry.specifier === 'tfjs-colorization' ? '.' : `./${entry.specifier.slice('tfjs-colorization/'.length)}`;
      const base = key === '.' ? './dist/index' : `./dist/${key.slice(2)}/index`;
      expect(exports[key]).toEqual({ types: `${base}.d.ts`, import: `${base}.js`, require: `${base}.cjs` });
    }
  });

  it(`${API_REPORT_FILE} lists exactly what the entries export (regenerate with npm run api:report)`, () => {
    const written = readFileSync(path.join(root, API_REPORT_FILE), 'utf8');
    expect(formatApiReport(root), `${API_REPORT_FILE} is out of date: run npm run api:report and review the diff`).toBe(
      written,
    );
  }, 60_000);
});
