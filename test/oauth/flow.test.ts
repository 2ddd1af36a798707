/**
 * Authorization-code flow with PKCE against the strict local server: the server, not the client,
 * decides whether the verifier, redirect URI and client credentials are right.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createInMemoryTokenStore, createOAuthClient } from '../../src/oauth/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import type { AuthServer } from './support/auth-server.js';
import { CLIENT_ID, CLIENT_SECRET, connect, createClock, customClient, REDIRECT_URI, STATE_SECRET, startServer } from './support/setup.js';

let server: AuthServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isIntegrationError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('authorization-code flow with PKCE S256', () => {
  it('builds an authorization URL with S256 challenge, state and scopes, and exchanges the code', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's-1', loginHint: 'ada@example.com' });
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe(`${server.url}/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('state')).toBe(start.state);
    expect(url.searchParams.get('login_hint')).toBe('ada@example.com');
    expect(url.searchParams.get('scope')).toBe('calendar.read');
    expect(start.expiresAt).toBe(clock.now() + 600_000);

    const callback = await server.authorize(start.url);
    const connection = await client.handleCallback({ url: callback, sessionId: 's-1', userId: 'ada' });
    expect(connection).toMatchObject({
      userId: 'ada',
      connection: 'local',
      scopes: ['calendar.read'],
      missingScopes: [],
      hasRefreshToken: true,
    });
    expect(connection.expiresAt).toBe(clock.now() + 3600_000);
    const token = await client.getAccessToken('ada');
    expect(server.accessTokens).toContain(token);
  });

  it('sends the verifier whose SHA-256 is the challenge; a wrong verifier is refused by the server', async () => {
    const clock = createClock();
    const store = createMemoryStore({ now: clock.now });
    const writes: Array<{ key: string; value: { verifier: string } }> = [];
    // Observe the pending record the client keeps (verifier) and corrupt it for the second run.
    const spy = {
      ...store,
      set(key: string, value: unknown, o?: { ttlSeconds?: number }) {
        writes.push({ key, value: value as { verifier: string } });
        return store.set(key, value, o);
      },
    };
    const client = createOAuthClient({
      preset: { name: 'local', authorizationEndpoint: `${server.url}/authorize`, tokenEndpoint: `${server.url}/token` },
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      scopes: ['a'],
      stateSecret: STATE_SECRET,
      now: clock.now,
      store: spy,
      tokenStore: createInMemoryTokenStore(),
      openTelemetry: false,
    });
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const verifier = writes[0]?.value.verifier as string;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    expect(new URL(start.url).searchParams.get('code_challenge')).toBe(challenge);
    await client.handleCallback({ url: await server.authorize(start.url), sessionId: 's', userId: 'u' });

    const second = await client.createAuthorizationUrl({ sessionId: 's' });
    const pendingKey = writes.at(-1)?.key as string;
    expect(pendingKey).toMatch(/^oauth:local:pending:/);
    await store.set(pendingKey, { verifier: 'x'.repeat(43), scopes: ['a'] });
    const error = await rejection(client.handleCallback({ url: await server.authorize(second.url), sessionId: 's', userId: 'u' }));
    expect(error.code).toBe('authentication');
    expect(error.details?.oauthError).toBe('invalid_grant');
    expect(server.failures.at(-1)).toBe('invalid_grant');
  });

  it('rejects a callback that arrives at another path or host than redirectUri', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = new URL(await server.authorize(start.url));
    for (const wrong of [
      'http://127.0.0.1:3999/oauth/callback/evil',
      'http://127.0.0.1:4000/oauth/callback',
      'http://localhost:3999/oauth/callback',
    ]) {
      const moved = new URL(wrong);
      moved.search = callback.search;
      const error = await rejection(client.handleCallback({ url: moved, sessionId: 's', userId: 'u' }));
      expect(error.code).toBe('invalid_input');
      expect(error.details?.reason).toBe('redirect_uri_mismatch');
    }
    // The real callback still works: nothing was consumed by the rejected ones.
    await expect(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' })).resolves.toMatchObject({ userId: 'u' });
  });

  it('sends client credentials with HTTP Basic for custom servers, in the body when asked, and maps invalid_client', async () => {
    const clock = createClock();
    for (const clientAuth of ['client_secret_basic', 'client_secret_post'] as const) {
      const client = customClient(server, clock, { clientAuth });
      await expect(connect(client, server, `u-${clientAuth}`)).resolves.toMatchObject({ hasRefreshToken: true });
    }
    const wrong = customClient(server, clock, { clientSecret: 'not-the-secret-at-all-xxxxxx' });
    const error = await rejection(connect(wrong, server));
    expect(error.code).toBe('authentication');
    expect(error.status).toBe(401);
    expect(error.details?.oauthError).toBe('invalid_client');
  });

  it('maps a denied consent to permission, after verifying the state', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(start.url, 'deny');
    const error = await rejection(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' }));
    expect(error.code).toBe('permission');
    expect(error.details?.oauthError).toBe('access_denied');
    // An error parameter with a forged state is a state failure, not a "denied".
    const forged = new URL(callback);
    forged.searchParams.set('state', 'eyJuIjoieCJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await rejection(client.handleCallback({ url: forged, sessionId: 's', userId: 'u' }))).code).toBe('signature_invalid');
  });

  it('rejects a callback from another issuer (RFC 9207 mix-up defence)', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = new URL(await server.authorize(start.url));
    callback.searchParams.set('iss', 'https://evil.example');
    const error = await rejection(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' }));
    expect(error.code).toBe('signature_invalid');
    expect(error.details?.reason).toBe('issuer_mismatch');
  });

  it('reports requested scopes the user did not grant', async () => {
    const partial = await startServer({ grant: (requested) => requested.filter((s) => s !== 'calendar.write') });
    try {
      const client = customClient(partial, createClock(), { scopes: ['calendar.read', 'calendar.write'] });
      const connection = await connect(client, partial);
      expect(connection.scopes).toEqual(['calendar.read']);
      expect(connection.missingScopes).toEqual(['calendar.write']);
    } finally {
      await partial.close();
    }
  });

  it('accepts already-parsed params and ignores unknown ones', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = new URL(await server.authorize(start.url));
    const params = { ...Object.fromEntries(callback.searchParams), injected: 'ignored' };
    await expect(client.handleCallback({ params, sessionId: 's', userId: 'p' })).resolves.toMatchObject({ userId: 'p' });
    expect((await rejection(client.handleCallback({ sessionId: 's', userId: 'p' } as never))).code).toBe('invalid_input');
  });

  it('revokes the grant at the provider and forgets it locally', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    await connect(client, server, 'rev');
    const live = server.liveRefreshTokens.size;
    await expect(client.revoke('rev')).resolves.toEqual({ revokedAtProvider: true, hadTokens: true });
    expect(server.liveRefreshTokens.size).toBe(live - 1);
    expect((await rejection(client.getAccessToken('rev'))).code).toBe('authentication');
    await expect(client.revoke('rev')).resolves.toEqual({ revokedAtProvider: false, hadTokens: false });
  });

  it('keeps the tokens when the provider cannot revoke, so the host can retry', async () => {
    const clock = createClock();
    let down = false;
    const client = customClient(server, clock, {
      fetch: (input, init) =>
        down && String(input).endsWith('/revoke') ? Promise.resolve(new Response('busy', { status: 503 })) : fetch(input, init),
    });
    await connect(client, server, 'rev2');
    down = true;
    const error = await rejection(client.revoke('rev2'));
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    await expect(client.getAccessToken('rev2')).resolves.toMatch(/^at_/);
    down = false;
    await expect(client.revoke('rev2')).resolves.toEqual({ revokedAtProvider: true, hadTokens: true });
  });

  it('maps network failures, timeouts and malformed token responses', async () => {
    const clock = createClock();
    const cases: Array<[typeof fetch, string]> = [
      [() => Promise.reject(new TypeError('fetch failed')), 'unavailable'],
      [() => Promise.reject(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), 'timeout'],
      [() => Promise.resolve(new Response('<html>oops</html>', { status: 200 })), 'provider_error'],
      [() => Promise.resolve(Response.json({ token_type: 'Bearer' })), 'provider_error'],
      [() => Promise.resolve(Response.json({ access_token: 'a', token_type: 'DPoP' })), 'provider_error'],
      [() => Promise.resolve(Response.json({ access_token: 'a', expires_in: -5 })), 'provider_error'],
      [() => Promise.resolve(Response.json({ error: 'invalid_scope' }, { status: 400 })), 'permission'],
      [() => Promise.resolve(new Response('slow down', { status: 429, headers: { 'retry-after': '7' } })), 'rate_limited'],
    ];
    for (const [fetchImpl, code] of cases) {
      const client = customClient(server, clock, {
        fetch: (input, init) => (String(input).endsWith('/token') ? fetchImpl(input, init) : fetch(input, init)),
      });
      const error = await rejection(connect(client, server, 'net'));
      expect(error.code, code).toBe(code);
      if (code === 'rate_limited') expect(error.retryAfterMs).toBe(7000);
    }
  });

  it('rejects a non-array scopes argument clearly', async () => {
    const client = customClient(server, createClock());
    const error = await rejection(client.createAuthorizationUrl({ sessionId: 's', scopes: 'calendar' as never }));
    expect(error.code).toBe('invalid_input');
  });
});
