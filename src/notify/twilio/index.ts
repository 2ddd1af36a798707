/**
 * `switchyard/notify/twilio`: SMS through Twilio's Messages API (plain `fetch`, no SDK), status
 * callbacks and inbound STOP/START/HELP, all verified with `verifyTwilioWebhook` first.
 *
 * Opt-out: Twilio itself blocks sending to a number that texted STOP (error 21610); we surface it
 * as `permission` with `details.suppressed`, and the inbound STOP/START become consent events that
 * the delivery tracker writes to (or lifts from) the suppression list.
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { IntegrationError } from '../../core/errors.js';
import { verifyTwilioWebhook } from '../../webhooks/providers/twilio.js';
import type { RawWebhook } from '../../webhooks/types.js';
import { callProvider, observeWebhook, notSentOn4xx, withCode } from '../http.js';
import { adapterTelemetry } from '../../core/observability.js';
import { HTTP_ADAPTER_OPTIONS, parseOptions } from '../options.js';
import type { ConsentEvent, DeliveryEvent, DeliveryStatus, NotifyEvent, NotifyMessage, SendResult, WebhookNotifier } from '../types.js';
import { assertChannel, checkSendOptions, isE164 } from '../validate.js';
import { markVerified } from '../verified.js';

const PROVIDER = 'twilio';

const optionsSchema = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC + 32 hex)'),
    /** The account's auth token: signs webhooks, and authenticates the API unless apiKey is given. */
    authToken: z.string().min(16),
    /** An API key (SK…) and secret for the REST calls (recommended over the auth token). */
    apiKey: z
      .object({ sid: z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'must be an API key SID (SK + 32 hex)'), secret: z.string().min(16) })
      .optional(),
    /** Default sender: an E.164 number or alphanumeric sender id. Or use messagingServiceSid. */
    from: z.string().optional(),
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/)
      .optional(),
    /** Where Twilio posts status callbacks (this URL must also be what `parseWebhook` is given). */
    statusCallback: z.url().optional(),
    /** The webhook URL exactly as configured in Twilio, when the request URL seen here differs (proxies). */
    webhookUrl: z.url().optional(),
    baseUrl: z.url().optional(),
    ...HTTP_ADAPTER_OPTIONS,
  })
  .refine((o) => o.from !== undefined || o.messagingServiceSid !== undefined, {
    message: 'pass from or messagingServiceSid',
    path: ['from'],
  });

/**
 * Options of `createTwilioSms`: `accountSid`, `authToken` (signs webhooks; authenticates the API
 * unless `apiKey: { sid, secret }` is given), a sender (`from` or `messagingServiceSid`), and
 * optionally `statusCallback`, `webhookUrl` (the URL as configured in Twilio, behind a proxy) and
 * `baseUrl`.
 * Shared by the HTTP adapters: `fetch` (inject for tests or a proxy), `retry` (a `RetryPolicy`
 * subset: `maxAttempts`, delays, `attemptTimeoutMs`), `now`, and `telemetry` or a bare `logger`
 * (not both).
 */
export type TwilioSmsOptions = z.input<typeof optionsSchema>;

/** Twilio's default opt-out keywords (Advanced Opt-Out reports them in OptOutType; we also match the body). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

/**
 * SMS through Twilio's Messages API (plain `fetch`, no SDK); status callbacks and inbound
 * STOP/START/HELP through `parseWebhook` (verified with the auth token first). A number that
 * texted STOP is `permission` with `details.suppressed`. Twilio takes no idempotency key: wrap it
 * in `guardSends`, `fallback` or `failover`. Bad options are `invalid_config` naming the field.
 *
 * @example
 * const twilio = createTwilioSms({
 *   accountSid: process.env.TWILIO_ACCOUNT_SID!,
 *   authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   from: '+14155550199',
 *   statusCallback: 'https://studio.example/hooks/twilio',
 * });
 * await twilio.send({ channel: 'sms', to: '+14155550100', body: 'Booked: yoga at 10:00' }, { idempotencyKey: 'booking:42:sms' });
 */
export function createTwilioSms(options: TwilioSmsOptions): WebhookNotifier<'sms'> {
  const o = parseOptions('createTwilioSms', optionsSchema, options);
  const telemetry = adapterTelemetry('createTwilioSms', o);
  if (o.from !== undefined && !isE164(o.from) && !/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(o.from)) {
    throw new IntegrationError('invalid_config', 'createTwilioSms: from must be an E.164 number or an alphanumeric sender id', {
      details: { field: 'from' },
    });
  }
  const baseUrl = (o.baseUrl ?? 'https://api.twilio.com').replace(/\/$/, '');
  const user = o.apiKey?.sid ?? o.accountSid;
  const secret = o.apiKey?.secret ?? o.authToken;
  const authorization = `Basic ${btoa(`${user}:${secret}`)}`;
  const now = o.now ?? Date.now;

  return {
    provider: PROVIDER,
    channels: ['sms'],
    async send(message: NotifyMessage, sendOptions): Promise<SendResult> {
      const key = checkSendOptions(sendOptions);
      assertChannel(PROVIDER, message, 'sms');
      const form = new URLSearchParams({ To: message.to, Body: message.body });
      const from = message.from ?? o.from;
      if (o.messagingServiceSid && message.from === undefined) form.set('MessagingServiceSid', o.messagingServiceSid);
      else if (from) form.set('From', from);
      if (o.statusCallback) form.set('StatusCallback', o.statusCallback);
      const { body } = await callProvider(
        {
          provider: PROVIDER,
          telemetry: telemetry,
          operation: 'sms.send',
          signal: sendOptions.signal,
          fetch: o.fetch,
          retry: o.retry,
          refine: refineError,
          now,
        },
        `${baseUrl}/2010-04-01/Accounts/${o.accountSid}/Messages.json`,
        () => ({
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        }),
      );
      const sid = (body as { sid?: unknown })?.sid;
      if (typeof sid !== 'string')
        throw new IntegrationError('provider_error', 'twilio accepted the message without a sid', { provider: PROVIDER, retryable: false });
      return { channel: 'sms', provider: PROVIDER, providerMessageId: sid, status: 'queued', idempotencyKey: key };
    },
    async parseWebhook(raw: RawWebhook): Promise<NotifyEvent[]> {
      const verifyOptions: { authToken: string; url?: string } = { authToken: o.authToken };
      const url = o.webhookUrl ?? raw.url;
      if (url !== undefined) verifyOptions.url = url;
      const { payload } = await observeWebhook(telemetry, PROVIDER, () =>
        verifyTwilioWebhook<Record<string, string | string[]>>(raw, verifyOptions),
      );
      const p = (name: string) => {
        const v = payload[name];
        return typeof v === 'string' ? v : undefined;
      };
      const sid = p('MessageSid') ?? p('SmsSid');
      if (!sid)
        throw new IntegrationError('invalid_input', 'the Twilio webhook has no MessageSid', {
          provider: PROVIDER,
          details: { field: 'MessageSid' },
        });
      const occurredAt = new Date(now()).toISOString(); // Twilio callbacks carry no event time
      const status = p('MessageStatus') ?? p('SmsStatus');
      if (status !== undefined && status !== 'received') {
        const event = statusEvent(sid, status, p('ErrorCode'), p('To'), occurredAt);
        return markVerified(event ? [event] : []);
      }
      // An inbound message: look for the opt-out keywords.
      const keyword = (p('OptOutType') ?? p('Body') ?? '').trim().toUpperCase();
      const action = OPT_OUT.has(keyword) ? 'opt_out' : OPT_IN.has(keyword) ? 'opt_in' : HELP.has(keyword) ? 'help' : undefined;
      const from = p('From');
      if (!action || !from) return markVerified([]);
      const consent: ConsentEvent = {
        kind: 'consent',
        provider: PROVIDER,
        channel: 'sms',
        providerEventId: sid,
        action,
        address: from,
        occurredAt,
      };
      return markVerified([consent]);
    },
  };
}

const STATUS: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Carrier errors that mean the number will never take SMS (unknown, landline, not a mobile). */
const HARD = new Set(['30005', '30006', '21614', '30004']);
const SOFT = new Set(['30003', '30008', '30001']);

function statusEvent(
  sid: string,
  status: string,
  errorCode: string | undefined,
  to: string | undefined,
  occurredAt: string,
): DeliveryEvent | undefined {
  let mapped = STATUS[status];
  if (!mapped) return undefined;
  let bounceType: 'hard' | 'soft' | undefined;
  if (mapped === 'failed' && errorCode && (HARD.has(errorCode) || SOFT.has(errorCode))) {
    mapped = 'bounced';
    bounceType = HARD.has(errorCode) ? 'hard' : 'soft';
  }
  // One callback per status per message: MessageSid + status is the event's identity.
  const event: DeliveryEvent = {
    kind: 'delivery',
    provider: PROVIDER,
    channel: 'sms',
    providerEventId: `${sid}:${status}`,
    providerMessageId: sid,
    status: mapped,
    occurredAt,
  };
  if (bounceType) event.bounceType = bounceType;
  if (errorCode) event.reason = errorCode;
  if (to) event.recipient = to;
  return event;
}

function refineError(error: IntegrationError, body: unknown): IntegrationError {
  let e = notSentOn4xx(error);
  const code = (body as { code?: unknown })?.code;
  if (typeof code !== 'number') return e;
  const details = { twilioCode: code };
  switch (code) {
    case 21610: // the recipient replied STOP
      return withCode(e, 'permission', {
        retryable: false,
        details: { ...details, suppressed: true, notSent: true },
        message: 'twilio: the recipient has opted out (STOP); nothing was sent',
      });
    case 21211:
    case 21614:
    case 21612:
      return withCode(e, 'invalid_input', { retryable: false, details: { ...details, field: 'to', notSent: true } });
    case 21408:
      return withCode(e, 'permission', {
        retryable: false,
        details: { ...details, notSent: true },
        message: 'twilio: sending to this region is not enabled on the account',
      });
    case 20003:
      return withCode(e, 'authentication', { retryable: false, details: { ...details, notSent: true } });
    case 20429:
      return withCode(e, 'rate_limited', { retryable: true, details: { ...details, notSent: true } });
  }
  e = withCode(e, e.code, { details });
  return e;
}
