/**
 * Examples are written as a user's project would be: they import the package through its public entries
 * (the `exports` of package.json), never a file of `src/` by a relative path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const examples = path.join(root, 'examples');
const entries = Object.keys(
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).exports as Record<string, unknown>,
).map((key) => (key === '.' ? 'tfjs-colorization' : `tfjs-colorization/${key.slice(2)}`));

/** Module specifiers of static imports, re-exports and dynamic `import('…')` calls with a literal. */
function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The imports of `file` that reach past the examples folder or name a package path that is not an entry. */
function privateImports(file: string, source: string): string[] {
  return importSpecifiers(source).filter((spec) => {
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      return target !== examples && !target.startsWith(examples + path.sep);
    }
    return (spec === 'tfjs-colorization' || spec.startsWith('tfjs-colorization/')) && !entries.includes(spec);
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe('examples import only public entries', () => {
  it('no file under examples/ imports src/ (or any file outside examples/) or a package path that is not an entry', () => {
    const offenders = sourceFiles(examples).flatMap((file) =>
      privateImports(file, readFileSync(file, 'utf8')).map((spec) => `${path.relative(root, file)}: ${spec}`),
    );
    expect(offenders, offenders.join('\n')).toEqual([]);
  });

  it('the check flags a relative import of src/ and a subpath that is not an entry, and passes entries and local files', () => {
    const file = path.join(examples, 'experiments', 'probe.ts');
    const source = [
      `import { rgbToLab } from '../../src/color/lab/lab.js';`,
      `import { x } from 'tfjs-colorization/src/index.js';`,
      `import { createColorizer } from 'tfjs-colorization';`,
      `import { readImageFile } from 'tfjs-colorization/node';`,
      `import { parseExperimentArgs } from './experiment-args.js';`,
      `const m = await import('../../src/index.js');`,
    ].join('\n');
    expect(privateImports(file, source)).toEqual([
      '../../src/color/lab/lab.js',
      'tfjs-colorization/src/index.js',
      '../../src/index.js',
    ]);
  });
});
