/**
 * Twilio: differential against twilio-node's own validateRequest / validateRequestWithBody
 * (loaded from its webhooks module so the whole SDK is not initialised), port variants, JSON bodies.
 */
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import querystring from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { verifyTwilioWebhook } from '../../src/webhooks/index.js';
import { expectCode } from './helpers.js';

const require = createRequire(import.meta.url);
const twilio = require('twilio/lib/webhooks/webhooks.js') as {
  validateRequest(token: string, signature: string, url: string, params: Record<string, string | string[]>): boolean;
  validateRequestWithBody(token: string, signature: string, url: string, body: string): boolean;
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, string | string[]>): string;
};

const authToken = '12345678901234567890123456789012';
const url = 'https://example.com/twilio/sms?tenant=acme';
const params = { MessageSid: 'SM123', From: '+15551234567', To: '+15557654321', Body: 'Hello wörld & more=1' };
const form = new URLSearchParams(params).toString();
const contentType = { 'content-type': 'application/x-www-form-urlencoded' };

async function ours(body: string, signature: string, u: string, token = authToken): Promise<boolean> {
  try {
    await verifyTwilioWebhook({ body, headers: { ...contentType, 'x-twilio-signature': signature } }, { authToken: token, url: u });
    return true;
  } catch {
    return false;
  }
}

describe('verifyTwilioWebhook against twilio.validateRequest', () => {
  const sig = twilio.getExpectedTwilioSignature(authToken, url, params);
  const cases: Array<[string, string, string, string]> = [
    ['valid', form, sig, url],
    ['tampered param', form.replace('SM123', 'SM124'), sig, url],
    ['extra param', `${form}&Extra=1`, sig, url],
    ['other URL', form, sig, 'https://example.com/twilio/other?tenant=acme'],
    [
      'signed with :443, received without',
      form,
      twilio.getExpectedTwilioSignature(authToken, 'https://example.com:443/twilio/sms?tenant=acme', params),
      url,
    ],
    ['signed without port, received with :443', form, sig, 'https://example.com:443/twilio/sms?tenant=acme'],
    ['http with :80', form, twilio.getExpectedTwilioSignature(authToken, 'http://example.com:80/t', params), 'http://example.com/t'],
    [
      'non-default port',
      form,
      twilio.getExpectedTwilioSignature(authToken, 'https://example.com:8443/t', params),
      'https://example.com:8443/t',
    ],
    ['garbage signature', form, 'not-a-signature', url],
  ];
  it.each(cases)('%s: same verdict', async (_name, body, signature, u) => {
    const official = twilio.validateRequest(authToken, signature, u, Object.fromEntries(new URLSearchParams(body)));
    expect(await ours(body, signature, u)).toBe(official);
  });

  it('repeated parameters: each distinct value, sorted, as the SDK signs them', async () => {
    const multi = { To: '+1555', MediaUrl: ['https://b.example/2', 'https://a.example/1'] };
    const signature = twilio.getExpectedTwilioSignature(authToken, url, multi);
    const body = 'To=%2B1555&MediaUrl=https%3A%2F%2Fb.example%2F2&MediaUrl=https%3A%2F%2Fa.example%2F1';
    expect(twilio.validateRequest(authToken, signature, url, multi)).toBe(true);
    const result = await verifyTwilioWebhook({ body, headers: { 'x-twilio-signature': signature } }, { authToken, url });
    expect(result.payload).toEqual({ To: '+1555', MediaUrl: ['https://b.example/2', 'https://a.example/1'] });
  });

  it('returns the params and uses the idempotency token (or MessageSid) as id', async () => {
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    const r1 = await verifyTwilioWebhook({ body: form, headers: { 'x-twilio-signature': signature } }, { authToken, url });
    expect(r1).toMatchObject({ provider: 'twilio', id: 'SM123', payload: params });
    const r2 = await verifyTwilioWebhook(
      { body: form, headers: { 'x-twilio-signature': signature, 'i-twilio-idempotency-token': 'idem-1' } },
      { authToken, url },
    );
    expect(r2.id).toBe('idem-1');
  });

  it('uses raw.url when no url option is given', async () => {
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    await expect(
      verifyTwilioWebhook({ body: form, headers: { 'x-twilio-signature': signature }, url }, { authToken }),
    ).resolves.toBeTruthy();
  });
});

describe('verifyTwilioWebhook with JSON bodies (bodySHA256)', () => {
  const body = JSON.stringify({ event: 'com.twilio.messaging.message.delivered', sid: 'SM9' });
  const hash = createHash('sha256').update(body).digest('hex');
  const jsonUrl = `https://example.com/twilio/events?bodySHA256=${hash}`;
  const signature = twilio.getExpectedTwilioSignature(authToken, jsonUrl, {});

  it.each([
    ['valid', body, signature],
    ['tampered body', body.replace('SM9', 'SM8'), signature],
    ['bad signature', body, signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))],
  ])('%s: same verdict as validateRequestWithBody', async (_name, b, s) => {
    const official = twilio.validateRequestWithBody(authToken, s, jsonUrl, b);
    let mine = true;
    try {
      await verifyTwilioWebhook(
        { body: b, headers: { 'x-twilio-signature': s, 'content-type': 'application/json' } },
        { authToken, url: jsonUrl },
      );
    } catch {
      mine = false;
    }
    expect(mine).toBe(official);
  });

  it('parses the JSON body as payload', async () => {
    const result = await verifyTwilioWebhook({ body, headers: { 'x-twilio-signature': signature } }, { authToken, url: jsonUrl });
    expect(result.payload).toEqual(JSON.parse(body));
  });
});

describe('verifyTwilioWebhook bad input', () => {
  const signature = createHmac('sha1', authToken).update(url).digest('base64');
  it('missing signature header is invalid_input', async () => {
    await expectCode(verifyTwilioWebhook({ body: '', headers: {} }, { authToken, url }), 'invalid_input');
  });
  it('no URL anywhere is invalid_config, a relative URL too', async () => {
    await expectCode(verifyTwilioWebhook({ body: '', headers: { 'x-twilio-signature': signature } }, { authToken }), 'invalid_config');
    await expectCode(
      verifyTwilioWebhook({ body: '', headers: { 'x-twilio-signature': signature } }, { authToken, url: '/sms' }),
      'invalid_config',
    );
  });
  it('empty body with a signature over the bare URL verifies (status callbacks without params)', async () => {
    await expect(
      verifyTwilioWebhook({ body: '', headers: { 'x-twilio-signature': signature } }, { authToken, url }),
    ).resolves.toMatchObject({
      payload: {},
    });
  });
  it('error messages never contain the auth token', async () => {
    const error = await expectCode(
      verifyTwilioWebhook({ body: 'a=1', headers: { 'x-twilio-signature': signature } }, { authToken, url }),
      'signature_invalid',
    );
    expect(error.message).not.toContain(authToken);
  });
});

describe('verifyTwilioWebhook: URLs whose query twilio-node re-encodes (legacy querystring)', () => {
  const body = new URLSearchParams(params).toString();
  it.each([
    'https://example.com/sms?name=a+b&x=%7E',
    'https://example.com/sms?b=1&2=x&b=3',
    "https://example.com/sms?q=it's(ok)*!",
    'https://example.com:443/sms?a=%20b',
  ])('%s: same verdict for the signature of each variant', async (configured) => {
    const parsed = new URL(configured);
    // What Node's legacy querystring makes of the query: the form older configurations were signed with.
    const legacy = `${parsed.origin}${parsed.pathname}?${querystring.stringify(querystring.parse(parsed.search.slice(1)))}`;
    const variants = [
      configured,
      legacy,
      configured.replace('+', '%20'),
      `${parsed.origin}${parsed.pathname}?${new URLSearchParams(parsed.search).toString()}`,
    ];
    for (const signedUrl of variants) {
      const signature = twilio.getExpectedTwilioSignature(authToken, signedUrl, params);
      const official = twilio.validateRequest(authToken, signature, configured, params);
      expect(await ours(body, signature, configured), signedUrl).toBe(official);
      if (signedUrl === legacy) expect(official, 'twilio-node accepts the legacy form').toBe(true);
    }
  });
});
