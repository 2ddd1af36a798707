/** Shared test helpers: assertions on WebhookVerificationError and signers built on node:crypto. */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { WebhookVerificationError } from '../../src/webhooks/index.js';

export const NOW_MS = 1_764_000_000_000; // 2025-11-24T16:00:00Z, a fixed clock for every test
export const NOW_S = NOW_MS / 1000;
export const now = () => NOW_MS;

/** Await `promise` and return the WebhookVerificationError it rejected with (fails the test otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected the verifier to throw').toBeInstanceOf(WebhookVerificationError);
  return caught as WebhookVerificationError;
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<WebhookVerificationError> {
  const error = await rejection(promise);
  expect(error.code, error.message).toBe(code);
  // Messages are templates that never quote secrets, so the redactor never has anything to mask.
  expect(error.message).not.toContain('****');
  return error;
}

/** Standard Webhooks signature of `id.timestamp.body` with a `whsec_` secret. */
export function signStandard(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function signMailgun(key: string, timestamp: string, token: string): string {
  return createHmac('sha256', key)
    .update(timestamp + token)
    .digest('hex');
}

export const stripeEvent = (id = 'evt_1QabcDEF', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    created: NOW_S,
    livemode: false,
    data: { object: { id: 'cs_test_1', object: 'checkout.session', amount_total: 4900, currency: 'eur', ...extra } },
  });

/**
 * A throwaway RSA key and self-signed certificate, made with openssl (node:crypto cannot create
 * certificates), standing in for an SNS signing certificate.
 */
export function selfSignedCertificate(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sns-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=sns.amazonaws.com', '-days', '2'],
      {
        stdio: 'ignore',
      },
    );
    return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
