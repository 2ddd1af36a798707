/** Mailgun: signature in the body over timestamp + token; tokens always go through a replay guard. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/index.js';
import { createReplayGuard, verifyMailgunWebhook } from '../../src/webhooks/index.js';
import { expectCode, NOW_S, now, signMailgun } from './helpers.js';

const signingKey = 'key-mailgun-signing-0123456789abcdef';
let counter = 0;

function delivery(opts: { key?: string; timestamp?: string; token?: string; eventData?: object } = {}) {
  const timestamp = opts.timestamp ?? String(NOW_S);
  const token = opts.token ?? `token${++counter}${'x'.repeat(40)}`;
  const signature = { timestamp, token, signature: signMailgun(opts.key ?? signingKey, timestamp, token) };
  const body = JSON.stringify({ signature, 'event-data': opts.eventData ?? { event: 'delivered', id: 'ev1', recipient: 'a@example.com' } });
  return { body, headers: { 'content-type': 'application/json' }, token };
}

describe('verifyMailgunWebhook', () => {
  it('accepts a signed delivery and returns the token as id', async () => {
    const d = delivery();
    const result = await verifyMailgunWebhook(d, { signingKey, now, replayGuard: createReplayGuard() });
    expect(result).toMatchObject({ provider: 'mailgun', id: d.token, timestamp: NOW_S });
    expect(result.payload['event-data'].event).toBe('delivered');
  });

  it('rejects a wrong key, a changed token and a changed timestamp', async () => {
    await expectCode(verifyMailgunWebhook(delivery({ key: 'other' }), { signingKey, now }), 'signature_invalid');
    const d = delivery();
    await expectCode(
      verifyMailgunWebhook({ ...d, body: d.body.replace(d.token, `${d.token}y`) }, { signingKey, now }),
      'signature_invalid',
    );
    await expectCode(
      verifyMailgunWebhook({ ...d, body: d.body.replace(`"${NOW_S}"`, `"${NOW_S - 1}"`) }, { signingKey, now }),
      'signature_invalid',
    );
  });

  it('a token seen before is replayed even with different event-data (the signature does not cover it)', async () => {
    const replayGuard = createReplayGuard({ store: createMemoryStore({ now }) });
    const genuine = delivery({ token: 'shared-token-abcdefghijklmnopqrstuvwxyz0123456789' });
    await verifyMailgunWebhook(genuine, { signingKey, now, replayGuard });
    const forged = { ...genuine, body: genuine.body.replace('"delivered"', '"unsubscribed"') };
    await expectCode(verifyMailgunWebhook(forged, { signingKey, now, replayGuard }), 'replayed');
  });

  it('uses a process-wide guard when none is passed', async () => {
    const d = delivery();
    await verifyMailgunWebhook(d, { signingKey, now });
    await expectCode(verifyMailgunWebhook(d, { signingKey, now }), 'replayed');
  });

  it('rejects stale timestamps', async () => {
    await expectCode(
      verifyMailgunWebhook(delivery({ timestamp: String(NOW_S - 1000) }), { signingKey, now }),
      'timestamp_out_of_tolerance',
    );
  });

  it('accepts the legacy form-encoded webhook', async () => {
    const timestamp = String(NOW_S);
    const token = 'legacy-token-0123456789abcdefghijklmnopqrstuvwxyz';
    const body = new URLSearchParams({
      timestamp,
      token,
      signature: signMailgun(signingKey, timestamp, token),
      event: 'opened',
    }).toString();
    const result = await verifyMailgunWebhook(
      { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { signingKey, now },
    );
    expect(result.payload).toMatchObject({ event: 'opened' });
  });

  it.each([
    ['no signature object', JSON.stringify({ 'event-data': {} })],
    ['signature fields not strings', JSON.stringify({ signature: { timestamp: 1, token: 2, signature: 3 } })],
    ['not JSON', 'hello'],
    ['JSON null', 'null'],
  ])('%s is invalid_input', async (_name, body) => {
    await expectCode(verifyMailgunWebhook({ body, headers: {} }, { signingKey, now }), 'invalid_input');
  });
});
