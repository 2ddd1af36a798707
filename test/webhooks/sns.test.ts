/**
 * AWS SNS: a throwaway RSA key and self-signed certificate made with openssl, canonical strings
 * signed with node:crypto, for all three message types and both signature versions. The
 * certificate is served by `fetchCertificate`, so nothing touches the network.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createReplayGuard, isSnsCertificateUrl, snsCanonicalString, verifySnsMessage } from '../../src/webhooks/index.js';
import { expectCode, selfSignedCertificate } from './helpers.js';

let certPem: string;
let keyPem: string;
let otherKeyPem: string;

beforeAll(() => {
  ({ certPem, keyPem } = selfSignedCertificate());
  otherKeyPem = selfSignedCertificate().keyPem;
});

let urlCounter = 0;
const certUrl = () => `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${++urlCounter}.pem`;
const topic = 'arn:aws:sns:us-east-1:123456789012:ses-bounces';

function signed(message: Record<string, string>, version: '1' | '2' = '1', key = keyPem): Record<string, string> {
  const full: Record<string, string> = { ...message, SignatureVersion: version, SigningCertURL: message.SigningCertURL ?? certUrl() };
  full.Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(snsCanonicalString(full)), createPrivateKey(key)).toString(
    'base64',
  );
  return full;
}

const notification = (extra: Record<string, string> = {}) => ({
  Type: 'Notification',
  MessageId: 'b1e2c3d4-0000-4000-8000-000000000001',
  TopicArn: topic,
  Subject: 'Amazon SES Email Event Notification',
  Message: JSON.stringify({
    notificationType: 'Bounce',
    bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'x@example.com' }] },
  }),
  Timestamp: '2026-11-25T10:00:00.000Z',
  UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  ...extra,
});

const confirmation = (type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation') => ({
  Type: type,
  MessageId: 'c1',
  Token: '2336412f37fb687f5d51e6e2425a8a58',
  TopicArn: topic,
  Message: 'You have chosen to subscribe to the topic …',
  SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f',
  Timestamp: '2026-11-25T10:00:00.000Z',
});

const verify = (message: Record<string, string>, options: Parameters<typeof verifySnsMessage>[1] = {}) =>
  verifySnsMessage(
    { body: JSON.stringify(message), headers: { 'x-amz-sns-message-type': message.Type ?? '' } },
    { fetchCertificate: async () => certPem, ...options },
  );

describe('verifySnsMessage', () => {
  it.each(['1', '2'] as const)('verifies a Notification with SignatureVersion %s', async (version) => {
    const result = await verify(signed(notification(), version));
    expect(result).toMatchObject({
      provider: 'sns',
      id: 'b1e2c3d4-0000-4000-8000-000000000001',
      timestamp: Date.parse('2026-11-25T10:00:00Z') / 1000,
    });
    expect(JSON.parse((result.payload as { Message: string }).Message).notificationType).toBe('Bounce');
  });

  it('verifies a Notification without Subject (Subject is signed only when present)', async () => {
    const { Subject: _omit, ...rest } = notification();
    await expect(verify(signed(rest))).resolves.toBeTruthy();
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)('verifies a %s and exposes SubscribeURL', async (type) => {
    const result = await verify(signed(confirmation(type), '2'));
    expect(result.payload).toMatchObject({ Type: type, SubscribeURL: expect.stringContaining('ConfirmSubscription') });
  });

  it.each([
    ['Message', 'tampered'],
    ['MessageId', 'other'],
    ['Subject', 'other subject'],
    ['Timestamp', '2026-11-25T10:00:01.000Z'],
    ['Type', 'SubscriptionConfirmation'],
  ])('a changed %s is signature_invalid (or invalid_input)', async (field, value) => {
    const message = { ...signed(notification()), [field]: value };
    const error = await (async () => {
      try {
        await verify(message);
      } catch (e) {
        return e as { code: string };
      }
    })();
    expect(['signature_invalid', 'invalid_input']).toContain(error?.code);
  });

  it('a message signed by another key is signature_invalid', async () => {
    await expectCode(verify(signed(notification(), '1', otherKeyPem)), 'signature_invalid');
  });

  it("UnsubscribeConfirmation is signed over SubscribeURL and Token (AWS's JS validator gets this wrong)", async () => {
    const message = signed(confirmation('UnsubscribeConfirmation'));
    await expectCode(verify({ ...message, Token: 'other' }), 'signature_invalid');
    await expectCode(verify({ ...message, SubscribeURL: 'https://evil.example/' }), 'signature_invalid');
  });

  it.each([
    ['http', 'http://sns.us-east-1.amazonaws.com/cert.pem'],
    ['another host', 'https://sns.us-east-1.amazonaws.com.evil.com/cert.pem'],
    ['a look-alike host', 'https://sns-us-east-1.amazonaws.com/cert.pem'],
    ['not .pem', 'https://sns.us-east-1.amazonaws.com/cert.txt'],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/cert.pem'],
    ['credentials', 'https://user@sns.us-east-1.amazonaws.com/cert.pem'],
    ['a query', 'https://sns.us-east-1.amazonaws.com/cert.pem?x=1'],
    ['not a URL', 'sns.us-east-1.amazonaws.com/cert.pem'],
  ])('a SigningCertURL with %s is rejected before any fetch', async (_name, url) => {
    expect(isSnsCertificateUrl(url)).toBe(false);
    const fetchCertificate = vi.fn(async () => certPem);
    await expectCode(verify(signed({ ...notification(), SigningCertURL: url }), { fetchCertificate }), 'signature_invalid');
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it('accepts China and GovCloud certificate hosts', () => {
    expect(isSnsCertificateUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem')).toBe(true);
    expect(isSnsCertificateUrl('https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-x.pem')).toBe(true);
  });

  it('caches certificates by URL', async () => {
    const url = certUrl();
    const fetchCertificate = vi.fn(async () => certPem);
    await verify(signed({ ...notification(), SigningCertURL: url }), { fetchCertificate });
    await verify(signed({ ...notification(), SigningCertURL: url }), { fetchCertificate });
    expect(fetchCertificate).toHaveBeenCalledTimes(1);
  });

  it('a failed certificate fetch is unavailable (retryable) and is not cached', async () => {
    const url = certUrl();
    const failing = vi.fn(async () => {
      throw new Error('ECONNRESET');
    });
    const error = await expectCode(
      verify(signed({ ...notification(), SigningCertURL: url }), { fetchCertificate: failing }),
      'unavailable',
    );
    expect(error.retryable).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    await expect(verify(signed({ ...notification(), SigningCertURL: url }))).resolves.toBeTruthy();
  });

  it('options of the wrong type are invalid_config', async () => {
    await expectCode(verify(signed(notification()), { fetchCertificate: 'https://x' as never }), 'invalid_config');
    await expectCode(verify(signed(notification()), { replayGuard: {} as never }), 'invalid_config');
    await expectCode(verifySnsMessage({ body: '{}', headers: {} }, null as never), 'invalid_config');
  });

  it('a certificate that is not PEM is signature_invalid', async () => {
    await expectCode(verify(signed(notification()), { fetchCertificate: async () => 'hello' }), 'signature_invalid');
  });

  it('topicArns restricts the topics accepted', async () => {
    await expect(verify(signed(notification()), { topicArns: [topic] })).resolves.toBeTruthy();
    const fetchCertificate = vi.fn(async () => certPem);
    await expectCode(
      verify(signed(notification()), { topicArns: ['arn:aws:sns:us-east-1:1:other'], fetchCertificate }),
      'signature_invalid',
    );
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it('a replay guard rejects a second delivery of the same MessageId', async () => {
    const replayGuard = createReplayGuard();
    const message = signed(notification());
    await verify(message, { replayGuard });
    await expectCode(verify(message, { replayGuard }), 'replayed');
  });

  it.each([
    ['unknown Type', { ...notification(), Type: 'Other' }],
    [
      'SignatureVersion 3',
      { ...notification(), SignatureVersion: '3', Signature: 'AAAA', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/a.pem' },
    ],
    [
      'missing MessageId',
      {
        ...notification(),
        MessageId: undefined as unknown as string,
        Signature: 'AAAA',
        SignatureVersion: '1',
        SigningCertURL: 'https://sns.us-east-1.amazonaws.com/a.pem',
      },
    ],
  ])('%s is invalid_input', async (_name, message) => {
    await expectCode(verify(message as Record<string, string>), 'invalid_input');
  });
});
