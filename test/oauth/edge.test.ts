/**
 * `switchyard/oauth` on a Web-standard runtime: the bundled subpath runs inside the Edge Runtime VM
 * (no Node globals, Web Crypto and fetch only) through a full authorization against the local server.
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthServer } from './support/auth-server.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, STATE_SECRET, startServer } from './support/setup.js';

let server: AuthServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('edge runtime', () => {
  it('authorizes, stores encrypted tokens and refreshes inside the Edge Runtime VM', async () => {
    const bundle = await build({
      stdin: {
        contents: "export * from './src/oauth/index.ts'; export { createMemoryStore } from './src/stores/index.ts';",
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'switchyardOAuth',
      platform: 'browser',
      external: ['@opentelemetry/api'],
      logLevel: 'silent',
    });
    const vm = new EdgeVM();
    expect(vm.evaluate('typeof process === "undefined" || typeof process.versions?.node === "undefined"')).toBe(true);
    vm.evaluate(bundle.outputFiles[0]?.text as string);
    const config = {
      server: server.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      stateSecret: STATE_SECRET,
    };
    vm.evaluate(`
      const cfg = ${JSON.stringify(config)};
      const { createMemoryStore, createEncryptedTokenStore, createOAuthClient } = switchyardOAuth;
      let clock = Date.UTC(2026, 0, 1);
      globalThis.store = createMemoryStore({ now: () => clock });
      globalThis.client = createOAuthClient({
        preset: { name: 'edge', authorizationEndpoint: cfg.server + '/authorize', tokenEndpoint: cfg.server + '/token' },
        clientId: cfg.clientId, clientSecret: cfg.clientSecret, redirectUri: cfg.redirectUri, scopes: ['calendar.read'],
        stateSecret: cfg.stateSecret, now: () => clock, openTelemetry: false, store,
        tokenStore: createEncryptedTokenStore({ store, keys: { k1: crypto.getRandomValues(new Uint8Array(32)) }, currentKeyId: 'k1' }),
      });
      globalThis.advance = (ms) => { clock += ms; };
    `);
    const start = (await vm.evaluate(`client.createAuthorizationUrl({ sessionId: 'edge-session' })`)) as { url: string };
    const callback = await server.authorize(start.url);
    const result = (await vm.evaluate(`(async () => {
      const connection = await client.handleCallback({ url: ${JSON.stringify(callback)}, sessionId: 'edge-session', userId: 'edge-user' });
      const first = await client.getAccessToken('edge-user');
      advance(3600 * 1000);
      const second = await client.getAccessToken('edge-user');
      const raw = JSON.stringify((await store.get('tokens:edge:edge-user')).value);
      return JSON.stringify({ connection, changed: first !== second, second, raw });
    })()`)) as string;
    const parsed = JSON.parse(result) as { connection: { userId: string }; changed: boolean; second: string; raw: string };
    expect(parsed.connection.userId).toBe('edge-user');
    expect(parsed.changed).toBe(true);
    expect(server.accessTokens).toContain(parsed.second);
    expect(parsed.raw).not.toContain(parsed.second);
    expect(parsed.raw).toContain('A256GCM');
  });
});
