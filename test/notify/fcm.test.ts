import { generateKeyPairSync, verify } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuppressionList, type PushMessage } from '../../src/notify/index.js';
import { createFcmPush } from '../../src/notify/fcm/index.js';
import { describeNotifierConformance, type Fault } from '../conformance/notify.js';
import { countingHarness, FAST_RETRY, type Logged, log } from './support/http.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const serviceAccount = {
  type: 'service_account',
  project_id: 'studio-app',
  client_email: 'notify@studio-app.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  token_uri: 'https://oauth2.googleapis.com/token',
};
const SEND = 'https://fcm.googleapis.com/v1/projects/studio-app/messages:send';

const requests: Logged[] = [];
let tokens = 0;
let armed: Fault | 'unregistered' | 'expired' | undefined;
let queue: (Fault | 'unregistered' | 'expired')[] = [];
let issued = new Set<string>();

/** The token endpoint checks the assertion the way Google does: RS256 over header.claims with the account's key. */
function checkAssertion(assertion: string) {
  const [h, c, s] = assertion.split('.') as [string, string, string];
  if (!verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))) throw new Error('bad signature');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString());
  return { header, claims };
}

const FCM_ERRORS = {
  rate_limited: [429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'],
  unavailable: [503, 'UNAVAILABLE', 'UNAVAILABLE'],
  authentication: [403, 'PERMISSION_DENIED', 'THIRD_PARTY_AUTH_ERROR'],
  rejected_recipient: [400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
  unregistered: [404, 'NOT_FOUND', 'UNREGISTERED'],
  expired: [401, 'UNAUTHENTICATED', undefined],
} as const;

const server = setupServer(
  http.post('https://oauth2.googleapis.com/token', async ({ request }) => {
    const req = await log(request, requests);
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
    try {
      checkAssertion(form.get('assertion') ?? '');
    } catch {
      return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
    }
    const token = `ya29.token-${++tokens}`;
    issued.add(token);
    return HttpResponse.json({ access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }),
  http.post(SEND, async ({ request }) => {
    const req = await log(request, requests);
    const fault = armed ?? queue.shift();
    if (fault) {
      const [status, grpc, code] = FCM_ERRORS[fault];
      if (fault === 'expired') issued = new Set();
      return HttpResponse.json(
        {
          error: {
            code: status,
            message: 'Requested entity was not found.',
            status: grpc,
            details: code ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }] : [],
          },
        },
        { status },
      );
    }
    if (!issued.has((req.headers.authorization ?? '').replace('Bearer ', '')))
      return HttpResponse.json({ error: { code: 401, status: 'UNAUTHENTICATED' } }, { status: 401 });
    return HttpResponse.json({ name: `projects/studio-app/messages/0:${Date.now()}%${requests.length}` });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const make = (extra: Partial<Parameters<typeof createFcmPush>[0]> = {}) =>
  createFcmPush({ serviceAccount, retry: FAST_RETRY, now: () => NOW, ...extra });
const push = (token = 'device-token-1'): PushMessage => ({
  channel: 'push',
  to: { kind: 'fcm', token },
  title: 'Booked',
  body: 'See you at 10:00',
  data: { bookingId: 'b-42' },
});

describeNotifierConformance(
  'fcm (msw, service-account JWT verified)',
  async () => {
    return {
      ...countingHarness(make(), (fault) => {
        armed = fault;
      }),
      messages: { push: push() },
    };
  },
  { faults: ['rate_limited', 'unavailable', 'authentication', 'rejected_recipient'] },
);

describe('fcm adapter', () => {
  it('signs a service-account JWT the token endpoint verifies, caches the token, and sends the v1 payload', async () => {
    const fcm = make();
    const before = requests.length;
    await fcm.send({ ...push(), urgency: 'high', ttlSeconds: 600 }, { idempotencyKey: 'a' });
    await fcm.send(push('device-token-2'), { idempotencyKey: 'b' });
    const mine = requests.slice(before);
    expect(mine.map((r) => new URL(r.url).hostname)).toEqual(['oauth2.googleapis.com', 'fcm.googleapis.com', 'fcm.googleapis.com']);
    const { header, claims } = checkAssertion(new URLSearchParams(mine[0]?.body).get('assertion') ?? '');
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toEqual({
      iss: serviceAccount.client_email,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      aud: serviceAccount.token_uri,
      iat: NOW / 1000,
      exp: NOW / 1000 + 3600,
    });
    expect(mine[1]?.headers.authorization).toMatch(/^Bearer ya29\.token-\d+$/);
    expect(JSON.parse(mine[1]?.body ?? '')).toEqual({
      message: {
        token: 'device-token-1',
        notification: { title: 'Booked', body: 'See you at 10:00' },
        data: { bookingId: 'b-42' },
        android: { ttl: '600s', priority: 'high' },
        apns: { headers: { 'apns-priority': '10' } },
        fcm_options: { analytics_label: 'switchyard' },
      },
    });
  });

  it('UNREGISTERED: the token is gone, not retried, and suppressed', async () => {
    const suppression = createSuppressionList();
    queue = ['unregistered'];
    const error = await make({ suppression })
      .send(push('stale-token'), { idempotencyKey: 'u' })
      .catch((e) => e);
    expect(error).toMatchObject({
      code: 'not_found',
      retryable: false,
      details: expect.objectContaining({ gone: true, fcmError: 'UNREGISTERED' }),
    });
    expect(await suppression.get('push', 'stale-token')).toMatchObject({ reason: 'subscription_gone', provider: 'fcm' });
  });

  it('retries 503 and 429 with backoff (as Google asks), and refreshes a rejected access token once', async () => {
    const fcm = make();
    await fcm.send(push(), { idempotencyKey: 'warm' });
    queue = ['unavailable', 'rate_limited'];
    const before = requests.length;
    await fcm.send(push(), { idempotencyKey: 'r' });
    expect(requests.length - before).toBe(3);
    queue = ['expired'];
    const before2 = requests.length;
    await fcm.send(push(), { idempotencyKey: 'e' });
    expect(requests.slice(before2).map((r) => new URL(r.url).hostname)).toEqual([
      'fcm.googleapis.com',
      'oauth2.googleapis.com',
      'fcm.googleapis.com',
    ]);
  });

  it('a key the token endpoint refuses is authentication; a bad service account is invalid_config', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(
      make({ serviceAccount: { ...serviceAccount, private_key: other } }).send(push(), { idempotencyKey: 'x' }),
    ).rejects.toMatchObject({ code: 'authentication', retryable: false });
    expect(() => make({ serviceAccount: { ...serviceAccount, client_email: 'nope' } })).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { field: 'serviceAccount.client_email' } }),
    );
    await expect(
      make({ serviceAccount: { ...serviceAccount, private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } }).send(
        push(),
        { idempotencyKey: 'y' },
      ),
    ).rejects.toMatchObject({
      code: 'invalid_config',
    });
  });
});
