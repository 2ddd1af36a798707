#!/usr/bin/env node
// Checks the package as users get it: packs the tarball (prepack builds it), runs publint and
// @arethetypeswrong/cli on it, installs it into a temporary project, then for every subpath:
//   - imports it through ESM and requires it through CJS;
//   - records which provider SDKs each load pulls in, and fails if a subpath loads one it does not need;
//   - does both again under Node 22 (a binary from the npm registry, see node-runtime.mjs);
//   - loads every edge-ready subpath of the installed package inside the Edge Runtime VM;
//   - type-checks a consumer file against the published .d.ts (moduleResolution node16, both formats);
// and checks every subpath's min+gzip size against scripts/size-budget.json (size.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { nodeBinary } from './node-runtime.mjs';
import { runSizeCheck } from './size.mjs';
import { EDGE_READY, SDK_OWNERS, packageOf } from './subpath-policy.mjs';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const specifier = (s) => (s === '.' ? pkg.name : `${pkg.name}/${s.slice(2)}`);

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const failures = [];
const work = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
try {
  console.log('• building and packing');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }));
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  const stray = files.filter((f) => !/^(dist\/|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(f));
  if (stray.length) failures.push(`tarball has files outside dist/README/CHANGELOG/LICENSE: ${stray.join(', ')}`);
  console.log(`  ${packed[0].filename}: ${files.length} files, ${(packed[0].size / 1024).toFixed(1)} KiB packed`);

  console.log('• size budget (min + gzip, scripts/size-budget.json)');
  try {
    for (const p of await runSizeCheck(root, (line) => console.log(`  ${line}`))) failures.push(`size: ${p}`);
  } catch (e) {
    failures.push(`size: ${e.message}`);
  }

  console.log('• publint');
  try {
    console.log(run('npx', ['publint', '--strict', tarball], { cwd: root }).trim());
  } catch (e) {
    failures.push(`publint: ${e.stdout ?? e.message}`);
  }

  console.log('• @arethetypeswrong/cli (node16 + bundler; node10 cannot resolve subpaths at all)');
  try {
    console.log(run('npx', ['attw', tarball, '--profile', 'node16', '--format', 'table-flipped'], { cwd: root }).trim());
  } catch (e) {
    failures.push(`attw: ${e.stdout ?? e.message}`);
  }

  console.log('• installing the tarball into a temporary project');
  const app = join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const peers = Object.keys(pkg.peerDependencies ?? {}).map((p) => `${p}@${pkg.devDependencies[p] ?? pkg.peerDependencies[p]}`);
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      ...peers,
      `typescript@${pkg.devDependencies.typescript}`,
      `@types/node@${pkg.devDependencies['@types/node']}`,
    ],
    { cwd: app },
  );

  // A resolve hook reports every bare specifier resolved, so ESM loads can be audited like require.cache.
  writeFileSync(
    join(app, 'record-hooks.mjs'),
    `let port; export function initialize(data) { port = data.port; }
     export async function resolve(specifier, context, next) {
       if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:')) port.postMessage(specifier);
       return next(specifier, context);
     }`,
  );
  writeFileSync(
    join(app, 'probe.mjs'),
    `import { register, createRequire } from 'node:module';
     import { MessageChannel } from 'node:worker_threads';
     const [mode, spec] = process.argv.slice(2);
     const seen = new Set();
     if (mode === 'esm') {
       const { port1, port2 } = new MessageChannel();
       port1.on('message', (s) => seen.add(s)); port1.unref();
       register('./record-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });
       const mod = await import(spec);
       if (Object.keys(mod).length === 0) throw new Error(spec + ' has no exports');
       await new Promise((r) => setTimeout(r, 100));
     } else {
       const require = createRequire(import.meta.url);
       const mod = require(spec);
       if (Object.keys(mod).length === 0) throw new Error(spec + ' has no exports');
       for (const file of Object.keys(require.cache)) {
         const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')));
         if (m) seen.add(m[1]);
       }
     }
     console.log(JSON.stringify([...seen]));`,
  );
  // Node 20 is the engines floor (and what CI runs); 22 is the current LTS. Without network the
  // second runtime cannot be fetched: that is a failure in CI and a warning on a laptop.
  const runtimes = [{ bin: process.execPath, version: process.version }];
  try {
    const node22 = nodeBinary(22);
    if (node22.version !== process.version) runtimes.push(node22);
  } catch (e) {
    const message = `Node 22 could not be installed from the npm registry: ${
      String(e.stderr ?? e.message)
        .trim()
        .split('\n')[0]
    }`;
    if (process.env.CI) failures.push(message);
    else console.warn(`  warning: ${message}; imports checked on ${process.version} only`);
  }
  for (const runtime of runtimes) {
    console.log(`• importing every subpath on Node ${runtime.version}`);
    for (const sub of subpaths) {
      for (const mode of ['esm', 'cjs']) {
        const spec = specifier(sub);
        try {
          const loaded = JSON.parse(run(runtime.bin, ['probe.mjs', mode, spec], { cwd: app }).trim().split('\n').pop());
          const packages = new Set(loaded.map(packageOf));
          const wrong = [...packages].filter((p) => p in SDK_OWNERS && !SDK_OWNERS[p].includes(sub));
          if (wrong.length) failures.push(`${spec} (${mode}, Node ${runtime.version}) loads ${wrong.join(', ')}`);
          console.log(`  ${mode} ${spec}: ok${packages.size ? ` (loads ${[...packages].sort().join(', ')})` : ''}`);
        } catch (e) {
          failures.push(`${mode} ${spec} on Node ${runtime.version}: ${e.message}`);
        }
      }
    }
  }

  // What an edge bundler (Vercel, Wrangler) does with the published files: bundle for the browser
  // platform with no hint about our lazy `node:` path, then evaluate with Web APIs only.
  console.log('• loading the edge-ready subpaths inside the Edge Runtime VM');
  for (const sub of subpaths.filter((s) => EDGE_READY.includes(s))) {
    const spec = specifier(sub);
    try {
      const out = await build({
        stdin: {
          contents: `import * as m from '${spec}'; globalThis.__exports = Object.keys(m).sort().join(',');`,
          resolveDir: app,
          loader: 'js',
        },
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        external: Object.keys(pkg.peerDependencies ?? {}),
        logLevel: 'silent',
      });
      const vm = new EdgeVM();
      vm.evaluate(out.outputFiles[0].text);
      const names = String(vm.evaluate('globalThis.__exports'));
      if (!names) throw new Error('no exports');
      console.log(`  ${spec}: ok (${names.split(',').length} exports)`);
    } catch (e) {
      failures.push(`edge runtime ${spec}: ${e.message.split('\n')[0]}`);
    }
  }

  console.log('• type-checking a consumer against the published .d.ts (node16, ESM and CJS)');
  const imports = subpaths.map((s, i) => `import * as m${i} from '${specifier(s)}';`).join('\n');
  const uses = `export const all = [${subpaths.map((_, i) => `m${i}`).join(', ')}];\n`;
  writeFileSync(join(app, 'consumer.mts'), `${imports}\n${uses}`);
  writeFileSync(join(app, 'consumer.cts'), `${imports}\n${uses}`);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        lib: ['ES2023', 'DOM'],
      },
      files: ['consumer.mts', 'consumer.cts'],
    }),
  );
  try {
    run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: app });
    console.log('  ok');
  } catch (e) {
    failures.push(`consumer type-check: ${e.stdout ?? e.message}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\ncheck:package found ${failures.length} problem(s):`);
  for (const f of failures) console.error(`- ${f}`);
  process.exit(1);
}
console.log('\ncheck:package: no problems');
