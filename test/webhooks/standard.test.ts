/**
 * Standard Webhooks: the published vectors (test/fixtures/standard-webhooks), differential against
 * the official `standardwebhooks` package, the svix-* header names, rotation and bad secrets.
 */
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReplayGuard, verifyStandardWebhook } from '../../src/webhooks/index.js';
import { expectCode, NOW_MS, NOW_S, now, signStandard } from './helpers.js';

interface Vector {
  secret: string;
  id: string;
  timestamp: number;
  payload: string;
  signature: string;
  valid: boolean;
  note: string;
}
const vectors = JSON.parse(readFileSync(new URL('../fixtures/standard-webhooks/vectors.json', import.meta.url), 'utf8')) as Vector[];

const headersFor = (id: string, timestamp: number, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

describe('published Standard Webhooks vectors', () => {
  it('has valid and invalid vectors', () => {
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThanOrEqual(3);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThanOrEqual(5);
  });

  it.each(vectors.map((v, i) => [i, v.valid, v] as const))('vector %i (valid: %s)', async (_i, valid, v) => {
    const verify = verifyStandardWebhook(
      { body: v.payload, headers: headersFor(v.id, v.timestamp, v.signature) },
      { secret: v.secret, now: () => v.timestamp * 1000 },
    );
    if (valid) await expect(verify).resolves.toMatchObject({ id: v.id, timestamp: v.timestamp, payload: JSON.parse(v.payload) });
    else await expectCode(verify, 'signature_invalid');
  });
});

describe('verifyStandardWebhook against the standardwebhooks package', () => {
  // The official library reads the clock itself, so freeze it at our NOW.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_MS);
  });
  afterEach(() => void vi.useRealTimers());

  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const wh = new Webhook(secret);
  const id = 'msg_2abc';
  const body = JSON.stringify({ type: 'user.created', data: { id: 'user_1', email: 'a@example.com' } });
  const sign = (ts: number, payload = body, msgId = id) => wh.sign(msgId, new Date(ts * 1000), payload);

  const cases: Array<[string, string, Record<string, string>]> = [
    ['valid', body, headersFor(id, NOW_S, sign(NOW_S))],
    ['tampered body', body.replace('user_1', 'user_2'), headersFor(id, NOW_S, sign(NOW_S))],
    ['other id', body, headersFor('msg_other', NOW_S, sign(NOW_S))],
    ['other timestamp', body, headersFor(id, NOW_S + 1, sign(NOW_S))],
    ['too old', body, headersFor(id, NOW_S - 301, sign(NOW_S - 301))],
    ['too new', body, headersFor(id, NOW_S + 301, sign(NOW_S + 301))],
    ['two signatures, second valid', body, headersFor(id, NOW_S, `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/rKLpT2rH9zTnS9hk= ${sign(NOW_S)}`)],
    ['v2 only', body, headersFor(id, NOW_S, sign(NOW_S).replace('v1,', 'v2,'))],
    ['truncated signature', body, headersFor(id, NOW_S, sign(NOW_S).slice(0, -2))],
  ];
  it.each(cases)('%s: same verdict as Webhook.verify', async (_name, payload, headers) => {
    let official = true;
    try {
      wh.verify(payload, headers);
    } catch {
      official = false;
    }
    let mine = true;
    try {
      await verifyStandardWebhook({ body: payload, headers }, { secret, now });
    } catch {
      mine = false;
    }
    expect(mine).toBe(official);
  });
});

describe('verifyStandardWebhook', () => {
  const secret = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
  const body = '{"event":"email.sent"}';

  it('accepts the svix-* header names (Svix, Clerk)', async () => {
    const headers = { 'svix-id': 'msg_1', 'svix-timestamp': String(NOW_S), 'svix-signature': signStandard(secret, 'msg_1', NOW_S, body) };
    await expect(verifyStandardWebhook({ body, headers }, { secret, now })).resolves.toMatchObject({
      provider: 'standard-webhooks',
      id: 'msg_1',
    });
  });

  it('accepts the secret with or without the whsec_ prefix, and several secrets', async () => {
    const headers = headersFor('msg_1', NOW_S, signStandard(secret, 'msg_1', NOW_S, body));
    await expect(verifyStandardWebhook({ body, headers }, { secret: secret.slice(6), now })).resolves.toBeTruthy();
    await expect(
      verifyStandardWebhook({ body, headers }, { secret: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', secret], now }),
    ).resolves.toBeTruthy();
  });

  it.each([['whsec_not base64!'], ['whsec_'], ['whsec_abc'], ['']])('secret %j is invalid_config and not echoed', async (bad) => {
    const headers = headersFor('msg_1', NOW_S, signStandard(secret, 'msg_1', NOW_S, body));
    const error = await expectCode(verifyStandardWebhook({ body, headers }, { secret: bad, now }), 'invalid_config');
    if (bad.length > 6) expect(error.message).not.toContain(bad.slice(6));
  });

  it('missing headers are named in the error', async () => {
    const error = await expectCode(verifyStandardWebhook({ body, headers: { 'webhook-id': 'msg_1' } }, { secret, now }), 'invalid_input');
    expect(error.message).toContain('webhook-timestamp');
    expect(error.message).toContain('webhook-signature');
  });

  it('rejects a second delivery of the same webhook-id', async () => {
    const replayGuard = createReplayGuard();
    const raw = { body, headers: headersFor('msg_dup', NOW_S, signStandard(secret, 'msg_dup', NOW_S, body)) };
    await verifyStandardWebhook(raw, { secret, now, replayGuard });
    await expectCode(verifyStandardWebhook(raw, { secret, now, replayGuard }), 'replayed');
  });

  it.each([
    ['fractional timestamp', { 'webhook-timestamp': `${NOW_S}.5` }],
    ['negative timestamp', { 'webhook-timestamp': '-1' }],
    ['id too long', { 'webhook-id': 'x'.repeat(300) }],
    ['too many signatures', { 'webhook-signature': Array(17).fill('v1,AAAA').join(' ') }],
  ])('%s is invalid_input', async (_name, override) => {
    const headers = { ...headersFor('msg_1', NOW_S, signStandard(secret, 'msg_1', NOW_S, body)), ...override };
    await expectCode(verifyStandardWebhook({ body, headers }, { secret, now }), 'invalid_input');
  });
});
