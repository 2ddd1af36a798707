#!/usr/bin/env node
// `npm run docs:api`: the API reference with TypeDoc into docs/api/ (generated, not committed),
// one module per subpath in package.json `exports`, so new subpaths are documented the day they land.
//
// TypeDoc's validation lists every public export without a doc comment. Today many exports have
// none, so by default they are listed and counted but do not fail the run; `--strict` (or
// SWITCHYARD_DOCS_STRICT=1) turns any validation warning into a failure, which is where CI should
// go once the backlog is cleared (see docs/decisions.md).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.keys(pkg.exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? 'src/index.ts' : `src/${s.slice(2)}/index.ts`));
const strict = process.argv.includes('--strict') || process.env.SWITCHYARD_DOCS_STRICT === '1';

const args = ['typedoc', '--options', 'typedoc.json', ...(strict ? ['--treatValidationWarningsAsErrors'] : []), ...entries];
const result = spawnSync('npx', args, { cwd: root, encoding: 'utf8' });
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping TypeDoc's ANSI colours
const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
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
if (result.status !== 0) {
  console.error(
    `\ndocs:api failed (typedoc exit ${result.status})${strict ? ': strict mode treats every validation warning as an error' : ''}`,
  );
  process.exit(result.status ?? 1);
}
console.log(
  `\ndocs:api: docs/api/ written for ${entries.length} subpaths${undocumented.length ? `; ${undocumented.length} undocumented (not enforced; run with --strict to enforce)` : ''}`,
);
