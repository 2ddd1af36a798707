/**
 * Every export of `switchyard/webhooks` and of `src/core/errors.ts` (the error class the whole
 * package throws) has a TSDoc summary, and every exported function and class has an `@example`.
 * Read with the TypeScript compiler API, following re-exports to the declaration.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const entries = ['src/webhooks/index.ts', 'src/core/errors.ts'];
const program = ts.createProgram(entries, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true });
const checker = program.getTypeChecker();

interface ExportDoc {
  name: string;
  summary: string;
  callable: boolean;
  hasExample: boolean;
}

function exportsOf(file: string): ExportDoc[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} has no module symbol`);
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const tags = symbol.getJsDocTags(checker);
    return {
      name: exported.name,
      summary,
      callable: (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) !== 0,
      hasExample: tags.some((t) => t.name === 'example' && ts.displayPartsToString(t.text).trim().length > 0),
    };
  });
}

describe.each(entries)('%s', (file) => {
  const docs = exportsOf(file);

  it('exports something (the check reads the right file)', () => {
    expect(docs.length).toBeGreaterThan(3);
  });

  it.each(docs.map((d) => [d.name, d] as const))('%s has a summary, and an @example when it is a function or class', (_name, doc) => {
    expect(doc.summary.length, `${doc.name}: no TSDoc summary`).toBeGreaterThan(10);
    if (doc.callable) expect(doc.hasExample, `${doc.name}: no @example`).toBe(true);
  });
});
