import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryTracker, createSuppressionList } from '../../src/notify/index.js';
import { createResendEmail } from '../../src/notify/resend/index.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';
import { countingHarness, FAST_RETRY, type Logged, log } from './support/http.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const API_KEY = 're_test_123456789abcdef';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const requests: Logged[] = [];
let armed: Fault | undefined;
let queue: Fault[] = [];
const byKey = new Map<string, string>();
let n = 0;
const ERRORS: Record<Fault, [number, string]> = {
  rate_limited: [429, 'rate_limit_exceeded'],
  unavailable: [500, 'internal_server_error'],
  authentication: [403, 'invalid_api_key'],
  rejected_recipient: [422, 'validation_error'],
};
const server = setupServer(
  http.post('https://api.resend.com/emails', async ({ request }) => {
    const req = await log(request, requests);
    const fault = armed ?? queue.shift();
    if (fault) {
      const [status, name] = ERRORS[fault];
      return HttpResponse.json(
        { statusCode: status, name, message: 'Invalid `to` field: ada@example.com' },
        { status, headers: status === 429 ? { 'retry-after': '0' } : {} },
      );
    }
    // Resend's idempotency: the same key answers with the first email id.
    const key = req.headers['idempotency-key'] ?? '';
    const id = byKey.get(key) ?? `em_${++n}`;
    byKey.set(key, id);
    return HttpResponse.json({ id });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const make = () =>
  createResendEmail({
    apiKey: API_KEY,
    from: { email: 'bookings@studio.example', name: 'Studio' },
    webhookSecret: SECRET,
    retry: FAST_RETRY,
    now: () => NOW,
  });

/** Signed by the standardwebhooks library (the reference implementation Resend's Svix signs with). */
function signed(payload: unknown, id = `msg_${Math.random().toString(36).slice(2)}`) {
  const body = JSON.stringify(payload);
  const ts = new Date(NOW);
  return {
    body,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(NOW / 1000), 'webhook-signature': new Webhook(SECRET).sign(id, ts, body) },
  };
}

describeNotifierConformance(
  'resend (msw)',
  async () => {
    return {
      ...countingHarness(make(), (fault) => {
        armed = fault;
      }),
      messages: { email: { channel: 'email', to: 'ada@example.com', subject: 'Booking confirmed', text: 'See you at 10:00' } },
      signedDeliveryWebhook: (result) =>
        signed({
          type: 'email.delivered',
          created_at: '2026-11-25T12:00:01.000Z',
          data: { email_id: result.providerMessageId, to: ['ada@example.com'] },
        }),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('resend adapter', () => {
  it('sends the idempotency key to Resend, so a retried 5xx is answered with the first email', async () => {
    queue = ['unavailable'];
    const before = requests.length;
    const r = await make().send(
      {
        channel: 'email',
        to: { email: 'ada@example.com', name: 'Ada' },
        subject: 'Hi',
        text: 't',
        html: '<p>h</p>',
        unsubscribe: { url: 'https://studio.example/u?t=1' },
      },
      { idempotencyKey: 'booking:42' },
    );
    const mine = requests.slice(before);
    expect(mine).toHaveLength(2);
    for (const req of mine) {
      expect(req.headers['idempotency-key']).toBe('booking:42');
      expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    }
    expect(JSON.parse(mine[1]?.body ?? '')).toEqual({
      from: 'Studio <bookings@studio.example>',
      to: ['Ada <ada@example.com>'],
      subject: 'Hi',
      text: 't',
      html: '<p>h</p>',
      headers: { 'List-Unsubscribe': '<https://studio.example/u?t=1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    const again = await make().send(
      { channel: 'email', to: 'ada@example.com', subject: 'Hi', text: 't' },
      { idempotencyKey: 'booking:42' },
    );
    expect(again.providerMessageId).toBe(r.providerMessageId);
  });

  it('webhooks: a verified bounce suppresses; delivery_delayed is soft; a forged one is refused', async () => {
    const suppression = createSuppressionList();
    const tracker = createDeliveryTracker({ suppression });
    const resend = make();
    const bounce = {
      type: 'email.bounced',
      created_at: '2026-11-25T12:00:02.000Z',
      data: { email_id: 'em_9', to: ['Gone <gone@example.com>'], bounce: { type: 'Permanent', subType: 'General' } },
    };
    const forged = signed(bounce);
    await expect(resend.parseWebhook({ ...forged, headers: { ...forged.headers, 'webhook-signature': 'v1,AAAA' } })).rejects.toMatchObject({
      code: 'signature_invalid',
    });
    expect(await suppression.get('email', 'gone@example.com')).toBeUndefined();
    const events = await resend.parseWebhook(signed(bounce, 'msg_bounce_1'));
    expect(events[0]).toMatchObject({
      status: 'bounced',
      bounceType: 'hard',
      providerEventId: 'msg_bounce_1',
      recipient: 'gone@example.com',
      reason: 'General',
    });
    await tracker.record(events);
    expect(await suppression.get('email', 'gone@example.com')).toMatchObject({ reason: 'hard_bounce', provider: 'resend' });
    const delayed = await resend.parseWebhook(
      signed({ type: 'email.delivery_delayed', created_at: '2026-11-25T12:00:02.000Z', data: { email_id: 'em_8', to: ['x@example.com'] } }),
    );
    expect(delayed[0]).toMatchObject({ status: 'bounced', bounceType: 'soft' });
  });

  it('an event without a parseable created_at is dated when it was received, not 1970', async () => {
    const resend = make();
    const missing = await resend.parseWebhook(signed({ type: 'email.delivered', data: { email_id: 'em_7', to: ['x@example.com'] } }));
    const garbled = await resend.parseWebhook(signed({ type: 'email.opened', created_at: 'soon', data: { email_id: 'em_7' } }));
    expect([missing[0]?.occurredAt, garbled[0]?.occurredAt]).toEqual([new Date(NOW).toISOString(), new Date(NOW).toISOString()]);
  });

  it('bad options are invalid_config', () => {
    expect(() => createResendEmail({ apiKey: 'sk_nope', from: 'a@b.co' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'apiKey' } }),
    );
  });
});
