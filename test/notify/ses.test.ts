import { createHash, createHmac, createPrivateKey, sign } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryTracker, createSuppressionList } from '../../src/notify/index.js';
import { createSesEmail } from '../../src/notify/ses/index.js';
import { signRequest } from '../../src/notify/ses/sigv4.js';
import { snsCanonicalString } from '../../src/webhooks/index.js';
import { selfSignedCertificate } from '../webhooks/helpers.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';
import { countingHarness, FAST_RETRY, type Logged, log } from './support/http.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const URL_SES = 'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';

/** An independent SigV4 check with node:crypto, as the SES front end does it. */
function expectedAuthorization(req: Logged): string {
  const amzDate = req.headers['x-amz-date'] as string;
  const signed = ['content-type', 'host', 'x-amz-date'];
  const canonical = [
    'POST',
    '/v2/email/outbound-emails',
    '',
    ...signed.map((h) => `${h}:${h === 'host' ? 'email.eu-west-1.amazonaws.com' : req.headers[h]}`),
    '',
    signed.join(';'),
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const scope = `${amzDate.slice(0, 8)}/eu-west-1/ses/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${CREDS.secretAccessKey}`).update(amzDate.slice(0, 8)).digest();
  for (const part of ['eu-west-1', 'ses', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
}

const requests: Logged[] = [];
let armed: Fault | undefined;
let queue: Fault[] = [];
let n = 0;
const SES_ERRORS: Record<Fault, [number, string]> = {
  rate_limited: [429, 'TooManyRequestsException'],
  unavailable: [503, 'InternalFailure'],
  authentication: [403, 'SignatureDoesNotMatch'],
  rejected_recipient: [400, 'MessageRejected'],
};
const server = setupServer(
  http.post(URL_SES, async ({ request }) => {
    const req = await log(request, requests);
    const fault = armed ?? queue.shift();
    if (fault) {
      const [status, type] = SES_ERRORS[fault];
      return HttpResponse.json(
        { __type: type, message: 'Email address is not verified: ada@example.com' },
        { status, headers: { 'x-amzn-errortype': type } },
      );
    }
    if (req.headers.authorization !== expectedAuthorization(req))
      return HttpResponse.json({ __type: 'SignatureDoesNotMatch' }, { status: 403 });
    return HttpResponse.json({ MessageId: `0100018c-${String(++n).padStart(8, '0')}-ses` });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

let certPem = '';
let keyPem = '';
beforeAll(() => {
  ({ certPem, keyPem } = selfSignedCertificate());
});

const make = (extra: Partial<Parameters<typeof createSesEmail>[0]> = {}) =>
  createSesEmail({
    region: 'eu-west-1',
    credentials: CREDS,
    from: 'bookings@studio.example',
    topicArns: [TOPIC],
    fetchCertificate: async () => certPem,
    retry: FAST_RETRY,
    now: () => NOW,
    ...extra,
  });

let sns = 0;
function snsSigned(message: Record<string, string>, version: '1' | '2' = '2') {
  const full: Record<string, string> = {
    ...message,
    SignatureVersion: version,
    SigningCertURL: `https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-${++sns}.pem`,
  };
  full.Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(snsCanonicalString(full)), createPrivateKey(keyPem)).toString(
    'base64',
  );
  return { body: JSON.stringify(full), headers: { 'x-amz-sns-message-type': full.Type as string } };
}
const notification = (ses: unknown, id = `sns-${Math.random()}`) => ({
  Type: 'Notification',
  MessageId: id,
  TopicArn: TOPIC,
  Message: JSON.stringify(ses),
  Timestamp: '2026-11-25T12:00:00.000Z',
  UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
});

describeNotifierConformance(
  'ses (msw, SigV4 checked independently)',
  async () => {
    return {
      ...countingHarness(make(), (fault) => {
        armed = fault;
      }),
      messages: { email: { channel: 'email', to: 'ada@example.com', subject: 'Booking confirmed', text: 'See you at 10:00' } },
      signedDeliveryWebhook: (result) =>
        snsSigned(
          notification({
            notificationType: 'Delivery',
            mail: { messageId: result.providerMessageId },
            delivery: { recipients: ['ada@example.com'], timestamp: '2026-11-25T12:00:01.000Z' },
          }),
        ),
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('SigV4', () => {
  it('matches the AWS SigV4 test suite (get-vanilla, post-vanilla)', async () => {
    const base = {
      url: new URL('https://example.amazonaws.com/'),
      headers: {},
      body: '',
      region: 'us-east-1',
      service: 'service',
      now: Date.UTC(2015, 7, 30, 12, 36),
    };
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    expect((await signRequest({ ...base, method: 'GET', credentials })).authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect((await signRequest({ ...base, method: 'POST', credentials })).authorization).toContain(
      'Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    );
  });
});

describe('ses adapter', () => {
  it('sends SESv2 SendEmail with headers, tags and a valid signature', async () => {
    const before = requests.length;
    await make({ configurationSetName: 'transactional' }).send(
      {
        channel: 'email',
        to: { email: 'ada@example.com', name: 'Ada "A" L' },
        subject: 'Hi',
        text: 't',
        html: '<p>h</p>',
        unsubscribe: { url: 'https://studio.example/u?t=1' },
      },
      { idempotencyKey: 'k1' },
    );
    const req = requests[before] as Logged;
    expect(req.headers.authorization).toBe(expectedAuthorization(req));
    expect(req.headers['x-amz-date']).toBe('20261125T120000Z');
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      FromEmailAddress: 'bookings@studio.example',
      Destination: { ToAddresses: ['"Ada \\"A\\" L" <ada@example.com>'] },
      ConfigurationSetName: 'transactional',
      Content: {
        Simple: {
          Subject: { Data: 'Hi', Charset: 'UTF-8' },
          Body: { Text: { Data: 't', Charset: 'UTF-8' }, Html: { Data: '<p>h</p>', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://studio.example/u?t=1>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    });
    expect(body.EmailTags[0]).toMatchObject({ Name: 'switchyard_key', Value: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('temporary credentials sign x-amz-security-token', async () => {
    const before = requests.length;
    armed = undefined;
    await make({ credentials: { ...CREDS, sessionToken: 'FwoGZXIvYXdzEXAMPLE' } })
      .send({ channel: 'email', to: 'a@example.com', subject: 's', text: 't' }, { idempotencyKey: 'k' })
      .catch(() => undefined);
    const req = requests[before] as Logged;
    expect(req.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE');
    expect(req.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-security-token');
  });

  it('retries throttling; the error never quotes the address', async () => {
    queue = ['rate_limited'];
    const before = requests.length;
    await make().send({ channel: 'email', to: 'ada@example.com', subject: 's', text: 't' }, { idempotencyKey: 'k2' });
    expect(requests.length - before).toBe(2);
    queue = ['rejected_recipient'];
    const error = await make()
      .send({ channel: 'email', to: 'ada@example.com', subject: 's', text: 't' }, { idempotencyKey: 'k3' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input', details: expect.objectContaining({ sesError: 'MessageRejected' }) });
    expect(JSON.stringify(error) + error.message).not.toContain('ada@example.com');
  });

  it.each(['1', '2'] as const)(
    'SNS SignatureVersion %s: a permanent bounce suppresses, a transient one does not, a complaint does',
    async (version) => {
      const suppression = createSuppressionList();
      const tracker = createDeliveryTracker({ suppression });
      const ses = make();
      const events = await ses.parseWebhook(
        snsSigned(
          notification({
            notificationType: 'Bounce',
            mail: { messageId: 'm-1' },
            bounce: {
              bounceType: 'Permanent',
              bouncedRecipients: [{ emailAddress: 'Gone@example.com', status: '5.1.1' }, { emailAddress: 'also-gone@example.com' }],
              timestamp: '2026-11-25T12:00:02.000Z',
            },
          }),
          version,
        ),
      );
      expect(events?.map((e) => e.kind === 'delivery' && [e.status, e.bounceType, e.recipient, e.occurredAt])).toEqual([
        ['bounced', 'hard', 'gone@example.com', '2026-11-25T12:00:02.000Z'],
        ['bounced', 'hard', 'also-gone@example.com', '2026-11-25T12:00:02.000Z'],
      ]);
      await tracker.record(events);
      expect(await suppression.get('email', 'gone@example.com')).toMatchObject({ reason: 'hard_bounce', provider: 'ses' });
      const transient = await ses.parseWebhook(
        snsSigned(
          notification({
            notificationType: 'Bounce',
            mail: { messageId: 'm-2' },
            bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'full@example.com' }] },
          }),
          version,
        ),
      );
      await tracker.record(transient);
      expect(await suppression.get('email', 'full@example.com')).toBeUndefined();
      const complaint = await ses.parseWebhook(
        snsSigned(
          notification({
            eventType: 'Complaint',
            mail: { messageId: 'm-3' },
            complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }] },
          }),
          version,
        ),
      );
      await tracker.record(complaint);
      expect(await suppression.get('email', 'angry@example.com')).toMatchObject({ reason: 'complaint' });
    },
  );

  it('SubscriptionConfirmation and UnsubscribeConfirmation verify; only a verified confirmation reaches the host', async () => {
    const confirmed: string[] = [];
    const ses = make({ onSubscriptionConfirmation: (url) => void confirmed.push(url) });
    const confirmation = (Type: string) => ({
      Type,
      MessageId: `c-${Type}`,
      Token: '2336412f37fb687f5d51e6e2425a8a58',
      TopicArn: TOPIC,
      Message: 'You have chosen to subscribe',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f',
      Timestamp: '2026-11-25T12:00:00.000Z',
    });
    expect(await ses.parseWebhook(snsSigned(confirmation('SubscriptionConfirmation'), '1'))).toEqual([]);
    expect(await ses.parseWebhook(snsSigned(confirmation('UnsubscribeConfirmation'), '2'))).toEqual([]);
    expect(confirmed).toEqual(['https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f']);
    const forged = snsSigned(confirmation('SubscriptionConfirmation'));
    const tampered = { ...forged, body: forged.body.replace('Token=2336412f"', 'Token=evil"') };
    await expect(ses.parseWebhook(tampered)).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(confirmed).toHaveLength(1);
  });

  it('an unverified bounce (wrong topic, forged signature) changes nothing', async () => {
    const suppression = createSuppressionList();
    const tracker = createDeliveryTracker({ suppression });
    const bounce = notification({
      notificationType: 'Bounce',
      mail: { messageId: 'm' },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'victim@example.com' }] },
    });
    await expect(
      make().parseWebhook(snsSigned({ ...bounce, TopicArn: 'arn:aws:sns:eu-west-1:999999999999:attacker' })),
    ).rejects.toMatchObject({ code: 'signature_invalid' });
    const good = snsSigned(bounce);
    const forged = JSON.parse(good.body);
    forged.Signature = Buffer.from('x'.repeat(256)).toString('base64');
    await expect(make().parseWebhook({ body: JSON.stringify(forged), headers: good.headers })).rejects.toMatchObject({
      code: 'signature_invalid',
    });
    await tracker.record([]);
    expect(await suppression.get('email', 'victim@example.com')).toBeUndefined();
  });

  it('a notification without a parseable timestamp is dated when it was received, not 1970', async () => {
    const events = await make().parseWebhook(
      snsSigned(
        notification({
          notificationType: 'Bounce',
          mail: { messageId: 'm-nt' },
          bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.com' }], timestamp: 'not a time' },
        }),
      ),
    );
    const delivered = await make().parseWebhook(
      snsSigned(notification({ notificationType: 'Delivery', mail: { messageId: 'm-nt' }, delivery: { recipients: ['a@example.com'] } })),
    );
    expect([events[0]?.occurredAt, delivered[0]?.occurredAt]).toEqual([new Date(NOW).toISOString(), new Date(NOW).toISOString()]);
  });

  it('bad options are invalid_config naming the field', () => {
    expect(() => make({ region: 'mars' })).toThrow(expect.objectContaining({ code: 'invalid_config', details: { field: 'region' } }));
    expect(() => make({ credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })).toThrow(
      expect.objectContaining({ details: { field: 'credentials.accessKeyId' } }),
    );
  });
});
