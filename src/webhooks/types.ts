import type { ReplayGuard } from './replay.js';

/** A `Headers` object (Fetch) or a plain record (Node's `req.headers`, any framework's copy of it). */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/** A webhook request as received: the exact body bytes, the headers, and (when known) the URL it was sent to. */
export interface RawWebhook {
  body: string | Uint8Array;
  headers: HeadersLike;
  url?: string;
}

/** What every verifier returns once the request is proven authentic (and, where it applies, fresh and new). */
export interface VerifiedWebhook<T = unknown> {
  /** `stripe`, `standard-webhooks`, `twilio`, `sendgrid`, `mailgun`, `sns`, `graph`, `google`. */
  provider: string;
  /** The delivery's unique id where the provider gives one (Stripe event id, `webhook-id`, Mailgun token, SNS MessageId …). */
  id?: string;
  /** The signed send time, epoch seconds, where the provider signs one. */
  timestamp?: number;
  payload: T;
}

/** Options shared by the verifiers that check a signed timestamp. */
export interface TimestampOptions {
  /** How far the signed timestamp may be from now, in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** Clock, epoch milliseconds (like `Date.now`). */
  now?: () => number;
}

/** The replay-protection option of the verifiers whose deliveries carry an id. */
export interface ReplayOptions {
  /** Remembers delivered ids; a second delivery of the same id throws `replayed`. */
  replayGuard?: ReplayGuard;
}
