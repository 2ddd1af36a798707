/**
 * The verifiers on a Web-standard runtime: `src/webhooks/index.ts` is bundled with esbuild into a
 * script and evaluated in an `@edge-runtime/vm` EdgeVM (the runtime behind Vercel's Edge and
 * `edge-runtime`), where there is no `process`, no `Buffer` and no `node:` module. Every provider's
 * valid and forged scenario must give the same verdict as on Node, through Web Crypto.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildScenarios } from './scenarios.js';

const scenarios = buildScenarios();
let vm: EdgeVM;
let bundle: string;

beforeAll(async () => {
  const result = await build({
    stdin: {
      contents: "export * from './src/webhooks/index.ts'; export { backendName } from './src/webhooks/crypto.ts';",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'switchyardWebhooks',
    platform: 'browser',
    target: 'es2022',
    // No `external: ['node:*']`: an edge bundler must not need to be told about our lazy Node path.
    logLevel: 'warning',
  });
  bundle = result.outputFiles[0]?.text ?? '';
  vm = new EdgeVM();
  vm.evaluate(bundle);
  vm.evaluate(`
    globalThis.__runScenario = async (json) => {
      const s = JSON.parse(json);
      const { nowMs, certificatePem, ...options } = s.options;
      if (typeof nowMs === 'number') options.now = () => nowMs;
      if (typeof certificatePem === 'string') options.fetchCertificate = async () => certificatePem;
      try {
        await switchyardWebhooks[s.verifier](s.raw, options);
        return 'ok';
      } catch (error) {
        return error instanceof switchyardWebhooks.WebhookVerificationError ? error.code : 'foreign error: ' + String(error);
      }
    };
  `);
}, 60_000);

describe('webhooks in an edge-runtime VM', () => {
  it('runs in a realm without process, Buffer or require', () => {
    expect(vm.evaluate('typeof process + "," + typeof Buffer + "," + typeof require + "," + typeof EdgeRuntime')).toBe(
      'undefined,undefined,undefined,string',
    );
  });

  it('the bundle has no node: import at all that a bundler could try to resolve', () => {
    expect(bundle).not.toMatch(/["']node:/);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_n, s) => {
    const verdict = (await vm.evaluate(`__runScenario(${JSON.stringify(JSON.stringify(s))})`)) as string;
    expect(verdict).toBe(s.expect);
  });

  it('took the Web Crypto path', () => {
    expect(vm.evaluate('switchyardWebhooks.backendName()')).toBe('web');
  });

  it('answers a Graph validation request with a Response of the edge realm', async () => {
    const text = await vm.evaluate(`switchyardWebhooks.graphValidationResponse('https://x.example/g?validationToken=abc%20d').text()`);
    expect(text).toBe('abc d');
  });

  it('reads a Fetch Request of the edge realm with fromFetchRequest', async () => {
    const verdict = await vm.evaluate(`(async () => {
      const req = new Request('https://x.example/hook', { method: 'POST', body: 'a=1', headers: { 'x-goog-channel-id': 'c', 'x-goog-channel-token': 't', 'x-goog-resource-id': 'r', 'x-goog-resource-state': 'exists' } });
      const raw = await switchyardWebhooks.fromFetchRequest(req);
      const result = await switchyardWebhooks.verifyGoogleChannel(raw, { token: 't' });
      return result.payload.resourceState + ':' + raw.body.byteLength;
    })()`);
    expect(verdict).toBe('exists:3');
  });
});
