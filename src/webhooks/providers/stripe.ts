/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`, the HMAC keyed
 * with the endpoint's signing secret (the whole `whsec_…` string) over `<t>.<raw body>`.
 * Several `v1` values appear while Stripe rolls a secret; `v0` is a test-mode legacy scheme we ignore.
 */
import { bodyText, checkRaw, checkTimestamp, parseEpochSeconds, parseJson, secretList, toleranceOf, whitespaceHint } from '../common.js';
import { hmac, safeEqualBytes } from '../crypto.js';
import { fromHex } from '../encoding.js';
import { fail } from '../errors.js';
import { MAX_SIGNATURES, requireHeader } from '../headers.js';
import { checkGuardCoversTolerance } from '../replay-check.js';
import type { RawWebhook, ReplayOptions, TimestampOptions, VerifiedWebhook } from '../types.js';

const PROVIDER = 'stripe';
const HEADER = 'stripe-signature';

/** Options of `verifyStripeWebhook`. */
export interface StripeWebhookOptions extends TimestampOptions, ReplayOptions {
  /** The endpoint's signing secret (`whsec_…`), or several while you roll it. */
  secret: string | string[];
}

/** The fields every Stripe event has; use the `stripe` package's `Stripe.Event` for the full type. */
export interface StripeEventLike {
  id: string;
  object: 'event';
  type: string;
  created: number;
  livemode: boolean;
  data: { object: Record<string, unknown> & { object?: string } };
  [key: string]: unknown;
}

/**
 * Verify a Stripe webhook (`Stripe-Signature`, HMAC-SHA256 over `<t>.<raw body>`) and parse the event.
 *
 * @example
 * const event = await verifyStripeWebhook(await fromFetchRequest(request), { secret: process.env.STRIPE_WEBHOOK_SECRET!, replayGuard });
 */
export async function verifyStripeWebhook<T = StripeEventLike>(
  raw: RawWebhook,
  options: StripeWebhookOptions,
): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const secrets = secretList(options?.secret, PROVIDER, 'secret');
  for (const s of secrets) {
    if (/^(sk|rk|pk)_(live|test)_/.test(s)) {
      throw fail.config(
        PROVIDER,
        'secret looks like a Stripe API key; pass the endpoint signing secret (whsec_…) from the webhook endpoint page',
        'secret',
      );
    }
  }
  const tolerance = toleranceOf(options, PROVIDER);
  if (options.replayGuard) checkGuardCoversTolerance(options.replayGuard, tolerance, PROVIDER);

  const header = requireHeader(raw.headers, HEADER, PROVIDER, 'is this request from Stripe, and does your proxy forward it?');
  let t: string | undefined;
  const signatures: string[] = [];
  // stripe-node's grammar (comma-separated `key=value`, unknown keys ignored), except that keys are
  // trimmed: a header sent twice arrives joined with ", ", and its second `t=` must be noticed.
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (key === 't') {
      if (t !== undefined && t !== value)
        throw fail.input(PROVIDER, 'the Stripe-Signature header carries two different timestamps', HEADER);
      t = value;
    } else if (key === 'v1') {
      if (signatures.length >= MAX_SIGNATURES)
        throw fail.input(PROVIDER, `the Stripe-Signature header has more than ${MAX_SIGNATURES} v1 signatures`, HEADER);
      signatures.push(value);
    }
  }
  if (t === undefined) throw fail.input(PROVIDER, 'the Stripe-Signature header has no t= timestamp', HEADER);
  const timestamp = parseEpochSeconds(t, PROVIDER, HEADER);
  if (signatures.length === 0) {
    throw fail.signature(PROVIDER, 'the Stripe-Signature header has no v1 signature (v0 is not accepted)', HEADER);
  }

  // Only well-formed v1 values (64 lowercase hex digits, as stripe-node compares them) can match.
  const candidates: Uint8Array[] = [];
  for (const s of signatures) {
    const bytes = s.length === 64 ? fromHex(s) : undefined;
    if (bytes) candidates.push(bytes);
  }
  let matched = false;
  if (candidates.length > 0) {
    for (const secret of secrets) {
      const mac = hmac('SHA-256', secret, [`${timestamp}.`, raw.body]);
      const expected = mac instanceof Uint8Array ? mac : await mac;
      // Every candidate is compared, so timing says nothing about which one matched.
      for (const c of candidates) if (safeEqualBytes(expected, c)) matched = true;
    }
  }
  if (!matched) {
    throw fail.signature(
      PROVIDER,
      `no v1 signature in the Stripe-Signature header matches the body: pass the exact raw body (not re-serialized JSON) and the signing secret of this endpoint (test and live mode differ)${whitespaceHint(secrets)}`,
      HEADER,
    );
  }
  checkTimestamp(timestamp, tolerance, options.now, PROVIDER);
  const payload = parseJson<T & { id?: unknown }>(bodyText(raw.body, PROVIDER), PROVIDER);
  const id = typeof payload?.id === 'string' ? payload.id : undefined;
  if (options.replayGuard) {
    if (id === undefined) throw fail.input(PROVIDER, 'the event has no string id to check for replays', 'id');
    await options.replayGuard.claim(PROVIDER, id);
  }
  return id === undefined ? { provider: PROVIDER, timestamp, payload } : { provider: PROVIDER, id, timestamp, payload };
}
