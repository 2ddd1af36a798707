import { generateKeyPairSync, sign } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryTracker, createSuppressionList, type EmailMessage } from '../../src/notify/index.js';
import { createSendGridEmail } from '../../src/notify/sendgrid/index.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';
import { countingHarness, FAST_RETRY, faultResponse, type Logged, log } from './support/http.js';

const NOW_MS = Date.UTC(2026, 10, 25, 12);
const NOW_S = NOW_MS / 1000;
const API_KEY = 'SG.test_key_id.test_key_secret_value';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicKeyB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const requests: Logged[] = [];
let faults: Fault[] = [];
let armed: Fault | undefined;
let nextId = 0;
const server = setupServer(
  http.post('https://api.sendgrid.com/v3/mail/send', async ({ request }) => {
    await log(request, requests);
    const fault = armed ?? faults.shift();
    if (fault) return faultResponse(fault);
    return new HttpResponse(null, { status: 202, headers: { 'x-message-id': `sgmsg${++nextId}` } });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  faults = [];
});

/** SendGrid's Event Webhook: a JSON array, CRLF after each event, ECDSA over timestamp + body. */
function signedEvents(events: Record<string, unknown>[], ts = String(NOW_S)) {
  const body = `[${events.map((e) => JSON.stringify(e)).join('\r\n,')}\r\n]\r\n`;
  const signature = sign('sha256', Buffer.from(ts + body), privateKey).toString('base64');
  return { body, headers: { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': ts } };
}

const make = () =>
  createSendGridEmail({
    apiKey: API_KEY,
    from: { email: 'bookings@studio.example', name: 'Studio' },
    webhookPublicKey: publicKeyB64,
    retry: FAST_RETRY,
    now: () => NOW_MS,
  });

describeNotifierConformance(
  'sendgrid (msw)',
  async () => {
    return {
      ...countingHarness(make(), (fault) => {
        armed = fault;
      }),
      messages: { email: { channel: 'email', to: 'ada@example.com', subject: 'Booking confirmed', text: 'See you at 10:00' } },
      signedDeliveryWebhook: (result) =>
        signedEvents([
          {
            email: 'ada@example.com',
            timestamp: NOW_S,
            event: 'delivered',
            sg_event_id: `ev-${result.providerMessageId}`,
            sg_message_id: `${result.providerMessageId}.filterdrecv-1.0`,
          },
        ]),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('sendgrid adapter', () => {
  const message: EmailMessage = {
    channel: 'email',
    to: { email: 'ada@example.com', name: 'Ada' },
    subject: 'Weekly schedule',
    text: 'Hi',
    html: '<p>Hi</p>',
    category: 'bulk',
    unsubscribe: { url: 'https://studio.example/u?token=t' },
    tags: ['weekly'],
  };

  it('sends the exact Mail Send request: bearer key, payload, key in custom_args, List-Unsubscribe headers', async () => {
    const before = requests.length;
    const result = await make().send(message, { idempotencyKey: 'weekly:ada' });
    const req = requests[before] as Logged;
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      personalizations: [{ to: [{ email: 'ada@example.com', name: 'Ada' }] }],
      from: { email: 'bookings@studio.example', name: 'Studio' },
      subject: 'Weekly schedule',
      content: [
        { type: 'text/plain', value: 'Hi' },
        { type: 'text/html', value: '<p>Hi</p>' },
      ],
      custom_args: { switchyard_key: 'weekly:ada' },
      headers: { 'List-Unsubscribe': '<https://studio.example/u?token=t>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      categories: ['weekly'],
    });
    expect(result).toMatchObject({ provider: 'sendgrid', status: 'queued', providerMessageId: expect.stringMatching(/^sgmsg\d+$/) });
  });

  it('retries a 429 with backoff, and does not retry a 503 (it may have been sent)', async () => {
    faults = ['rate_limited', 'rate_limited'];
    const before = requests.length;
    await make().send(message, { idempotencyKey: 'r1' });
    expect(requests.length - before).toBe(3);
    faults = ['unavailable'];
    const before2 = requests.length;
    await expect(make().send(message, { idempotencyKey: 'r2' })).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
      status: 503,
    });
    expect(requests.length - before2).toBe(1);
  });

  it('a 400 names the fields, never the address; bad options are invalid_config', async () => {
    faults = ['rejected_recipient'];
    const error = await make()
      .send(message, { idempotencyKey: 'r3' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input', retryable: false, details: { notSent: true, fields: ['personalizations.0.to'] } });
    expect(JSON.stringify(error)).not.toContain('ada@example.com');
    expect(() => createSendGridEmail({ apiKey: 'nope', from: 'a@b.co' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'apiKey' } }),
    );
    expect(() => createSendGridEmail({ apiKey: API_KEY, from: 'a' })).toThrow(expect.objectContaining({ details: { field: 'from' } }));
  });

  it('normalizes a signed Event Webhook batch (our signer agrees with @sendgrid/eventwebhook)', async () => {
    const raw = signedEvents([
      { email: 'a@example.com', timestamp: NOW_S, event: 'processed', sg_event_id: 'e1', sg_message_id: 'm1.filter0001' },
      {
        email: 'a@example.com',
        timestamp: NOW_S,
        event: 'delivered',
        sg_event_id: 'e2',
        sg_message_id: 'm1.filter0001',
        response: '250 OK',
      },
      {
        email: 'B@example.com',
        timestamp: NOW_S,
        event: 'bounce',
        type: 'bounce',
        status: '5.1.1',
        sg_event_id: 'e3',
        sg_message_id: 'm2.f',
      },
      {
        email: 'c@example.com',
        timestamp: NOW_S,
        event: 'bounce',
        type: 'blocked',
        status: '4.0.0',
        sg_event_id: 'e4',
        sg_message_id: 'm3.f',
      },
      { email: 'd@example.com', timestamp: NOW_S, event: 'spamreport', sg_event_id: 'e5', sg_message_id: 'm4.f' },
      { email: 'e@example.com', timestamp: NOW_S, event: 'group_unsubscribe', sg_event_id: 'e6', sg_message_id: 'm5.f' },
      { email: 'f@example.com', timestamp: NOW_S, event: 'open', sg_event_id: 'e7', sg_message_id: 'm1.f' },
      { email: 'f@example.com', timestamp: NOW_S, event: 'group_resubscribe', sg_event_id: 'e8', sg_message_id: 'm1.f' },
    ]);
    const ew = new EventWebhook();
    expect(
      ew.verifySignature(
        ew.convertPublicKeyToECDSA(publicKey.export({ format: 'pem', type: 'spki' }).toString()),
        raw.body,
        raw.headers['X-Twilio-Email-Event-Webhook-Signature'],
        String(NOW_S),
      ),
    ).toBe(true);
    const events = await make().parseWebhook(raw);
    expect(events?.map((e) => (e.kind === 'delivery' ? [e.providerMessageId, e.status, e.bounceType ?? '', e.recipient] : []))).toEqual([
      ['m1', 'queued', '', 'a@example.com'],
      ['m1', 'delivered', '', 'a@example.com'],
      ['m2', 'bounced', 'hard', 'b@example.com'],
      ['m3', 'bounced', 'soft', 'c@example.com'],
      ['m4', 'complained', '', 'd@example.com'],
      ['m5', 'unsubscribed', '', 'e@example.com'],
      ['m1', 'opened', '', 'f@example.com'],
    ]);
  });

  it('an event without a usable timestamp is dated when it was received, not 1970', async () => {
    const events = await make().parseWebhook(
      signedEvents([
        { email: 'a@example.com', event: 'delivered', sg_event_id: 'nt1', sg_message_id: 'm1.f' },
        { email: 'a@example.com', timestamp: 'yesterday', event: 'open', sg_event_id: 'nt2', sg_message_id: 'm1.f' },
        { email: 'a@example.com', timestamp: NOW_S - 60, event: 'click', sg_event_id: 'nt3', sg_message_id: 'm1.f' },
      ]),
    );
    expect(events.map((e) => e.occurredAt)).toEqual([
      new Date(NOW_MS).toISOString(),
      new Date(NOW_MS).toISOString(),
      new Date(NOW_MS - 60_000).toISOString(),
    ]);
  });

  it('a hard bounce suppresses the address; a forged or stale batch changes nothing', async () => {
    const suppression = createSuppressionList();
    const tracker = createDeliveryTracker({ suppression });
    const sg = make();
    const bounce = [
      { email: 'gone@example.com', timestamp: NOW_S, event: 'bounce', type: 'bounce', sg_event_id: 'b1', sg_message_id: 'm9.f' },
    ];
    const forgedKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forgedBody = `[${JSON.stringify(bounce[0])}\r\n]\r\n`;
    const forged = {
      body: forgedBody,
      headers: {
        'X-Twilio-Email-Event-Webhook-Signature': sign('sha256', Buffer.from(String(NOW_S) + forgedBody), forgedKey).toString('base64'),
        'X-Twilio-Email-Event-Webhook-Timestamp': String(NOW_S),
      },
    };
    await expect(sg.parseWebhook(forged)).rejects.toMatchObject({ code: 'signature_invalid' });
    await expect(sg.parseWebhook(signedEvents(bounce, String(NOW_S - 3600)))).rejects.toMatchObject({
      code: 'timestamp_out_of_tolerance',
    });
    expect(await suppression.get('email', 'gone@example.com')).toBeUndefined();
    await tracker.record(await sg.parseWebhook(signedEvents(bounce)));
    expect(await suppression.get('email', 'gone@example.com')).toMatchObject({ reason: 'hard_bounce', provider: 'sendgrid' });
  });
});

describe('sendgrid telemetry', () => {
  it('one span per send with provider, operation and status; webhook verifications counted', async () => {
    const { createTelemetry } = await import('../../src/index.js');
    const seen: string[] = [];
    const telemetry = createTelemetry({
      hooks: {
        onResponse: (e) => void seen.push(`${e.provider}:${e.operation}:${e.status ?? ''}:${e.outcome}`),
        onWebhook: (e) => void seen.push(`webhook:${e.provider}:${e.outcome}:${e.errorCode ?? ''}`),
      },
    });
    const sg = createSendGridEmail({
      apiKey: API_KEY,
      from: 'bookings@studio.example',
      webhookPublicKey: publicKeyB64,
      retry: FAST_RETRY,
      now: () => NOW_MS,
      telemetry,
    });
    await sg.send({ channel: 'email', to: 'ada@example.com', subject: 's', text: 't' }, { idempotencyKey: 'tel' });
    await sg.parseWebhook(
      signedEvents([{ email: 'a@example.com', timestamp: NOW_S, event: 'delivered', sg_event_id: 't1', sg_message_id: 'm.f' }]),
    );
    await sg.parseWebhook({ ...signedEvents([]), body: '[]' }).catch(() => undefined);
    expect(seen).toEqual(['sendgrid:email.send:202:ok', 'webhook:sendgrid:verified:', 'webhook:sendgrid:rejected:signature_invalid']);
  });
});
