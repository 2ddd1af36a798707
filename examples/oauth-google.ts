/**
 * Connect a user's Google Calendar with switchyard/oauth.
 *
 * With GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_REDIRECT_URI set, it prints the real
 * consent URL to open and stops (finishing needs your web server's callback route). With none set it
 * plays the whole flow against a strict local authorization server started in this process (the one
 * the tests use): consent → callback → encrypted tokens → refresh → revoke. No network.
 *
 *   npx tsx examples/oauth-google.ts
 */
import { createOAuthClient, createEncryptedTokenStore } from '../src/oauth/index.js';
import { createConsoleLogger } from '../src/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { startAuthServer } from '../test/oauth/support/auth-server.js';

const real = process.env.GOOGLE_CLIENT_ID && process.env.GOOGLE_CLIENT_SECRET && process.env.GOOGLE_REDIRECT_URI;
const redirectUri = process.env.GOOGLE_REDIRECT_URI ?? 'http://127.0.0.1:3000/oauth/google/callback';
const clientId = process.env.GOOGLE_CLIENT_ID ?? 'local-client';
const clientSecret = process.env.GOOGLE_CLIENT_SECRET ?? 'local-client-secret-0123456789';

// One durable store for everything; tokens inside it are AES-256-GCM encrypted. In production use
// createRedisStore/createPostgresStore and keys from your secret manager (`openssl rand -base64 32`).
const store = createMemoryStore();
const tokenStore = createEncryptedTokenStore({
  store,
  keys: { '2026-11': crypto.getRandomValues(new Uint8Array(32)) },
  currentKeyId: '2026-11',
});

// Without credentials, stand a local server in for accounts.google.com and oauth2.googleapis.com.
const local = real
  ? undefined
  : await startAuthServer({ redirectUri, clientId, clientSecret, issuer: 'https://accounts.google.com', expiresIn: 3600 });
const localFetch: typeof fetch = (input, init) => fetch(`${local?.url}${new URL(String(input)).pathname}`, init);

let clock = Date.now();
const google = createOAuthClient({
  preset: 'google',
  clientId,
  clientSecret,
  redirectUri,
  features: ['calendar.readwrite'], // calendarlist.readonly + calendar.events: never the full `calendar` scope
  stateSecret: process.env.OAUTH_STATE_SECRET ?? crypto.getRandomValues(new Uint8Array(32)),
  store,
  tokenStore,
  logger: createConsoleLogger({ level: 'info' }),
  onReauthorizationRequired: (event) => console.log(`→ ask ${event.userId} to reconnect ${event.connection} (${event.reason})`),
  ...(local ? { fetch: localFetch, now: () => clock } : {}),
});

const sessionId = 'browser-session-123'; // your framework's session id
const start = await google.createAuthorizationUrl({ sessionId, loginHint: 'ada@example.com' });
console.log('1. Send the browser to:\n  ', start.url);

if (!local) {
  console.log('\nIn your callback route: await google.handleCallback({ url: req.url, sessionId, userId })');
  process.exit(0);
}

const callbackUrl = await local.authorize(start.url); // the user clicks "Allow"
console.log('2. Google redirects back to:', `${callbackUrl.slice(0, 60)}…`);
const connection = await google.handleCallback({ url: callbackUrl, sessionId, userId: 'ada' });
console.log(
  '3. Connected:',
  JSON.stringify({ scopes: connection.scopes, hasRefreshToken: connection.hasRefreshToken, missingScopes: connection.missingScopes }),
);

const raw = await store.get('tokens:google:ada');
console.log('4. What the database holds (encrypted):', JSON.stringify(raw?.value).slice(0, 90), '…');

const token = await google.getAccessToken('ada');
console.log('5. Access token for the Calendar API: <%d characters>', token.length);

clock += 3600_000; // an hour later the token is near expiry: 20 concurrent calls, one refresh
const tokens = await Promise.all(Array.from({ length: 20 }, () => google.getAccessToken('ada')));
console.log(
  `6. 20 concurrent calls after expiry → ${local.refreshes.length} refresh, ${new Set(tokens).size} new token (refresh token rotated and saved first)`,
);

const revoked = await google.revoke('ada');
console.log('7. Revoked:', JSON.stringify(revoked));
try {
  await google.getAccessToken('ada');
} catch (error) {
  console.log('8. After revoke:', (error as Error).message);
}
await local.close();
