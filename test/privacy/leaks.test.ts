/**
 * No secret in any adapter's logs: every adapter is driven with a capturing logger, hooks and an
 * in-memory OpenTelemetry exporter, with known secret values (API keys, auth tokens, service
 * account key, access tokens, webhook secrets, SMTP password, a card number), through success and
 * failure paths. The failure path is hostile on purpose: the stand-in echoes the request's
 * Authorization header, query and body back in its error message, the worst a provider could do.
 * Nothing captured — log lines, hook events, span names/attributes/events, error messages,
 * `toJSON()` — may contain a secret, raw or base64-encoded.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Agent } from 'node:https';
import webpush from 'web-push';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleCalendar } from '../../src/calendar/google/index.js';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { createTelemetry, IntegrationError, type Logger } from '../../src/index.js';
import { createFcmPush } from '../../src/notify/fcm/index.js';
import { createResendEmail } from '../../src/notify/resend/index.js';
import { createSendGridEmail } from '../../src/notify/sendgrid/index.js';
import { createSesEmail } from '../../src/notify/ses/index.js';
import { createSmtpEmail } from '../../src/notify/smtp/index.js';
import { createTwilioSms } from '../../src/notify/twilio/index.js';
import { createWebPush } from '../../src/notify/webpush/index.js';
import { createStripePayments, STRIPE_API_VERSION } from '../../src/payments/stripe/index.js';
import { createGoogleApi } from '../calendar/support/google-api.js';
import { createGraphApi } from '../calendar/support/graph-api.js';
import { browserSubscription, startPushService } from '../notify/support/push-service.js';
import { selfSignedLocalhost, startSmtpPeer } from '../notify/support/smtp-peer.js';
import { createStripeMock } from '../payments/support/stripe-mock.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const CARD = '4242424242424242';
const STRIPE_KEY = 'sk_test_51LeakCheckStripeKey000000000000';
const STRIPE_WHSEC = 'whsec_leakcheck_stripe_webhook_secret_01';
const RESEND_KEY = 're_LeakCheckResendKey_123456789';
const RESEND_WHSEC = 'whsec_TGVha0NoZWNrUmVzZW5kU2VjcmV0MDEyMzQ1Njc4';
const SENDGRID_KEY = 'SG.leakcheck_id.leakcheck_sendgrid_secret_value';
const TWILIO_ACCOUNT = `AC${'b'.repeat(32)}`;
const TWILIO_TOKEN = 'f00dfacef00dfacef00dfacef00dface';
const AWS_SECRET = 'LeakCheck/AwsSecretAccessKey0123456789abcd';
const GOOGLE_TOKEN = 'ya29.LeakCheckGoogleAccessToken_0123456789';
const GRAPH_TOKEN = 'eyJ0eXAiOiJKV1QiLeakCheckGraphAccessToken.payload.sig';
const FCM_ACCESS = 'ya29.LeakCheckFcmIssuedAccessToken_987654';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FCM_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
// One line from the middle of the PEM body: a distinctive piece of the key material.
const FCM_KEY_LINE = FCM_PEM.split('\n')[5] as string;
const VAPID = { subject: 'mailto:ops@studio.example', ...webpush.generateVAPIDKeys() };
const SMTP_WRONG_PASS = 'Wrong-SMTP-Password-LeakCheck-42';
const TLS = selfSignedLocalhost();

const SECRETS: Record<string, string> = {
  CARD,
  STRIPE_KEY,
  STRIPE_WHSEC,
  RESEND_KEY,
  RESEND_WHSEC,
  SENDGRID_KEY,
  TWILIO_TOKEN,
  AWS_SECRET,
  GOOGLE_TOKEN,
  GRAPH_TOKEN,
  FCM_ACCESS,
  FCM_KEY_LINE,
  VAPID_PRIVATE: VAPID.privateKey,
  SMTP_WRONG_PASS,
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const NEEDLES: [string, string][] = [
  ...Object.entries(SECRETS),
  ...Object.entries(SECRETS).map(([name, value]): [string, string] => [`${name} (base64)`, b64(value)]),
  ['twilio basic auth', b64(`${TWILIO_ACCOUNT}:${TWILIO_TOKEN}`)],
  ['card with spaces', '4242 4242 4242 4242'],
];

// Everything a host or an operator could see.
const seen: string[] = [];
const logger: Logger = {
  debug: (fields, msg) => seen.push(`debug ${JSON.stringify(fields)} ${msg ?? ''}`),
  info: (fields, msg) => seen.push(`info ${JSON.stringify(fields)} ${msg ?? ''}`),
  warn: (fields, msg) => seen.push(`warn ${JSON.stringify(fields)} ${msg ?? ''}`),
  error: (fields, msg) => seen.push(`error ${JSON.stringify(fields)} ${msg ?? ''}`),
};
const hooks = {
  onRequest: (e: unknown) => void seen.push(`hook ${JSON.stringify(e)}`),
  onResponse: (e: unknown) => void seen.push(`hook ${JSON.stringify(e)}`),
  onRetry: (e: unknown) => void seen.push(`hook ${JSON.stringify(e)}`),
  onWebhook: (e: unknown) => void seen.push(`hook ${JSON.stringify(e)}`),
};
const telemetry = createTelemetry({ logger, hooks, openTelemetry: 'auto' });
const exporter = new InMemorySpanExporter();

function record(error: unknown) {
  if (error instanceof IntegrationError) {
    seen.push(`error.message ${error.message}`, `error.toJSON ${JSON.stringify(error.toJSON())}`, `error.string ${String(error)}`);
  } else if (error instanceof Error) {
    seen.push(`error(non-IntegrationError) ${error.name}: ${error.message}`);
  } else {
    seen.push(`thrown ${String(error)}`);
  }
  return error;
}

function assertNoSecret() {
  for (const span of exporter.getFinishedSpans()) {
    seen.push(`span ${span.name} ${JSON.stringify(span.attributes)} ${JSON.stringify(span.events)} ${JSON.stringify(span.status)}`);
  }
  const leaks: string[] = [];
  for (const line of seen) for (const [name, needle] of NEEDLES) if (line.includes(needle)) leaks.push(`${name} in: ${line.slice(0, 300)}`);
  expect(leaks).toEqual([]);
}

// The stand-ins: the projects' own Google/Graph/Stripe models for success, small handlers for the
// notify APIs, and a hostile handler in front of everything while `hostile` is on.
let hostile = false;
let hostileStatus = 400;
const google = createGoogleApi({ calendars: [{ id: 'primary', timeZone: 'UTC', primary: true }], now: () => NOW });
const graph = createGraphApi({ now: () => NOW });
const stripe = createStripeMock({ apiVersion: STRIPE_API_VERSION, now: () => NOW });
const server = setupServer(
  http.all('*', async ({ request }) => {
    if (!hostile) return undefined;
    const authorization = request.headers.get('authorization') ?? '';
    // Also the credential without its scheme, the way "Invalid API key provided: sk_…" messages quote it.
    const credential = authorization.replace(/^\w+ /, '');
    const echo = `rejected ${request.method} ${request.url} authorization=${authorization} key ${credential} body=${await request.text()}`;
    return HttpResponse.json(
      {
        error: {
          code: 400,
          message: echo,
          type: 'invalid_request_error',
          status: 'INVALID_ARGUMENT',
          errors: [{ message: echo, reason: 'invalid' }],
        },
        message: echo,
        errors: [{ message: echo, field: 'to' }],
        code: 21211,
        statusCode: 400,
        name: 'validation_error',
        __type: 'BadRequestException',
      },
      { status: hostileStatus },
    );
  }),
  http.post('https://oauth2.googleapis.com/token', () =>
    HttpResponse.json({ access_token: FCM_ACCESS, expires_in: 3599, token_type: 'Bearer' }),
  ),
  http.post('https://fcm.googleapis.com/v1/projects/:project/messages\\:send', () =>
    HttpResponse.json({ name: 'projects/studio-app/messages/0:1' }),
  ),
  http.post('https://api.resend.com/emails', () => HttpResponse.json({ id: 'em_1' })),
  http.post('https://api.sendgrid.com/v3/mail/send', () => new HttpResponse(null, { status: 202, headers: { 'x-message-id': 'sg1' } })),
  http.post(`https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT}/Messages.json`, () =>
    HttpResponse.json({ sid: `SM${'0'.repeat(32)}`, status: 'queued' }, { status: 201 }),
  ),
  http.post('https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails', () => HttpResponse.json({ MessageId: 'ses-1' })),
  ...google.handlers,
  ...graph.handlers,
  ...stripe.handlers,
);

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  // The local push service and SMTP peer are real servers: let requests to them through.
  server.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== 'localhost') print.error();
    },
  });
});
afterAll(() => {
  server.close();
  trace.disable();
});
beforeEach(() => {
  hostile = false;
  hostileStatus = 400;
  seen.length = 0;
  exporter.reset();
});

const ONCE = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, random: () => 0 };
const email = { channel: 'email' as const, to: 'ada@example.com', subject: 'Booked', text: `card on file ${CARD}` };

/** Success, then the same call against the hostile stand-in; both must leave no secret behind. */
async function bothPaths(run: () => Promise<unknown>) {
  await run();
  hostile = true;
  const error = await run().then(
    () => undefined,
    (e: unknown) => record(e),
  );
  hostile = false;
  expect(error, 'the hostile stand-in must make the call fail').toBeDefined();
  // Not vacuous: telemetry saw both calls (spans, hook events, log lines).
  expect(exporter.getFinishedSpans().length).toBeGreaterThanOrEqual(2);
  expect(seen.some((l) => l.startsWith('warn '))).toBe(true);
  assertNoSecret();
  return error;
}

describe('no secret in logs, spans, hooks or errors, per adapter', () => {
  it('the check itself catches a secret, raw or base64-encoded', () => {
    seen.push(`info {"note":"${b64(STRIPE_KEY)}"}`);
    expect(() => assertNoSecret()).toThrow();
    seen.length = 0;
    seen.push(`error.message card ${CARD.replace(/(\d{4})(?=\d)/g, '$1 ')}`);
    expect(() => assertNoSecret()).toThrow();
    seen.length = 0;
  });

  it('stripe: API key, webhook secret, card number', async () => {
    const payments = createStripePayments({
      apiKey: STRIPE_KEY,
      webhookSecret: STRIPE_WHSEC,
      retry: { random: () => 0 },
      logger,
      telemetry: { hooks, openTelemetry: 'auto' },
    });
    await bothPaths(() =>
      payments.createCustomer({ email: 'ada@example.com', metadata: { note: CARD } }, { idempotencyKey: `c-${Math.random()}` }),
    );
    // A forged webhook signed with the wrong secret.
    await payments
      .parseWebhook({
        body: JSON.stringify({ id: 'evt_1', card: CARD }),
        headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      })
      .catch(record);
    assertNoSecret();
  });

  it('resend: API key and webhook secret', async () => {
    const resend = createResendEmail({
      apiKey: RESEND_KEY,
      from: 'bookings@studio.example',
      webhookSecret: RESEND_WHSEC,
      retry: ONCE,
      telemetry,
      now: () => NOW,
    });
    await bothPaths(() => resend.send(email, { idempotencyKey: `r-${Math.random()}` }));
    await resend
      .parseWebhook({
        body: '{}',
        headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW / 1000), 'webhook-signature': 'v1,AAAA' },
      })
      .catch(record);
    assertNoSecret();
  });

  it('sendgrid: API key', async () => {
    const sendgrid = createSendGridEmail({ apiKey: SENDGRID_KEY, from: 'bookings@studio.example', retry: ONCE, telemetry, now: () => NOW });
    await bothPaths(() => sendgrid.send(email, { idempotencyKey: `s-${Math.random()}` }));
  });

  it('twilio: auth token (API auth and webhook signing)', async () => {
    const twilio = createTwilioSms({ accountSid: TWILIO_ACCOUNT, authToken: TWILIO_TOKEN, from: '+14155550199', retry: ONCE, telemetry });
    await bothPaths(() =>
      twilio.send({ channel: 'sms', to: '+14155550100', body: `card ${CARD}` }, { idempotencyKey: `t-${Math.random()}` }),
    );
    await twilio
      .parseWebhook({
        body: 'MessageSid=SM1&MessageStatus=delivered',
        headers: { 'x-twilio-signature': 'AAAA' },
        url: 'https://studio.example/hooks/twilio',
      })
      .catch(record);
    assertNoSecret();
  });

  it('ses: AWS secret access key', async () => {
    const ses = createSesEmail({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: AWS_SECRET },
      from: 'bookings@studio.example',
      retry: ONCE,
      telemetry,
      now: () => NOW,
    });
    await bothPaths(() => ses.send(email, { idempotencyKey: `a-${Math.random()}` }));
  });

  it('fcm: service-account key and the access token it was issued', async () => {
    const fcm = createFcmPush({
      serviceAccount: {
        project_id: 'studio-app',
        client_email: 'n@studio-app.iam.gserviceaccount.com',
        private_key: FCM_PEM,
        token_uri: 'https://oauth2.googleapis.com/token',
      },
      retry: ONCE,
      telemetry,
      now: () => NOW,
    });
    await bothPaths(() =>
      fcm.send({ channel: 'push', to: { kind: 'fcm', token: 'device-1' }, body: 'x' }, { idempotencyKey: `f-${Math.random()}` }),
    );
  });

  it('google calendar: OAuth access token', async () => {
    const calendar = createGoogleCalendar({ auth: GOOGLE_TOKEN, retry: ONCE, telemetry });
    await bothPaths(() => calendar.listCalendars());
  });

  it('google and outlook with a token provider: a 401 makes them ask for a fresh token, which leaks nowhere either', async () => {
    const asked: (string | undefined)[] = [];
    const provider = (token: string) => async (options?: { rejected?: string }) => {
      asked.push(options?.rejected);
      return options?.rejected ? `${token}-refreshed` : token;
    };
    hostileStatus = 401;
    for (const calendar of [
      createGoogleCalendar({ auth: provider(GOOGLE_TOKEN), retry: ONCE, telemetry }),
      createOutlookCalendar({ auth: provider(GRAPH_TOKEN), retry: ONCE, telemetry }),
    ]) {
      hostile = true;
      const error = await calendar.listCalendars().then(() => undefined, record);
      hostile = false;
      expect(error).toMatchObject({ code: 'authentication' });
    }
    // Each adapter handed the rejected token back to the provider once: the refresh path ran.
    expect(asked).toEqual([undefined, GOOGLE_TOKEN, undefined, GRAPH_TOKEN]);
    assertNoSecret();
    for (const line of seen) expect(line).not.toContain('-refreshed');
  });

  it('outlook calendar: OAuth access token', async () => {
    const calendar = createOutlookCalendar({ auth: GRAPH_TOKEN, retry: ONCE, telemetry });
    await bothPaths(() => calendar.listCalendars());
  });

  it('smtp: password, against a real SMTP server (wrong password as the failure path)', async () => {
    const peer = await startSmtpPeer({ tls: TLS });
    try {
      const smtp = (pass: string) =>
        createSmtpEmail({
          host: 'localhost',
          port: peer.port,
          auth: { user: peer.user, pass },
          tls: { ca: peer.cert },
          from: 'bookings@studio.example',
          telemetry,
        });
      const ok = smtp(peer.pass);
      await ok.send(email, { idempotencyKey: 'smtp-ok' });
      await ok.close();
      const wrong = SMTP_WRONG_PASS;
      const bad = smtp(wrong);
      const error = await bad.send(email, { idempotencyKey: 'smtp-bad' }).catch(record);
      await bad.close();
      expect(error).toBeDefined();
      for (const line of seen) {
        expect(line).not.toContain(wrong);
        expect(line).not.toContain(peer.pass);
        expect(line).not.toContain(b64(wrong));
      }
      expect(exporter.getFinishedSpans().map((span) => span.attributes['switchyard.outcome'])).toEqual(['ok', 'error']);
      assertNoSecret();
    } finally {
      await peer.close();
    }
  });

  it('webpush: VAPID private key and the subscription secrets, against a local HTTPS push service', async () => {
    const service = await startPushService(TLS);
    const agent = new Agent({ ca: TLS.cert });
    try {
      const ua = browserSubscription(`${service.origin}/push/leak-check`);
      const push = createWebPush({ vapid: VAPID, agent, retry: ONCE, telemetry });
      const needles = [ua.subscription.keys.auth, ua.subscription.endpoint];
      await bothPaths(() =>
        push.send(
          { channel: 'push', to: { kind: 'webpush', subscription: ua.subscription }, body: 'x' },
          { idempotencyKey: `w-${Math.random()}` },
        ),
      );
      for (const line of seen) for (const needle of needles) expect(line).not.toContain(needle);
    } finally {
      agent.destroy();
      await service.close();
    }
  });

  it('every adapter also takes a bare `logger` (no spans): failures are logged, redacted', async () => {
    const aws = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: AWS_SECRET };
    const calls: [string, () => Promise<unknown>][] = [
      [
        'resend',
        () =>
          createResendEmail({ apiKey: RESEND_KEY, from: 'a@studio.example', retry: ONCE, logger }).send(email, { idempotencyKey: 'l1' }),
      ],
      [
        'sendgrid',
        () =>
          createSendGridEmail({ apiKey: SENDGRID_KEY, from: 'a@studio.example', retry: ONCE, logger }).send(email, {
            idempotencyKey: 'l2',
          }),
      ],
      [
        'twilio',
        () =>
          createTwilioSms({ accountSid: TWILIO_ACCOUNT, authToken: TWILIO_TOKEN, from: '+14155550199', retry: ONCE, logger }).send(
            { channel: 'sms', to: '+14155550100', body: 'x' },
            { idempotencyKey: 'l3' },
          ),
      ],
      [
        'ses',
        () =>
          createSesEmail({ region: 'eu-west-1', credentials: aws, from: 'a@studio.example', retry: ONCE, logger }).send(email, {
            idempotencyKey: 'l4',
          }),
      ],
      ['google', () => createGoogleCalendar({ auth: GOOGLE_TOKEN, retry: ONCE, logger }).listCalendars()],
      ['outlook', () => createOutlookCalendar({ auth: GRAPH_TOKEN, retry: ONCE, logger }).listCalendars()],
    ];
    hostile = true;
    for (const [provider, call] of calls) {
      const before = seen.length;
      expect(await call().then(() => undefined, record), provider).toBeDefined();
      expect(
        seen.slice(before).some((line) => line.startsWith('warn ') && line.includes(`"provider":"${provider}"`)),
        `${provider} logged its failure`,
      ).toBe(true);
    }
    hostile = false;
    expect(exporter.getFinishedSpans()).toEqual([]);
    assertNoSecret();
  });

  it('logger and telemetry together are refused (which logger would win?)', () => {
    const both = { telemetry, logger };
    const attempts = [
      () => createResendEmail({ apiKey: RESEND_KEY, from: 'a@studio.example', ...both }),
      () => createWebPush({ vapid: VAPID, ...both }),
      () => createGoogleCalendar({ auth: GOOGLE_TOKEN, ...both }),
      () => createOutlookCalendar({ auth: GRAPH_TOKEN, ...both }),
    ];
    for (const attempt of attempts)
      expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_config', details: { field: 'logger' } }));
  });
});
