#!/usr/bin/env node
// `npm run docs:api`: the API reference with TypeDoc into docs/api/ (generated, not committed),
// one module per subpath in package.json `exports`, so new subpaths are documented the day they land.
//
// A ratchet, per subpath (see docs/decisions.md):
// - FULLY_DOCUMENTED: every export has a doc comment with a summary (TypeDoc's `notDocumented`
//   validation, members included), every function, class and callable const an `@example` block,
//   and the entry's header is a module comment. Any of them missing fails the run.
// - SUMMARIES_ENFORCED: doc comments are enforced, examples not yet (their owners are adding them).
// - Everything else: missing doc comments are listed and counted, not enforced.
// Summaries, examples and module comments are checked on TypeDoc's JSON model of the same run.
// `--strict` (or SWITCHYARD_DOCS_STRICT=1) also turns every other TypeDoc validation warning
// (undocumented exports elsewhere, referenced types that are not exported) into a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkApiModel } from './api-docs-check.mjs';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.keys(pkg.exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? 'src/index.ts' : `src/${s.slice(2)}/index.ts`));
/**
 * Subpaths whose every export has a doc comment, and every callable export an `@example`; a new
 * export without them fails the run.
 */
const FULLY_DOCUMENTED = [
  '.',
  './retry',
  './idempotency',
  './stores',
  './stores/redis',
  './stores/postgres',
  './time',
  './recurrence',
  './openapi',
  './oauth',
  './notify',
  './notify/fcm',
  './notify/resend',
  './notify/sendgrid',
  './notify/ses',
  './notify/smtp',
  './notify/twilio',
  './notify/webpush',
  './payments',
  './payments/stripe',
  './calendar/caldav',
  './webhooks',
  './calendar',
  './calendar/google',
  './calendar/outlook',
];
/** Subpaths whose doc comments are complete but whose `@example` blocks are still being written. */
const SUMMARIES_ENFORCED = [];
const enforced = (subpath) => FULLY_DOCUMENTED.includes(subpath) || SUMMARIES_ENFORCED.includes(subpath);
/**
 * Exports of a fully documented subpath whose doc comments another branch is finishing, so they do
 * not fail this one: `switchyard` re-exports src/core/errors.ts and src/core/redact.ts, documented
 * with the webhooks work, which also owns `WebhookVerificationError`. Listed by name, reported on
 * every run (and reported for removal once complete), and to be emptied, not grown.
 */
const PENDING = {};
const strict = process.argv.includes('--strict') || process.env.SWITCHYARD_DOCS_STRICT === '1';

const jsonDir = mkdtempSync(join(tmpdir(), 'switchyard-api-'));
const jsonPath = join(jsonDir, 'api.json');
const args = [
  'typedoc',
  '--options',
  'typedoc.json',
  '--json',
  jsonPath,
  ...(strict ? ['--treatValidationWarningsAsErrors'] : []),
  ...entries,
];
const result = spawnSync('npx', args, { cwd: root, encoding: 'utf8' });
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping TypeDoc's ANSI colours
const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
let project;
try {
  project = JSON.parse(readFileSync(jsonPath, 'utf8'));
} catch {
  // TypeDoc stops before emitting when it cannot convert (a type error, a broken option).
} finally {
  rmSync(jsonDir, { recursive: true, force: true });
}

// `switchyard/webhooks.ReplayGuard (Interface)` → './webhooks'; `switchyard.Logger (…)` → '.'.
const subpathOf = (name) => {
  const module = name.split('.')[0];
  return module === pkg.name ? '.' : `./${module.slice(pkg.name.length + 1)}`;
};
/** The export name in `switchyard/payments.PaymentProvider.refund (CallSignature)`: `PaymentProvider`. */
const exportOf = (name) => {
  const rest = name.slice(name.split('.')[0].length + 1);
  return rest.split(/[.\s]/)[0];
};
const isPending = (name) => (PENDING[subpathOf(name)] ?? []).includes(exportOf(name));

const undocumented = output
  .split('\n')
  .map((line) => /^\[warning\] (\S+) \((\w+)\), defined in [^,]+, does not have any documentation/.exec(line))
  .filter(Boolean)
  .map((m) => `${m[1]} (${m[2]})`);
const otherWarnings = output.split('\n').filter((l) => l.startsWith('[warning]') && !l.includes('does not have any documentation'));
const errors = output.split('\n').filter((l) => l.startsWith('[error]'));

for (const line of [...otherWarnings, ...errors]) console.log(line);
if (undocumented.length) {
  console.log(`\n${undocumented.length} exported declarations have no doc comment:`);
  for (const name of undocumented) console.log(`  - ${name}`);
}

const { missingExamples, missingSummaries, missingModuleComments } = project
  ? checkApiModel(project, { subpathOf, fullyDocumented: FULLY_DOCUMENTED, summariesEnforced: SUMMARIES_ENFORCED, isPending })
  : { missingExamples: [], missingSummaries: [], missingModuleComments: [] };

const pending = undocumented.filter((name) => enforced(subpathOf(name)) && isPending(name));
const regressions = undocumented.filter((name) => enforced(subpathOf(name)) && !isPending(name));
let failed = false;
if (pending.length) {
  console.log(`\ndocs:api: ${pending.length} undocumented export(s) pending on another branch (PENDING in scripts/api-docs.mjs):`);
  for (const name of pending) console.log(`  - ${name}`);
}
if (project) {
  // An exemption that no longer exempts anything must go, or it would hide the next regression.
  const unexempted = checkApiModel(project, {
    subpathOf,
    fullyDocumented: FULLY_DOCUMENTED,
    summariesEnforced: SUMMARIES_ENFORCED,
    isPending: () => false,
  });
  const stillNeeded = new Set(
    [...pending, ...unexempted.missingExamples, ...unexempted.missingSummaries]
      .filter(isPending)
      .map((name) => `${subpathOf(name)} ${exportOf(name)}`),
  );
  const stale = Object.entries(PENDING).flatMap(([subpath, names]) =>
    names.filter((name) => !stillNeeded.has(`${subpath} ${name}`)).map((name) => `${subpath} ${name}`),
  );
  if (stale.length) {
    console.log(`\ndocs:api: ${stale.length} PENDING exemption(s) now complete; remove them from scripts/api-docs.mjs:`);
    for (const name of stale) console.log(`  - ${name}`);
  }
}
if (!project && result.status === 0) {
  console.error('\ndocs:api: TypeDoc wrote no JSON model, so the summary and @example checks could not run');
  failed = true;
}
if (missingModuleComments.length) {
  console.error(
    `\ndocs:api: ${missingModuleComments.length} fully documented subpath(s) without a module comment (end the header comment of their index.ts with @packageDocumentation):`,
  );
  for (const name of missingModuleComments) console.error(`  - ${name}`);
  failed = true;
}
if (regressions.length) {
  console.error(`\ndocs:api: ${regressions.length} export(s) without a doc comment in enforced subpaths:`);
  for (const name of regressions) console.error(`  - ${name}`);
  failed = true;
}
if (missingSummaries.length) {
  console.error(`\ndocs:api: ${missingSummaries.length} export(s) whose doc comment has no summary line, in enforced subpaths:`);
  for (const name of missingSummaries) console.error(`  - ${name}`);
  failed = true;
}
if (missingExamples.length) {
  console.error(`\ndocs:api: ${missingExamples.length} callable export(s) without an @example block in fully documented subpaths:`);
  for (const name of missingExamples) console.error(`  - ${name}`);
  failed = true;
}
if (failed) process.exit(1);
if (result.status !== 0) {
  console.error(
    `\ndocs:api failed (typedoc exit ${result.status})${strict ? ': strict mode treats every validation warning as an error' : ''}`,
  );
  process.exit(result.status ?? 1);
}
console.log(
  `\ndocs:api: docs/api/ written for ${entries.length} subpaths; summaries and examples complete in ${FULLY_DOCUMENTED.join(', ')}${SUMMARIES_ENFORCED.length ? `; summaries in ${SUMMARIES_ENFORCED.join(', ')}` : ''}${undocumented.length - pending.length ? `; ${undocumented.length - pending.length} undocumented elsewhere: listed, not enforced; --strict enforces everything` : ''}`,
);
