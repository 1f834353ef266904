/**
 * Every export of the public entries (`tfjs-colorization` = src/index.ts, `tfjs-colorization/node` =
 * src/node/index.ts) has a TSDoc comment, and an `@example` when users call or construct it (rules in
 * tests/docs/tsdoc-check.ts). Offenders are listed as `path:line  name (kind): problem`.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findTsdocOffenders, formatOffenders, readCompilerOptions } from './tsdoc-check.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('TSDoc of the public entries', () => {
  it('every export of tfjs-colorization and tfjs-colorization/node has TSDoc, and an @example where users call or construct it', () => {
    const entries = [path.join(root, 'src/index.ts'), path.join(root, 'src/node/index.ts')];
    const program = ts.createProgram(entries, readCompilerOptions(root));
    const offenders = findTsdocOffenders(program, entries, root);
    expect(offenders.length, `exports missing TSDoc or @example:\n${formatOffenders(offenders)}`).toBe(0);
  });
});

describe('the TSDoc check itself', () => {
  // A tiny project in memory: an entry re-exporting a module with documented and undocumented declarations.
  const files: { [name: string]: string } = {
    '/virtual/entry.ts': `export * from './lib.js';\nexport { renamed as publicName } from './other.js';\n`,
    '/virtual/lib.ts': [
      /* 1 */ `export function bare(x: number): number { return x; }`,
      /* 2 */ `/** Doubles. */`,
      /* 3 */ `export function noExample(x: number): number { return 2 * x; }`,
      /* 4 */ `/**\n * Triples.\n * @example triple(2); // 6\n */`,
      /* 8 */ `export function triple(x: number): number { return 3 * x; }`,
      /* 9 */ `export interface BareConfig { size: number }`,
      /* 10 */ `/** A config users pass in. */`,
      /* 11 */ `export interface UsedConfig { size: number; nested?: NestedOptions }`,
      /* 12 */ `/** Reached through UsedConfig.nested. */`,
      /* 13 */ `export interface NestedOptions { k: number }`,
      /* 14 */ `/** Only ever handed out. */`,
      /* 15 */ `export interface Result { value: number }`,
      /* 16 */ `/**\n * Uses both.\n * @example build({ size: 1 });\n */`,
      /* 20 */ `export function build(config: UsedConfig): Result { return { value: config.size }; }`,
      /* 21 */ `/** @example const x = ONE; */`, // tags without a summary are not TSDoc
      /* 22 */ `export const ONE = 1;`,
      /* 23 */ `export class Thing {}`,
    ].join('\n'),
    '/virtual/other.ts': `/** Documented but no example. */\nexport const renamed = 2;\n`,
  };

  function offendersOf(sources: { [name: string]: string }) {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      noEmit: true,
      types: [],
      noLib: true,
    };
    const host = ts.createCompilerHost(options);
    const read = (name: string): string | undefined => sources[name];
    host.fileExists = (name) => read(name) !== undefined;
    host.readFile = (name) => read(name);
    host.directoryExists = (name) => name === '/' || name === '/virtual';
    host.getDirectories = () => [];
    host.realpath = (name) => name;
    host.getSourceFile = (name, languageVersion) => {
      const text = read(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, languageVersion, true);
    };
    const program = ts.createProgram(['/virtual/entry.ts'], options, host);
    return findTsdocOffenders(program, ['/virtual/entry.ts'], '/virtual');
  }

  it('flags each undocumented or example-less export with its file:line, following re-exports to the declaration', () => {
    const byName = Object.fromEntries(offendersOf(files).map((o) => [o.name, `${o.location} ${o.problem}`]));
    expect(byName).toEqual({
      bare: 'lib.ts:1 no TSDoc',
      noExample: 'lib.ts:3 no @example',
      BareConfig: 'lib.ts:9 no TSDoc',
      UsedConfig: 'lib.ts:11 no @example',
      NestedOptions: 'lib.ts:13 no @example',
      ONE: 'lib.ts:22 no TSDoc',
      Thing: 'lib.ts:23 no TSDoc',
      publicName: 'other.ts:2 no @example',
    });
    // triple and build are complete; Result is only returned, so its summary is enough.
  });

  it('passes a source once everything is documented', () => {
    const documented = Object.fromEntries(
      Object.entries(files).map(([name, text]) => [
        name,
        text.replace(
          /^export (function|interface|class|const) (\w+)/gm,
          (line, _kind, id) => `/**\n * ${id}.\n * @example use(${id});\n */\n${line}`,
        ),
      ]),
    );
    expect(formatOffenders(offendersOf(documented))).toBe('');
  });
});
