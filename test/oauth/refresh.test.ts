/**
 * getAccessToken: refresh before expiry, single-flight across callers and across client instances
 * sharing a store, rotation saved before use, invalid_grant surfaced, transient failures kept apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createEncryptedTokenStore, type ReauthorizationRequiredEvent, type TokenStore } from '../../src/oauth/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import type { AuthServer } from './support/auth-server.js';
import { connect, createClock, customClient, startServer } from './support/setup.js';

let server: AuthServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const KEY = Buffer.alloc(32, 7).toString('base64');

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isIntegrationError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function sharedStores(now: () => number) {
  const store = createMemoryStore({ now });
  const tokenStore = createEncryptedTokenStore({ store, keys: { k1: KEY }, currentKeyId: 'k1' });
  return { store, tokenStore };
}

describe('getAccessToken', () => {
  it('returns the stored token until skewSeconds before expiry, then refreshes once', async () => {
    const clock = createClock();
    const client = customClient(server, clock, { skewSeconds: 120 });
    const connection = await connect(client, server, 'skew');
    const first = await client.getAccessToken('skew');
    const refreshes = server.refreshes.length;
    clock.set((connection.expiresAt as number) - 121_000);
    expect(await client.getAccessToken('skew')).toBe(first);
    expect(server.refreshes.length).toBe(refreshes);
    clock.set((connection.expiresAt as number) - 120_000);
    const second = await client.getAccessToken('skew');
    expect(second).not.toBe(first);
    expect(server.refreshes.length).toBe(refreshes + 1);
  });

  it('50 concurrent callers on two client instances sharing a store around expiry cause exactly one refresh', async () => {
    const clock = createClock();
    const shared = sharedStores(clock.now);
    const a = customClient(server, clock, shared);
    const b = customClient(server, clock, shared);
    const connection = await connect(a, server, 'crowd');
    const before = server.refreshes.length;
    server.refreshDelayMs = 30; // keep the refresh in flight while everyone piles in
    try {
      clock.set((connection.expiresAt as number) - 59_000); // inside the default 60 s skew
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).getAccessToken('crowd')));
      expect(server.refreshes.length - before).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      expect(server.accessTokens.at(-1)).toBe(tokens[0]);
    } finally {
      server.refreshDelayMs = 0;
    }
  });

  it('saves the rotated refresh token before handing out the new access token, and uses it next time', async () => {
    const clock = createClock();
    const store = createMemoryStore({ now: clock.now });
    const inner = createEncryptedTokenStore({ store, keys: { k1: KEY }, currentKeyId: 'k1' });
    const events: string[] = [];
    let releaseSave: () => void = () => {};
    let holdSaves = false;
    const tokenStore: TokenStore = {
      ...inner,
      async save(userId, connection, tokens, version) {
        if (holdSaves) {
          events.push('save-started');
          await new Promise<void>((resolve) => (releaseSave = resolve));
        }
        const result = await inner.save(userId, connection, tokens, version);
        if (holdSaves) events.push('save-done');
        return result;
      },
    };
    const client = customClient(server, clock, { store, tokenStore });
    const connection = await connect(client, server, 'rot');
    const original = (await inner.get('rot', 'local'))?.tokens.refreshToken as string;
    clock.set(connection.expiresAt as number);

    holdSaves = true;
    const pending = client.getAccessToken('rot').then((token) => {
      events.push('token-returned');
      return token;
    });
    while (!events.includes('save-started')) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['save-started']); // the server already answered, but nothing was handed out
    releaseSave();
    const token = await pending;
    expect(events).toEqual(['save-started', 'save-done', 'token-returned']);
    holdSaves = false;

    const stored = (await inner.get('rot', 'local'))?.tokens;
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).not.toBe(original);
    expect(server.liveRefreshTokens.has(stored?.refreshToken as string)).toBe(true);
    expect(server.liveRefreshTokens.has(original)).toBe(false);

    // The next refresh presents the rotated token (the old one would now be invalid_grant).
    clock.set((stored?.expiresAt as number) + 1);
    await client.getAccessToken('rot');
    expect(server.refreshes.at(-1)).toBe(stored?.refreshToken);
  });

  it('turns invalid_grant into an authentication error, fires reauthorization_required once and forgets the grant', async () => {
    const clock = createClock();
    const events: ReauthorizationRequiredEvent[] = [];
    const client = customClient(server, clock, { onReauthorizationRequired: (e) => void events.push(e) });
    const connection = await connect(client, server, 'dead');
    clock.set(connection.expiresAt as number);
    server.failNextRefreshes(1, 'invalid_grant');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.getAccessToken('dead')));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason;
      expect(isIntegrationError(error) && error.code).toBe('authentication');
      expect(error.retryable).toBe(false);
      expect(error.details).toMatchObject({ reason: 'reauthorization_required', cause: 'invalid_grant' });
    }
    expect(events).toEqual([{ type: 'reauthorization_required', userId: 'dead', connection: 'local', reason: 'invalid_grant' }]);
    const again = await rejection(client.getAccessToken('dead'));
    expect(again.details).toMatchObject({ cause: 'not_connected' });
  });

  it('keeps the grant on a transient 503 and reports it as retryable unavailable', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const connection = await connect(client, server, 'flaky');
    clock.set(connection.expiresAt as number);
    server.failNextRefreshes(1, 'server_error');
    const error = await rejection(client.getAccessToken('flaky'));
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    await expect(client.getAccessToken('flaky')).resolves.toMatch(/^at_/);
  });

  it('refreshes a token an API rejected, unless another caller already replaced it', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    await connect(client, server, 'rej');
    const first = await client.getAccessToken('rej');
    const before = server.refreshes.length;
    const provider = client.tokenProvider('rej');
    const second = await provider({ rejected: first });
    expect(second).not.toBe(first);
    expect(server.refreshes.length).toBe(before + 1);
    // A slow caller reporting the old token again gets the current one without another refresh.
    expect(await provider({ rejected: first })).toBe(second);
    expect(server.refreshes.length).toBe(before + 1);
  });

  it('asks for reauthorization when the token expired and there is no refresh token', async () => {
    const noRotate = await startServer({ rotateRefreshTokens: false });
    try {
      const clock = createClock();
      const events: ReauthorizationRequiredEvent[] = [];
      const tokenStore = createEncryptedTokenStore({ store: createMemoryStore(), keys: { k: KEY }, currentKeyId: 'k' });
      const client = customClient(noRotate, clock, {
        tokenStore,
        store: createMemoryStore(),
        onReauthorizationRequired: (e) => void events.push(e),
      });
      const connection = await connect(client, noRotate, 'nort');
      const stored = await tokenStore.get('nort', 'local');
      if (!stored) throw new Error('tokens were not stored');
      const { refreshToken: _dropped, ...withoutRefresh } = stored.tokens;
      await tokenStore.save('nort', 'local', withoutRefresh, stored.version);
      clock.set(connection.expiresAt as number);
      const error = await rejection(client.getAccessToken('nort'));
      expect(error.code).toBe('authentication');
      expect(events.map((e) => e.reason)).toEqual(['no_refresh_token']);
    } finally {
      await noRotate.close();
    }
  });

  it('a refresh without rotation keeps the old refresh token', async () => {
    const noRotate = await startServer({ rotateRefreshTokens: false });
    try {
      const clock = createClock();
      const tokenStore = createEncryptedTokenStore({ store: createMemoryStore(), keys: { k: KEY }, currentKeyId: 'k' });
      const client = customClient(noRotate, clock, { tokenStore, store: createMemoryStore() });
      const connection = await connect(client, noRotate, 'keep');
      const before = (await tokenStore.get('keep', 'local'))?.tokens.refreshToken;
      clock.set(connection.expiresAt as number);
      await client.getAccessToken('keep');
      expect((await tokenStore.get('keep', 'local'))?.tokens.refreshToken).toBe(before);
    } finally {
      await noRotate.close();
    }
  });

  it('waits out a lock left by a crashed process and then refreshes', async () => {
    const clock = createClock();
    const store = createMemoryStore(); // real clock: the lock TTL must really pass
    const tokenStore = createEncryptedTokenStore({ store, keys: { k: KEY }, currentKeyId: 'k' });
    const client = customClient(server, clock, { store, tokenStore, refreshLockSeconds: 1, timeoutMs: 500 });
    const connection = await connect(client, server, 'crash');
    await store.setIfAbsent('oauth:local:refresh-lock:crash', { owner: 'crashed' }, { ttlSeconds: 0.3 });
    clock.set(connection.expiresAt as number);
    const before = server.refreshes.length;
    await expect(client.getAccessToken('crash')).resolves.toMatch(/^at_/);
    expect(server.refreshes.length).toBe(before + 1);
  });

  it('gives up with a retryable timeout when another process holds the lock for too long', async () => {
    const clock = createClock();
    const store = createMemoryStore();
    const tokenStore = createEncryptedTokenStore({ store, keys: { k: KEY }, currentKeyId: 'k' });
    const client = customClient(server, clock, { store, tokenStore, refreshLockSeconds: 1, timeoutMs: 200 });
    const connection = await connect(client, server, 'stuck');
    await store.setIfAbsent('oauth:local:refresh-lock:stuck', { owner: 'slow' }, { ttlSeconds: 60 });
    clock.set(connection.expiresAt as number);
    const error = await rejection(client.getAccessToken('stuck'));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it('rejects bad user ids and unknown users clearly', async () => {
    const client = customClient(server, createClock());
    for (const bad of ['', 'has space', 'x'.repeat(201), 42, undefined]) {
      expect((await rejection(client.getAccessToken(bad as string))).code).toBe('invalid_input');
    }
    const unknown = await rejection(client.getAccessToken('nobody'));
    expect(unknown.code).toBe('authentication');
    expect(unknown.details).toMatchObject({ cause: 'not_connected' });
  });
});
