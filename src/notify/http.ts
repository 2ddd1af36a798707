/**
 * One HTTP call to a provider with the retry rules that fit sending a message: most providers
 * here (SendGrid, SES, Twilio) take no idempotency key, so only failures that prove the message
 * was not taken are retried automatically: 429 (with the provider's wait) and a connection that
 * never opened. A 5xx or a timeout may have sent it; it is reported (retryable, not `notSent`) and
 * `guardSends` / the strategies make sure the same key is not sent twice on the channel. Adapters
 * whose provider asks for 5xx retries (FCM) opt in with `retryServerErrors`.
 */
import { IntegrationError, isIntegrationError } from '../core/errors.js';
import type { CallContext, Telemetry } from '../core/observability.js';
import { classifyError } from '../retry/classify.js';
import { errorFromResponse } from '../retry/http.js';
import type { RetryPolicy } from '../retry/retry.js';
import { providerCall } from '../retry/provider-call.js';
import { abortedError } from './validate.js';

/** The `fetch` the HTTP adapters call: the global one by default; pass your own for a proxy, a test double or an older runtime. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type HttpRetryOptions = Pick<
  RetryPolicy,
  'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxElapsedMs' | 'maxRetryAfterMs' | 'random' | 'attemptTimeoutMs'
>;

export interface ProviderCall {
  provider: string;
  fetch?: FetchLike | undefined;
  retry?: HttpRetryOptions | undefined;
  retryServerErrors?: boolean;
  /** Refine the error for a failed response from its (parsed, never logged) body. */
  refine?: (error: IntegrationError, body: unknown, response: Response) => IntegrationError;
  now?: () => number;
  /** Spans, counters and hooks per call (`createTelemetry` from `switchyard`). */
  telemetry?: Telemetry | undefined;
  /** Stable operation name for telemetry: `email.send`, `token.exchange`. */
  operation?: string;
  /** The caller's `SendOptions.signal`: aborts the request and any wait between attempts. */
  signal?: AbortSignal | undefined;
}

const MAX_ERROR_BODY = 64 * 1024;

export async function callProvider(
  call: ProviderCall,
  url: string,
  init: () => RequestInit | Promise<RequestInit>,
): Promise<{ response: Response; body: unknown }> {
  const policy: RetryPolicy = {
    maxAttempts: 4,
    baseDelayMs: 250,
    maxElapsedMs: 30_000,
    ...call.retry,
    shouldRetry: (error) =>
      isIntegrationError(error) &&
      (error.code === 'rate_limited' || error.details?.notSent === true || (call.retryServerErrors === true && (error.status ?? 0) >= 500)),
  };
  if (call.now) policy.now = call.now;
  if (call.signal) policy.signal = call.signal;
  const progress: Progress = { mayHaveSent: false };
  const doFetch = call.fetch ?? ((input, i) => fetch(input, i));
  const run = () =>
    providerCall(
      { telemetry: call.telemetry, provider: call.provider, operation: call.operation ?? 'send', policy },
      (context, { signal }) => attempt(call, doFetch, url, init, context, progress, signal),
    );
  try {
    return await run();
  } catch (error) {
    // The retry loop rejects with the signal's bare reason; the caller gets an IntegrationError
    // that says whether the request may have reached the provider.
    if (call.signal?.aborted) throw abortedError(call.signal, !progress.mayHaveSent, call.provider);
    throw error;
  }
}

/** Whether a request that may have reached the provider is outstanding (for an abort's `notSent`). */
interface Progress {
  mayHaveSent: boolean;
}

/** One attempt: fetch, read the body, and turn a failure into an `IntegrationError` that says whether it may have been sent. */
async function attempt(
  call: ProviderCall,
  doFetch: FetchLike,
  url: string,
  init: () => RequestInit | Promise<RequestInit>,
  context: CallContext | undefined,
  progress: Progress,
  signal: AbortSignal,
): Promise<{ response: Response; body: unknown }> {
  let response: Response;
  try {
    const request = await init();
    progress.mayHaveSent = true;
    response = await doFetch(url, { ...request, signal });
  } catch (error) {
    if (isIntegrationError(error)) throw error;
    const c = classifyError(error);
    if (c.notDelivered && !signal.aborted) progress.mayHaveSent = false;
    throw new IntegrationError(c.reason.includes('timeout') ? 'timeout' : 'unavailable', `could not reach ${call.provider} (${c.reason})`, {
      provider: call.provider,
      retryable: true,
      cause: error,
      details: c.notDelivered ? { notSent: true } : { reason: c.reason },
    });
  }
  context?.setStatus(response.status);
  const text = await readText(response);
  let body: unknown = text;
  if (text.length > 0 && /json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok)
        throw new IntegrationError('provider_error', `${call.provider} answered ${response.status} with malformed JSON`, {
          provider: call.provider,
          status: response.status,
          retryable: false,
        });
    }
  }
  if (response.ok) return { response, body };
  const base = await errorFromResponse(response, { provider: call.provider, ...(call.now ? { now: call.now } : {}) });
  const error = call.refine ? call.refine(base, body, response) : base;
  // The provider refused it (a 429, a 4xx): an abort during the wait before a retry sent nothing.
  if (error.code === 'rate_limited' || error.details?.notSent === true) progress.mayHaveSent = false;
  throw error;
}

async function readText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  return text.length > MAX_ERROR_BODY ? text.slice(0, MAX_ERROR_BODY) : text;
}

/** A copy of `error` with a different code / retryable / details (IntegrationError fields are read-only). */
export function withCode(
  error: IntegrationError,
  code: IntegrationError['code'],
  extra: { retryable?: boolean; details?: Record<string, unknown>; message?: string } = {},
): IntegrationError {
  const options: ConstructorParameters<typeof IntegrationError>[2] = { retryable: extra.retryable ?? error.retryable, cause: error.cause };
  if (error.provider !== undefined) options.provider = error.provider;
  if (error.status !== undefined) options.status = error.status;
  if (error.retryAfterMs !== undefined) options.retryAfterMs = error.retryAfterMs;
  const details = { ...error.details, ...extra.details };
  if (Object.keys(details).length > 0) options.details = details;
  return new IntegrationError(code, extra.message ?? error.message, options);
}

/** 4xx other than 408/429 mean the provider refused the request: nothing was sent. */
export function notSentOn4xx(error: IntegrationError): IntegrationError {
  const s = error.status ?? 0;
  if (s >= 400 && s < 500 && s !== 408) return withCode(error, error.code, { details: { notSent: true } });
  return error;
}

/** Count a webhook verification (verified or rejected with its code) when telemetry is configured. */
export async function observeWebhook<T>(telemetry: Telemetry | undefined, provider: string, verify: () => Promise<T>): Promise<T> {
  if (!telemetry) return verify();
  try {
    const result = await verify();
    telemetry.webhook({ provider, outcome: 'verified' });
    return result;
  } catch (error) {
    telemetry.webhook({ provider, outcome: 'rejected', errorCode: isIntegrationError(error) ? error.code : 'internal' });
    throw error;
  }
}
