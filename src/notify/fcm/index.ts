/**
 * `switchyard/notify/fcm`: push through Firebase Cloud Messaging HTTP v1 (plain `fetch`), with a
 * service account: an RS256 JWT signed with Web Crypto is exchanged for an access token (cached,
 * one refresh in flight at a time). `UNREGISTERED` (404) means the token is gone: `not_found` with
 * `details.gone`, suppressed when a suppression list is given.
 *
 * Google asks FCM senders to retry 500/503 with backoff, so this adapter does (`retryServerErrors`).
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import { callProvider, notSentOn4xx, withCode } from '../http.js';
import { adapterTelemetry } from '../../core/observability.js';
import { HTTP_ADAPTER_OPTIONS, parseOptions } from '../options.js';
import type { SuppressionList } from '../suppression.js';
import type { Notifier, NotifyMessage, SendResult } from '../types.js';
import { checkMessage, checkSendOptions } from '../validate.js';

const PROVIDER = 'fcm';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

const serviceAccountSchema = z.object({
  project_id: z.string().min(1),
  client_email: z.email(),
  private_key: z.string().includes('PRIVATE KEY', { message: 'must be the PEM private key from the service account JSON' }),
  token_uri: z.url().optional(),
});

const optionsSchema = z.object({
  /** The service account JSON (parsed), as downloaded from the Google Cloud console. */
  serviceAccount: serviceAccountSchema,
  suppression: z
    .custom<SuppressionList>((v) => typeof v === 'object' && v !== null && typeof (v as SuppressionList).add === 'function')
    .optional(),
  baseUrl: z.url().optional(),
  ...HTTP_ADAPTER_OPTIONS,
});

/**
 * Options of `createFcmPush`: `serviceAccount` (the parsed service account JSON: `project_id`,
 * `client_email`, `private_key`, optional `token_uri`), optionally `suppression` (gone tokens are
 * added) and `baseUrl`.
 * Shared by the HTTP adapters: `fetch` (inject for tests or a proxy), `retry` (a `RetryPolicy`
 * subset: `maxAttempts`, delays, `attemptTimeoutMs`), `now`, and `telemetry` or a bare `logger`
 * (not both).
 */
export type FcmPushOptions = z.input<typeof optionsSchema>;

const b64url = (bytes: Uint8Array | string) => {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem
    .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '')
    .replace(/\\n/g, '')
    .replace(/\s+/g, '');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/**
 * Push through Firebase Cloud Messaging HTTP v1 (plain `fetch`) with a service account: an RS256
 * JWT signed with Web Crypto is exchanged for an access token, cached and refreshed one request at
 * a time. An `UNREGISTERED` token is `not_found` with `details.gone` (and suppressed when
 * `suppression` is given). Sends to `{ kind: 'fcm', token }` only. Bad options are `invalid_config`.
 *
 * @example
 * const fcm = createFcmPush({ serviceAccount: JSON.parse(process.env.FIREBASE_SERVICE_ACCOUNT!), suppression });
 * await fcm.send(
 *   { channel: 'push', to: { kind: 'fcm', token: deviceToken }, title: 'Class moved', body: 'Yoga is now at 11:00', data: { bookingId: '42' } },
 *   { idempotencyKey: 'booking:42:moved' },
 * );
 */
export function createFcmPush(options: FcmPushOptions): Notifier<'push'> {
  const o = parseOptions('createFcmPush', optionsSchema, options);
  const telemetry = adapterTelemetry('createFcmPush', o);
  const sa = o.serviceAccount;
  const tokenUri = sa.token_uri ?? 'https://oauth2.googleapis.com/token';
  const baseUrl = (o.baseUrl ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
  const now = o.now ?? Date.now;
  let keyPromise: Promise<CryptoKey> | undefined;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  const signingKey = () => {
    keyPromise ??= crypto.subtle
      .importKey('pkcs8', pemToDer(sa.private_key.replace(/\\n/g, '\n')), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
      .catch(() => {
        keyPromise = undefined;
        throw new IntegrationError('invalid_config', 'createFcmPush: serviceAccount.private_key is not an RSA PKCS#8 key', {
          details: { field: 'serviceAccount.private_key' },
        });
      });
    return keyPromise;
  };

  const fetchToken = async (): Promise<string> => {
    const iat = Math.floor(now() / 1000);
    const unsigned = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iss: sa.client_email, scope: SCOPE, aud: tokenUri, iat, exp: iat + 3600 }))}`;
    const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', await signingKey(), new TextEncoder().encode(unsigned)));
    const { body } = await callProvider(
      {
        provider: PROVIDER,
        telemetry: telemetry,
        operation: 'token.exchange',
        fetch: o.fetch,
        retry: o.retry,
        now,
        refine: (e) => (e.status === 400 || e.status === 401 ? withCode(e, 'authentication', { retryable: false }) : e),
      },
      tokenUri,
      () => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: `${unsigned}.${b64url(signature)}`,
        }).toString(),
      }),
    );
    const token = (body as { access_token?: unknown })?.access_token;
    const expiresIn = Number((body as { expires_in?: unknown })?.expires_in ?? 3600);
    if (typeof token !== 'string')
      throw new IntegrationError('authentication', 'the token endpoint answered without an access_token', {
        provider: PROVIDER,
        retryable: false,
      });
    cached = { token, expiresAt: now() + Math.max(0, expiresIn - 60) * 1000 };
    return token;
  };

  /** One token request at a time; refreshed a minute before it expires. */
  const accessToken = async (force = false): Promise<string> => {
    if (!force && cached && cached.expiresAt > now()) return cached.token;
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return {
    provider: PROVIDER,
    channels: ['push'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      checkMessage(message);
      if (message.channel !== 'push' || message.to.kind !== 'fcm') {
        throw new IntegrationError(
          message.channel === 'push' ? 'invalid_input' : 'unsupported',
          'fcm sends push messages to { kind: "fcm", token }',
          { provider: PROVIDER, details: { field: 'to' } },
        );
      }
      const token = message.to.token;
      const ttl = message.ttlSeconds ?? 86_400;
      const high = message.urgency === 'high';
      const payload: Record<string, unknown> = {
        token,
        android: { ttl: `${ttl}s`, priority: high ? 'high' : 'normal' },
        apns: { headers: { 'apns-priority': high ? '10' : '5' } },
        fcm_options: { analytics_label: 'switchyard' },
      };
      if (message.title !== undefined || message.body !== undefined) {
        const notification: Record<string, string> = {};
        if (message.title !== undefined) notification.title = message.title;
        if (message.body !== undefined) notification.body = message.body;
        payload.notification = notification;
      }
      if (message.data) payload.data = message.data;
      const body = JSON.stringify({ message: payload });
      const call = async (bearer: string) =>
        callProvider(
          {
            provider: PROVIDER,
            telemetry: telemetry,
            operation: 'push.send',
            signal: sendOptions.signal,
            fetch: o.fetch,
            retry: o.retry,
            retryServerErrors: true,
            refine: refineError,
            now,
          },
          `${baseUrl}/v1/projects/${encodeURIComponent(sa.project_id)}/messages:send`,
          () => ({
            method: 'POST',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body,
          }),
        );
      let answer: unknown;
      try {
        answer = (await call(await accessToken())).body;
      } catch (error) {
        // A revoked or expired token: fetch a new one once.
        if (error instanceof IntegrationError && error.status === 401) answer = (await call(await accessToken(true))).body;
        else {
          if (error instanceof IntegrationError && error.details?.gone === true)
            await o.suppression?.add('push', token, { reason: 'subscription_gone', provider: PROVIDER });
          throw error;
        }
      }
      const name = (answer as { name?: unknown })?.name;
      if (typeof name !== 'string')
        throw new IntegrationError('provider_error', 'fcm accepted the message without a name', { provider: PROVIDER, retryable: false });
      return { channel: 'push', provider: PROVIDER, providerMessageId: name, status: 'accepted', idempotencyKey: key };
    },
  };
}

function refineError(error: IntegrationError, body: unknown): IntegrationError {
  const e = notSentOn4xx(error);
  const details = (body as { error?: { status?: string; details?: { '@type'?: string; errorCode?: string }[] } })?.error;
  const fcmCode = details?.details?.find((d) => typeof d.errorCode === 'string')?.errorCode ?? details?.status;
  switch (fcmCode) {
    case 'UNREGISTERED':
      return withCode(e, 'not_found', {
        retryable: false,
        details: { fcmError: fcmCode, gone: true, notSent: true },
        message: 'fcm: the registration token is gone (app uninstalled or token rotated); remove it',
      });
    case 'INVALID_ARGUMENT':
      return withCode(e, 'invalid_input', { retryable: false, details: { fcmError: fcmCode, notSent: true } });
    case 'SENDER_ID_MISMATCH':
    case 'PERMISSION_DENIED':
      return withCode(e, 'permission', { retryable: false, details: { fcmError: fcmCode, notSent: true } });
    case 'QUOTA_EXCEEDED':
      return withCode(e, 'rate_limited', { retryable: true, details: { fcmError: fcmCode, notSent: true } });
    case 'THIRD_PARTY_AUTH_ERROR':
      return withCode(e, 'authentication', { retryable: false, details: { fcmError: fcmCode, notSent: true } });
  }
  return fcmCode ? withCode(e, e.code, { details: { fcmError: fcmCode } }) : e;
}
