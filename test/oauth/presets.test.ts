/** Presets (endpoints, least-privilege scopes, offline parameters) and option validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import {
  createInMemoryTokenStore,
  createOAuthClient,
  GOOGLE_SCOPES,
  MICROSOFT_SCOPES,
  type OAuthClientOptions,
} from '../../src/oauth/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import type { AuthServer } from './support/auth-server.js';
import { CLIENT_ID, CLIENT_SECRET, createClock, REDIRECT_URI, STATE_SECRET, startServer } from './support/setup.js';

const base: OAuthClientOptions = {
  preset: 'google',
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUri: REDIRECT_URI,
  features: ['calendar.read'],
  stateSecret: STATE_SECRET,
  openTelemetry: false,
};

function configError(options: unknown): { field: string; message: string } {
  try {
    createOAuthClient(options as OAuthClientOptions);
  } catch (error) {
    if (isIntegrationError(error) && error.code === 'invalid_config')
      return { field: String(error.details?.field), message: error.message };
    throw error;
  }
  throw new Error('expected invalid_config');
}

describe('google preset', () => {
  it('asks for a refresh token with access_type=offline and prompt=consent, and the least-privilege scopes', async () => {
    const client = createOAuthClient(base);
    expect(client.connection).toBe('google');
    expect(client.scopes).toEqual(GOOGLE_SCOPES['calendar.read']);
    const url = new URL((await client.createAuthorizationUrl({ sessionId: 's' })).url);
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toBe(
      'https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events.readonly',
    );
    const online = new URL((await createOAuthClient({ ...base, offline: false }).createAuthorizationUrl({ sessionId: 's' })).url);
    expect(online.searchParams.has('access_type')).toBe(false);
  });

  it('picks the narrow scope per feature: never the full calendar scope', () => {
    expect(createOAuthClient({ ...base, features: ['calendar.freebusy'] }).scopes).toEqual([
      'https://www.googleapis.com/auth/calendar.events.freebusy',
    ]);
    expect(createOAuthClient({ ...base, features: ['calendar.readwrite'] }).scopes).toContain(
      'https://www.googleapis.com/auth/calendar.events',
    );
    for (const set of Object.values(GOOGLE_SCOPES)) expect(set).not.toContain('https://www.googleapis.com/auth/calendar');
  });

  describe('against the local server standing in for Google', () => {
    let server: AuthServer;
    beforeAll(async () => {
      server = await startServer({ issuer: 'https://accounts.google.com' });
    });
    afterAll(() => server.close());

    it('posts to the Google token endpoint with the client secret in the body', async () => {
      const seen: string[] = [];
      const client = createOAuthClient({
        ...base,
        now: createClock().now,
        fetch: async (input, init) => {
          const url = new URL(String(input));
          seen.push(url.toString());
          return fetch(`${server.url}${url.pathname === '/token' ? '/token' : '/revoke'}`, init);
        },
      });
      const start = await client.createAuthorizationUrl({ sessionId: 's' });
      const connection = await client.handleCallback({ url: await server.authorize(start.url), sessionId: 's', userId: 'g' });
      expect(connection.connection).toBe('google');
      expect(seen).toEqual(['https://oauth2.googleapis.com/token']);
      await client.revoke('g');
      expect(seen.at(-1)).toBe('https://oauth2.googleapis.com/revoke');
    });
  });
});

describe('microsoft preset', () => {
  it('uses the tenant endpoints and offline_access instead of access_type', async () => {
    const client = createOAuthClient({ ...base, preset: 'microsoft', tenant: 'contoso.onmicrosoft.com', features: ['calendar.freebusy'] });
    expect(client.scopes).toEqual([...MICROSOFT_SCOPES['calendar.freebusy'], 'offline_access']);
    const url = new URL((await client.createAuthorizationUrl({ sessionId: 's' })).url);
    expect(url.origin + url.pathname).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize');
    expect(url.searchParams.get('scope')).toBe('https://graph.microsoft.com/Calendars.ReadBasic offline_access');
    expect(url.searchParams.has('access_type')).toBe(false);
    expect(createOAuthClient({ ...base, preset: 'microsoft', offline: false }).scopes).not.toContain('offline_access');
  });

  it('has no revocation endpoint: revoke forgets locally and says so', async () => {
    const tokenStore = createInMemoryTokenStore();
    await tokenStore.save('m', 'microsoft', { accessToken: 'a', scopes: [], tokenType: 'Bearer', obtainedAt: 0 }, null);
    const client = createOAuthClient({ ...base, preset: 'microsoft', tokenStore });
    await expect(client.revoke('m')).resolves.toEqual({ revokedAtProvider: false, hadTokens: true });
    expect(await tokenStore.get('m', 'microsoft')).toBeUndefined();
  });
});

describe('option validation', () => {
  it('names the bad field and never echoes a secret', () => {
    const short = 'short-secret';
    expect(configError({ ...base, stateSecret: short })).toMatchObject({ field: 'stateSecret' });
    expect(configError({ ...base, stateSecret: short }).message).not.toContain(short);
    expect(configError({ ...base, stateSecret: [STATE_SECRET, short] }).field).toBe('stateSecret[1]');
    expect(configError({ ...base, redirectUri: 'http://example.com/cb' }).field).toBe('redirectUri');
    expect(configError({ ...base, redirectUri: 'https://example.com/cb#frag' }).field).toBe('redirectUri');
    expect(configError({ ...base, redirectUri: 'not a url' }).field).toBe('redirectUri');
    expect(configError({ ...base, features: undefined, scopes: [] }).field).toBe('scopes');
    expect(configError({ ...base, scopes: ['has space'] }).field).toBe('scopes.0');
    expect(configError({ ...base, clientId: '' }).field).toBe('clientId');
    expect(configError({ ...base, preset: 'github' }).field).toBe('preset');
    expect(configError({ ...base, clientSecret: undefined, clientAuth: 'client_secret_post' }).field).toBe('clientSecret');
    expect(configError({ ...base, store: createMemoryStore() }).field).toBe('tokenStore');
    expect(configError({ ...base, timeoutMs: 40_000 }).field).toBe('timeoutMs');
    expect(configError({ ...base, fetch: 'nope' }).field).toBe('fetch');
    expect(
      configError({ ...base, preset: { authorizationEndpoint: 'http://evil.example/a', tokenEndpoint: 'https://x.example/t' } }).field,
    ).toBe('preset.authorizationEndpoint');
    expect(
      configError({ ...base, preset: { authorizationEndpoint: 'https://a.example/a', tokenEndpoint: 'https://a.example/t' } }).field,
    ).toBe('features');
    expect(configError(undefined).field).toBe('options');
  });

  it('allows a public client (no secret) with PKCE alone', async () => {
    const client = createOAuthClient({ ...base, clientSecret: undefined });
    await expect(client.createAuthorizationUrl({ sessionId: 's' })).resolves.toBeDefined();
  });
});
