/** Shared wiring for the oauth tests: a strict local server, a clock, and a client pointed at both. */
import { createOAuthClient, type OAuthClient, type OAuthClientOptions } from '../../../src/oauth/index.js';
import { type AuthServer, startAuthServer } from './auth-server.js';

export const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-client-secret-0123456789';
export const STATE_SECRET = 'state-secret-that-is-long-enough-0123456789';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function createClock(start = Date.UTC(2026, 0, 15, 9, 0, 0)): Clock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

export async function startServer(options: Partial<Parameters<typeof startAuthServer>[0]> = {}): Promise<AuthServer> {
  return startAuthServer({ redirectUri: REDIRECT_URI, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
}

export function customClient(server: AuthServer, clock: Clock, overrides: Partial<OAuthClientOptions> = {}): OAuthClient {
  return createOAuthClient({
    preset: {
      name: 'local',
      authorizationEndpoint: `${server.url}/authorize`,
      tokenEndpoint: `${server.url}/token`,
      revocationEndpoint: `${server.url}/revoke`,
      issuer: server.url,
    },
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    scopes: ['calendar.read'],
    stateSecret: STATE_SECRET,
    now: clock.now,
    openTelemetry: false,
    ...overrides,
  });
}

/** Run the whole browser round trip and store tokens for `userId`. */
export async function connect(client: OAuthClient, server: AuthServer, userId = 'user-1', sessionId = 'session-1') {
  const start = await client.createAuthorizationUrl({ sessionId });
  const callback = await server.authorize(start.url);
  return client.handleCallback({ url: callback, sessionId, userId });
}
