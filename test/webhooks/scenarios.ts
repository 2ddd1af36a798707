/**
 * One valid and one forged request per provider, as plain JSON, so the same cases can run on the
 * node:crypto path, the Web Crypto path and inside an edge-runtime VM (see backends and edge tests).
 * Signatures come from the official SDKs where one exists, else from node:crypto.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import Stripe from 'stripe';
import { snsCanonicalString } from '../../src/webhooks/providers/sns.js';
import { NOW_MS, NOW_S, selfSignedCertificate, signMailgun, signStandard, stripeEvent } from './helpers.js';

export interface Scenario {
  name: string;
  verifier: string;
  raw: { body: string; headers: Record<string, string>; url?: string };
  /** JSON options; `nowMs` becomes `now`, `certificatePem` becomes `fetchCertificate`. */
  options: Record<string, unknown>;
  /** `ok` or the expected error code. */
  expect: string;
}

const require = createRequire(import.meta.url);

export function buildScenarios(): Scenario[] {
  const out: Scenario[] = [];
  const add = (s: Omit<Scenario, 'expect'>, forged: Partial<Scenario['raw']>, code = 'signature_invalid') => {
    out.push({ ...s, expect: 'ok' });
    out.push({ ...s, name: `${s.name} (forged)`, raw: { ...s.raw, ...forged }, expect: code });
  };

  const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
  const stripeSecret = 'whsec_scenario_secret';
  const event = stripeEvent('evt_scenario');
  add(
    {
      name: 'stripe',
      verifier: 'verifyStripeWebhook',
      raw: {
        body: event,
        headers: {
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: event, secret: stripeSecret, timestamp: NOW_S }),
        },
      },
      options: { secret: stripeSecret, nowMs: NOW_MS },
    },
    { body: event.replace('4900', '1') },
  );

  const swSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const swBody = '{"type":"email.delivered","data":{"to":"a@example.com"}}';
  add(
    {
      name: 'standard-webhooks',
      verifier: 'verifyStandardWebhook',
      raw: {
        body: swBody,
        headers: {
          'webhook-id': 'msg_s',
          'webhook-timestamp': String(NOW_S),
          'webhook-signature': signStandard(swSecret, 'msg_s', NOW_S, swBody),
        },
      },
      options: { secret: swSecret, nowMs: NOW_MS },
    },
    { body: swBody.replace('delivered', 'bounced') },
  );

  const twilio = require('twilio/lib/webhooks/webhooks.js') as {
    getExpectedTwilioSignature(t: string, u: string, p: Record<string, string>): string;
  };
  const authToken = '12345678901234567890123456789012';
  const twilioUrl = 'https://example.com/twilio';
  const params = { MessageSid: 'SM1', Body: 'hi there' };
  add(
    {
      name: 'twilio',
      verifier: 'verifyTwilioWebhook',
      raw: {
        body: new URLSearchParams(params).toString(),
        headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, twilioUrl, params) },
      },
      options: { authToken, url: twilioUrl },
    },
    { body: 'MessageSid=SM1&Body=bye' },
  );

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sgBody = `[{"email":"a@example.com","event":"delivered","timestamp":${NOW_S}}\r\n]\r\n`;
  add(
    {
      name: 'sendgrid',
      verifier: 'verifySendGridWebhook',
      raw: {
        body: sgBody,
        headers: {
          'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(String(NOW_S) + sgBody), ec.privateKey).toString('base64'),
          'x-twilio-email-event-webhook-timestamp': String(NOW_S),
        },
      },
      options: { publicKey: ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), nowMs: NOW_MS },
    },
    { body: sgBody.replace('delivered', 'open') },
  );

  const mgKey = 'mailgun-signing-key';
  const token = 'scenario-token-0123456789abcdefghijklmnopqrstuvwxyz';
  const mgSig = { timestamp: String(NOW_S), token, signature: signMailgun(mgKey, String(NOW_S), token) };
  add(
    {
      name: 'mailgun',
      verifier: 'verifyMailgunWebhook',
      raw: {
        body: JSON.stringify({ signature: mgSig, 'event-data': { event: 'delivered' } }),
        headers: { 'content-type': 'application/json' },
      },
      options: { signingKey: mgKey, nowMs: NOW_MS },
    },
    { body: JSON.stringify({ signature: { ...mgSig, token: `${token}x` }, 'event-data': { event: 'delivered' } }) },
  );

  const { certPem: certificatePem, keyPem } = selfSignedCertificate();
  const key = createPrivateKey(keyPem);
  for (const version of ['1', '2'] as const) {
    const message: Record<string, string> = {
      Type: 'Notification',
      MessageId: `m-${version}`,
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses',
      Message: '{"notificationType":"Complaint"}',
      Timestamp: '2026-11-25T10:00:00.000Z',
      SignatureVersion: version,
      SigningCertURL: `https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-${version}.pem`,
      UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
    };
    message.Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(snsCanonicalString(message)), key).toString('base64');
    add(
      {
        name: `sns v${version}`,
        verifier: 'verifySnsMessage',
        raw: { body: JSON.stringify(message), headers: {} },
        options: { certificatePem },
      },
      { body: JSON.stringify({ ...message, Message: '{"notificationType":"Bounce"}' }) },
    );
  }

  const clientState = 'graph-client-state';
  add(
    {
      name: 'graph',
      verifier: 'verifyGraphNotification',
      raw: { body: JSON.stringify({ value: [{ subscriptionId: 's', clientState, changeType: 'created' }] }), headers: {} },
      options: { clientState },
    },
    { body: JSON.stringify({ value: [{ subscriptionId: 's', clientState: 'graph-client-statf', changeType: 'created' }] }) },
  );

  const googleHeaders = {
    'x-goog-channel-id': 'c1',
    'x-goog-channel-token': 'tok',
    'x-goog-resource-id': 'r1',
    'x-goog-resource-state': 'sync',
  };
  add(
    { name: 'google', verifier: 'verifyGoogleChannel', raw: { body: '', headers: googleHeaders }, options: { token: 'tok' } },
    { headers: { ...googleHeaders, 'x-goog-channel-token': 'tol' } },
  );
  return out;
}

/** Turn a scenario's JSON options into real options (functions cannot cross into the VM as JSON). */
export function realOptions(options: Record<string, unknown>): Record<string, unknown> {
  const { nowMs, certificatePem, ...rest } = options;
  const real: Record<string, unknown> = { ...rest };
  if (typeof nowMs === 'number') real.now = () => nowMs;
  if (typeof certificatePem === 'string') real.fetchCertificate = async () => certificatePem;
  return real;
}
