/**
 * switchyard/oauth hot paths against anchors measured in the same run:
 * - getAccessToken on a fresh token (the call every adapter makes per request) vs a bare memory-store get;
 * - encrypted token-store read vs the same read in plaintext (the price of AES-256-GCM at rest);
 * - state sign + verify vs one bare HMAC-SHA-256 sign + verify through Web Crypto;
 * - telemetry.instrument around a no-op vs calling the no-op directly.
 */
import { createTelemetry } from '../src/index.js';
import { createEncryptedTokenStore, createInMemoryTokenStore, createOAuthClient } from '../src/oauth/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { measure, report } from './harness.js';

const tokens = {
  accessToken: 'ya29.a0AfH6SMBx-bench-access-token-value-000000000000000000000000',
  refreshToken: '1//0bench-refresh-token-value-00000000000000000000',
  expiresAt: Date.now() + 3600_000,
  scopes: ['https://www.googleapis.com/auth/calendar.events'],
  tokenType: 'Bearer',
  obtainedAt: Date.now(),
};

// getAccessToken, fresh token, encrypted store.
const store = createMemoryStore();
const encrypted = createEncryptedTokenStore({ store, keys: { k1: crypto.getRandomValues(new Uint8Array(32)) }, currentKeyId: 'k1' });
const plain = createInMemoryTokenStore();
await encrypted.save('u1', 'google', tokens, null);
await plain.save('u1', 'google', tokens, null);
const client = createOAuthClient({
  preset: 'google',
  clientId: 'bench',
  clientSecret: 'bench-secret',
  redirectUri: 'https://app.example/cb',
  features: ['calendar.read'],
  stateSecret: 'bench-state-secret-0123456789abcdef',
  store,
  tokenStore: encrypted,
  openTelemetry: false,
});
await store.set('anchor', tokens);

const anchorGet = await measure('memory store get', () => store.get('anchor'));
const plainGet = await measure('plaintext token store get', () => plain.get('u1', 'google'));
const encryptedGet = await measure('encrypted token store get (cached decrypt)', () => encrypted.get('u1', 'google'));
const uncached = createEncryptedTokenStore({
  store,
  keys: { k1: crypto.getRandomValues(new Uint8Array(32)) },
  currentKeyId: 'k1',
  cacheSize: 0,
});
await uncached.save('u2', 'google', tokens, null);
const uncachedGet = await measure('encrypted token store get (AES-256-GCM every read)', () => uncached.get('u2', 'google'));
const fresh = await measure('getAccessToken, fresh token, encrypted store', () => client.getAccessToken('u1'));
report('Token reads (target: getAccessToken on a fresh token within 5× of a bare store get)', anchorGet, [
  plainGet,
  encryptedGet,
  uncachedGet,
  fresh,
]);

// State sign + verify vs one bare HMAC sign + verify.
const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, [
  'sign',
  'verify',
]);
const data = new TextEncoder().encode('x'.repeat(120));
const hmac = await measure('HMAC-SHA-256 sign + verify', async () => {
  const sig = await crypto.subtle.sign('HMAC', key, data);
  return crypto.subtle.verify('HMAC', key, sig, data);
});
const authUrl = await measure('createAuthorizationUrl (PKCE + signed state + pending record)', () =>
  client.createAuthorizationUrl({ sessionId: 's' }),
);
report('Starting an authorization (target: within 10× of one HMAC round trip)', hmac, [authUrl]);

// Telemetry overhead with OpenTelemetry off.
const telemetry = createTelemetry({ openTelemetry: false });
const noop = async () => 1;
const bare = await measure('await no-op', () => noop());
const wrapped = await measure('telemetry.instrument(no-op), no OpenTelemetry', () =>
  telemetry.instrument({ provider: 'p', operation: 'o' }, noop),
);
const withApi = createTelemetry({ openTelemetry: 'auto' }); // API installed, no SDK registered: no-op tracer
const wrappedApi = await measure('telemetry.instrument(no-op), @opentelemetry/api with no SDK', () =>
  withApi.instrument({ provider: 'p', operation: 'o' }, noop),
);
report('Instrumentation overhead (target: under 2 µs per call absolute)', bare, [wrapped, wrappedApi]);
