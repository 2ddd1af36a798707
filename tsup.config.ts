import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

/**
 * Entries come from package.json `exports`, so a subpath is declared in exactly one place:
 * `"./webhooks"` builds `src/webhooks/index.ts` to `dist/webhooks/index.{js,cjs,d.ts,d.cts}`.
 */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

const entry: Record<string, string> = {};
for (const subpath of Object.keys(pkg.exports)) {
  if (subpath === './package.json') continue;
  const name = subpath === '.' ? 'index' : `${subpath.slice(2)}/index`;
  entry[name] = `src/${name}.ts`;
}

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'neutral',
  // Keep `node:` specifiers as written: edge bundlers and our import audit recognise them, and bare
  // `net` would not resolve on platform-neutral builds of consumers.
  removeNodeProtocol: false,
  // Dependencies and optional peers stay imports; `node:*` builtins are only ever reached lazily.
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), /^node:/],
});
