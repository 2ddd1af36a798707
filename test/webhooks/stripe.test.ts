/**
 * Stripe: differential against the official `stripe` package (generateTestHeaderString signs,
 * constructEvent checks), then the cases the SDK does not cover (rotation, v0, future timestamps,
 * replays, bytes, misuse).
 */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/index.js';
import { createReplayGuard, verifyStripeWebhook } from '../../src/webhooks/index.js';
import { expectCode, NOW_MS, NOW_S, now, stripeEvent } from './helpers.js';

const stripe = new Stripe('sk_test_placeholder_not_used_for_calls');
const secret = 'whsec_test_secret_1234567890abcdef';

function header(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  return stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? secret, timestamp: opts.timestamp ?? NOW_S });
}

function official(payload: string, signature: string, key = secret): boolean {
  try {
    stripe.webhooks.constructEvent(payload, signature, key, 300, undefined, NOW_MS);
    return true;
  } catch {
    return false;
  }
}

async function ours(payload: string | Uint8Array, signature: string, key: string | string[] = secret): Promise<boolean> {
  try {
    await verifyStripeWebhook({ body: payload, headers: { 'stripe-signature': signature } }, { secret: key, now });
    return true;
  } catch {
    return false;
  }
}

describe('verifyStripeWebhook against stripe-node', () => {
  const body = stripeEvent();
  const cases: Array<[string, string, string, string?]> = [
    ['valid', body, header(body)],
    ['tampered body', body.replace('4900', '4901'), header(body)],
    ['wrong secret', body, header(body, { secret: 'whsec_other' })],
    ['old timestamp', body, header(body, { timestamp: NOW_S - 301 })],
    ['edge of tolerance', body, header(body, { timestamp: NOW_S - 300 })],
    ['signature flipped', body, header(body).replace(/v1=(.)/, (_m, c: string) => `v1=${c === 'a' ? 'b' : 'a'}`)],
    ['timestamp swapped', body, header(body).replace(`t=${NOW_S}`, `t=${NOW_S - 1}`)],
    ['no v1', body, `t=${NOW_S}`],
    ['empty header', body, ''],
    ['whitespace added to body', `${body}\n`, header(body)],
  ];
  it.each(cases)('%s: same verdict as constructEvent', async (_name, payload, signature) => {
    expect(await ours(payload, signature)).toBe(official(payload, signature));
  });

  it('returns the event id, the signed timestamp and the parsed payload', async () => {
    const result = await verifyStripeWebhook({ body, headers: { 'Stripe-Signature': header(body) } }, { secret, now });
    expect(result).toEqual({ provider: 'stripe', id: 'evt_1QabcDEF', timestamp: NOW_S, payload: JSON.parse(body) });
  });

  it('accepts the body as the exact bytes (Uint8Array / Buffer)', async () => {
    expect(await ours(new TextEncoder().encode(body), header(body))).toBe(true);
    expect(await ours(Buffer.from(body), header(body))).toBe(true);
  });

  it('accepts a Fetch Headers object', async () => {
    const result = await verifyStripeWebhook({ body, headers: new Headers({ 'Stripe-Signature': header(body) }) }, { secret, now });
    expect(result.id).toBe('evt_1QabcDEF');
  });
});

describe('verifyStripeWebhook: rotation, schemes and time', () => {
  const body = stripeEvent();
  const sig = (key: string) => header(body, { secret: key }).split(',')[1] as string;

  it('accepts any of several v1 signatures (Stripe signs with old and new secret while rolling)', async () => {
    const both = `t=${NOW_S},${sig('whsec_old_secret_value')},${sig(secret)}`;
    expect(await ours(body, both)).toBe(true);
    expect(official(body, both)).toBe(true);
  });

  it('accepts any of several configured secrets', async () => {
    expect(await ours(body, header(body), ['whsec_previous_secret', secret])).toBe(true);
    expect(await ours(body, header(body), ['whsec_previous_secret'])).toBe(false);
  });

  it('ignores v0 signatures even when they would match', async () => {
    const v0 = sig(secret).replace('v1=', 'v0=');
    await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': `t=${NOW_S},${v0}` } }, { secret, now }),
      'signature_invalid',
    );
  });

  it('rejects old and future timestamps with timestamp_out_of_tolerance, after the signature matched', async () => {
    const old = await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body, { timestamp: NOW_S - 301 }) } }, { secret, now }),
      'timestamp_out_of_tolerance',
    );
    expect(old.message).toMatch(/301 s ago/);
    // stripe-node accepts any future timestamp; we do not.
    await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body, { timestamp: NOW_S + 301 }) } }, { secret, now }),
      'timestamp_out_of_tolerance',
    );
    const ok = await verifyStripeWebhook(
      { body, headers: { 'stripe-signature': header(body, { timestamp: NOW_S - 3600 }) } },
      { secret, now, toleranceSeconds: 3601 },
    );
    expect(ok.timestamp).toBe(NOW_S - 3600);
  });

  it('a forged, stale request is signature_invalid (tolerance errors mean "authentic but old")', async () => {
    await expectCode(
      verifyStripeWebhook(
        { body, headers: { 'stripe-signature': header(body, { timestamp: NOW_S - 9999, secret: 'whsec_x' }) } },
        { secret, now },
      ),
      'signature_invalid',
    );
  });
});

describe('verifyStripeWebhook: misuse and bad input', () => {
  const body = stripeEvent();

  it('refuses a parsed body and says how to get the raw one', async () => {
    const error = await expectCode(
      verifyStripeWebhook({ body: JSON.parse(body), headers: { 'stripe-signature': header(body) } }, { secret, now }),
      'invalid_input',
    );
    expect(error.message).toMatch(/express\.raw/);
    expect(error.message).not.toContain('evt_1QabcDEF');
  });

  it('refuses an API key passed as the signing secret, without echoing it', async () => {
    const error = await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body) } }, { secret: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', now }),
      'invalid_config',
    );
    expect(error.message).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
  });

  it.each([
    ['missing header', {}],
    ['empty header', { 'stripe-signature': '' }],
    ['no timestamp', { 'stripe-signature': 'v1=abc' }],
    ['non-numeric timestamp', { 'stripe-signature': 't=abc,v1=abc' }],
    ['two timestamps', { 'stripe-signature': `t=${NOW_S},t=${NOW_S + 1},v1=abc` }],
    ['duplicated header with different values', { 'stripe-signature': ['t=1,v1=a', 't=2,v1=b'] }],
    ['oversized header', { 'stripe-signature': `t=${NOW_S},${'v1=a,'.repeat(3000)}` }],
    ['too many signatures', { 'stripe-signature': `t=${NOW_S},${'v1=a,'.repeat(17)}` }],
  ])('%s is invalid_input', async (_name, headers) => {
    await expectCode(verifyStripeWebhook({ body, headers }, { secret, now }), 'invalid_input');
  });

  it('a Stripe-Signature header appended twice to Fetch Headers (joined with ", ") is refused', async () => {
    const headers = new Headers();
    headers.append('stripe-signature', header(body));
    headers.append('stripe-signature', header(body, { timestamp: NOW_S - 10 }));
    await expectCode(verifyStripeWebhook({ body, headers }, { secret, now }), 'invalid_input');
  });

  it.each([[''], [[]], [undefined], [42]])('secret %j is invalid_config', async (bad) => {
    await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body) } }, { secret: bad as string, now }),
      'invalid_config',
    );
  });

  it('a signed body that is not UTF-8 is invalid_input after the signature matched', async () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const t = NOW_S;
    const { createHmac } = await import('node:crypto');
    const v1 = createHmac('sha256', secret).update(`${t}.`).update(bytes).digest('hex');
    const error = await expectCode(
      verifyStripeWebhook({ body: bytes, headers: { 'stripe-signature': `t=${t},v1=${v1}` } }, { secret, now }),
      'invalid_input',
    );
    expect(error.message).toMatch(/UTF-8/);
  });

  it('a clock that is not a function or returns NaN is invalid_config, not a silently disabled window', async () => {
    const raw = { body, headers: { 'stripe-signature': header(body) } };
    await expectCode(verifyStripeWebhook(raw, { secret, now: 5 as unknown as () => number }), 'invalid_config');
    await expectCode(verifyStripeWebhook(raw, { secret, now: () => Number.NaN }), 'invalid_config');
  });

  it('points at whitespace in the configured secret without showing it', async () => {
    const error = await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body) } }, { secret: `${secret}\n`, now }),
      'signature_invalid',
    );
    expect(error.message).toMatch(/whitespace/);
    expect(error.message).not.toContain(secret.slice(6));
  });

  it('a signed body that is not JSON is invalid_input', async () => {
    await expectCode(
      verifyStripeWebhook({ body: 'not json', headers: { 'stripe-signature': header('not json') } }, { secret, now }),
      'invalid_input',
    );
  });
});

describe('verifyStripeWebhook with a replay guard', () => {
  it('accepts an event once and rejects its second delivery with replayed', async () => {
    const replayGuard = createReplayGuard({ store: createMemoryStore({ now }), ttlSeconds: 3600 });
    const body = stripeEvent('evt_replay_1');
    const raw = { body, headers: { 'stripe-signature': header(body) } };
    await verifyStripeWebhook(raw, { secret, now, replayGuard });
    const error = await expectCode(verifyStripeWebhook(raw, { secret, now, replayGuard }), 'replayed');
    expect(error.provider).toBe('stripe');
    await replayGuard.release('stripe', 'evt_replay_1');
    await expect(verifyStripeWebhook(raw, { secret, now, replayGuard })).resolves.toMatchObject({ id: 'evt_replay_1' });
  });

  it('refuses a guard that forgets ids before the tolerance window closes', async () => {
    const replayGuard = createReplayGuard({ ttlSeconds: 60 });
    const body = stripeEvent();
    await expectCode(
      verifyStripeWebhook({ body, headers: { 'stripe-signature': header(body) } }, { secret, now, replayGuard }),
      'invalid_config',
    );
  });
});
