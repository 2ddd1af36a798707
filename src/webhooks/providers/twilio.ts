/**
 * Twilio: `X-Twilio-Signature` is base64 HMAC-SHA1, keyed with the account's auth token, over the
 * full URL Twilio called followed by every POST parameter as `name + value`, sorted by name.
 * JSON bodies (newer products) are signed over the URL alone, which carries a `bodySHA256` query
 * parameter: the hex SHA-256 of the body, checked too.
 *
 * The URL must be the one configured in Twilio, not what this server sees behind a proxy or load
 * balancer: pass `url` when they differ. Like Twilio's SDK we try it with and without the default
 * port, because Twilio signs whichever form was configured.
 */
import { bodyText, checkRaw, parseJson, secretList } from '../common.js';
import { hmac, safeEqual, safeEqualBytes, sha256Hex } from '../crypto.js';
import { fromBase64 } from '../encoding.js';
import { fail } from '../errors.js';
import { readHeader } from '../headers.js';
import type { RawWebhook, VerifiedWebhook } from '../types.js';

const PROVIDER = 'twilio';
const HEADER = 'x-twilio-signature';
const MAX_PARAMS = 1000;

/** Options of `verifyTwilioWebhook`. */
export interface TwilioWebhookOptions {
  /** The auth token of the account (or subaccount) that owns the number or service. */
  authToken: string;
  /** The webhook URL exactly as configured in Twilio. Default: `raw.url`. */
  url?: string;
}

/** Form parameters; a name sent several times keeps all its values. For JSON bodies, the parsed body. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * Verify a Twilio request (`X-Twilio-Signature` over the URL and form params, or `bodySHA256` for JSON bodies).
 *
 * @example
 * const { payload } = await verifyTwilioWebhook(await fromNodeRequest(req), { authToken, url: 'https://app.example/sms' });
 */
export async function verifyTwilioWebhook<T = TwilioParams>(raw: RawWebhook, options: TwilioWebhookOptions): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const [authToken] = secretList(options?.authToken, PROVIDER, 'authToken') as [string];
  const urlText = options.url ?? raw.url;
  if (typeof urlText !== 'string' || urlText.length === 0) {
    throw fail.config(PROVIDER, 'pass url (the webhook URL as configured in Twilio); Twilio signs the full URL', 'url');
  }
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw fail.config(PROVIDER, 'url must be an absolute URL such as https://example.com/twilio/sms', 'url');
  }
  const signature = readHeader(raw.headers, HEADER, PROVIDER);
  if (signature === undefined) throw fail.input(PROVIDER, 'missing X-Twilio-Signature header', HEADER);

  const bodyHash = url.searchParams.get('bodySHA256');
  const text = bodyText(raw.body, PROVIDER);
  let params: TwilioParams = {};
  if (bodyHash === null) params = parseForm(text);

  const given = fromBase64(signature);
  let matched = false;
  if (given) {
    for (const candidate of urlCandidates(url)) {
      const expected = await hmac('SHA-1', authToken, [candidate, ...paramParts(params)]);
      if (safeEqualBytes(expected, given)) matched = true;
    }
  }
  if (!matched) {
    throw fail.signature(
      PROVIDER,
      'X-Twilio-Signature does not match: check the auth token, and pass url as configured in Twilio (scheme, host, path and query) when this server sits behind a proxy',
      HEADER,
    );
  }
  if (bodyHash !== null) {
    if (!safeEqual(await sha256Hex(raw.body), bodyHash)) {
      throw fail.signature(PROVIDER, 'the body does not match the bodySHA256 parameter of the signed URL: pass the exact raw body', 'body');
    }
  }
  const idempotencyToken = readHeader(raw.headers, 'i-twilio-idempotency-token', PROVIDER);
  const payload: unknown = bodyHash === null ? params : parseJson(text, PROVIDER);
  const id = idempotencyToken ?? firstString(params, ['MessageSid', 'CallSid', 'SmsSid']);
  return id === undefined ? { provider: PROVIDER, payload: payload as T } : { provider: PROVIDER, id, payload: payload as T };
}

function firstString(params: TwilioParams, names: string[]): string | undefined {
  for (const n of names) {
    const v = params[n];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

function parseForm(text: string): TwilioParams {
  const params: TwilioParams = Object.create(null);
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if (++count > MAX_PARAMS) throw fail.input(PROVIDER, `the form body has more than ${MAX_PARAMS} parameters`, 'body');
    const prev = params[name];
    if (prev === undefined) params[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else params[name] = [prev, value];
  }
  return params;
}

/** `name + value` for each parameter sorted by name; repeated names contribute each distinct value, sorted (as Twilio's SDK does). */
function paramParts(params: TwilioParams): string[] {
  const parts: string[] = [];
  for (const name of Object.keys(params).sort()) {
    const value = params[name] as string | string[];
    if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) parts.push(name, v);
    else parts.push(name, value);
  }
  return parts;
}

/**
 * The URLs Twilio may have signed, in twilio-node's order: without the port, with the scheme's
 * default port, and both again with the query re-encoded the way Node's legacy `querystring` did
 * (`+` → `%20`, repeated names grouped), which older webhook configurations were signed with.
 */
function urlCandidates(url: URL): string[] {
  const withoutPort = new URL(url.href);
  withoutPort.port = '';
  let withPort = url.href;
  if (!url.port) {
    const port = url.protocol === 'https:' ? ':443' : ':80';
    const auth = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
    withPort = `${url.protocol}//${auth}${url.host}${port}${url.pathname}${url.search}${url.hash}`;
  }
  const all = [withoutPort.href, withPort, legacyQuery(withoutPort.href), legacyQuery(withPort)];
  return [...new Set(all)];
}

/** `querystring.stringify(querystring.parse(search))`, as twilio-node's `withLegacyQuerystring`. */
function legacyQuery(href: string): string {
  const url = new URL(href);
  if (!url.search) return href;
  // A plain object on purpose: its key order (integer-like keys first) is what querystring produced.
  const grouped: Record<string, string[]> = {};
  let count = 0;
  for (const [name, value] of new URLSearchParams(url.search)) {
    if (++count > 1000) break; // querystring.parse's default maxKeys
    if (Object.hasOwn(grouped, name)) grouped[name]?.push(value);
    else Object.defineProperty(grouped, name, { value: [value], enumerable: true, writable: true, configurable: true });
  }
  url.search = '';
  const query = Object.keys(grouped)
    .flatMap((name) => (grouped[name] as string[]).map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`))
    .join('&');
  return `${url.href}?${query}`;
}
