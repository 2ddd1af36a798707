/**
 * Mailgun: the signature travels in the body, `signature: { timestamp, token, signature }`, where
 * `signature` is hex HMAC-SHA256 of `timestamp + token` keyed with the webhook signing key (not the
 * API key). It does NOT cover `event-data`: anyone holding one genuine delivery could attach other
 * event data to its signature. So every token goes through a replay guard — a process-wide memory
 * guard when you pass none; pass one backed by a shared store when you run several processes.
 * Legacy form-encoded webhooks (`timestamp`, `token`, `signature` fields) are accepted too.
 */
import { bodyText, checkRaw, checkTimestamp, parseEpochSeconds, parseJson, secretList, toleranceOf } from '../common.js';
import { hmac, safeEqualBytes } from '../crypto.js';
import { fromHex } from '../encoding.js';
import { fail } from '../errors.js';
import { readHeader } from '../headers.js';
import { createReplayGuard, type ReplayGuard } from '../replay.js';
import { checkGuardCoversTolerance } from '../replay-check.js';
import type { RawWebhook, ReplayOptions, TimestampOptions, VerifiedWebhook } from '../types.js';

const PROVIDER = 'mailgun';
const MAX_TOKEN_LENGTH = 256;

/** Options of `verifyMailgunWebhook`. */
export interface MailgunWebhookOptions extends TimestampOptions, ReplayOptions {
  /** The HTTP webhook signing key (Sending → Webhooks), not the API key. */
  signingKey: string;
}

/** A Mailgun webhook body: the `signature` block and the event in `event-data`. */
export interface MailgunWebhookPayload {
  signature: { timestamp: string; token: string; signature: string };
  'event-data': Record<string, unknown> & { event?: string; id?: string };
}

let defaultGuard: ReplayGuard | undefined;

/**
 * Verify a Mailgun webhook (HMAC-SHA256 of `timestamp + token` in the JSON body's `signature`).
 *
 * @example
 * const { payload } = await verifyMailgunWebhook(raw, { signingKey: process.env.MAILGUN_SIGNING_KEY!, replayGuard });
 */
export async function verifyMailgunWebhook<T = MailgunWebhookPayload>(
  raw: RawWebhook,
  options: MailgunWebhookOptions,
): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const [signingKey] = secretList(options?.signingKey, PROVIDER, 'signingKey') as [string];
  const tolerance = toleranceOf(options, PROVIDER);
  const guard = options.replayGuard ?? (defaultGuard ??= createReplayGuard());
  checkGuardCoversTolerance(guard, tolerance, PROVIDER);

  // The signed fields sit in the body, so the body must be read before verification; the rest
  // (`event-data`) is only trusted once the signature and the token check out.
  const text = bodyText(raw.body, PROVIDER);
  const contentType = readHeader(raw.headers, 'content-type', PROVIDER) ?? '';
  let payload: unknown;
  let fields: { timestamp?: unknown; token?: unknown; signature?: unknown } | undefined;
  if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
    const form = Object.fromEntries(new URLSearchParams(text));
    payload = form;
    fields = form;
  } else {
    // Parsing before the signature check is unavoidable here (the signature is inside the body).
    payload = parseJson(text, PROVIDER);
    fields = (payload as { signature?: unknown } | null)?.signature as typeof fields;
  }
  if (fields === null || typeof fields !== 'object') {
    throw fail.input(PROVIDER, 'the body has no signature object: is this a Mailgun webhook, and is the raw body passed?', 'signature');
  }
  const { timestamp: ts, token, signature } = fields;
  if (typeof ts !== 'string' || typeof token !== 'string' || typeof signature !== 'string' || token.length === 0) {
    throw fail.input(PROVIDER, 'the signature object needs string fields timestamp, token, signature', 'signature');
  }
  if (token.length > MAX_TOKEN_LENGTH)
    throw fail.input(PROVIDER, `too long (over ${MAX_TOKEN_LENGTH} characters): signature.token`, 'signature.token');
  const timestamp = parseEpochSeconds(ts, PROVIDER, 'signature.timestamp');
  const expected = await hmac('SHA-256', signingKey, [ts, token]);
  const given = fromHex(signature);
  if (!given || !safeEqualBytes(expected, given)) {
    throw fail.signature(
      PROVIDER,
      "signature.signature does not match: use the HTTP webhook signing key (not the API key) of this domain's account",
      'signature.signature',
    );
  }
  checkTimestamp(timestamp, tolerance, options.now, PROVIDER);
  await guard.claim(PROVIDER, token);
  return { provider: PROVIDER, id: token, timestamp, payload: payload as T };
}
