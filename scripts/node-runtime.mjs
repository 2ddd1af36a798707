#!/usr/bin/env node
// A second Node major for the package checks, taken from the npm registry (no other download):
// the `node-<os>-<arch>` packages carry the official binary. (The `node` meta-package fetches the
// same package from a preinstall script, which npm 11 refuses to run without an allow-list.)
// Installed into a cache directory outside the project, never into node_modules.
//
//   node scripts/node-runtime.mjs 22     # prints the path of a Node 22 binary (installs it if needed)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of a `node` binary of the given major, installed on first use; throws when npm cannot get it. */
export function nodeBinary(major) {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const dir = process.env.SWITCHYARD_NODE_CACHE ?? join(tmpdir(), 'switchyard-node-runtimes');
  const prefix = join(dir, `node${major}`);
  const bin = join(prefix, 'node_modules', platformPackage, 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    // `@major` resolves to the newest release of that major; --ignore-scripts: the package is the binary.
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--no-save',
        '--ignore-scripts',
        '--no-package-lock',
        `${platformPackage}@${major}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${bin} is ${version}, not Node ${major}`);
  return { bin, version };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const major = process.argv[2] ?? '22';
  console.log(nodeBinary(major).bin);
}
