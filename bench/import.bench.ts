/**
 * Cold import time of every subpath, as a ratio to importing the provider SDKs a host would
 * otherwise load directly: `stripe` and `@googleapis/calendar` (the anchors). "Cold" means a fresh
 * `node` process per sample, so nothing is cached in the module graph; the child times only its
 * own `import()` (Node's start-up is the same for every case and would only dilute the ratios).
 *
 * Subpaths are imported by their public names (`switchyard/webhooks`), which Node resolves through
 * package.json `exports` to the built files in `dist/`, exactly what a user loads; so this needs
 * `npm run build` first. Every subpath in `exports` is measured: new ones join the table by themselves.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { name: string; exports: Record<string, unknown> };
if (!existsSync(`${root}dist/index.js`)) {
  console.error('import.bench: dist/ is missing; run `npm run build` first (this measures the built package).');
  process.exit(1);
}

const anchors = ['stripe', '@googleapis/calendar'];
const subpaths = Object.keys(pkg.exports)
  .filter((s) => s !== './package.json')
  .map((s) => (s === '.' ? pkg.name : `${pkg.name}/${s.slice(2)}`));
const SAMPLES = Number(process.env.IMPORT_BENCH_SAMPLES ?? 15);

/** One cold import in a fresh process: milliseconds spent in `import(specifier)`. */
function coldImport(specifier: string): number {
  const child = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  // No tsx loader in the child: plain Node, as in production. cwd is the repo so the package resolves itself.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { cwd: root, encoding: 'utf8' });
  return Number(out.trim());
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

// Interleaved rounds: a burst of load on the shared machine hits every case alike, not one of them.
const cases = [...anchors, ...subpaths];
const samples = new Map<string, number[]>(cases.map((c) => [c, []]));
for (let round = 0; round < SAMPLES; round++) for (const c of cases) samples.get(c)?.push(coldImport(c));

const stripeMs = median(samples.get('stripe') ?? []);
const googleMs = median(samples.get('@googleapis/calendar') ?? []);
console.log(`\n## Cold import, fresh process per sample (median of ${SAMPLES}, Node ${process.version})\n`);
console.log('| import | median ms | ratio to `stripe` | ratio to `@googleapis/calendar` |');
console.log('| --- | ---: | ---: | ---: |');
for (const c of cases) {
  const ms = median(samples.get(c) ?? []);
  const label = anchors.includes(c) ? `\`${c}\` (anchor)` : `\`${c}\``;
  console.log(`| ${label} | ${ms.toFixed(1)} | ${(ms / stripeMs).toFixed(2)}× | ${(ms / googleMs).toFixed(2)}× |`);
}
