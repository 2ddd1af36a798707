// The checks of `npm run docs:api` that TypeDoc's own validation cannot make, run on its JSON model
// (`typedoc --json`): TypeDoc knows whether a declaration has a comment, not whether that comment has
// a summary or an `@example`, nor whether an entry's header became a module comment. Pure, so the
// rules are unit-tested on small models (test/package/api-docs.test.ts).

/** The ReflectionKind values of TypeDoc 0.28 this check reads. */
export const Kind = { Module: 2, Variable: 32, Function: 64, Class: 128, Interface: 256, TypeAlias: 2097152, Reference: 4194304 };

/**
 * Check a TypeDoc JSON project.
 * @param {object} project TypeDoc's JSON model, modules named by import specifier (`switchyard/retry`).
 * @param {object} rules
 * @param {(moduleName: string) => string} rules.subpathOf `switchyard/retry` → `./retry`.
 * @param {string[]} rules.fullyDocumented subpaths needing summaries, examples and a module comment.
 * @param {string[]} rules.summariesEnforced subpaths needing summaries only.
 * @param {(name: string) => boolean} rules.isPending exemptions, by `module.export` name.
 * @returns {{ missingExamples: string[], missingSummaries: string[], missingModuleComments: string[] }}
 */
export function checkApiModel(project, { subpathOf, fullyDocumented, summariesEnforced, isPending }) {
  const missingExamples = [];
  const missingSummaries = [];
  const missingModuleComments = [];
  const byId = new Map();
  const index = (reflection) => {
    byId.set(reflection.id, reflection);
    for (const child of reflection.children ?? []) index(child);
  };
  index(project);
  const hasExample = (comment) => Boolean(comment?.blockTags?.some((tag) => tag.tag === '@example'));
  // TypeDoc counts a comment holding only block tags (`@example`) as documentation; a reader needs the summary.
  const hasSummary = (comment) => Boolean(comment?.summary?.some((part) => part.text.trim() !== ''));
  const commentOf = (reflection) => reflection.comment ?? reflection.signatures?.find((s) => s.comment)?.comment;
  /** Call signatures of a variable's type: an inline function type, or a local alias/interface of one. */
  const callSignaturesOf = (type) => {
    if (type?.type === 'reflection') return type.declaration?.signatures ?? [];
    if (type?.type === 'reference' && typeof type.target === 'number') {
      const target = byId.get(type.target);
      if (target?.kind === Kind.TypeAlias) return callSignaturesOf(target.type);
      if (target?.kind === Kind.Interface) return target.signatures ?? [];
    }
    return [];
  };
  /** What a reader needs an example for, and whether it has one; undefined when none is needed. */
  const exampleSubject = (reflection) => {
    if (reflection.kind === Kind.Reference) {
      const target = byId.get(reflection.target);
      return target ? exampleSubject(target) : undefined;
    }
    if (reflection.kind === Kind.Function) {
      // Overloads: one example on any signature is shown with the function.
      return { what: 'function', documented: Boolean(reflection.signatures?.some((s) => hasExample(s.comment))) };
    }
    if (reflection.kind === Kind.Class) return { what: 'class', documented: hasExample(reflection.comment) };
    if (reflection.kind === Kind.Variable && callSignaturesOf(reflection.type).length) {
      return { what: 'callable const', documented: hasExample(reflection.comment) };
    }
    return undefined;
  };
  for (const module of project.children ?? []) {
    if (module.kind !== Kind.Module) continue;
    const subpath = subpathOf(module.name);
    const full = fullyDocumented.includes(subpath);
    if (!full && !summariesEnforced.includes(subpath)) continue;
    for (const child of module.children ?? []) {
      const name = `${module.name}.${child.name}`;
      // A re-export is checked where it is declared. No comment at all is TypeDoc's own
      // `notDocumented` warning, reported with the others.
      const comment = child.kind === Kind.Reference ? undefined : commentOf(child);
      if (comment && !hasSummary(comment) && !isPending(name)) missingSummaries.push(name);
    }
    if (!full) continue;
    // Without `@packageDocumentation`, TypeDoc gives the entry's header comment to every declaration
    // of its first `export { … } from` statement, hiding their own comments (or their absence).
    if (!module.comment) missingModuleComments.push(module.name);
    for (const child of module.children ?? []) {
      const subject = exampleSubject(child);
      const name = `${module.name}.${child.name}`;
      if (subject && !subject.documented && !isPending(name)) missingExamples.push(`${name} (${subject.what})`);
    }
  }
  return { missingExamples, missingSummaries, missingModuleComments };
}
