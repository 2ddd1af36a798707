/**
 * fast-check properties over random headers, bodies, secrets and timestamps, for every verifier:
 * - a body it did not sign is never accepted (soundness), a body it did sign always is (completeness);
 * - it never throws anything but WebhookVerificationError;
 * - the secret and the body never appear in the error message.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createReplayGuard,
  verifyGoogleChannel,
  verifyGraphNotification,
  verifyMailgunWebhook,
  verifySendGridWebhook,
  verifySnsMessage,
  verifyStandardWebhook,
  verifyStripeWebhook,
  verifyTwilioWebhook,
  WebhookVerificationError,
} from '../../src/webhooks/index.js';
import { NOW_MS, NOW_S, now, signMailgun } from './helpers.js';

const twilio = createRequire(import.meta.url)('twilio/lib/webhooks/webhooks.js') as {
  validateRequest(token: string, signature: string, url: string, params: Record<string, string>): boolean;
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, string>): string;
};

const RUNS = 150;

/** Secrets and bodies carry markers no error template contains, so "not in the message" is a real check. */
const secretArb = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 12, maxLength: 40 })
  .map((s) => `zqsec${s}`);
const jsonBodyArb = fc
  .record({ id: fc.string({ maxLength: 20 }), n: fc.integer(), s: fc.string({ maxLength: 60 }) })
  .map((o) => JSON.stringify({ marker: 'BODYMARKER', ...o }));
const bodyArb = fc.oneof(
  jsonBodyArb,
  jsonBodyArb.map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 200 }),
);
const headerValueArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', 't=', 'v1=', 't=1,v1=', 'v1,', 'v1,AAAA', ' ', ',,,', '=', 't=99999999999999999999'),
  fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
  fc.constant('x'.repeat(10_000)),
);
const headersArb = fc.dictionary(
  fc.constantFrom(
    'stripe-signature',
    'Stripe-Signature',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'svix-signature',
    'x-twilio-signature',
    'x-twilio-email-event-webhook-signature',
    'x-twilio-email-event-webhook-timestamp',
    'x-goog-channel-id',
    'x-goog-channel-token',
    'x-goog-resource-id',
    'x-goog-resource-state',
    'content-type',
  ),
  headerValueArb,
  { maxKeys: 6 },
) as fc.Arbitrary<Record<string, string | string[]>>;

function textOf(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

/** Run `verify` and check the failure contract; returns true when it accepted. */
async function outcome(verify: () => Promise<unknown>, secret: string, body: string | Uint8Array): Promise<boolean> {
  try {
    await verify();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    // Webhook errors are built without the redactor (docs/decisions.md), so this is the guarantee
    // itself: nothing secret in the message, the stack, util.inspect (console.log) or the JSON.
    for (const message of [(error as Error).message, inspect(error, { depth: 10 }), JSON.stringify(error)]) {
      expect(message).not.toContain(secret);
      const text = textOf(body);
      if (text.length >= 12) expect(message).not.toContain(text);
      expect(message).not.toContain('BODYMARKER');
      // Our templates never trip the redactor: a mask in a message would mean it quoted something secret-shaped.
      expect(message).not.toContain('****');
    }
    return false;
  }
}

const ecKey =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LdRA8N1XoGNMOr6UlRWzZ+KjC7Sb3VfFcM9OTBTkp4ez8c3xsUOm59AKpFMDrWqXIHXdFmjm+ZsRA6YViA==';

describe('every verifier, random headers and bodies: only WebhookVerificationError, nothing leaked, nothing accepted', () => {
  const verifiers: Array<
    [string, (raw: { body: string | Uint8Array; headers: Record<string, string | string[]> }, secret: string) => Promise<unknown>]
  > = [
    ['stripe', (raw, secret) => verifyStripeWebhook(raw, { secret, now })],
    [
      'standard',
      (raw, secret) =>
        verifyStandardWebhook(raw, {
          secret: typeof secret === 'string' ? `whsec_${Buffer.from(secret).toString('base64')}` : secret,
          now,
        }),
    ],
    ['twilio', (raw, secret) => verifyTwilioWebhook(raw, { authToken: secret, url: 'https://example.com/t' })],
    ['sendgrid', (raw) => verifySendGridWebhook(raw, { publicKey: ecKey, now })],
    ['mailgun', (raw, secret) => verifyMailgunWebhook(raw, { signingKey: secret, now, replayGuard: createReplayGuard() })],
    ['sns', (raw) => verifySnsMessage(raw, { fetchCertificate: async () => 'not a certificate' })],
    ['graph', (raw, secret) => verifyGraphNotification(raw, { clientState: secret })],
    ['google', (raw, secret) => verifyGoogleChannel(raw, { token: secret })],
  ];
  it.each(verifiers)('%s', async (_name, verify) => {
    await fc.assert(
      fc.asyncProperty(bodyArb, headersArb, secretArb, async (body, headers, secret) => {
        expect(await outcome(() => verify({ body, headers }, secret), secret, body)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(verifiers)('%s: wrong-type secrets and raw inputs are errors, not crashes', async (_name, verify) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.constant(''), fc.array(fc.string())),
        async (bad) => {
          await expect(verify({ body: '{}', headers: {} }, bad as unknown as string)).rejects.toBeInstanceOf(WebhookVerificationError);
          await expect(verify(bad as never, 'zqsecret0123456789')).rejects.toBeInstanceOf(WebhookVerificationError);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('HMAC verifiers: signed bodies pass, any other body fails', () => {
  const anyBody = fc.oneof(jsonBodyArb, fc.uint8Array({ maxLength: 120 }));
  const otherBody = (a: string | Uint8Array, b: string | Uint8Array) =>
    Buffer.compare(Buffer.from(textOrBytes(a)), Buffer.from(textOrBytes(b))) !== 0;
  const textOrBytes = (b: string | Uint8Array) => (typeof b === 'string' ? new TextEncoder().encode(b) : b);

  it('stripe', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, anyBody, secretArb, fc.integer({ min: -300, max: 300 }), async (signedBody, sentBody, secret, skew) => {
        const t = NOW_S + skew;
        const v1 = createHmac('sha256', secret).update(`${t}.`).update(textOrBytes(signedBody)).digest('hex');
        const headers = { 'stripe-signature': `t=${t},v1=${v1}` };
        const accepted = await outcome(() => verifyStripeWebhook({ body: sentBody, headers }, { secret, now }), secret, sentBody);
        const isJson = typeof sentBody === 'string';
        expect(accepted).toBe(!otherBody(signedBody, sentBody) && isJson);
      }),
      { numRuns: RUNS },
    );
  });

  it('standard webhooks', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        anyBody,
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.integer({ min: -300, max: 300 }),
        async (signedBody, sentBody, key, skew) => {
          const t = NOW_S + skew;
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const sig = createHmac('sha256', key).update(`msg_1.${t}.`).update(textOrBytes(signedBody)).digest('base64');
          const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(t), 'webhook-signature': `v1,${sig}` };
          const accepted = await outcome(() => verifyStandardWebhook({ body: sentBody, headers }, { secret, now }), secret, sentBody);
          expect(accepted).toBe(!otherBody(signedBody, sentBody) && typeof sentBody === 'string');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('twilio: only the signed form parameters pass, and the verdict matches twilio-node', async () => {
    const paramsArb = fc.dictionary(
      fc.string({ unit: fc.constantFrom(...'ABCabc'), minLength: 1, maxLength: 4 }),
      fc.string({ maxLength: 12 }),
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(secretArb, paramsArb, paramsArb, async (authToken, signedParams, sentParams) => {
        const url = 'https://example.com/sms?x=1';
        const signature = twilio.getExpectedTwilioSignature(authToken, url, signedParams);
        const body = new URLSearchParams(sentParams).toString();
        const accepted = await outcome(
          () => verifyTwilioWebhook({ body, headers: { 'x-twilio-signature': signature } }, { authToken, url }),
          authToken,
          body,
        );
        expect(accepted).toBe(twilio.validateRequest(authToken, signature, url, sentParams));
        const same = JSON.stringify(Object.entries(signedParams).sort()) === JSON.stringify(Object.entries(sentParams).sort());
        if (same) expect(accepted).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('mailgun: only the signed token and timestamp pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 60 }),
        async (key, token, sentToken) => {
          const ts = String(NOW_S);
          const body = JSON.stringify({
            signature: { timestamp: ts, token: sentToken, signature: signMailgun(key, ts, token) },
            'event-data': {},
          });
          const accepted = await outcome(
            () => verifyMailgunWebhook({ body, headers: {} }, { signingKey: key, now, replayGuard: createReplayGuard() }),
            key,
            body,
          );
          expect(accepted).toBe(token === sentToken);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('timestamps', () => {
  it('a valid Stripe signature passes exactly when the timestamp is within ±tolerance', async () => {
    const secret = 'whsec_timestamp_property';
    const body = '{"id":"evt_t"}';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        async (skew, tolerance) => {
          const t = NOW_S + skew;
          if (t < 0) return;
          const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
          try {
            await verifyStripeWebhook(
              { body, headers: { 'stripe-signature': `t=${t},v1=${v1}` } },
              { secret, now, toleranceSeconds: tolerance },
            );
            expect(Math.abs(skew)).toBeLessThanOrEqual(tolerance);
          } catch (error) {
            expect((error as WebhookVerificationError).code).toBe('timestamp_out_of_tolerance');
            expect(Math.abs(skew)).toBeGreaterThan(tolerance);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('far-past, far-future and malformed timestamps never pass', async () => {
    const secret = 'whsec_timestamp_property';
    const body = '{}';
    for (const t of ['0', '1', String(NOW_S + 100_000_000), '999999999999', '1e9', '-5', ' 1', '0x10', `${NOW_S}.0`]) {
      const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
      await expect(
        verifyStripeWebhook({ body, headers: { 'stripe-signature': `t=${t},v1=${v1}` } }, { secret, now }),
      ).rejects.toBeInstanceOf(WebhookVerificationError);
    }
    expect(NOW_MS).toBeGreaterThan(0);
  });
});
