/**
 * Differential properties: on random events, secrets, timestamps and tamperings, our verdict equals
 * the official library's. Known, deliberate differences are kept out of the generators and
 * documented in docs/webhooks.md: we also reject timestamps more than the tolerance in the future
 * (stripe-node does not), and we require the body to be JSON (standardwebhooks returns `undefined`
 * for an empty body).
 */
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyStandardWebhook, verifyStripeWebhook } from '../../src/webhooks/index.js';
import { NOW_MS, NOW_S, now } from './helpers.js';

const RUNS = 200;
const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');

const eventArb = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 24 }),
    amount: fc.integer(),
    note: fc.string({ maxLength: 80 }),
    emoji: fc.constantFrom('', 'é', '💳', '\u2028'),
  })
  .map((e) => JSON.stringify({ object: 'event', ...e }));

/** What is done to a genuine delivery before it reaches the verifiers. */
type Tamper = 'none' | 'body' | 'timestamp' | 'secret' | 'signature' | 'drop-signature';
const tamperArb = fc.constantFrom<Tamper>('none', 'none', 'body', 'timestamp', 'secret', 'signature', 'drop-signature');

describe('verifyStripeWebhook ≡ stripe.webhooks.constructEvent', () => {
  it('agrees on random deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventArb,
        fc.string({ minLength: 1, maxLength: 40 }).map((s) => `whsec_${s}`),
        fc.integer({ min: -900, max: 300 }),
        tamperArb,
        fc.nat(),
        async (body, secret, skew, tamper, where) => {
          let payload = body;
          let header = stripe.webhooks.generateTestHeaderString({
            payload: body,
            secret: tamper === 'secret' ? `${secret}x` : secret,
            timestamp: NOW_S + skew,
          });
          if (tamper === 'body')
            payload =
              body.slice(0, where % body.length) + (body[where % body.length] === 'a' ? 'b' : 'a') + body.slice((where % body.length) + 1);
          if (tamper === 'timestamp') header = header.replace(/t=(\d+)/, (_m, t: string) => `t=${Number(t) - 1}`);
          if (tamper === 'signature') header = header.replace(/v1=(.)/, (_m, c: string) => `v1=${c === '0' ? '1' : '0'}`);
          if (tamper === 'drop-signature') header = header.replace(/,v1=[0-9a-f]+/, '');
          let official = true;
          try {
            stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, NOW_MS);
          } catch {
            official = false;
          }
          let ours = true;
          try {
            await verifyStripeWebhook({ body: payload, headers: { 'stripe-signature': header } }, { secret, now });
          } catch {
            ours = false;
          }
          expect(ours).toBe(official);
          if (tamper === 'none' && skew >= -300) expect(ours).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('verifyStandardWebhook ≡ standardwebhooks Webhook.verify', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_MS);
  });
  afterEach(() => void vi.useRealTimers());

  it('agrees on random deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventArb,
        fc.uint8Array({ minLength: 8, maxLength: 48 }),
        fc
          .string({ minLength: 1, maxLength: 30, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_') })
          .map((s) => `msg_${s}`),
        fc.integer({ min: -900, max: 900 }),
        tamperArb,
        async (body, key, id, skew, tamper) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const signer = new Webhook(tamper === 'secret' ? `whsec_${Buffer.from([...key, 1]).toString('base64')}` : secret);
          const ts = NOW_S + skew;
          let signature = signer.sign(id, new Date(ts * 1000), body);
          let payload = body;
          let headerTs = String(ts);
          if (tamper === 'body') payload = `${body} `;
          if (tamper === 'timestamp') headerTs = String(ts + 1);
          if (tamper === 'signature') signature = signature.replace('v1,', 'v1,A').slice(0, -1);
          if (tamper === 'drop-signature') signature = 'v1a,abc';
          const headers = { 'webhook-id': id, 'webhook-timestamp': headerTs, 'webhook-signature': signature };
          let official = true;
          try {
            new Webhook(secret).verify(payload, headers);
          } catch {
            official = false;
          }
          let ours = true;
          try {
            await verifyStandardWebhook({ body: payload, headers }, { secret, now });
          } catch {
            ours = false;
          }
          expect(ours).toBe(official);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
