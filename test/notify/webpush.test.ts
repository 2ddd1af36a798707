import { Agent } from 'node:https';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuppressionList, type PushMessage } from '../../src/notify/index.js';
import { createWebPush } from '../../src/notify/webpush/index.js';
import { describeNotifierConformance } from '../conformance/notify.js';
import { selfSignedLocalhost } from './support/smtp-peer.js';
import { type PushService, browserSubscription, checkVapid, decryptPush, startPushService } from './support/push-service.js';

const tls = selfSignedLocalhost();
const vapid = { subject: 'mailto:ops@studio.example', ...webpush.generateVAPIDKeys() };
const agent = new Agent({ ca: tls.cert });
let service: PushService;
beforeAll(async () => {
  service = await startPushService(tls);
});
afterAll(async () => {
  await service?.close();
  agent.destroy();
});

describeNotifierConformance('webpush (local HTTPS push service)', async () => {
  const ua = browserSubscription(`${service.origin}/push/conformance`);
  const before = service.requests.length;
  return {
    notifier: createWebPush({ vapid, agent }),
    messages: {
      push: { channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, title: 'Booked', body: 'See you at 10:00' },
    },
    delivered: () => service.requests.length - before,
  };
});

describe('webpush adapter', () => {
  it('encrypts per RFC 8291 (the browser side decrypts it) and signs VAPID for the endpoint origin', async () => {
    const ua = browserSubscription(`${service.origin}/push/ada`);
    const message: PushMessage = {
      channel: 'push',
      to: { kind: 'webpush', subscription: ua.subscription },
      title: 'Class moved',
      body: 'Now at 11:00 — Studio B',
      data: { bookingId: 'b-42' },
      urgency: 'high',
      ttlSeconds: 600,
    };
    const before = service.requests.length;
    const result = await createWebPush({ vapid, agent }).send(message, { idempotencyKey: 'move-b-42' });
    const req = service.requests[before];
    expect(req?.path).toBe('/push/ada');
    expect(req?.headers['content-encoding']).toBe('aes128gcm');
    expect(req?.headers.ttl).toBe('600');
    expect(req?.headers.urgency).toBe('high');
    expect(req?.headers.topic).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(decryptPush(req?.body as Buffer, ua))).toEqual({
      title: 'Class moved',
      body: 'Now at 11:00 — Studio B',
      data: { bookingId: 'b-42' },
    });
    expect(checkVapid(req?.headers.authorization, service.origin, Math.floor(Date.now() / 1000))).toEqual({
      sub: 'mailto:ops@studio.example',
      k: vapid.publicKey,
    });
    expect(result).toMatchObject({
      provider: 'webpush',
      status: 'accepted',
      providerMessageId: expect.stringMatching(/^https:\/\/localhost\/m\/\d+$/),
    });
  });

  it('the same key gives the same Topic, so a retry replaces an undelivered push', async () => {
    const ua = browserSubscription(`${service.origin}/push/topic`);
    const push = createWebPush({ vapid, agent });
    const before = service.requests.length;
    await push.send({ channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'x' }, { idempotencyKey: 'same' });
    await push.send({ channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'x' }, { idempotencyKey: 'same' });
    expect(service.requests[before]?.headers.topic).toBe(service.requests[before + 1]?.headers.topic);
  });

  it.each([404, 410])('%i: the subscription is gone, not retried, and suppressed', async (status) => {
    const ua = browserSubscription(`${service.origin}/push/gone-${status}`);
    service.statusFor.set(`/push/gone-${status}`, status);
    const suppression = createSuppressionList();
    const before = service.requests.length;
    const error = await createWebPush({ vapid, agent, suppression })
      .send({ channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'x' }, { idempotencyKey: 'g' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'not_found', retryable: false, status, details: { gone: true, notSent: true } });
    expect(service.requests.length - before).toBe(1);
    expect(await suppression.get('push', ua.subscription.endpoint)).toMatchObject({ reason: 'subscription_gone' });
  });

  it('retries a 503 (the Topic makes it safe) and gives up with a retryable error', async () => {
    const ua = browserSubscription(`${service.origin}/push/down`);
    service.statusFor.set('/push/down', 503);
    const before = service.requests.length;
    await expect(
      createWebPush({ vapid, agent, retry: { baseDelayMs: 1, maxDelayMs: 2 } }).send(
        { channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'x' },
        { idempotencyKey: 'd' },
      ),
    ).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(service.requests.length - before).toBe(3);
  });

  it('refuses an oversized payload (4 KB), an http endpoint and an FCM target before sending', async () => {
    const ua = browserSubscription(`${service.origin}/push/big`);
    const push = createWebPush({ vapid, agent });
    const before = service.requests.length;
    await expect(
      push.send(
        { channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'é'.repeat(2100) },
        { idempotencyKey: 'b' },
      ),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('4010'),
    });
    await expect(
      push.send(
        { channel: 'push', to: { kind: 'webpush', subscription: { ...ua.subscription, endpoint: 'http://push.example/x' } }, body: 'x' },
        { idempotencyKey: 'b' },
      ),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(push.send({ channel: 'push', to: { kind: 'fcm', token: 't' }, body: 'x' }, { idempotencyKey: 'b' })).rejects.toMatchObject(
      { code: 'invalid_input' },
    );
    expect(service.requests.length).toBe(before);
  });

  it('bad VAPID keys are invalid_config', () => {
    expect(() => createWebPush({ vapid: { ...vapid, privateKey: 'short' } })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'vapid.privateKey' } }),
    );
    expect(() => createWebPush({ vapid: { ...vapid, subject: 'ops@studio.example' } })).toThrow(
      expect.objectContaining({ details: { field: 'vapid.subject' } }),
    );
  });
});
