/**
 * SendGrid Event Webhook (signed): ECDSA P-256 with SHA-256 over `<timestamp><raw body>` (the body
 * ends each event with CRLF: never re-serialize it). `X-Twilio-Email-Event-Webhook-Signature` is a
 * base64 DER signature, `X-Twilio-Email-Event-Webhook-Timestamp` the send time, and the
 * verification key (Mail Settings → Signed Event Webhook) is base64 DER SubjectPublicKeyInfo.
 *
 * SendGrid's own helper checks no timestamp, so a captured batch verifies forever; we also reject
 * timestamps outside `toleranceSeconds`.
 */
import { bodyText, checkRaw, checkTimestamp, parseEpochSeconds, parseJson, toleranceOf } from '../common.js';
import { KeyImportError, verifySignature } from '../crypto.js';
import { ecdsaDerToRaw } from '../der.js';
import { concatBytes, fromBase64, fromPemOrBase64 } from '../encoding.js';
import { fail } from '../errors.js';
import { requireHeader } from '../headers.js';
import type { RawWebhook, TimestampOptions, VerifiedWebhook } from '../types.js';

const PROVIDER = 'sendgrid';
const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';

/** Options of `verifySendGridWebhook`. */
export interface SendGridWebhookOptions extends TimestampOptions {
  /** The verification key: base64 DER (as SendGrid shows it) or the same wrapped in PEM. */
  publicKey: string;
}

/** One event of the batch; see SendGrid's Event Webhook reference for each `event` type's fields. */
export interface SendGridEvent {
  email: string;
  timestamp: number;
  event: string;
  sg_event_id?: string;
  sg_message_id?: string;
  [key: string]: unknown;
}

/**
 * Verify a SendGrid Event Webhook batch (ECDSA P-256 signature over timestamp + raw body).
 *
 * @example
 * const { payload: events } = await verifySendGridWebhook(raw, { publicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY! });
 */
export async function verifySendGridWebhook<T = SendGridEvent[]>(
  raw: RawWebhook,
  options: SendGridWebhookOptions,
): Promise<VerifiedWebhook<T>> {
  checkRaw(raw, PROVIDER);
  const key = typeof options?.publicKey === 'string' ? fromPemOrBase64(options.publicKey) : undefined;
  if (!key) {
    throw fail.config(PROVIDER, 'publicKey must be the base64 verification key from Mail Settings → Signed Event Webhook', 'publicKey');
  }
  const tolerance = toleranceOf(options, PROVIDER);
  const signatureText = requireHeader(raw.headers, SIGNATURE, PROVIDER, 'is signature verification enabled for this Event Webhook?');
  const ts = requireHeader(raw.headers, TIMESTAMP, PROVIDER);
  const timestamp = parseEpochSeconds(ts, PROVIDER, TIMESTAMP);

  const der = fromBase64(signatureText);
  const signature = der && ecdsaDerToRaw(der);
  let valid = false;
  if (signature) {
    try {
      valid = await verifySignature(
        { name: 'ECDSA', curve: 'P-256' },
        key,
        typeof raw.body === 'string' ? ts + raw.body : concatBytes([ts, raw.body]),
        signature,
      );
    } catch (error) {
      if (error instanceof KeyImportError) {
        throw fail.config(PROVIDER, 'publicKey is not a P-256 public key; copy the verification key again', 'publicKey');
      }
      throw error;
    }
  }
  if (!valid) {
    throw fail.signature(
      PROVIDER,
      "the Event Webhook signature does not match: pass the exact raw body (events end with CRLF) and this account's verification key",
      SIGNATURE,
    );
  }
  checkTimestamp(timestamp, tolerance, options.now, PROVIDER);
  const payload = parseJson<T>(bodyText(raw.body, PROVIDER), PROVIDER);
  return { provider: PROVIDER, timestamp, payload };
}
