/**
 * Options of `createOAuthClient`, validated by hand at construction (no zod: see below): a bad option throws
 * `invalid_config` naming the field, and never quotes a secret back.
 */
import { IntegrationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OpenTelemetryApiLike, TelemetryHooks } from '../core/observability.js';
import type { Store } from '../stores/store.js';
import { utf8 } from './encoding.js';
import {
  type CalendarFeature,
  type ClientAuthMethod,
  googlePreset,
  microsoftPreset,
  type OAuthEndpoints,
  type ResolvedPreset,
} from './presets.js';
import type { TokenStore } from './token-store.js';

/** Fired when a user's grant is dead and only a new authorization can fix it. */
export interface ReauthorizationRequiredEvent {
  type: 'reauthorization_required';
  userId: string;
  /** The client's connection name (`google`, `microsoft`, or yours). */
  connection: string;
  reason: 'invalid_grant' | 'no_refresh_token' | 'not_connected';
}

/** Any standards-compliant authorization server, when neither preset fits. */
export interface CustomProvider extends OAuthEndpoints {
  /** Connection name used in store keys, telemetry and events. Default `oauth`. */
  name?: string;
  /** Scopes each calendar feature maps to, when you use `features`. */
  featureScopes?: Partial<Record<CalendarFeature, string[]>>;
  /** Added to the authorization request so the server issues a refresh token (e.g. `{ access_type: 'offline' }`). */
  offlineParams?: Record<string, string>;
  /** Added to the scopes for a refresh token (e.g. `offline_access`). */
  offlineScopes?: string[];
}

/** Options of `createOAuthClient`. */
export interface OAuthClientOptions {
  /** `'google'`, `'microsoft'`, or the endpoints of any standards-compliant authorization server. */
  preset: 'google' | 'microsoft' | CustomProvider;
  /** Microsoft only: `common` (default), `organizations`, `consumers`, or a tenant id. */
  tenant?: string;
  clientId: string;
  /** Omit for public clients (PKCE alone). */
  clientSecret?: string;
  /** Default: `client_secret_post` for the presets, `client_secret_basic` for custom servers (RFC 6749 §2.3.1). */
  clientAuth?: ClientAuthMethod;
  /** The exact redirect URI registered with the provider; callbacks must come back to it exactly. */
  redirectUri: string;
  /** Scopes to request. Give `scopes`, `features`, or both (they are merged). */
  scopes?: string[];
  /** Calendar features; each adds the preset's least-privilege scope set. */
  features?: CalendarFeature[];
  /** Ask for a refresh token (default true). */
  offline?: boolean;
  /** HMAC secret(s) for `state`, at least 32 bytes; the first signs, all verify (rotation). */
  stateSecret: string | Uint8Array | (string | Uint8Array)[];
  /** How long an authorization may take, seconds. Default 600. */
  stateTtlSeconds?: number;
  /** Shared store for pending authorizations and refresh locks. Default: in-process memory. */
  store?: Store;
  /** Where tokens live. Required with a shared `store`: use `createEncryptedTokenStore`. */
  tokenStore?: TokenStore;
  /** Refresh this many seconds before expiry. Default 60. */
  skewSeconds?: number;
  /** How long one instance may hold the refresh lock, seconds. Default 30. */
  refreshLockSeconds?: number;
  /** Per-request timeout, milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** HTTP client for the token and revocation calls. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Clock, epoch milliseconds (like `Date.now`). */
  now?: () => number;
  logger?: Logger;
  hooks?: TelemetryHooks;
  openTelemetry?: 'auto' | false | OpenTelemetryApiLike;
  /** Called when a grant is dead (`invalid_grant`): ask the user to connect again. */
  onReauthorizationRequired?: (event: ReauthorizationRequiredEvent) => void | Promise<void>;
}

// Hand-written checks rather than zod: this subpath is often the only switchyard code in a
// serverless function that refreshes tokens, and zod alone was ~9/10 of its cold import
// (docs/benchmarks.md). Fields are checked in declaration order and the first failure is reported,
// with the same dotted field paths (`scopes.0`, `preset.tokenEndpoint`) the zod schema gave.
// Messages describe the rule, never the value, so no secret is echoed.

const FEATURES: readonly CalendarFeature[] = ['calendar.read', 'calendar.readwrite', 'calendar.freebusy'];
const CLIENT_AUTH: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const CONNECTION_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TENANT = /^[A-Za-z0-9.-]{1,100}$/;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

function isHttpsUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    // Loopback http is allowed for development and native apps (RFC 8252 §7.3); anything else must be https.
    const loopback = url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
    return (url.protocol === 'https:' || loopback) && url.hash === '';
  } catch {
    return false;
  }
}

function httpsUrl(value: unknown, field: string): string {
  if (!isHttpsUrl(value)) {
    throw invalid(field, `${field.split('.').pop()} must be an absolute https URL (http only on loopback) without a fragment`);
  }
  return value;
}

function optionalString(value: unknown, field: string, rule: (s: string) => boolean, message: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !rule(value)) throw invalid(field, message);
  return value;
}

function scopeList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(field, 'must be an array of scope strings');
  value.forEach((s, i) => {
    if (typeof s !== 'string' || !SCOPE.test(s)) throw invalid(`${field}.${i}`, 'scopes are non-empty strings without spaces or quotes');
  });
  return value as string[];
}

function featureList(value: unknown, field: string): CalendarFeature[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(field, `must be an array of ${FEATURES.join(', ')}`);
  value.forEach((f, i) => {
    if (!FEATURES.includes(f)) throw invalid(`${field}.${i}`, `must be one of ${FEATURES.join(', ')}`);
  });
  return value as CalendarFeature[];
}

function optionalNumber(value: unknown, field: string, min: number, max: number, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw invalid(field, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function optionalFunction(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'function') throw invalid(field, 'must be a function');
}

/** The custom-server preset: only the known fields are kept, as the endpoints end up in requests. */
function customPreset(value: Fields): Required<Pick<CustomProvider, 'authorizationEndpoint' | 'tokenEndpoint'>> & CustomProvider {
  const name = optionalString(
    value.name,
    'preset.name',
    (s) => CONNECTION_NAME.test(s),
    'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_" or "-"',
  );
  const authorizationEndpoint = httpsUrl(value.authorizationEndpoint, 'preset.authorizationEndpoint');
  const tokenEndpoint = httpsUrl(value.tokenEndpoint, 'preset.tokenEndpoint');
  const revocationEndpoint =
    value.revocationEndpoint === undefined ? undefined : httpsUrl(value.revocationEndpoint, 'preset.revocationEndpoint');
  const issuer = optionalString(value.issuer, 'preset.issuer', (s) => s.length > 0, 'must be a non-empty string');
  let featureScopes: Partial<Record<CalendarFeature, string[]>> | undefined;
  if (value.featureScopes !== undefined) {
    if (!isObject(value.featureScopes)) throw invalid('preset.featureScopes', 'must be an object of feature → scopes');
    featureScopes = {};
    for (const [key, scopes] of Object.entries(value.featureScopes)) {
      if (!FEATURES.includes(key as CalendarFeature)) {
        throw invalid('preset.featureScopes', `keys must be ${FEATURES.join(', ')}`);
      }
      featureScopes[key as CalendarFeature] = scopeList(scopes, `preset.featureScopes.${key}`) ?? [];
    }
  }
  let offlineParams: Record<string, string> | undefined;
  if (value.offlineParams !== undefined) {
    if (!isObject(value.offlineParams)) throw invalid('preset.offlineParams', 'must be an object of string parameters');
    for (const [key, param] of Object.entries(value.offlineParams)) {
      if (typeof param !== 'string') throw invalid(`preset.offlineParams.${key}`, 'must be a string');
    }
    offlineParams = { ...(value.offlineParams as Record<string, string>) };
  }
  const offlineScopes = scopeList(value.offlineScopes, 'preset.offlineScopes');
  return {
    authorizationEndpoint,
    tokenEndpoint,
    ...(name !== undefined ? { name } : {}),
    ...(revocationEndpoint !== undefined ? { revocationEndpoint } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    ...(featureScopes ? { featureScopes } : {}),
    ...(offlineParams ? { offlineParams } : {}),
    ...(offlineScopes ? { offlineScopes } : {}),
  };
}

function resolvePreset(value: unknown, tenant: string | undefined): ResolvedPreset {
  if (value === 'google') return googlePreset();
  if (value === 'microsoft') return microsoftPreset(tenant);
  if (!isObject(value)) throw invalid('preset', "must be 'google', 'microsoft' or a custom provider's endpoints");
  const custom = customPreset(value);
  return {
    name: custom.name ?? 'oauth',
    authorizationEndpoint: custom.authorizationEndpoint,
    tokenEndpoint: custom.tokenEndpoint,
    ...(custom.revocationEndpoint ? { revocationEndpoint: custom.revocationEndpoint } : {}),
    ...(custom.issuer ? { issuer: custom.issuer } : {}),
    offlineScopes: custom.offlineScopes ?? [],
    offlineParams: custom.offlineParams ?? {},
    featureScopes: { 'calendar.read': [], 'calendar.readwrite': [], 'calendar.freebusy': [], ...custom.featureScopes },
    clientAuth: 'client_secret_basic',
  };
}

export interface ResolvedOptions {
  preset: ResolvedPreset;
  clientId: string;
  clientSecret: string | undefined;
  clientAuth: ClientAuthMethod;
  redirectUri: string;
  scopes: string[];
  stateSecrets: Uint8Array<ArrayBuffer>[];
  stateTtlSeconds: number;
  skewSeconds: number;
  refreshLockSeconds: number;
  timeoutMs: number;
}

function invalid(field: string, message: string): IntegrationError {
  return new IntegrationError('invalid_config', `createOAuthClient: ${field}: ${message}`, { details: { field } });
}

function secretBytes(value: unknown, index: number): Uint8Array<ArrayBuffer> {
  const field = index < 0 ? 'stateSecret' : `stateSecret[${index}]`;
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  // Strings are used as their UTF-8 bytes: decoding "maybe base64" would silently shorten some secrets.
  else if (typeof value === 'string') bytes = utf8(value);
  if (!bytes || bytes.length < 32) throw invalid(field, 'must be at least 32 bytes of secret (e.g. `openssl rand -base64 32`)');
  return bytes;
}

export function resolveOptions(options: OAuthClientOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') throw invalid('options', 'an options object is required');
  const o = options as unknown as Fields;
  // The tenant is checked first only because the Microsoft preset needs it; it is reported as itself.
  const tenant = optionalString(o.tenant, 'tenant', (s) => TENANT.test(s), 'must be 1-100 characters of A-Z, a-z, 0-9, "." or "-"');
  const preset = resolvePreset(o.preset, tenant);
  const clientId = o.clientId;
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 512) {
    throw invalid('clientId', 'must be a non-empty string of at most 512 characters');
  }
  const clientSecret = optionalString(o.clientSecret, 'clientSecret', (s) => s.length > 0, 'must be a non-empty string when given');
  if (o.clientAuth !== undefined && !CLIENT_AUTH.includes(o.clientAuth as ClientAuthMethod)) {
    throw invalid('clientAuth', `must be one of ${CLIENT_AUTH.join(', ')}`);
  }
  const redirectUri = httpsUrl(o.redirectUri, 'redirectUri');
  const requestedScopes = scopeList(o.scopes, 'scopes');
  const features = featureList(o.features, 'features');
  if (o.offline !== undefined && typeof o.offline !== 'boolean') throw invalid('offline', 'must be true or false');
  const stateTtlSeconds = optionalNumber(o.stateTtlSeconds, 'stateTtlSeconds', 30, 3600, true) ?? 600;
  const skewSeconds = optionalNumber(o.skewSeconds, 'skewSeconds', 0, 3600) ?? 60;
  const refreshLockSeconds = optionalNumber(o.refreshLockSeconds, 'refreshLockSeconds', 1, 300) ?? 30;
  const timeoutMs = optionalNumber(o.timeoutMs, 'timeoutMs', 100, 120_000, true) ?? 10_000;
  optionalFunction(o.fetch, 'fetch');
  optionalFunction(o.now, 'now');
  optionalFunction(o.onReauthorizationRequired, 'onReauthorizationRequired');
  const scopes = new Set(requestedScopes ?? []);
  for (const f of features ?? []) {
    const set = preset.featureScopes[f];
    if (!set?.length) throw invalid('features', `${f} has no scopes for ${preset.name}; pass featureScopes or scopes`);
    for (const s of set) scopes.add(s);
  }
  if (o.offline !== false) for (const s of preset.offlineScopes) scopes.add(s);
  if (scopes.size === 0) throw invalid('scopes', 'request at least one scope (scopes or features)');
  const clientAuth = (o.clientAuth as ClientAuthMethod | undefined) ?? (clientSecret === undefined ? 'none' : preset.clientAuth);
  if (clientAuth !== 'none' && clientSecret === undefined) throw invalid('clientSecret', `is required with clientAuth ${clientAuth}`);
  if (options.store && !options.tokenStore) {
    throw invalid(
      'tokenStore',
      'with a shared store, pass tokenStore: createEncryptedTokenStore({ store, keys, currentKeyId }) so tokens are encrypted at rest',
    );
  }
  if (timeoutMs >= refreshLockSeconds * 1000) {
    // A refresh outliving its lock would let a second process refresh with the same refresh token.
    throw invalid('timeoutMs', 'must be shorter than refreshLockSeconds');
  }
  const rawSecrets = Array.isArray(o.stateSecret) ? o.stateSecret : [o.stateSecret];
  if (rawSecrets.length === 0) throw invalid('stateSecret', 'give at least one secret');
  return {
    preset,
    clientId,
    clientSecret,
    clientAuth,
    redirectUri,
    scopes: [...scopes],
    stateSecrets: rawSecrets.map((s, i) => secretBytes(s, Array.isArray(o.stateSecret) ? i : -1)),
    stateTtlSeconds,
    skewSeconds,
    refreshLockSeconds,
    timeoutMs,
  };
}
