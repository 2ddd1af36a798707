/**
 * Consent: signed, expiring unsubscribe tokens (HMAC-SHA256 through Web Crypto, with key ids for
 * rotation), the RFC 2369 / RFC 8058 headers that make one-click unsubscribe work in Gmail and
 * Yahoo, and a Fetch handler for the host's unsubscribe endpoint that acts on POST only: mail
 * scanners and link previewers fetch every GET link in a message, so a GET that unsubscribed
 * would unsubscribe people who never clicked.
 */
import { IntegrationError } from '../core/errors.js';
import type { Preferences } from './preferences.js';
import type { SuppressionList } from './suppression.js';
import { CHANNELS, type Channel, type EmailMessage, type UnsubscribeTarget } from './types.js';
import { invalid, isEmailAddress, normalizeAddress } from './validate.js';

/** A signing key for unsubscribe tokens: an id written into each token, and its secret. */
export interface UnsubscribeKey {
  /** Short id written into each token, so a token made with an old key still verifies after rotation. */
  id: string;
  /** At least 32 bytes of randomness, as a string. */
  secret: string;
}

/** What an unsubscribe token says: who (an address on a channel), optionally which person and list, until when. */
export interface UnsubscribeClaims {
  /** The channel to stop. */
  channel: Channel;
  /** The address to suppress on it, normalized (emails lower-cased). */
  address: string;
  /** The host's person id, to update preferences as well. */
  personId?: string;
  /** A list or topic name ("reminders"), when the host has several. */
  list?: string;
  /** Expiry, epoch seconds. */
  expiresAt: number;
}

/** Signs and verifies unsubscribe tokens; made by `createUnsubscribeTokens`. */
export interface UnsubscribeTokens {
  /**
   * Sign the claims with the first key; `ttlSeconds` overrides the default lifetime. Throws
   * `invalid_input` for an unknown channel, an empty address or a bad `ttlSeconds`.
   */
  create(claims: Omit<UnsubscribeClaims, 'expiresAt'> & { ttlSeconds?: number }): Promise<string>;
  /** Throws `signature_invalid` (forged, tampered, unknown key) or `timestamp_out_of_tolerance` (expired). */
  verify(token: string): Promise<UnsubscribeClaims>;
}

/** Options of `createUnsubscribeTokens`. */
export interface UnsubscribeTokenOptions {
  /** The first key signs; every key verifies. Rotate by putting the new key first and keeping the old one until its tokens expire. */
  keys: UnsubscribeKey[];
  /** Default lifetime, seconds. Default 60 days (a newsletter is read late; Gmail keeps the header button for the message's life). */
  ttlSeconds?: number;
  /** Clock in epoch ms, for expiry. Default `Date.now`. */
  now?: () => number;
}

const VERSION = 'v1';
const MAX_TOKEN_LENGTH = 2048;
const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function fromB64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new IntegrationError('unsupported', 'Web Crypto (crypto.subtle) is not available in this runtime');
  return s;
}

/**
 * Signed, expiring unsubscribe tokens (HMAC-SHA-256 through Web Crypto). The claims are signed,
 * not encrypted: whoever holds the link can read the address. A missing key, a duplicate key id or
 * a secret under 32 bytes is `invalid_config`.
 *
 * @example
 * const tokens = createUnsubscribeTokens({ keys: [{ id: 'k2', secret: process.env.UNSUBSCRIBE_SECRET! }] });
 * const token = await tokens.create({ channel: 'email', address: 'ada@example.com', list: 'reminders' });
 * const claims = await tokens.verify(token); // { channel: 'email', address: 'ada@example.com', list: 'reminders', expiresAt }
 */
export function createUnsubscribeTokens(options: UnsubscribeTokenOptions): UnsubscribeTokens {
  const keys = options?.keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new IntegrationError('invalid_config', 'createUnsubscribeTokens: pass keys: [{ id, secret }]', { details: { field: 'keys' } });
  const ids = new Set<string>();
  for (const [i, k] of keys.entries()) {
    if (typeof k?.id !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(k.id) || ids.has(k.id)) {
      throw new IntegrationError(
        'invalid_config',
        'createUnsubscribeTokens: each key needs a distinct id of letters, digits, _ or - (up to 32)',
        { details: { field: `keys[${i}].id` } },
      );
    }
    if (typeof k.secret !== 'string' || encoder.encode(k.secret).length < 32) {
      throw new IntegrationError('invalid_config', 'createUnsubscribeTokens: each secret must be at least 32 bytes', {
        details: { field: `keys[${i}].secret` },
      });
    }
    ids.add(k.id);
  }
  const defaultTtl = options.ttlSeconds ?? 60 * 86_400;
  const now = options.now ?? Date.now;
  const cryptoKeys = new Map<string, Promise<CryptoKey>>();
  const keyFor = (id: string): Promise<CryptoKey> | undefined => {
    const k = keys.find((x) => x.id === id);
    if (!k) return undefined;
    let cached = cryptoKeys.get(id);
    if (!cached) {
      cached = subtle().importKey('raw', encoder.encode(k.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      cryptoKeys.set(id, cached);
    }
    return cached;
  };
  const forged = () =>
    new IntegrationError('signature_invalid', 'the unsubscribe token is not valid', { retryable: false, details: { field: 'token' } });

  return {
    async create(claims) {
      if (!(CHANNELS as readonly string[]).includes(claims?.channel))
        throw invalid('channel', `channel must be one of ${CHANNELS.join(', ')}`);
      if (typeof claims.address !== 'string' || claims.address.length === 0) throw invalid('address', 'address must be a non-empty string');
      const ttl = claims.ttlSeconds ?? defaultTtl;
      if (!(Number.isFinite(ttl) && ttl > 0)) throw invalid('ttlSeconds', 'ttlSeconds must be a positive number');
      const body: UnsubscribeClaims = {
        channel: claims.channel,
        address: normalizeAddress(claims.channel, claims.address),
        expiresAt: Math.floor(now() / 1000 + ttl),
      };
      if (claims.personId !== undefined) body.personId = claims.personId;
      if (claims.list !== undefined) body.list = claims.list;
      const signer = keys[0] as UnsubscribeKey;
      const signed = `${VERSION}.${signer.id}.${b64url(encoder.encode(JSON.stringify(body)))}`;
      const sig = new Uint8Array(await subtle().sign('HMAC', await (keyFor(signer.id) as Promise<CryptoKey>), encoder.encode(signed)));
      return `${signed}.${b64url(sig)}`;
    },
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw forged();
      const parts = token.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) throw forged();
      const [, id, payload, sigText] = parts as [string, string, string, string];
      const key = keyFor(id);
      const sig = fromB64url(sigText);
      if (!key || !sig) throw forged();
      // crypto.subtle.verify compares in constant time.
      const ok = await subtle().verify('HMAC', await key, sig, encoder.encode(`${VERSION}.${id}.${payload}`));
      if (!ok) throw forged();
      let claims: UnsubscribeClaims;
      try {
        claims = JSON.parse(new TextDecoder().decode(fromB64url(payload))) as UnsubscribeClaims;
      } catch {
        throw forged();
      }
      if (claims.expiresAt * 1000 <= now()) {
        throw new IntegrationError('timestamp_out_of_tolerance', 'the unsubscribe token has expired', {
          retryable: false,
          details: { field: 'token' },
        });
      }
      return claims;
    },
  };
}

/**
 * `https://example.com/unsubscribe` + token → the URL to put in the message and the header (the
 * token goes in the `token` query parameter, which `createUnsubscribeHandler` reads). A base that
 * is not an absolute https URL is `invalid_input`.
 *
 * @example
 * const url = unsubscribeUrl('https://studio.example/unsubscribe', await tokens.create({ channel: 'email', address: 'ada@example.com' }));
 * await email.send(
 *   { channel: 'email', to: 'ada@example.com', subject: 'New classes', text: '…', category: 'bulk', unsubscribe: { url } },
 *   { idempotencyKey: 'newsletter:2026-11:ada' },
 * );
 */
export function unsubscribeUrl(base: string, token: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw invalid('base', 'the unsubscribe URL must be an absolute https URL');
  }
  if (url.protocol !== 'https:') throw invalid('base', 'the unsubscribe URL must be https (RFC 8058)');
  url.searchParams.set('token', token);
  return url.href;
}

/**
 * RFC 2369 `List-Unsubscribe` (https first, then mailto) and RFC 8058 `List-Unsubscribe-Post`.
 * Both must be covered by the DKIM signature for Gmail to show the button; the SMTP adapter adds
 * them to the signed header list. The email adapters call this for `message.unsubscribe`; call it
 * yourself only for mail you send another way. A non-https URL or a bad mailto is `invalid_input`.
 *
 * @example
 * listUnsubscribeHeaders({ url: 'https://studio.example/unsubscribe?token=abc', mailto: 'unsubscribe@studio.example' });
 * // { 'List-Unsubscribe': '<https://studio.example/unsubscribe?token=abc>, <mailto:unsubscribe@studio.example?subject=unsubscribe>',
 * //   'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
 */
export function listUnsubscribeHeaders(target: UnsubscribeTarget): Record<'List-Unsubscribe' | 'List-Unsubscribe-Post', string> {
  let url: URL;
  try {
    url = new URL(target?.url);
  } catch {
    throw invalid('unsubscribe.url', 'unsubscribe.url must be an https URL');
  }
  if (url.protocol !== 'https:') throw invalid('unsubscribe.url', 'unsubscribe.url must be an https URL (RFC 8058)');
  if (target.mailto !== undefined && !isEmailAddress(target.mailto))
    throw invalid('unsubscribe.mailto', 'unsubscribe.mailto is not a valid email address');
  // `<` `>` `,` inside the URL would break the header's list syntax; URL serialization escapes `<` `>`, a comma we escape.
  const parts = [`<${url.href.replace(/,/g, '%2C')}>`];
  if (target.mailto) parts.push(`<mailto:${target.mailto}?subject=unsubscribe>`);
  return { 'List-Unsubscribe': parts.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The headers an email adapter sends: the message's own, plus List-Unsubscribe when it has an unsubscribe target. */
export function emailHeaders(message: EmailMessage): Record<string, string> {
  const headers: Record<string, string> = { ...message.headers };
  if (message.unsubscribe) Object.assign(headers, listUnsubscribeHeaders(message.unsubscribe));
  return headers;
}

/** Options of `createUnsubscribeHandler`. */
export interface UnsubscribeHandlerOptions {
  /** Verifies the `token` query parameter. */
  tokens: UnsubscribeTokens;
  /** Where a confirmed unsubscribe is recorded (reason `unsubscribed`). */
  suppression: SuppressionList;
  /** Also turn the channel off in the person's preferences, when the token carries a personId. */
  preferences?: Preferences;
  /** Told after an unsubscribe is recorded (to update the host's own records). */
  onUnsubscribe?: (claims: UnsubscribeClaims) => void | Promise<void>;
}

const PAGE = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${title}</title></head><body>${body}</body></html>`;

/**
 * A Fetch handler (`(Request) => Promise<Response>`) for the URL in `List-Unsubscribe`:
 * - POST (the RFC 8058 one-click request, or the confirmation form below) with a valid token:
 *   suppresses the address and answers 200;
 * - GET: a page with a button that POSTs, and no change: scanners that prefetch links do nothing;
 * - a bad or expired token: 400 with no detail;
 * - any other method: 405.
 * Missing `tokens` or `suppression` is `invalid_config`.
 *
 * @example
 * const unsubscribe = createUnsubscribeHandler({ tokens, suppression, preferences });
 * // Hono, Next.js route handlers, Workers, Deno: anything that hands you a Fetch Request.
 * app.all('/unsubscribe', (c) => unsubscribe(c.req.raw));
 */
export function createUnsubscribeHandler(options: UnsubscribeHandlerOptions): (request: Request) => Promise<Response> {
  if (!options?.tokens || !options.suppression) {
    throw new IntegrationError('invalid_config', 'createUnsubscribeHandler: pass tokens and suppression', { details: { field: 'tokens' } });
  }
  const html = (status: number, title: string, body: string, extra: Record<string, string> = {}) =>
    new Response(PAGE(title, body), {
      status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...extra },
    });
  return async (request) => {
    const url = new URL(request.url);
    const token = url.searchParams.get('token') ?? '';
    if (request.method !== 'GET' && request.method !== 'POST')
      return html(405, 'Method not allowed', '<p>Method not allowed.</p>', { allow: 'GET, POST' });
    let claims: UnsubscribeClaims;
    try {
      claims = await options.tokens.verify(token);
    } catch {
      return html(400, 'Link not valid', '<p>This unsubscribe link is not valid or has expired.</p>');
    }
    if (request.method === 'GET') {
      // The form posts back to this same URL (token included); nothing changes until a person presses it.
      return html(
        200,
        'Unsubscribe',
        `<form method="post"><p>Stop these messages?</p><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>`,
      );
    }
    // The person id links the entry for GDPR export/erasure (the entry itself outlives an erasure).
    await options.suppression.add(claims.channel, claims.address, {
      reason: 'unsubscribed',
      ...(claims.personId !== undefined ? { personId: claims.personId } : {}),
    });
    if (options.preferences && claims.personId !== undefined) await options.preferences.set(claims.personId, { [claims.channel]: false });
    await options.onUnsubscribe?.(claims);
    return html(200, 'Unsubscribed', '<p>You are unsubscribed. You will not receive these messages any more.</p>');
  };
}
