/**
 * The rules `npm run docs:api` adds on top of TypeDoc's own validation (scripts/api-docs-check.mjs),
 * on small JSON models shaped as TypeDoc 0.28 writes them (`typedoc --json`): a function keeps its
 * comment on its signatures, a callable const has a `reflection` type with signatures, a re-export
 * of something declared in another module is a Reference with a `target` id, and an entry whose
 * header lacks `@packageDocumentation` has no module comment. Running TypeDoc itself costs ~20 s of
 * CPU, so the real model is checked by `npm run docs:api` in CI, not here.
 */
import { describe, expect, it } from 'vitest';
import { type ApiCheckRules, checkApiModel, Kind } from '../../scripts/api-docs-check.mjs';

type Comment = { summary: { kind: 'text'; text: string }[]; blockTags?: { tag: string; content: { kind: 'code'; text: string }[] }[] };
const summary = (text: string): Comment => ({ summary: [{ kind: 'text', text }] });
const withExample = (text: string): Comment => ({
  ...summary(text),
  blockTags: [{ tag: '@example', content: [{ kind: 'code', text: '```ts\nf(1);\n```' }] }],
});

let nextId = 100;
const fn = (name: string, ...signatureComments: (Comment | undefined)[]) => ({
  id: nextId++,
  name,
  kind: Kind.Function,
  signatures: signatureComments.map((comment) => ({ id: nextId++, name, kind: 4096, ...(comment ? { comment } : {}) })),
});
const decl = (name: string, kind: number, comment?: Comment, extra: object = {}) => ({
  id: nextId++,
  name,
  kind,
  ...(comment ? { comment } : {}),
  ...extra,
});
const callableType = {
  type: 'reflection',
  declaration: { id: 1, name: '__type', kind: 65536, signatures: [{ id: 2, name: '__type', kind: 4096 }] },
};
const module = (name: string, children: object[], comment: Comment | null = summary(`${name}: what it holds.`)) => ({
  id: nextId++,
  name,
  kind: Kind.Module,
  ...(comment ? { comment } : {}),
  children,
});
const project = (...modules: object[]) => ({ id: 0, name: 'switchyard', kind: 1, children: modules });

const rules = (overrides: Partial<ApiCheckRules> = {}): ApiCheckRules => ({
  subpathOf: (name) => (name === 'switchyard' ? '.' : `./${name.slice('switchyard/'.length)}`),
  fullyDocumented: ['./full'],
  summariesEnforced: ['./summaries'],
  isPending: () => false,
  ...overrides,
});

describe('checkApiModel', () => {
  it('passes a fully documented module: examples on callables, summaries everywhere, a module comment', () => {
    const model = project(
      module('switchyard/full', [
        fn('add', withExample('Add two numbers.')),
        decl('Counter', Kind.Class, withExample('Counts.')),
        decl('twice', Kind.Variable, withExample('Doubles.'), { type: callableType }),
        decl('START', Kind.Variable, summary('Where counting starts.'), { type: { type: 'literal', value: 0 } }),
        decl('Options', Kind.Interface, summary('Options of add.')),
      ]),
    );
    expect(checkApiModel(model, rules())).toEqual({ missingExamples: [], missingSummaries: [], missingModuleComments: [] });
  });

  it('names every function, class and callable const without an @example, and nothing else', () => {
    const model = project(
      module('switchyard/full', [
        fn('add', summary('Add two numbers.')),
        decl('Counter', Kind.Class, summary('Counts.')),
        decl('twice', Kind.Variable, summary('Doubles.'), { type: callableType }),
        decl('START', Kind.Variable, summary('Where counting starts.'), { type: { type: 'literal', value: 0 } }),
        decl('Options', Kind.Interface, summary('Options of add.')),
        decl('Mode', Kind.TypeAlias, summary('A mode.'), { type: { type: 'union', types: [] } }),
      ]),
    );
    expect(checkApiModel(model, rules()).missingExamples).toEqual([
      'switchyard/full.add (function)',
      'switchyard/full.Counter (class)',
      'switchyard/full.twice (callable const)',
    ]);
  });

  it('accepts an example on any overload signature', () => {
    const model = project(module('switchyard/full', [fn('parse', summary('From a string.'), withExample('From bytes.'))]));
    expect(checkApiModel(model, rules()).missingExamples).toEqual([]);
  });

  it('finds the call signatures of a const typed by a local function type alias', () => {
    const alias = decl('Handler', Kind.TypeAlias, summary('A handler.'), { type: callableType });
    const model = project(
      module('switchyard/full', [
        alias,
        decl('handle', Kind.Variable, summary('The default handler.'), { type: { type: 'reference', target: alias.id, name: 'Handler' } }),
      ]),
    );
    expect(checkApiModel(model, rules()).missingExamples).toEqual(['switchyard/full.handle (callable const)']);
  });

  it('checks a re-export (Reference) against the declaration it points to', () => {
    const documented = fn('add', withExample('Add.'));
    const bare = fn('sub', summary('Subtract.'));
    const model = project(
      module('switchyard/other', [documented, bare]),
      module('switchyard/full', [
        decl('add', Kind.Reference, undefined, { target: documented.id }),
        decl('sub', Kind.Reference, undefined, { target: bare.id }),
      ]),
    );
    expect(checkApiModel(model, rules()).missingExamples).toEqual(['switchyard/full.sub (function)']);
  });

  it('rejects a doc comment that holds only block tags, in fully documented and summaries-enforced modules', () => {
    const examplesOnly: Comment = { summary: [{ kind: 'text', text: '  ' }], blockTags: withExample('').blockTags ?? [] };
    const model = project(
      module('switchyard/full', [fn('add', examplesOnly), decl('Options', Kind.Interface, examplesOnly)]),
      module('switchyard/summaries', [fn('verify', examplesOnly)]),
      module('switchyard/later', [fn('notYet', examplesOnly)]),
    );
    expect(checkApiModel(model, rules()).missingSummaries).toEqual([
      'switchyard/full.add',
      'switchyard/full.Options',
      'switchyard/summaries.verify',
    ]);
  });

  it('requires a module comment in fully documented modules only', () => {
    const model = project(
      module('switchyard/full', [], null),
      module('switchyard/summaries', [], null),
      module('switchyard/later', [], null),
    );
    expect(checkApiModel(model, rules()).missingModuleComments).toEqual(['switchyard/full']);
  });

  it('does not ask summaries-enforced or other modules for examples', () => {
    const model = project(module('switchyard/summaries', [fn('verify', summary('Verify.'))]), module('switchyard/later', [fn('f')]));
    expect(checkApiModel(model, rules()).missingExamples).toEqual([]);
  });

  it('skips exports listed as pending on another branch, and only those', () => {
    const model = project(module('switchyard', [fn('redact', summary('Redact.')), fn('formatMoney', summary('Format.'))]));
    const result = checkApiModel(model, rules({ fullyDocumented: ['.'], isPending: (name) => name === 'switchyard.redact' }));
    expect(result.missingExamples).toEqual(['switchyard.formatMoney (function)']);
  });
});
