/**
 * Rewrite absolute paths in the `sources` of the source maps under a build folder as paths relative to
 * each map, so that a published map names no folder of the machine that built it. (tsup's CommonJS
 * chunks list the output file itself by its absolute path.)
 *
 * Usage: node scripts/relative-source-maps.mjs [folder]   (default dist/)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Rewrite every `*.map` under `folder`; returns how many were changed. */
export function relativeSourceMaps(folder) {
  let changed = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.map')) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const map = JSON.parse(readFileSync(path, 'utf8'));
    let dirty = false;
    const fix = (source) => {
      const file = source.startsWith('file://') ? fileURLToPath(source) : source;
      if (!isAbsolute(file)) return source;
      dirty = true;
      return relative(dirname(path), file).split(sep).join('/');
    };
    map.sources = (map.sources ?? []).map(fix);
    if (typeof map.sourceRoot === 'string' && isAbsolute(map.sourceRoot)) {
      map.sourceRoot = '';
      dirty = true;
    }
    if (dirty) {
      writeFileSync(path, JSON.stringify(map));
      changed++;
    }
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  console.log(`relative-source-maps: ${relativeSourceMaps(folder)} maps rewritten in ${folder}`);
}
