/**
 * Static audit of every subpath's import graph, from the sources (the packed tarball gets the same
 * audit at run time in `npm run check:package`):
 * - a subpath loads no provider SDK it does not own (importing `switchyard/webhooks` must never load stripe);
 * - the edge-ready subpaths have no static `node:` import anywhere in their graph;
 * - package.json `exports` and `src/` agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EDGE_READY, SDK_OWNERS, packageOf } from '../../scripts/subpath-policy.mjs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const sourceOf = (s: string) => (s === '.' ? 'src/index.ts' : `src/${s.slice(2)}/index.ts`);

async function staticImports(subpath: string): Promise<string[]> {
  const result = await build({
    entryPoints: [sourceOf(subpath)],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    packages: 'external',
    external: ['node:*'],
    logLevel: 'silent',
  });
  const imports = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && imp.kind !== 'dynamic-import') imports.add(imp.path);
  }
  return [...imports];
}

describe('package layout', () => {
  it('every exports entry has its source file', () => {
    for (const s of subpaths) expect(existsSync(sourceOf(s)), sourceOf(s)).toBe(true);
  });

  it('every optional peer SDK is owned by a subpath, and only peers are SDKs', () => {
    for (const sdk of Object.keys(SDK_OWNERS)) expect(sdk in pkg.dependencies).toBe(false);
  });
});

describe.each(subpaths)('subpath %s', (subpath) => {
  it('statically imports only the provider SDKs it owns', async () => {
    const packages = (await staticImports(subpath)).filter((p) => !p.startsWith('node:')).map(packageOf);
    const foreign = packages.filter((p) => p in SDK_OWNERS && !SDK_OWNERS[p]?.includes(subpath));
    expect(foreign).toEqual([]);
    const undeclared = packages.filter((p) => !(p in pkg.dependencies) && !(p in pkg.peerDependencies));
    expect(undeclared, 'imports a package that is neither a dependency nor a peer').toEqual([]);
  });

  it.runIf(EDGE_READY.includes(subpath))('is edge-ready: no static node: import in its graph', async () => {
    expect((await staticImports(subpath)).filter((p) => p.startsWith('node:'))).toEqual([]);
  });
});
