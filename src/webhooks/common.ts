/** Checks every verifier shares: the raw input's shape, secrets, timestamps and (after the signature) JSON. */
import { decodeBody } from './crypto.js';
import { fail } from './errors.js';
import { MAX_SIGNATURES } from './headers.js';
import type { RawWebhook } from './types.js';

/** How far a signed timestamp may be from now by default, either way, in seconds (Stripe's and Svix's default too). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const PARSED_BODY_HINT =
  'pass the raw request body (a string or the exact bytes), not a parsed object: in Express use express.raw({ type: "*/*" }) ' +
  'on this route (not express.json()), or fromNodeRequest(req) before any body parser; with fetch use fromFetchRequest(request)';

/** Validate the `raw` argument itself: a parsed body is the classic mistake and gets a message that says so. */
export function checkRaw(raw: RawWebhook, provider: string): void {
  if (raw === null || typeof raw !== 'object') {
    throw fail.input(provider, 'expected a RawWebhook { body, headers, url? }; build one with fromFetchRequest or fromNodeRequest', 'raw');
  }
  const body = raw.body as unknown;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw fail.input(provider, `the body is ${describe(body)}, so its signature cannot be checked; ${PARSED_BODY_HINT}`, 'body');
  }
  if (raw.headers === null || typeof raw.headers !== 'object') {
    throw fail.input(provider, 'headers must be a Headers object or a record of header values', 'headers');
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array (already parsed)';
  if (typeof value === 'object') return 'an object (already parsed)';
  return typeof value;
}

export function parsedBodyHint(): string {
  return PARSED_BODY_HINT;
}

/** The body as text; bytes that are not UTF-8 are `invalid_input` (only called after the signature matched). */
export function bodyText(body: string | Uint8Array, provider: string): string {
  if (typeof body === 'string') return body;
  const text = decodeBody(body);
  if (text === undefined) throw fail.input(provider, 'the signed body is not valid UTF-8', 'body');
  return text;
}

/** Parse a verified body as JSON. Never call before the signature has been checked. */
export function parseJson<T>(text: string, provider: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw fail.input(provider, 'the signature is valid but the body is not JSON', 'body');
  }
}

/**
 * One or several secrets (rotation) → a checked, non-empty list. A wrong secret format is the
 * host's configuration problem, so it is `invalid_config` (answer 500), not the sender's fault.
 */
export function secretList(secret: unknown, provider: string, option: string): string[] {
  const list = Array.isArray(secret) ? secret : [secret];
  if (list.length === 0) throw fail.config(provider, `\`${option}\` must be a non-empty string or a non-empty array of strings`, option);
  if (list.length > MAX_SIGNATURES) throw fail.config(provider, `\`${option}\` lists more than ${MAX_SIGNATURES} secrets`, option);
  for (const s of list) {
    if (typeof s !== 'string' || s.length === 0) {
      throw fail.config(provider, `\`${option}\` must be a non-empty string (is the environment variable set?)`, option);
    }
  }
  return list as string[];
}

/** A hint for signature mismatches: a secret with whitespace is almost always a stray newline from an env file. */
export function whitespaceHint(secrets: readonly string[]): string {
  return secrets.some((s) => /\s/.test(s)) ? '; note: the configured secret contains whitespace (a trailing newline?)' : '';
}

/** Epoch seconds in a header: digits only, no sign, no fraction, no exponent. */
export function parseEpochSeconds(text: string, provider: string, field: string): number {
  if (!/^\d{1,12}$/.test(text)) {
    throw fail.input(provider, `${field} must be a Unix timestamp in seconds`, { field });
  }
  return Number(text);
}

export function toleranceOf(options: { toleranceSeconds?: number; now?: unknown } | undefined, provider: string): number {
  if (options?.now !== undefined && typeof options.now !== 'function') {
    throw fail.config(provider, '`now` must be a function returning epoch milliseconds, like Date.now', 'now');
  }
  const t = options?.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
    throw fail.config(provider, 'toleranceSeconds must be a positive number of seconds', 'toleranceSeconds');
  }
  return t;
}

/** Reject a signed timestamp further than `tolerance` seconds from now, in either direction. */
export function checkTimestamp(timestamp: number, tolerance: number, now: (() => number) | undefined, provider: string): void {
  const nowMs = (now ?? Date.now)();
  // A clock that returns NaN would make every comparison false and silently disable the window.
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw fail.config(provider, '`now` must return epoch milliseconds (a finite number), like Date.now', 'now');
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  const age = nowSeconds - timestamp;
  if (age > tolerance) {
    throw fail.tolerance(
      provider,
      `the signature is valid but was made ${age} s ago, more than the ${tolerance} s tolerance: an old delivery was replayed, or this server's clock is wrong`,
      { ageSeconds: age, toleranceSeconds: tolerance },
    );
  }
  if (-age > tolerance) {
    throw fail.tolerance(
      provider,
      `the signature is valid but its timestamp is ${-age} s in the future, more than the ${tolerance} s tolerance: check this server's clock`,
      { ageSeconds: age, toleranceSeconds: tolerance },
    );
  }
}
