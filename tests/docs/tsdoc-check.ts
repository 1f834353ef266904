/**
 * The TSDoc check behind tests/docs/tsdoc.test.ts: every symbol a public entry exports (re-exports followed
 * to the declaration) carries a TSDoc comment with a summary, and those that users call or construct also
 * carry an `@example`.
 *
 * Which declarations need an `@example`:
 * - functions, classes and variables (consts): always;
 * - interfaces and type aliases: when users construct one, i.e. a public function, constructor or method
 *   takes it as (part of) a parameter, or it is the type of a property of another type users construct,
 *   and no public function, method or const hands one out (a type only read from results needs a summary,
 *   not an example);
 * - enums and namespaces: a summary only.
 *
 * One `ts.Program` over the entry files; the type checker is used only to follow aliases and to read
 * signatures, never to type-check the sources (tsc does that).
 */
import * as path from 'node:path';
import ts from 'typescript';

/** A declaration that misses what the project standard asks of it. */
export interface TsdocOffender {
  /** The exported name, as users import it. */
  name: string;
  /** `path:line` of the declaration, path relative to the root given to the check. */
  location: string;
  /** `'no TSDoc'` or `'no @example'`. */
  problem: 'no TSDoc' | 'no @example';
  /** What kind of declaration it is (function, class, const, interface, type, enum, ...). */
  kind: string;
}

/** Compiler options from `tsconfig.json` at `root`, for a program over the entries only. */
export function readCompilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  return { ...parsed.options, noEmit: true };
}

/** Runs the check over `entries` (absolute paths of files in `program`); offenders sorted by location. */
export function findTsdocOffenders(program: ts.Program, entries: readonly string[], root: string): TsdocOffender[] {
  const checker = program.getTypeChecker();
  // Every exported symbol (alias resolved) with the name users import it by.
  const exported = new Map<ts.Symbol, string>();
  for (const entry of entries) {
    const source = program.getSourceFile(entry);
    if (!source) throw new Error(`tsdoc check: ${entry} is not in the program`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    // An entry whose exports cannot be read would pass vacuously: refuse it.
    if (!moduleSymbol) throw new Error(`tsdoc check: ${entry} exports nothing (or its imports do not resolve)`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target = resolveAlias(checker, symbol);
      if (!exported.has(target)) exported.set(target, symbol.getName());
    }
  }

  const declarationsOf = (symbol: ts.Symbol): ts.Declaration[] =>
    (symbol.declarations ?? []).filter(
      (d) => !d.getSourceFile().isDeclarationFile && !d.getSourceFile().fileName.includes('/node_modules/'),
    );
  const exportedDeclarations = new Set<ts.Declaration>();
  for (const symbol of exported.keys()) for (const d of declarationsOf(symbol)) exportedDeclarations.add(d);

  const constructed = typesUsersConstruct(checker, [...exportedDeclarations]);
  const offenders: TsdocOffender[] = [];
  for (const [symbol, name] of exported) {
    // Group merged declarations by kind (overloads are one function; a const and a type of the same name are two).
    const byKind = new Map<string, ts.Declaration[]>();
    for (const d of declarationsOf(symbol)) {
      const kind = kindOf(d);
      if (kind === undefined) continue;
      byKind.set(kind, [...(byKind.get(kind) ?? []), d]);
    }
    for (const [kind, declarations] of byKind) {
      const docs = declarations.flatMap((d) => jsDocsOf(d));
      const first = declarations[0]!;
      const location = locationOf(first, root);
      if (!docs.some(hasSummary)) {
        offenders.push({ name, location, problem: 'no TSDoc', kind });
        continue;
      }
      const needsExample =
        kind === 'function' ||
        kind === 'class' ||
        kind === 'const' ||
        kind === 'variable' ||
        ((kind === 'interface' || kind === 'type') && declarations.some((d) => constructed.has(d)));
      if (needsExample && !docs.some(hasExample)) offenders.push({ name, location, problem: 'no @example', kind });
    }
  }
  return offenders.sort((a, b) => a.location.localeCompare(b.location, 'en', { numeric: true }));
}

/** One line per offender: `path:line  name (kind): problem`. */
export function formatOffenders(offenders: readonly TsdocOffender[]): string {
  return offenders.map((o) => `${o.location}  ${o.name} (${o.kind}): ${o.problem}`).join('\n');
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function kindOf(d: ts.Declaration): string | undefined {
  if (ts.isFunctionDeclaration(d)) return 'function';
  if (ts.isClassDeclaration(d)) return 'class';
  if (ts.isInterfaceDeclaration(d)) return 'interface';
  if (ts.isTypeAliasDeclaration(d)) return 'type';
  if (ts.isEnumDeclaration(d)) return 'enum';
  if (ts.isModuleDeclaration(d)) return 'namespace';
  if (ts.isVariableDeclaration(d)) return ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const ? 'const' : 'variable';
  return undefined; // e.g. the `export =` of a module: nothing to document here
}

function jsDocsOf(d: ts.Declaration): ts.JSDoc[] {
  // For a variable this includes the comment on its `export const` statement.
  return ts.getJSDocCommentsAndTags(d).filter(ts.isJSDoc);
}

function hasSummary(doc: ts.JSDoc): boolean {
  return (ts.getTextOfJSDocComment(doc.comment) ?? '').trim().length > 0;
}

function hasExample(doc: ts.JSDoc): boolean {
  return (doc.tags ?? []).some(
    (t) => t.tagName.text === 'example' && (ts.getTextOfJSDocComment(t.comment) ?? '').trim().length > 0,
  );
}

function locationOf(d: ts.Declaration, root: string): string {
  const source = d.getSourceFile();
  const { line } = source.getLineAndCharacterOfPosition(d.getStart(source));
  return `${path.relative(root, source.fileName).split(path.sep).join('/')}:${line + 1}`;
}

/**
 * The interfaces and type aliases among `declarations` that users construct: reachable from a parameter of a
 * public function, constructor or method (through unions, arrays, generics such as `Partial<T>`, and the
 * properties of types already reached), and not handed out by a public function, method or const.
 */
function typesUsersConstruct(checker: ts.TypeChecker, declarations: readonly ts.Declaration[]): Set<ts.Declaration> {
  const candidates = new Set<ts.Declaration>(
    declarations.filter((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)),
  );
  const declarationsOfType = (node: ts.TypeNode): ts.Declaration[] => {
    const found: ts.Declaration[] = [];
    const visit = (n: ts.Node): void => {
      // What a callback receives is not constructed by users; what it returns may be, but is rarely documented as such.
      if (ts.isFunctionTypeNode(n) || ts.isConstructorTypeNode(n)) return;
      if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n)) {
        const nameNode = ts.isTypeReferenceNode(n) ? n.typeName : n.expression;
        const symbol = checker.getSymbolAtLocation(nameNode);
        if (symbol)
          for (const d of resolveAlias(checker, symbol).declarations ?? []) if (candidates.has(d)) found.push(d);
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  };

  // Inputs: parameters of public functions, constructors and methods (of exported classes and interfaces).
  const reached = new Set<ts.Declaration>();
  const queue: ts.Declaration[] = [];
  const reach = (node: ts.TypeNode | undefined): void => {
    if (!node) return;
    for (const d of declarationsOfType(node))
      if (!reached.has(d)) {
        reached.add(d);
        queue.push(d);
      }
  };
  const signaturesOf = (d: ts.Declaration): ts.SignatureDeclaration[] => {
    if (ts.isFunctionDeclaration(d)) return [d];
    if (
      ts.isVariableDeclaration(d) &&
      d.initializer &&
      (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))
    )
      return [d.initializer];
    if (ts.isClassDeclaration(d)) {
      return d.members.filter(
        (m): m is ts.ConstructorDeclaration | ts.MethodDeclaration =>
          (ts.isConstructorDeclaration(m) || ts.isMethodDeclaration(m)) &&
          !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)),
      );
    }
    return [];
  };
  for (const d of declarations) for (const s of signaturesOf(d)) for (const p of s.parameters) reach(p.type);
  // Properties of what users construct are constructed too (a config's nested config, an options' callback result).
  while (queue.length > 0) {
    const d = queue.pop()!;
    if (ts.isInterfaceDeclaration(d)) {
      for (const m of d.members) if (ts.isPropertySignature(m)) reach(m.type);
      for (const h of d.heritageClauses ?? []) for (const t of h.types) reach(t);
    } else if (ts.isTypeAliasDeclaration(d)) {
      reach(d.type);
    }
  }

  // Outputs: what public functions and methods return (Promise and union members unwrapped) and consts' types.
  const handedOut = new Set<ts.Declaration>();
  const markType = (type: ts.Type, depth: number): void => {
    if (depth > 3) return;
    for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
      for (const d of symbol?.declarations ?? []) if (candidates.has(d)) handedOut.add(d);
    }
    if (type.isUnionOrIntersection()) for (const t of type.types) markType(t, depth + 1);
    const typeArguments =
      type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference
        ? checker.getTypeArguments(type as ts.TypeReference)
        : [];
    for (const t of [...typeArguments, ...(type.aliasTypeArguments ?? [])]) markType(t, depth + 1);
  };
  for (const d of declarations) {
    for (const s of signaturesOf(d)) {
      if (ts.isConstructorDeclaration(s)) continue;
      const signature = checker.getSignatureFromDeclaration(s);
      if (signature) markType(checker.getReturnTypeOfSignature(signature), 0);
    }
    if (ts.isVariableDeclaration(d) && d.type) for (const t of declarationsOfType(d.type)) handedOut.add(t);
    if (ts.isInterfaceDeclaration(d)) {
      // Methods of a public interface (a Colorizer, a store) return things the library makes.
      for (const m of d.members) {
        if (!ts.isMethodSignature(m)) continue;
        const signature = checker.getSignatureFromDeclaration(m);
        if (signature) markType(checker.getReturnTypeOfSignature(signature), 0);
      }
    }
  }
  return new Set([...reached].filter((d) => !handedOut.has(d)));
}
