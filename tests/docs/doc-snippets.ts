/**
 * The TypeScript snippets of README.md and docs/: extracted from ```ts fences and type-checked as modules
 * under strict settings, importing the package by its public names (mapped to the sources).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** One fenced snippet: where it is and its code. */
export interface DocSnippet {
  file: string;
  line: number;
  code: string;
}

/** Every ```ts / ```typescript block of README.md and docs/ (sub-folders too), in file order. */
export function collectDocSnippets(): DocSnippet[] {
  const files = ['README.md'];
  const walk = (folder: string) => {
    for (const entry of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  const snippets: DocSnippet[] = [];
  for (const file of files.sort()) {
    const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end].startsWith('```')) end++;
      snippets.push({
        file: relative(REPO_ROOT, join(REPO_ROOT, file)),
        line: start + 1,
        code: lines.slice(start, end).join('\n'),
      });
      i = end;
    }
  }
  return snippets;
}
