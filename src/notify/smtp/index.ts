/**
 * `switchyard/notify/smtp`: email over SMTP with nodemailer's pooled transport. STARTTLS is
 * required by default (a server that cannot upgrade is an error, not a plaintext send), the
 * Message-ID is derived from the idempotency key (so receivers that dedupe by Message-ID, Gmail
 * among them, drop a duplicate), and `List-Unsubscribe` / `List-Unsubscribe-Post` are added to
 * the DKIM-signed header list when DKIM is configured.
 *
 * SMTP has no delivery webhooks: results are `accepted`, and bounces arrive as DSN mail (or
 * through the provider's own webhooks when the SMTP server is a provider's relay).
 *
 * @packageDocumentation
 */
import { connect as netConnect } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { z } from 'zod';
import { IntegrationError, isIntegrationError } from '../../core/errors.js';
import { sha256Hex } from '../../idempotency/canonical.js';
import type { Logger } from '../../core/logger.js';
import type { Telemetry } from '../../core/observability.js';
import { emailHeaders } from '../consent.js';
import { adapterTelemetry, isLogger, isTelemetry } from '../../core/observability.js';
import { configuredFrom, parseOptions } from '../options.js';
import type { EmailAddress, Notifier, NotifyMessage, SendResult } from '../types.js';
import { assertChannel, checkSendOptions, emailAddress } from '../validate.js';

const PROVIDER = 'smtp';

/** Headers DKIM signs: RFC 6376 §5.4.1's recommendation plus the RFC 8058 pair, which Gmail requires to be signed. */
export const DKIM_SIGNED_HEADERS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:In-Reply-To:References:List-Id:List-Unsubscribe:List-Unsubscribe-Post';

const addressSchema = z.union([z.string(), z.object({ email: z.string(), name: z.string().optional() })]);

const optionsSchema = z
  .object({
    /** `smtp://user:pass@host:587` or `smtps://…:465`. Or host/port/auth. */
    url: z.string().optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Implicit TLS (port 465). Default: false (STARTTLS). */
    secure: z.boolean().optional(),
    /** Refuse to send when STARTTLS is not offered. Default true. */
    requireTLS: z.boolean().optional(),
    auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
    tls: z
      .object({
        ca: z.union([z.string(), z.array(z.string())]).optional(),
        rejectUnauthorized: z.boolean().optional(),
        servername: z.string().optional(),
      })
      .optional(),
    /** Pooled connections. Default 5 connections, 100 messages each. */
    pool: z
      .object({ maxConnections: z.number().int().min(1).max(100).optional(), maxMessages: z.number().int().min(1).optional() })
      .optional(),
    from: addressSchema,
    dkim: z.object({ domainName: z.string().min(1), keySelector: z.string().min(1), privateKey: z.string().min(1) }).optional(),
    /** Per-connection timeouts, ms. Default 30,000 for connect and greeting, 60,000 for the socket. */
    timeoutMs: z.number().int().positive().optional(),
    /** Spans, counters, hooks and the host logger (`createTelemetry` from `switchyard`). */
    telemetry: z.custom<Telemetry>(isTelemetry).optional(),
    /** Host logger (wrapped with `withRedaction`); shorthand for `telemetry: createTelemetry({ logger })` without spans. */
    logger: z.custom<Logger>(isLogger).optional(),
    /** An already-built nodemailer transporter (then host/auth/pool are ignored). */
    transport: z
      .custom<SmtpTransportLike>((v) => typeof v === 'object' && v !== null && typeof (v as { sendMail?: unknown }).sendMail === 'function')
      .optional(),
  })
  .refine((o) => o.transport !== undefined || o.url !== undefined || o.host !== undefined, {
    message: 'pass url, host or transport',
    path: ['host'],
  });

/**
 * The part of a nodemailer `Transporter` this adapter uses. Declared here, not imported, so the
 * published types do not require `@types/nodemailer` from hosts that never pass a transport.
 */
export interface SmtpTransportLike {
  /** Send one message; resolves with the server's answer. */
  sendMail(mail: object): Promise<{ messageId?: string; accepted?: unknown[]; rejected?: unknown[] }>;
  /** Connect and authenticate without sending. */
  verify(): Promise<true>;
  /** Close pooled connections. */
  close(): void;
}

/**
 * Options of `createSmtpEmail`: the server as `url` (`smtp://user:pass@host:587`, `smtps://…:465`)
 * or `host`/`port`/`secure`/`auth`, or an already-built `transport`; the default `from`; and
 * optionally `requireTLS` (default true without `secure`), `tls`, `pool`, `dkim`, `timeoutMs`, and
 * `telemetry` or a bare `logger`.
 */
export type SmtpEmailOptions = z.input<typeof optionsSchema>;

/** The SMTP `Notifier`, with a connection check and a pool to close; made by `createSmtpEmail`. */
export interface SmtpEmail extends Notifier<'email'> {
  /** Check the connection and credentials (EHLO, STARTTLS, AUTH) without sending. */
  verify(): Promise<void>;
  /** Close the pooled connections (call on shutdown). */
  close(): Promise<void>;
}

/**
 * Email over SMTP with nodemailer's pooled transport: STARTTLS required by default, a
 * `Message-ID` derived from the idempotency key (receivers that dedupe by it drop a resend), and
 * `List-Unsubscribe` DKIM-signed when `dkim` is set. Results are `accepted`: SMTP has no delivery
 * webhooks. Bad options are `invalid_config` naming the field.
 *
 * @example
 * const smtp = createSmtpEmail({ url: process.env.SMTP_URL!, from: { email: 'bookings@studio.example', name: 'Studio' } });
 * await smtp.verify(); // EHLO, STARTTLS and AUTH, without sending
 * await smtp.send({ channel: 'email', to: 'ada@example.com', subject: 'Booked', text: 'See you at 10:00' }, { idempotencyKey: 'booking:42:confirmed' });
 * await smtp.close();
 */
export function createSmtpEmail(options: SmtpEmailOptions): SmtpEmail {
  const o = parseOptions('createSmtpEmail', optionsSchema, options);
  const telemetry = adapterTelemetry('createSmtpEmail', o);
  const from = configuredFrom('createSmtpEmail', o.from);
  const timeout = o.timeoutMs ?? 30_000;
  const transport: SmtpTransportLike =
    o.transport ??
    nodemailer.createTransport({
      ...(o.url ? parseUrl(o.url) : { host: o.host, port: o.port ?? (o.secure ? 465 : 587), secure: o.secure ?? false }),
      ...(o.auth ? { auth: o.auth } : {}),
      requireTLS: o.requireTLS ?? !(o.secure ?? false),
      tls: { minVersion: 'TLSv1.2', ...o.tls },
      pool: true,
      maxConnections: o.pool?.maxConnections ?? 5,
      maxMessages: o.pool?.maxMessages ?? 100,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      ...(o.dkim ? { dkim: { ...o.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
      disableFileAccess: true,
      disableUrlAccess: true,
      getSocket: noDelaySocket(timeout),
    } as SMTPPool.Options);
  const domain = from.email.split('@')[1] as string;

  return {
    provider: PROVIDER,
    channels: ['email'],
    async send(message: NotifyMessage, sendOptions) {
      const key = checkSendOptions(sendOptions);
      assertChannel(PROVIDER, message, 'email');
      // The same key always gives the same Message-ID: a resend is recognizable downstream.
      const messageId = `<${(await sha256Hex(`switchyard:${key}`)).slice(0, 32)}@${domain}>`;
      const headers = emailHeaders(message);
      const mail: nodemailer.SendMailOptions = {
        from: toNodemailer(message.from ? emailAddress(message.from, 'from') : from),
        to: toNodemailer(emailAddress(message.to, 'to')),
        subject: message.subject,
        messageId,
        headers,
      };
      if (message.replyTo) mail.replyTo = toNodemailer(emailAddress(message.replyTo, 'replyTo'));
      if (message.text !== undefined) mail.text = message.text;
      if (message.html !== undefined) mail.html = message.html;
      const deliver = async () => {
        const info = await transport.sendMail(mail).catch((error: unknown) => {
          throw mapSmtpError(error);
        });
        if (info.rejected?.length)
          throw new IntegrationError('invalid_input', 'the SMTP server refused the recipient', {
            provider: PROVIDER,
            details: { field: 'to', notSent: true },
          });
        const result: SendResult = {
          channel: 'email',
          provider: PROVIDER,
          providerMessageId: info.messageId ?? messageId,
          status: 'accepted',
          idempotencyKey: key,
        };
        return result;
      };
      return telemetry ? telemetry.instrument({ provider: PROVIDER, operation: 'email.send' }, deliver) : deliver();
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw mapSmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Our own TCP connection for nodemailer, with TCP_NODELAY. nodemailer writes the message and the
 * final `.` separately; with Nagle on, that `.` waits for the ACK of the previous segment, which
 * the server delays (~40 ms): a 40 ms stall per message on every connection. TLS (implicit or
 * STARTTLS) is still negotiated by nodemailer on top of this socket.
 */
function noDelaySocket(timeoutMs: number) {
  return (options: { host?: string; port?: number }, callback: (error: Error | null, socket?: { connection: unknown }) => void): void => {
    const socket = netConnect({ host: options.host ?? 'localhost', port: options.port ?? 587 });
    socket.setNoDelay(true);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      callback(error);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error('connection timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', fail);
      callback(null, { connection: socket });
    });
  };
}

function toNodemailer(a: EmailAddress): string | { name: string; address: string } {
  return a.name ? { name: a.name, address: a.email } : a.email;
}

function parseUrl(text: string): { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new IntegrationError('invalid_config', 'createSmtpEmail: url must look like smtp://user:pass@host:587', {
      details: { field: 'url' },
    });
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new IntegrationError('invalid_config', 'createSmtpEmail: url must use smtp: or smtps:', { details: { field: 'url' } });
  }
  const secure = url.protocol === 'smtps:';
  const out: { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } = {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
  };
  if (url.username) out.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  return out;
}

/** Errors of our own connect (see noDelaySocket): no byte of the message left. */
const NETWORK_NOT_SENT: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface NodemailerError {
  code?: string;
  responseCode?: number;
  command?: string;
}

/**
 * nodemailer's error codes and the server's reply code → `IntegrationError`, with
 * `details.notSent` when nothing can have been accepted. Never quotes the server's reply (it may
 * echo addresses). The adapter uses it; it is exported for your own nodemailer calls.
 *
 * @example
 * mapSmtpError({ code: 'EAUTH', responseCode: 535 }).code; // 'authentication'
 * mapSmtpError({ code: 'EENVELOPE', responseCode: 550 }).code; // 'not_found' (mailbox unavailable)
 */
export function mapSmtpError(error: unknown): IntegrationError {
  if (isIntegrationError(error)) return error as IntegrationError;
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const code = e.code ?? 'unknown';
  const reply = e.responseCode;
  const base = { provider: PROVIDER, cause: error } as const;
  const details = { smtpCode: code, ...(reply ? { replyCode: reply } : {}), ...(e.command ? { command: e.command } : {}) };
  if (code === 'EAUTH' || reply === 535 || reply === 534 || reply === 530) {
    return new IntegrationError('authentication', 'the SMTP server refused the credentials', {
      ...base,
      retryable: false,
      details: { ...details, notSent: true },
    });
  }
  if (code === 'ETLS' || (code === 'ESOCKET' && /tls|certificate|ssl/i.test(String((error as Error).message)))) {
    return new IntegrationError('unavailable', 'TLS with the SMTP server failed (certificate or STARTTLS not offered)', {
      ...base,
      retryable: false,
      details: { ...details, notSent: true },
    });
  }
  if (
    code === 'ECONNECTION' ||
    code === 'EDNS' ||
    NETWORK_NOT_SENT.has(code) ||
    (code === 'ESOCKET' && /ECONNREFUSED|ENOTFOUND/.test(String((error as Error).message)))
  ) {
    return new IntegrationError('unavailable', 'could not connect to the SMTP server', {
      ...base,
      retryable: true,
      details: { ...details, notSent: true },
    });
  }
  if (code === 'ETIMEDOUT') return new IntegrationError('timeout', 'the SMTP server did not answer in time', { ...base, details });
  if (reply !== undefined && reply >= 400 && reply < 500) {
    // 421/450/451/452: try later. Before DATA completes nothing was accepted.
    return new IntegrationError(
      reply === 452 || reply === 421 ? 'rate_limited' : 'unavailable',
      `the SMTP server answered ${reply} (temporary)`,
      {
        ...base,
        retryable: true,
        details: { ...details, notSent: true },
      },
    );
  }
  if (reply !== undefined && reply >= 500) {
    const code5 =
      reply === 550 || reply === 551 || reply === 553
        ? 'not_found'
        : reply === 552
          ? 'invalid_input'
          : reply === 554
            ? 'permission'
            : 'invalid_input';
    return new IntegrationError(code5, `the SMTP server refused the message (${reply})`, {
      ...base,
      retryable: false,
      details: { ...details, notSent: true },
    });
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE')
    return new IntegrationError('invalid_input', 'nodemailer refused the message', { ...base, details: { ...details, notSent: true } });
  return new IntegrationError('provider_error', 'sending over SMTP failed', { ...base, retryable: true, details });
}
