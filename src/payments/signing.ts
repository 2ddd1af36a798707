/**
 * Signs a webhook body the way Stripe does (`Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">`), so the fake's deliveries go through the very verifier production uses.
 */
import { hmac } from '../webhooks/crypto.js';
import { toHex } from '../webhooks/encoding.js';
import type { RawWebhook } from '../webhooks/types.js';

export async function signStripeStyle(body: string, secret: string, timestampSeconds: number): Promise<RawWebhook> {
  const mac = await hmac('SHA-256', secret, [`${timestampSeconds}.`, body]);
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${timestampSeconds},v1=${toHex(mac)}` } };
}
