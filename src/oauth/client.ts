/**
 * `createOAuthClient`: the authorization-code flow with PKCE S256 and a signed, session-bound,
 * single-use `state`; token exchange; and `getAccessToken(userId)` with single-flight refresh
 * (one refresh per user at a time across every process sharing the `store`), refresh-token
 * rotation saved by compare-and-set before the new access token is handed out, and
 * `invalid_grant` surfaced as an `authentication` error plus a `reauthorization_required` event.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import { withRedaction } from '../core/logger.js';
import { createTelemetry } from '../core/observability.js';
import { createMemoryStore } from '../stores/memory.js';
import { randomToken } from './encoding.js';
import { type OAuthClientOptions, type ReauthorizationRequiredEvent, resolveOptions } from './options.js';
import { createPkcePair } from './pkce.js';
import { createStateSigner } from './state.js';
import { type EndpointClient, requestTokens, revokeToken } from './token-endpoint.js';
import { assertUserId, createInMemoryTokenStore, type OAuthTokens } from './token-store.js';

/** What `createAuthorizationUrl` needs to build the consent URL for one browser session. */
export interface AuthorizationRequest {
  /** The host's session id for this browser; the callback must present the same one. */
  sessionId: string;
  /** Extra scopes for this request only (incremental authorization). */
  scopes?: string[];
  /** Pre-fills the account chooser (`login_hint`). */
  loginHint?: string;
}

/** The result of `createAuthorizationUrl`: where to send the browser, and until when the callback is accepted. */
export interface AuthorizationStart {
  /** Redirect the browser here. */
  url: string;
  /** The `state` in `url`; nothing to keep, it is verified against the store and the session. */
  state: string;
  /** Epoch milliseconds after which the callback is refused. */
  expiresAt: number;
}

/** What `handleCallback` needs: the redirect the provider sent back, and who it is for. */
export interface CallbackInput {
  /** The full callback URL as received (preferred: its origin and path are checked against `redirectUri`). */
  url?: string | URL;
  /** Or the query parameters alone, when the framework already parsed them. */
  params?: URLSearchParams | Record<string, string | undefined>;
  /** The same session id that was passed to `createAuthorizationUrl`. */
  sessionId: string;
  /** Your id for the person who authorized; tokens are stored under it. */
  userId: string;
}

/** A stored connection after a successful callback: who, which scopes were granted, and whether it can refresh. */
export interface OAuthConnection {
  /** Your id for the person, as passed to `handleCallback`. */
  userId: string;
  /** The connection name (`google`, `microsoft` or the custom provider's `name`). */
  connection: string;
  /** Scopes the user granted. */
  scopes: string[];
  /** Requested scopes the user did not grant (Google lets users untick some). */
  missingScopes: string[];
  /** Whether the provider issued a refresh token (without one, the user must consent again when the access token expires). */
  hasRefreshToken: boolean;
  /** Epoch milliseconds when the access token expires, when the provider said. */
  expiresAt?: number;
}

/** Options of `getAccessToken` and of an `AccessTokenProvider` call. */
export interface AccessTokenOptions {
  /** The access token an API just rejected with 401: refresh unless someone already replaced it. */
  rejected?: string;
}

/** What calendar adapters take: a function returning a valid bearer token for one user. */
export type AccessTokenProvider = (options?: AccessTokenOptions) => Promise<string>;

/** An OAuth 2.0 client for one provider, made by `createOAuthClient`. */
export interface OAuthClient {
  /** `google`, `microsoft`, or the custom provider's `name`: the namespace in stores and telemetry. */
  readonly connection: string;
  /** Scopes requested by default, least-privilege sets and offline scopes included. */
  readonly scopes: readonly string[];
  /** Start an authorization: the URL to redirect the browser to (PKCE and signed `state` included). */
  createAuthorizationUrl(request: AuthorizationRequest): Promise<AuthorizationStart>;
  /** Finish an authorization from the callback URL: check `state`, exchange the code, save the tokens. */
  handleCallback(input: CallbackInput): Promise<OAuthConnection>;
  /** A valid access token for `userId`, refreshed once for all concurrent callers when it is about to expire. */
  getAccessToken(userId: string, options?: AccessTokenOptions): Promise<string>;
  /** `getAccessToken` bound to one user, in the shape calendar adapters take. */
  tokenProvider(userId: string): AccessTokenProvider;
  /** Revoke at the provider (when it has an endpoint), then forget locally. */
  revoke(userId: string): Promise<{ revokedAtProvider: boolean; hadTokens: boolean }>;
}

interface PendingAuthorization {
  verifier: string;
  scopes: string[];
}

const CALLBACK_KEYS = new Set([
  'code',
  'state',
  'error',
  'error_description',
  'error_uri',
  'iss',
  'scope',
  'authuser',
  'hd',
  'prompt',
  'session_state',
]);

function text(value: unknown, field: string, max = 512): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new IntegrationError('invalid_input', `${field} must be a non-empty string of at most ${max} characters`, { details: { field } });
  }
  return value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Create an OAuth 2.0 client for one connection (Google, Microsoft or a custom server): authorization
 * URL with PKCE and signed `state`, callback, single-flight refresh and revocation.
 *
 * @example
 * const google = createOAuthClient({
 *   preset: 'google',
 *   clientId: process.env.GOOGLE_CLIENT_ID!,
 *   clientSecret: process.env.GOOGLE_CLIENT_SECRET,
 *   redirectUri: 'https://app.example/oauth/google/callback',
 *   features: ['calendar.readwrite'],
 *   stateSecret: process.env.OAUTH_STATE_SECRET!,
 *   store,
 *   tokenStore: createEncryptedTokenStore({ store, keys: { '2026-11': key }, currentKeyId: '2026-11' }),
 * });
 * const { url } = await google.createAuthorizationUrl({ sessionId });       // redirect the browser here
 * await google.handleCallback({ url: req.url, sessionId, userId: 'ada' }); // in the callback route
 * const accessToken = await google.getAccessToken('ada');                  // refreshed when due
 */
export function createOAuthClient(options: OAuthClientOptions): OAuthClient {
  const config = resolveOptions(options);
  const { preset } = config;
  const connection = preset.name;
  const now = options.now ?? Date.now;
  const store = options.store ?? createMemoryStore({ now });
  const tokens = options.tokenStore ?? createInMemoryTokenStore({ now });
  const logger = withRedaction(options.logger);
  const telemetry = createTelemetry({
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.openTelemetry !== undefined ? { openTelemetry: options.openTelemetry } : {}),
  });
  const signer = createStateSigner(config.stateSecrets, now, connection);
  const endpoint: EndpointClient = {
    provider: connection,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    clientAuth: config.clientAuth,
    fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
    timeoutMs: config.timeoutMs,
    now,
  };
  const pendingKey = (nonce: string) => `oauth:${connection}:pending:${nonce}`;
  const lockKey = (userId: string) => `oauth:${connection}:refresh-lock:${userId}`;
  const inflight = new Map<string, Promise<string>>();

  const redirect = new URL(config.redirectUri);

  const reauthorize = (userId: string, reason: ReauthorizationRequiredEvent['reason']): IntegrationError => {
    const event: ReauthorizationRequiredEvent = { type: 'reauthorization_required', userId, connection, reason };
    logger.warn({ ...event }, 'switchyard oauth: user must authorize again');
    try {
      const result = options.onReauthorizationRequired?.(event);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((error) => logger.error({ error }, 'onReauthorizationRequired rejected'));
      }
    } catch (error) {
      logger.error({ error }, 'onReauthorizationRequired threw');
    }
    const messages = {
      invalid_grant: 'the grant was revoked or expired (invalid_grant)',
      no_refresh_token: 'the access token expired and there is no refresh token',
      not_connected: 'no tokens are stored for this user',
    };
    return new IntegrationError('authentication', `${connection}: ${messages[reason]}; the user must authorize again`, {
      provider: connection,
      details: { reason: 'reauthorization_required', cause: reason },
    });
  };

  const isFresh = (t: OAuthTokens, rejected: string | undefined) =>
    t.accessToken !== rejected && (t.expiresAt === undefined || t.expiresAt - config.skewSeconds * 1000 > now());

  const releaseLock = async (userId: string, owner: string) => {
    try {
      const lock = await store.get<{ owner?: string }>(lockKey(userId));
      // compareAndDelete: if our lock expired and another process took it, theirs stays.
      if (lock?.value?.owner === owner) await store.compareAndDelete(lockKey(userId), lock.version);
    } catch (error) {
      // The lock has a TTL; failing to release it only delays the next refresh.
      logger.warn({ error, userId }, 'switchyard oauth: could not release refresh lock');
    }
  };

  /** Refresh while holding the lock. `undefined` means "the record changed under us: look again". */
  const refreshHoldingLock = async (userId: string, rejected: string | undefined): Promise<string | undefined> => {
    // Re-read under the lock: another process may have refreshed between our read and our lock.
    const current = await tokens.get(userId, connection);
    if (!current) throw reauthorize(userId, 'not_connected');
    if (isFresh(current.tokens, rejected)) return current.tokens.accessToken;
    const refreshToken = current.tokens.refreshToken;
    if (!refreshToken) throw reauthorize(userId, 'no_refresh_token');
    let next: OAuthTokens;
    try {
      next = await telemetry.instrument({ provider: connection, operation: 'token.refresh' }, (call) =>
        requestTokens(
          endpoint,
          preset.tokenEndpoint,
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          'token refresh',
          call,
          current.tokens,
        ),
      );
    } catch (error) {
      if (isIntegrationError(error) && error.details?.oauthError === 'invalid_grant') {
        const after = await tokens.get(userId, connection);
        // A new grant or a rotation landed while we refreshed (our lock expired): use that one.
        if (after && after.version !== current.version) return undefined;
        if (after) await tokens.delete(userId, connection);
        const reauth = reauthorize(userId, 'invalid_grant');
        throw new IntegrationError('authentication', reauth.message, {
          provider: connection,
          status: error.status,
          cause: error,
          details: { reason: 'reauthorization_required', cause: 'invalid_grant' },
        });
      }
      throw error;
    }
    // Persist first: a rotated refresh token that is not saved is lost, and with rotation the old
    // one is already dead. Only a saved token set is handed out.
    const saved = await tokens.save(userId, connection, next, current.version);
    if (saved === false) {
      // Someone wrote a newer grant (a fresh authorization) while we refreshed; theirs wins.
      logger.info({ userId, connection }, 'switchyard oauth: token record changed during refresh; using the newer one');
      return undefined;
    }
    logger.debug({ userId, connection, rotated: next.refreshToken !== refreshToken }, 'switchyard oauth: access token refreshed');
    return next.accessToken;
  };

  const refreshFlow = async (userId: string, rejected: string | undefined): Promise<string> => {
    const budgetMs = config.refreshLockSeconds * 1000 + config.timeoutMs;
    let waited = 0;
    let delay = 10;
    for (;;) {
      const current = await tokens.get(userId, connection);
      if (!current) throw reauthorize(userId, 'not_connected');
      if (isFresh(current.tokens, rejected)) return current.tokens.accessToken;
      if (!current.tokens.refreshToken) throw reauthorize(userId, 'no_refresh_token');
      const owner = randomToken(12);
      // The store-wide lock makes the refresh single-flight across processes; the in-process map
      // in getAccessToken keeps callers of this instance from even polling.
      if (await store.setIfAbsent(lockKey(userId), { owner }, { ttlSeconds: config.refreshLockSeconds })) {
        try {
          const token = await refreshHoldingLock(userId, rejected);
          if (token !== undefined) return token;
          rejected = undefined; // the record changed: whatever was rejected is no longer current
          continue;
        } finally {
          await releaseLock(userId, owner);
        }
      }
      if (waited >= budgetMs) {
        throw new IntegrationError('timeout', `${connection}: waited ${waited} ms for another process to refresh the token`, {
          provider: connection,
        });
      }
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, 200);
    }
  };

  const readParams = (input: CallbackInput): URLSearchParams => {
    if (input.url !== undefined) {
      let url: URL;
      try {
        url = new URL(String(input.url));
      } catch {
        throw new IntegrationError('invalid_input', 'the callback url is not a valid absolute URL', { details: { field: 'url' } });
      }
      // Exact match on scheme, host, port and path (RFC 9700 §4.1.3): no prefix or subdomain leeway.
      if (url.origin !== redirect.origin || url.pathname !== redirect.pathname) {
        throw new IntegrationError('invalid_input', 'the callback did not arrive at the configured redirectUri', {
          provider: connection,
          details: { field: 'url', reason: 'redirect_uri_mismatch' },
        });
      }
      for (const [k, v] of redirect.searchParams) {
        if (url.searchParams.get(k) !== v) {
          throw new IntegrationError('invalid_input', 'the callback did not arrive at the configured redirectUri', {
            provider: connection,
            details: { field: 'url', reason: 'redirect_uri_mismatch' },
          });
        }
      }
      return url.searchParams;
    }
    if (input.params instanceof URLSearchParams) return input.params;
    if (input.params && typeof input.params === 'object') {
      const out = new URLSearchParams();
      for (const [k, v] of Object.entries(input.params)) if (typeof v === 'string' && CALLBACK_KEYS.has(k)) out.set(k, v);
      return out;
    }
    throw new IntegrationError('invalid_input', 'handleCallback needs the callback url or its params', { details: { field: 'url' } });
  };

  const getAccessToken = async (userId: string, opts: AccessTokenOptions = {}): Promise<string> => {
    assertUserId(userId);
    const rejected = opts.rejected;
    if (rejected !== undefined && typeof rejected !== 'string') {
      throw new IntegrationError('invalid_input', 'rejected must be the access token string the API refused', {
        details: { field: 'rejected' },
      });
    }
    const joined = inflight.get(userId);
    if (joined) return joined;
    const current = await tokens.get(userId, connection);
    if (current && isFresh(current.tokens, rejected)) return current.tokens.accessToken;
    // Check again after the await: another caller may have started the refresh meanwhile.
    const started = inflight.get(userId);
    if (started) return started;
    const flight = refreshFlow(userId, rejected).finally(() => inflight.delete(userId));
    inflight.set(userId, flight);
    return flight;
  };

  return {
    connection,
    scopes: Object.freeze([...config.scopes]),

    async createAuthorizationUrl(request) {
      const sessionId = text(request?.sessionId, 'sessionId');
      if (request.scopes !== undefined && !Array.isArray(request.scopes)) {
        throw new IntegrationError('invalid_input', 'scopes must be an array of scope strings', { details: { field: 'scopes' } });
      }
      const scopes = [...new Set([...config.scopes, ...(request.scopes ?? [])])];
      for (const s of scopes)
        if (typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) {
          throw new IntegrationError('invalid_input', 'scopes are non-empty strings without spaces or quotes', {
            details: { field: 'scopes' },
          });
        }
      const pkce = await createPkcePair();
      const { state, nonce } = await signer.sign(sessionId, config.stateTtlSeconds);
      const pending: PendingAuthorization = { verifier: pkce.verifier, scopes };
      await store.set(pendingKey(nonce), pending, { ttlSeconds: config.stateTtlSeconds });
      const url = new URL(preset.authorizationEndpoint);
      const params: Record<string, string> = {
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: config.redirectUri,
        scope: scopes.join(' '),
        state,
        code_challenge: pkce.challenge,
        code_challenge_method: pkce.method,
        ...(options.offline === false ? {} : preset.offlineParams),
      };
      if (request.loginHint !== undefined) params.login_hint = text(request.loginHint, 'loginHint', 320);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return { url: url.toString(), state, expiresAt: now() + config.stateTtlSeconds * 1000 };
    },

    async handleCallback(input) {
      const sessionId = text(input?.sessionId, 'sessionId');
      const userId = input.userId;
      assertUserId(userId);
      const params = readParams(input);
      const state = params.get('state');
      if (!state)
        throw new IntegrationError('invalid_input', 'the callback has no state parameter', {
          provider: connection,
          details: { field: 'state' },
        });
      // The state is checked before anything else in the callback is believed, errors included.
      const nonce = await signer.verify(state, sessionId);
      const pending = await store.get<PendingAuthorization>(pendingKey(nonce));
      // `delete` returning true makes exactly one of two racing callbacks the winner.
      if (!pending || !(await store.delete(pendingKey(nonce)))) {
        throw new IntegrationError('replayed', 'this authorization was already completed or has expired', {
          provider: connection,
          details: { reason: 'state_used' },
        });
      }
      const iss = params.get('iss');
      if (iss !== null && preset.issuer !== undefined && iss !== preset.issuer) {
        // RFC 9207: a different issuer means the response came from another server (mix-up attack).
        throw new IntegrationError('signature_invalid', 'the callback came from an unexpected issuer', {
          provider: connection,
          details: { reason: 'issuer_mismatch' },
        });
      }
      const error = params.get('error');
      if (error !== null) {
        const oauthError = /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'invalid';
        throw new IntegrationError(
          oauthError === 'access_denied' ? 'permission' : 'provider_error',
          oauthError === 'access_denied' ? 'the user declined the authorization' : `the authorization failed: ${oauthError}`,
          { provider: connection, details: { oauthError } },
        );
      }
      const code = params.get('code');
      if (!code)
        throw new IntegrationError('invalid_input', 'the callback has no code parameter', {
          provider: connection,
          details: { field: 'code' },
        });
      const granted = await telemetry.instrument({ provider: connection, operation: 'token.exchange' }, (call) =>
        requestTokens(
          endpoint,
          preset.tokenEndpoint,
          { grant_type: 'authorization_code', code, redirect_uri: config.redirectUri, code_verifier: pending.value.verifier },
          'authorization code exchange',
          call,
          { scopes: pending.value.scopes },
        ),
      );
      // A new grant replaces whatever was stored; CAS so a concurrent refresh cannot resurrect the old one.
      for (let attempt = 0; ; attempt++) {
        const existing = await tokens.get(userId, connection).catch(() => undefined);
        if ((await tokens.save(userId, connection, granted, existing?.version ?? null)) !== false) break;
        if (attempt >= 5)
          throw new IntegrationError('conflict', 'could not store the new tokens: the record kept changing', {
            provider: connection,
            retryable: true,
          });
      }
      // Case-insensitive: Microsoft may echo Graph scopes in another case than requested.
      const grantedLower = new Set(granted.scopes.map((s) => s.toLowerCase()));
      const missingScopes = pending.value.scopes.filter((s) => !grantedLower.has(s.toLowerCase()) && !preset.offlineScopes.includes(s));
      logger.info({ userId, connection, scopes: granted.scopes, missingScopes }, 'switchyard oauth: user connected');
      const result: OAuthConnection = {
        userId,
        connection,
        scopes: granted.scopes,
        missingScopes,
        hasRefreshToken: granted.refreshToken !== undefined,
      };
      if (granted.expiresAt !== undefined) result.expiresAt = granted.expiresAt;
      return result;
    },

    getAccessToken,

    tokenProvider(userId) {
      assertUserId(userId);
      return (opts) => getAccessToken(userId, opts);
    },

    async revoke(userId) {
      assertUserId(userId);
      const current = await tokens.get(userId, connection);
      if (!current) return { revokedAtProvider: false, hadTokens: false };
      let revokedAtProvider = false;
      if (preset.revocationEndpoint) {
        const { refreshToken, accessToken } = current.tokens;
        // Revoking the refresh token ends the whole grant (RFC 7009 §2.1). On failure the tokens are
        // kept so the host can retry: forgetting them would leave a live grant nobody can revoke.
        await telemetry.instrument({ provider: connection, operation: 'token.revoke' }, (call) =>
          revokeToken(
            endpoint,
            preset.revocationEndpoint as string,
            refreshToken ?? accessToken,
            refreshToken ? 'refresh_token' : 'access_token',
            call,
          ),
        );
        revokedAtProvider = true;
      }
      await tokens.delete(userId, connection);
      logger.info({ userId, connection, revokedAtProvider }, 'switchyard oauth: tokens revoked');
      return { revokedAtProvider, hadTokens: true };
    },
  };
}
