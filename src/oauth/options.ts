/**
 * Options of `createOAuthClient`, validated with zod at construction: a bad option throws
 * `invalid_config` naming the field, and never quotes a secret back.
 */
import { z } from 'zod';
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

const httpsUrl = (field: string) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      // Loopback http is allowed for development and native apps (RFC 8252 §7.3); anything else must be https.
      const loopback = url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
      return (url.protocol === 'https:' || loopback) && url.hash === '';
    } catch {
      return false;
    }
  }, `${field} must be an absolute https URL (http only on loopback) without a fragment`);

const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'scopes are non-empty strings without spaces or quotes');
const feature = z.enum(['calendar.read', 'calendar.readwrite', 'calendar.freebusy']);
const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', 'must be a function');

const schema = z.object({
  preset: z.union([
    z.literal('google'),
    z.literal('microsoft'),
    z.object({
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/)
        .optional(),
      authorizationEndpoint: httpsUrl('authorizationEndpoint'),
      tokenEndpoint: httpsUrl('tokenEndpoint'),
      revocationEndpoint: httpsUrl('revocationEndpoint').optional(),
      issuer: z.string().min(1).optional(),
      featureScopes: z.record(feature, z.array(scope)).optional(),
      offlineParams: z.record(z.string(), z.string()).optional(),
      offlineScopes: z.array(scope).optional(),
    }),
  ]),
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,100}$/)
    .optional(),
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).optional(),
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  redirectUri: httpsUrl('redirectUri'),
  scopes: z.array(scope).optional(),
  features: z.array(feature).optional(),
  offline: z.boolean().optional(),
  stateSecret: z.unknown(),
  stateTtlSeconds: z.number().int().min(30).max(3600).optional(),
  skewSeconds: z.number().min(0).max(3600).optional(),
  refreshLockSeconds: z.number().min(1).max(300).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  fetch: fn.optional(),
  now: fn.optional(),
  onReauthorizationRequired: fn.optional(),
});

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
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : 'options';
    // zod messages describe the rule, never the value, so no secret is echoed.
    throw invalid(field, issue?.message ?? 'invalid');
  }
  const o = parsed.data;
  let preset: ResolvedPreset;
  if (o.preset === 'google') preset = googlePreset();
  else if (o.preset === 'microsoft') preset = microsoftPreset(o.tenant);
  else {
    const custom = o.preset;
    preset = {
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
  const scopes = new Set(o.scopes ?? []);
  for (const f of o.features ?? []) {
    const set = preset.featureScopes[f];
    if (!set?.length) throw invalid('features', `${f} has no scopes for ${preset.name}; pass featureScopes or scopes`);
    for (const s of set) scopes.add(s);
  }
  if (o.offline !== false) for (const s of preset.offlineScopes) scopes.add(s);
  if (scopes.size === 0) throw invalid('scopes', 'request at least one scope (scopes or features)');
  const clientAuth = o.clientAuth ?? (o.clientSecret === undefined ? 'none' : preset.clientAuth);
  if (clientAuth !== 'none' && o.clientSecret === undefined) throw invalid('clientSecret', `is required with clientAuth ${clientAuth}`);
  if (options.store && !options.tokenStore) {
    throw invalid(
      'tokenStore',
      'with a shared store, pass tokenStore: createEncryptedTokenStore({ store, keys, currentKeyId }) so tokens are encrypted at rest',
    );
  }
  if ((o.timeoutMs ?? 10_000) >= (o.refreshLockSeconds ?? 30) * 1000) {
    // A refresh outliving its lock would let a second process refresh with the same refresh token.
    throw invalid('timeoutMs', 'must be shorter than refreshLockSeconds');
  }
  const rawSecrets = Array.isArray(o.stateSecret) ? o.stateSecret : [o.stateSecret];
  if (rawSecrets.length === 0) throw invalid('stateSecret', 'give at least one secret');
  return {
    preset,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientAuth,
    redirectUri: o.redirectUri,
    scopes: [...scopes],
    stateSecrets: rawSecrets.map((s, i) => secretBytes(s, Array.isArray(o.stateSecret) ? i : -1)),
    stateTtlSeconds: o.stateTtlSeconds ?? 600,
    skewSeconds: o.skewSeconds ?? 60,
    refreshLockSeconds: o.refreshLockSeconds ?? 30,
    timeoutMs: o.timeoutMs ?? 10_000,
  };
}
