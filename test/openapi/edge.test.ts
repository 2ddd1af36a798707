/**
 * `switchyard/openapi` builds the same document inside the Edge Runtime VM (Web APIs only, zod
 * bundled in) as on Node, so a Worker or an Edge route can serve it.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { buildWebhookOpenApi, WEBHOOK_PROVIDERS } from '../../src/openapi/index.js';

it('builds the same document on the Edge Runtime as on Node', async () => {
  const out = await build({
    stdin: {
      contents: `import { buildWebhookOpenApi, WEBHOOK_PROVIDERS } from './src/openapi/index.ts';
        globalThis.__doc = JSON.stringify(buildWebhookOpenApi({ basePath: '/hooks', providers: WEBHOOK_PROVIDERS }));
        try { buildWebhookOpenApi({ providers: ['paypal'] }); } catch (e) { globalThis.__error = e.code + ' ' + e.details.field; }`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    logLevel: 'silent',
  });
  const vm = new EdgeVM();
  vm.evaluate(out.outputFiles[0]?.text ?? '');
  expect(JSON.parse(String(vm.evaluate('globalThis.__doc')))).toEqual(
    buildWebhookOpenApi({ basePath: '/hooks', providers: WEBHOOK_PROVIDERS }),
  );
  expect(vm.evaluate('globalThis.__error')).toBe('invalid_input providers[0]');
});
