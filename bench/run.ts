/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process (so one benchmark's JIT state and
 * heap never colour another's) and prints their tables. `npm run bench -- webhooks` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((w) => f.includes(w)))
  .sort();
console.log(`# switchyard benchmarks\n\nNode ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `${dir}${file}`], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${file} failed with exit code ${result.status}`);
  }
}
process.exit(failed ? 1 : 0);
