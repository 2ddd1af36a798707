import { createRequire } from 'node:module';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/core/errors.js';
import { createDeliveryTracker, createSuppressionList, type EmailMessage, type SuppressionList } from '../../src/notify/index.js';
import { createTwilioSms } from '../../src/notify/twilio/index.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';
import { countingHarness, FAST_RETRY, type Logged, log } from './support/http.js';

// Twilio's own signer (twilio-node), so our fixtures are signed the way Twilio signs.
const require = createRequire(import.meta.url);
const twilioWebhooks = require('twilio/lib/webhooks/webhooks.js') as {
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, string>): string;
};

const ACCOUNT = `AC${'a'.repeat(32)}`;
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
const CALLBACK = 'https://studio.example/hooks/twilio';
const API = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;

const requests: Logged[] = [];
let armed: Fault | 'opted_out' | undefined;
let queue: (Fault | 'opted_out')[] = [];
let sid = 0;
const TWILIO_ERRORS: Record<Fault | 'opted_out', { status: number; code: number }> = {
  rate_limited: { status: 429, code: 20429 },
  unavailable: { status: 503, code: 20503 },
  authentication: { status: 401, code: 20003 },
  rejected_recipient: { status: 400, code: 21211 },
  opted_out: { status: 400, code: 21610 },
};
const server = setupServer(
  http.post(API, async ({ request }) => {
    await log(request, requests);
    const fault = armed ?? queue.shift();
    if (fault) {
      const { status, code } = TWILIO_ERRORS[fault];
      return HttpResponse.json(
        { code, message: 'The To number +14155550100 is ...', more_info: `https://www.twilio.com/docs/errors/${code}`, status },
        { status },
      );
    }
    return HttpResponse.json({ sid: `SM${String(++sid).padStart(32, '0')}`, status: 'queued' }, { status: 201 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const make = () =>
  createTwilioSms({ accountSid: ACCOUNT, authToken: AUTH_TOKEN, from: '+14155550199', statusCallback: CALLBACK, retry: FAST_RETRY });

function signed(params: Record<string, string>, url = CALLBACK) {
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioWebhooks.getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    },
    url,
  };
}

describeNotifierConformance(
  'twilio (msw)',
  async () => {
    return {
      ...countingHarness(make(), (fault) => {
        armed = fault;
      }),
      messages: { sms: { channel: 'sms', to: '+14155550100', body: 'Your class starts at 10:00' } },
      signedDeliveryWebhook: (result) =>
        signed({ MessageSid: result.providerMessageId, MessageStatus: 'delivered', To: '+14155550100', AccountSid: ACCOUNT }),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('twilio adapter', () => {
  it('sends the exact Messages request: basic auth, form body, status callback', async () => {
    const before = requests.length;
    const r = await make().send({ channel: 'sms', to: '+14155550100', body: 'Code 123456 ✓' }, { idempotencyKey: 'otp-1' });
    const req = requests[before] as Logged;
    expect(req.url).toBe(API);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      To: '+14155550100',
      Body: 'Code 123456 ✓',
      From: '+14155550199',
      StatusCallback: CALLBACK,
    });
    expect(r).toMatchObject({ provider: 'twilio', status: 'queued', providerMessageId: expect.stringMatching(/^SM/) });
  });

  it('uses an API key and a messaging service when given', async () => {
    const before = requests.length;
    const apiKey = { sid: `SK${'b'.repeat(32)}`, secret: 'secretsecretsecret' };
    await createTwilioSms({ accountSid: ACCOUNT, authToken: AUTH_TOKEN, apiKey, messagingServiceSid: `MG${'c'.repeat(32)}` }).send(
      { channel: 'sms', to: '+14155550100', body: 'x' },
      { idempotencyKey: 'k' },
    );
    const req = requests[before] as Logged;
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${apiKey.sid}:${apiKey.secret}`).toString('base64')}`);
    expect(new URLSearchParams(req.body).get('MessagingServiceSid')).toBe(`MG${'c'.repeat(32)}`);
  });

  it('retries 429 with backoff; 21610 (replied STOP) is a non-retryable permission error marked suppressed', async () => {
    queue = ['rate_limited'];
    const before = requests.length;
    await make().send({ channel: 'sms', to: '+14155550100', body: 'x' }, { idempotencyKey: 'k2' });
    expect(requests.length - before).toBe(2);
    queue = ['opted_out'];
    const error = await make()
      .send({ channel: 'sms', to: '+14155550100', body: 'x' }, { idempotencyKey: 'k3' })
      .catch((e) => e);
    expect(error).toMatchObject({
      code: 'permission',
      retryable: false,
      details: expect.objectContaining({ suppressed: true, twilioCode: 21610 }),
    });
    // Twilio's error message quotes the number; ours does not.
    expect(JSON.stringify(error)).not.toContain('+14155550100');
  });

  it('normalizes status callbacks, deduplicated by MessageSid + status; a late "sent" does not undo "delivered"', async () => {
    const tracker = createDeliveryTracker();
    const twilio = make();
    const id = `SM${'1'.repeat(32)}`;
    const delivered = await twilio.parseWebhook(signed({ MessageSid: id, MessageStatus: 'delivered', To: '+14155550100' }));
    expect(delivered[0]).toMatchObject({
      kind: 'delivery',
      status: 'delivered',
      providerEventId: `${id}:delivered`,
      recipient: '+14155550100',
    });
    await tracker.record(delivered);
    const again = await twilio.parseWebhook(signed({ MessageSid: id, MessageStatus: 'delivered', To: '+14155550100' }));
    expect((await tracker.record(again))[0]?.outcome).toBe('duplicate');
    await tracker.record(await twilio.parseWebhook(signed({ MessageSid: id, MessageStatus: 'sent' })));
    expect((await tracker.get('twilio', id))?.status).toBe('delivered');
    const landline = await twilio.parseWebhook(
      signed({ MessageSid: `SM${'2'.repeat(32)}`, MessageStatus: 'undelivered', ErrorCode: '30006', To: '+14155550111' }),
    );
    expect(landline[0]).toMatchObject({ status: 'bounced', bounceType: 'hard', reason: '30006' });
  });

  it('STOP suppresses the number, START lifts it, HELP changes nothing; a forged STOP changes nothing', async () => {
    const suppression = createSuppressionList();
    const tracker = createDeliveryTracker({ suppression });
    const twilio = make();
    const inbound = (Body: string, MessageSid: string, extra: Record<string, string> = {}) =>
      signed({ MessageSid, From: '+14155550100', To: '+14155550199', Body, ...extra });
    const forged = {
      ...inbound('STOP', 'SMf1'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
    };
    await expect(twilio.parseWebhook(forged)).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(await suppression.get('sms', '+14155550100')).toBeUndefined();
    await tracker.record(await twilio.parseWebhook(inbound('help', 'SM1')));
    expect(await suppression.get('sms', '+14155550100')).toBeUndefined();
    await tracker.record(await twilio.parseWebhook(inbound(' Stop ', 'SM2')));
    expect(await suppression.get('sms', '+14155550100')).toMatchObject({ reason: 'sms_stop' });
    await tracker.record(await twilio.parseWebhook(inbound('ok go', 'SM3', { OptOutType: 'START' })));
    expect(await suppression.get('sms', '+14155550100')).toBeUndefined();
    // An ordinary reply is not a keyword.
    expect(await twilio.parseWebhook(inbound('Please stop by at 10', 'SM4'))).toEqual([]);
  });

  it('a STOP whose suppression write failed is applied when Twilio delivers it again', async () => {
    const suppression = createSuppressionList();
    let failures = 1;
    const flaky: SuppressionList = {
      ...suppression,
      async add(channel, address, entry) {
        if (failures-- > 0) throw new IntegrationError('unavailable', 'suppression store down');
        return suppression.add(channel, address, entry);
      },
    };
    const tracker = createDeliveryTracker({ suppression: flaky });
    const twilio = make();
    const stop = () => signed({ MessageSid: 'SMstop1', From: '+14155550100', To: '+14155550199', Body: 'STOP' });
    await expect(tracker.record(await twilio.parseWebhook(stop()))).rejects.toMatchObject({ code: 'unavailable' });
    expect(await suppression.get('sms', '+14155550100')).toBeUndefined();
    expect((await tracker.record(await twilio.parseWebhook(stop())))[0]?.outcome).toBe('applied');
    expect(await suppression.get('sms', '+14155550100')).toMatchObject({ reason: 'sms_stop' });
    expect((await tracker.record(await twilio.parseWebhook(stop())))[0]?.outcome).toBe('duplicate');
  });

  it('an SMS adapter does not take an email, at compile time and at run time', async () => {
    const twilio = make();
    const email: EmailMessage = { channel: 'email', to: 'a@example.com', subject: 's', text: 't' };
    // @ts-expect-error: createTwilioSms() is a Notifier<'sms'>
    const sending = twilio.send(email, { idempotencyKey: 'k' });
    await expect(sending).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('bad options are invalid_config naming the field', () => {
    expect(() => createTwilioSms({ accountSid: 'AC1', authToken: AUTH_TOKEN, from: '+14155550199' })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'accountSid' } }),
    );
    expect(() => createTwilioSms({ accountSid: ACCOUNT, authToken: AUTH_TOKEN })).toThrow(
      expect.objectContaining({ details: { field: 'from' } }),
    );
    expect(() => createTwilioSms({ accountSid: ACCOUNT, authToken: AUTH_TOKEN, from: '555-0199' })).toThrow(
      expect.objectContaining({ details: { field: 'from' } }),
    );
  });
});
