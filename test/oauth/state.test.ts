/** The signed `state`: tampering, another session, expiry, replay and secret rotation are all refused. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createInMemoryTokenStore } from '../../src/oauth/index.js';
import type { AuthServer } from './support/auth-server.js';
import { createClock, customClient, STATE_SECRET, startServer } from './support/setup.js';

let server: AuthServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (!isIntegrationError(error)) throw error;
    return `${error.code}${error.details?.reason ? `:${error.details.reason}` : ''}`;
  }
}

function withState(callback: string, state: string): URL {
  const url = new URL(callback);
  url.searchParams.set('state', state);
  return url;
}

describe('signed state', () => {
  it('rejects any single-character change to the state', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(start.url);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(fc.nat(start.state.length - 1), fc.constantFrom(...alphabet), async (index, char) => {
        fc.pre(start.state[index] !== char && start.state[index] !== '.');
        const tampered = start.state.slice(0, index) + char + start.state.slice(index + 1);
        const code = await codeOf(client.handleCallback({ url: withState(callback, tampered), sessionId: 's', userId: 'u' }));
        // Includes the signature's last character, whose spare bits must not be ignored (canonical base64url).
        if (code === 'resolved') throw new Error(`tampered state accepted at ${index}`);
        expect(['signature_invalid:bad_signature', 'invalid_input:malformed']).toContain(code);
      }),
      { numRuns: 40 },
    );
    // Every other spelling of the last character, including ones that differ only in spare bits.
    for (const char of alphabet) {
      if (char === start.state.at(-1)) continue;
      const tampered = start.state.slice(0, -1) + char;
      expect(await codeOf(client.handleCallback({ url: withState(callback, tampered), sessionId: 's', userId: 'u' }))).not.toBe('resolved');
    }
    // The untouched state still completes: tampering attempts consumed nothing.
    await expect(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' })).resolves.toBeDefined();
  });

  it('binds the state to the session that started the flow', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 'victim-session' });
    const callback = await server.authorize(start.url);
    expect(await codeOf(client.handleCallback({ url: callback, sessionId: 'attacker-session', userId: 'u' }))).toBe(
      'signature_invalid:session_mismatch',
    );
    // The session id never travels to the provider.
    expect(start.url).not.toContain('victim-session');
  });

  it('expires after stateTtlSeconds', async () => {
    const clock = createClock();
    const client = customClient(server, clock, { stateTtlSeconds: 60 });
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(start.url);
    clock.advance(60_000);
    expect(await codeOf(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' }))).toBe('timestamp_out_of_tolerance:expired');
  });

  it('is single-use: a replayed callback is refused, also when two arrive at once', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(start.url);
    const results = await Promise.all([1, 2, 3].map(() => codeOf(client.handleCallback({ url: callback, sessionId: 's', userId: 'u' }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(results.filter((r) => r === 'replayed:state_used')).toHaveLength(2);
  });

  it('refuses a state signed with another secret, and verifies with a rotated-out secret still listed', async () => {
    const clock = createClock();
    const store = createMemoryStore({ now: clock.now });
    const tokenStore = createInMemoryTokenStore();
    const oldSecret = 'the-old-state-secret-0123456789abcdef';
    const before = customClient(server, clock, { stateSecret: oldSecret, store, tokenStore });
    const other = customClient(server, clock, { stateSecret: 'an-unrelated-state-secret-0123456789', store, tokenStore });
    const after = customClient(server, clock, { stateSecret: [STATE_SECRET, oldSecret], store, tokenStore });
    const first = await before.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(first.url);
    expect(await codeOf(other.handleCallback({ url: callback, sessionId: 's', userId: 'u' }))).toBe('signature_invalid:bad_signature');
    expect(await codeOf(after.handleCallback({ url: callback, sessionId: 's', userId: 'u' }))).toBe('resolved');
  });

  it('rejects missing and malformed states with invalid_input', async () => {
    const clock = createClock();
    const client = customClient(server, clock);
    const start = await client.createAuthorizationUrl({ sessionId: 's' });
    const callback = await server.authorize(start.url);
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect(await codeOf(client.handleCallback({ url: noState, sessionId: 's', userId: 'u' }))).toBe('invalid_input');
    for (const bad of ['no-dot', 'a.b.c', '.', `${'A'.repeat(2000)}.x`, '!!!.###']) {
      expect(await codeOf(client.handleCallback({ url: withState(callback, bad), sessionId: 's', userId: 'u' }))).toBe(
        'invalid_input:malformed',
      );
    }
    expect(await codeOf(client.handleCallback({ url: callback, sessionId: '', userId: 'u' }))).toBe('invalid_input');
    expect(await codeOf(client.handleCallback({ url: callback, sessionId: 's', userId: '' }))).toBe('invalid_input');
  });
});
