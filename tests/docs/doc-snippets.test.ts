// Every TypeScript snippet of README.md and docs/ type-checks under strict settings, as a user's project
// would compile it. The snippets of README.md and docs/quick-start.md are whole programs, checked exactly
// as printed: no error at all. The others are fragments of a page: checked with the package's exports
// they name (and `tf`, `tfl`) in scope, and the only errors they may have are names of their context (the
// photo, model or batch the page has introduced), which the check counts. Everything else (a wrong option,
// a wrong type, a missing export, a misuse of tfjs) fails.
//
// The check runs with skipLibCheck off and requires that every error in a declaration file comes from
// tfjs's own types (@tensorflow/*): that is the `skipLibCheck` need docs/quick-start.md states.
import ts from 'typescript';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectDocSnippets, REPO_ROOT } from './doc-snippets.js';

const OUT = join(REPO_ROOT, 'node_modules', '.cache', 'doc-snippets');

/** Strict settings of an application that imports the package (ESM, bundler or Node resolution). */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  // Node's globals, and Vite's `?url` imports for the browser page's wasm files.
  types: ['node', 'vite/client'],
  esModuleInterop: true,
  noEmit: true,
  skipLibCheck: false,
  // The package's public names, mapped to its sources so that no build is needed.
  baseUrl: REPO_ROOT,
  paths: { 'tfjs-colorization': ['./src/index.ts'], 'tfjs-colorization/node': ['./src/node/index.ts'] },
};

/** Pages whose snippets are whole programs a reader copies and runs: checked as printed, no error allowed. */
const WHOLE_PROGRAM_PAGES = ['README.md', 'docs/quick-start.md'];

/** Errors a fragment may have: an undeclared name of its context, and what follows from one. */
const CONTEXT_CODES = new Set([2304, 2552, 18004, 2503, 7006, 7031]);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('TypeScript snippets of README.md and docs/', () => {
  it('type-check under strict settings: whole programs without errors, fragments with only their context names missing', () => {
    const snippets = collectDocSnippets();
    expect(snippets.length).toBeGreaterThan(30);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });

    // The names the package exports (values and types).
    const probe = join(OUT, 'exports.ts');
    writeFileSync(probe, "export * from 'tfjs-colorization/node';\n");
    const first = ts.createProgram([probe], { ...OPTIONS, skipLibCheck: true });
    const checker = first.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(first.getSourceFile(probe) as ts.SourceFile);
    const exported = new Set(checker.getExportsOfModule(moduleSymbol as ts.Symbol).map((s) => s.name));
    expect(exported.has('createNodeColorizer')).toBe(true);

    const files = snippets.map((snippet, k) => {
      // The copy-and-run programs of the set-up pages are checked exactly as printed.
      const whole = WHOLE_PROGRAM_PAGES.includes(snippet.file);
      let prelude = '';
      if (!whole) {
        const declared = (name: string) =>
          new RegExp(
            `\\b(const|let|var|function|class|interface|type)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from`,
          ).test(snippet.code);
        const used = [...exported].filter(
          (name) => new RegExp(`(^|[^.\\w$])${name.replace(/\$/g, '\\$')}\\b`).test(snippet.code) && !declared(name),
        );
        if (used.length > 0) prelude += `import { ${used.join(', ')} } from 'tfjs-colorization/node';\n`;
        if (/\btf\./.test(snippet.code) && !declared('tf')) prelude += "import * as tf from '@tensorflow/tfjs-core';\n";
        if (/\btfl\./.test(snippet.code) && !declared('tfl'))
          prelude += "import * as tfl from '@tensorflow/tfjs-layers';\n";
      }
      const path = join(OUT, `snippet-${String(k).padStart(2, '0')}.ts`);
      writeFileSync(path, `${prelude}${snippet.code}\nexport {};\n`);
      return { path, whole, prelude: prelude.split('\n').length - 1, snippet };
    });
    const program = ts.createProgram(
      files.map((f) => f.path),
      OPTIONS,
      undefined,
      first,
    );
    const problems: string[] = [];
    const context: string[] = [];
    const libraryFiles = new Set<string>();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      const name = d.file?.fileName ?? '';
      const file = files.find((f) => f.path === name);
      if (file === undefined) {
        if (name.includes('/node_modules/@tensorflow/')) libraryFiles.add(relative(REPO_ROOT, name).split('/dist/')[0]);
        else problems.push(`${relative(REPO_ROOT, name) || '(program)'}: TS${d.code} ${text}`);
        continue;
      }
      const line =
        file.snippet.line + (d.file as ts.SourceFile).getLineAndCharacterOfPosition(d.start ?? 0).line - file.prelude;
      const where = `${file.snippet.file}:${line}`;
      if (!file.whole && CONTEXT_CODES.has(d.code)) context.push(`${where} ${text}`);
      else problems.push(`${where}: TS${d.code} ${text}`);
    }
    console.log(
      `doc snippets: ${files.length} checked (${files.filter((f) => f.whole).length} whole programs); ${context.length} context names in fragments; declaration errors only in ${[...libraryFiles].sort().join(', ')} (hence skipLibCheck)`,
    );
    expect(problems).toEqual([]);
    // The stated need: tfjs's declarations do not pass a strict check of their own.
    expect(libraryFiles.size).toBeGreaterThan(0);
  }, 300_000);
});
