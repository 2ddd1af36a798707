/**
 * Every edge-ready subpath (scripts/subpath-policy.mjs), from the sources, bundled the way an edge
 * bundler would (browser platform, no hint about our lazy `node:` path) and loaded inside the Edge
 * Runtime VM, which has Web APIs only. The subpaths' own edge tests run real work; this one makes
 * sure a subpath added to EDGE_READY is at least loadable there without anyone writing a test.
 * `npm run check:package` does the same on the packed tarball.
 */
import { readFileSync } from 'node:fs';
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EDGE_READY } from '../../scripts/subpath-policy.mjs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};
const subpaths = Object.keys(pkg.exports).filter((s) => EDGE_READY.includes(s));
const sourceOf = (s: string) => (s === '.' ? './src/index.ts' : `./src/${s.slice(2)}/index.ts`);

describe.each(subpaths)('edge-ready subpath %s', (subpath) => {
  it('loads in the Edge Runtime VM with all its exports', async () => {
    const out = await build({
      stdin: {
        contents: `import * as m from '${sourceOf(subpath)}'; globalThis.__exports = Object.keys(m).sort().join(',');`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      external: Object.keys(pkg.peerDependencies),
      logLevel: 'silent',
    });
    const vm = new EdgeVM();
    vm.evaluate(out.outputFiles[0]?.text ?? '');
    const names = String(vm.evaluate('globalThis.__exports')).split(',');
    // The VM sees the same export list Node does: nothing was dropped or failed to initialise.
    const onNode = Object.keys(await import(sourceOf(subpath).replace('./', '../../'))).sort();
    expect(names).toEqual(onNode);
  });
});
