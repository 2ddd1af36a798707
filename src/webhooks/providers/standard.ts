/**
 * Standard Webhooks (standardwebhooks.com): used by Svix, Resend, Clerk, Liveblocks and others.
 * Headers `webhook-id`, `webhook-timestamp`, `webhook-signature` (Svix sends the same as `svix-*`);
 * the signature list is space-separated `v1,<base64 HMAC-SHA256>` entries, keyed with the base64
 * secret after its `whsec_` prefix, over `<id>.<timestamp>.<raw body>`.
 */
import { bodyText, checkRaw, checkTimestamp, parseEpochSeconds, parseJson, secretList, toleranceOf } from '../common.js';
import { hmac, safeEqualBytes } from '../crypto.js';
import { fromBase64 } from '../encoding.js';
import { fail } from '../errors.js';
import { MAX_SIGNATURES, readHeader } from '../headers.js';
import { checkGuardCoversTolerance } from '../replay-check.js';
import type { HeadersLike, RawWebhook, ReplayOptions, TimestampOptions, VerifiedWebhook } from '../types.js';

const PROVIDER = 'standard-webhooks';
const MAX_ID_LENGTH = 256;

/** Options of `verifyStandardWebhook`. */
export interface StandardWebhookOptions extends TimestampOptions, ReplayOptions {
  /** `whsec_<base64>` (or the bare base64), or several while you roll it. */
  secret: string | string[];
}

const decodedSecrets = new Map<string, Uint8Array>();

function decodeSecret(secret: string): Uint8Array {
  const cached = decodedSecrets.get(secret);
  if (cached) return cached;
  const body = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = fromBase64(body);
  if (!key || key.length === 0) {
    throw fail.config(PROVIDER, 'secret must be "whsec_" followed by base64 (copy it whole from the provider dashboard)', 'secret');
  }
  if (decodedSecrets.size >= 64) decodedSecrets.clear();
  decodedSecrets.set(secret, key);
  return key;
}

/** The `webhook-*` header, else the `svix-*` one. */
function pick(headers: HeadersLike, name: string): string | undefined {
  return readHeader(headers, `webhook-${name}`, PROVIDER) ?? readHeader(headers, `svix-${name}`, PROVIDER);
}

/**
 * Verify a Standard Webhooks delivery (Svix, Resend, Clerk …: `webhook-id`, `webhook-timestamp`, `webhook-signature`).
 *
 * @example
 * const event = await verifyStandardWebhook(await fromFetchRequest(request), { secret: 'whsec_…', replayGuard });
 */
export async function verifyStandardWebhook<T = unknown>(raw: RawWebhook, options: StandardWebhookOptions): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const keys = secretList(options?.secret, PROVIDER, 'secret').map(decodeSecret);
  const tolerance = toleranceOf(options, PROVIDER);
  if (options.replayGuard) checkGuardCoversTolerance(options.replayGuard, tolerance, PROVIDER);

  const id = pick(raw.headers, 'id');
  const ts = pick(raw.headers, 'timestamp');
  const signatureHeader = pick(raw.headers, 'signature');
  if (id === undefined || ts === undefined || signatureHeader === undefined) {
    const missing = [
      id === undefined && 'webhook-id',
      ts === undefined && 'webhook-timestamp',
      signatureHeader === undefined && 'webhook-signature',
    ]
      .filter(Boolean)
      .join(', ');
    throw fail.input(PROVIDER, `missing ${missing} header (svix-* names are accepted too)`, missing);
  }
  if (id.length > MAX_ID_LENGTH)
    throw fail.input(PROVIDER, `the webhook-id header is longer than ${MAX_ID_LENGTH} characters`, 'webhook-id');
  const timestamp = parseEpochSeconds(ts, PROVIDER, 'webhook-timestamp');

  const candidates: Uint8Array[] = [];
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    // Other versions (v1a: asymmetric) are skipped, as the reference libraries do.
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    if (candidates.length >= MAX_SIGNATURES) {
      throw fail.input(PROVIDER, `the webhook-signature header has more than ${MAX_SIGNATURES} v1 signatures`, 'webhook-signature');
    }
    // Strict base64: only the canonical spelling the reference libraries compare against can match.
    const bytes = fromBase64(entry.slice(comma + 1));
    if (bytes) candidates.push(bytes);
  }
  if (candidates.length === 0) throw fail.signature(PROVIDER, 'the webhook-signature header has no v1 signature', 'webhook-signature');

  let matched = false;
  for (const key of keys) {
    const mac = hmac('SHA-256', key, [`${id}.${timestamp}.`, raw.body]);
    const expected = mac instanceof Uint8Array ? mac : await mac;
    for (const c of candidates) if (safeEqualBytes(expected, c)) matched = true;
  }
  if (!matched) {
    throw fail.signature(
      PROVIDER,
      'no v1 signature in the webhook-signature header matches: pass the exact raw body and the endpoint secret (whsec_…) of this endpoint',
      'webhook-signature',
    );
  }
  checkTimestamp(timestamp, tolerance, options.now, PROVIDER);
  const text = bodyText(raw.body, PROVIDER);
  const payload = parseJson<T>(text, PROVIDER);
  if (options.replayGuard) await options.replayGuard.claim(PROVIDER, id);
  return { provider: PROVIDER, id, timestamp, payload };
}
