/**
 * Telemetry for provider calls: every adapter and helper wraps each call to a provider in
 * `telemetry.instrument(...)` and reports webhook verifications through `telemetry.webhook(...)`.
 *
 * What leaves switchyard through here is deliberately small and fixed: provider, operation, HTTP
 * status, outcome, error code, retry count and duration. Never a payload, a header or a URL query,
 * because those are where tokens and personal data live.
 *
 * Three sinks, all optional:
 * - OpenTelemetry, when `@opentelemetry/api` is installed (an optional peer). It is loaded with a
 *   guarded dynamic import the first time it is needed, never statically, so `switchyard` stays
 *   edge-ready and costs nothing for hosts without it;
 * - `hooks` (`onRequest`, `onResponse`, `onRetry`, `onWebhook`) for hosts with other tools;
 * - the host's `logger`, always through `withRedaction`.
 */
import { type ErrorCode, IntegrationError, isIntegrationError } from './errors.js';
import { type Logger, withRedaction } from './logger.js';
import { redactString } from './redact.js';

/** Names of the OpenTelemetry instruments, documented in docs/observability.md. */
export const TELEMETRY_NAMES = {
  tracer: 'switchyard',
  meter: 'switchyard',
  calls: 'switchyard.provider.calls',
  failures: 'switchyard.provider.failures',
  retries: 'switchyard.provider.retries',
  duration: 'switchyard.provider.duration',
  webhooks: 'switchyard.webhook.verifications',
} as const;

/** Span and metric attribute keys. Values are always short enums or numbers, never payloads. */
export const TELEMETRY_ATTRIBUTES = {
  provider: 'switchyard.provider',
  operation: 'switchyard.operation',
  outcome: 'switchyard.outcome',
  retryCount: 'switchyard.retry_count',
  errorCode: 'error.type',
  httpStatus: 'http.response.status_code',
} as const;

/** How a provider call ended. */
export type CallOutcome = 'ok' | 'error';

/** Which provider call is being made; the identity of a span, a log line and a hook event. */
export interface CallInfo {
  /** Which provider is called: `google`, `microsoft`, `stripe`, or a host-chosen name. */
  provider: string;
  /** What is done, dotted and stable: `token.refresh`, `events.list`, `charges.create`. */
  operation: string;
}

/** `onRequest` payload: a provider call is starting. */
export interface RequestEvent extends CallInfo {}

/** `onResponse` payload: a provider call ended, after its retries. */
export interface ResponseEvent extends CallInfo {
  /** `ok`, or `error` when `run` threw. */
  outcome: CallOutcome;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** `IntegrationError` code of the failure (`internal` for anything that was not one). */
  errorCode?: ErrorCode | 'internal';
  /** Retries reported through `CallContext.retrying`. */
  retries: number;
  /** Wall time of the whole call, retries included. */
  durationMs: number;
}

/** `onRetry` payload: a provider call is about to be retried. */
export interface RetryEvent extends CallInfo {
  /** The attempt about to start, 2 for the first retry. */
  attempt: number;
  /** Wait before that attempt, milliseconds. */
  delayMs: number;
  /** Code of the failure that caused the retry (`internal` for anything that was not an `IntegrationError`). */
  errorCode?: ErrorCode | 'internal';
}

/** `onWebhook` payload, and what `Telemetry.webhook` counts: one webhook verification. */
export interface WebhookEvent {
  /** The webhook's provider: `stripe`, `twilio`, … */
  provider: string;
  /** Whether the signature (and timestamp, replay check) passed. */
  outcome: 'verified' | 'rejected';
  /** Why it was rejected: `signature_invalid`, `replayed`, … */
  errorCode?: ErrorCode | 'internal';
}

/** Plain callbacks for hosts that use other tools than OpenTelemetry. Errors they throw are logged and ignored. */
export interface TelemetryHooks {
  /** A provider call starts. */
  onRequest?(event: RequestEvent): void;
  /** A provider call ended, with outcome, status, retries and duration. */
  onResponse?(event: ResponseEvent): void;
  /** A provider call is about to be retried. */
  onRetry?(event: RetryEvent): void;
  /** A webhook was verified or rejected. */
  onWebhook?(event: WebhookEvent): void;
}

/** The slice of `@opentelemetry/api` switchyard uses; typed here so the peer is never a static import. */
export interface OpenTelemetryApiLike {
  /** `trace` of `@opentelemetry/api`. */
  trace: {
    /** The tracer switchyard's spans are started on. */
    getTracer(name: string, version?: string): TracerLike;
    /** A context with `span` active; used with `context.with`. */
    setSpan?(context: unknown, span: SpanLike): unknown;
  };
  /** When present, the call runs with its span active, so HTTP auto-instrumentation nests under it. */
  context?: {
    /** The current context. */
    active(): unknown;
    /** Run `fn` with `context` active. */
    with<R>(context: unknown, fn: () => R): R;
  };
  /** `metrics` of `@opentelemetry/api`; without it, no counters are recorded. */
  metrics?: {
    /** The meter switchyard's counters and histogram are created on. */
    getMeter(name: string, version?: string): MeterLike;
  };
  /** `SpanKind` enum; spans are `CLIENT` spans. */
  SpanKind?: { CLIENT: number };
  /** `SpanStatusCode` enum. */
  SpanStatusCode?: { OK: number; ERROR: number };
}
/** The part of an OpenTelemetry `Tracer` switchyard calls. */
export interface TracerLike {
  /** Start a span (switchyard ends it when the call settles). */
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number> }): SpanLike;
}
/** The part of an OpenTelemetry `Span` switchyard calls. */
export interface SpanLike {
  /** Set one attribute (provider, operation, outcome, HTTP status, retry count). */
  setAttribute(key: string, value: string | number): unknown;
  /** Mark the span OK or ERROR. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** End the span. */
  end(): void;
}
/** The part of an OpenTelemetry `Meter` switchyard calls. */
export interface MeterLike {
  /** A counter (calls, failures, retries, webhook verifications). */
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Add to the counter, with the call's attributes. */
    add(value: number, attributes?: Attributes): void;
  };
  /** A histogram (call duration). */
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    /** Record one value, with the call's attributes. */
    record(value: number, attributes?: Attributes): void;
  };
}
/** Attributes switchyard puts on spans and metrics: strings and numbers only, never a secret. */
export type Attributes = Record<string, string | number>;

/** Options of `createTelemetry`; every sink is optional. */
export interface TelemetryOptions {
  /** Host logger; wrapped with `withRedaction`. Calls are logged at `debug`, failures at `warn`. */
  logger?: Logger;
  /** Callbacks for hosts with other tools than OpenTelemetry. */
  hooks?: TelemetryHooks;
  /**
   * `'auto'` (default): use `@opentelemetry/api` if it can be imported. `false`: never. Or pass the
   * API object yourself (bundlers that cannot see optional dynamic imports, or tests).
   */
  openTelemetry?: 'auto' | false | OpenTelemetryApiLike;
  /** Clock for durations, milliseconds. Defaults to `performance.now` where present. */
  now?: () => number;
}

/** Handed to the instrumented function, so it can tell telemetry what happened inside. */
export interface CallContext {
  /** Record the HTTP status of the provider's answer. */
  setStatus(status: number): void;
  /** Report that the call is about to be retried (the retry helper calls this). */
  retrying(info: { attempt: number; delayMs: number; error?: unknown }): void;
}

/** Instruments provider calls and webhook verifications; built by `createTelemetry`. */
export interface Telemetry {
  /** Run one provider call inside a span, with counters, hooks and a log line. Rethrows what `run` throws. */
  instrument<T>(call: CallInfo, run: (context: CallContext) => Promise<T>): Promise<T>;
  /** Count one webhook verification, verified or rejected. */
  webhook(event: WebhookEvent): void;
}

interface Instruments {
  tracer: TracerLike;
  api: OpenTelemetryApiLike;
  calls?: ReturnType<MeterLike['createCounter']>;
  failures?: ReturnType<MeterLike['createCounter']>;
  retries?: ReturnType<MeterLike['createCounter']>;
  webhooks?: ReturnType<MeterLike['createCounter']>;
  duration?: ReturnType<MeterLike['createHistogram']>;
}

// One import attempt per process: a missing optional peer is the normal case and must cost one
// failed import, not one per call.
let sharedApi: Promise<OpenTelemetryApiLike | undefined> | undefined;
function importOpenTelemetry(): Promise<OpenTelemetryApiLike | undefined> {
  sharedApi ??= (async () => {
    try {
      // A variable specifier keeps bundlers from resolving the optional peer at build time.
      const specifier = '@opentelemetry/api';
      const mod = (await import(/* @vite-ignore */ specifier)) as OpenTelemetryApiLike & { default?: OpenTelemetryApiLike };
      const api = mod.trace ? mod : mod.default;
      return api?.trace ? api : undefined;
    } catch {
      return undefined;
    }
  })();
  return sharedApi;
}

function describeError(error: unknown): ErrorCode | 'internal' {
  return isIntegrationError(error) ? error.code : 'internal';
}

/**
 * Build the telemetry an adapter uses for all its calls. Cheap; make one per adapter instance.
 *
 * @example
 * const telemetry = createTelemetry({ logger, hooks: { onResponse: (e) => console.log(e.operation, e.durationMs) } });
 * const user = await telemetry.instrument({ provider: 'crm', operation: 'users.get' }, () => crm.getUser(id));
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const logger = withRedaction(options.logger);
  // Building log fields costs more than the call bookkeeping itself: skip it when nobody listens.
  const logging = options.logger !== undefined;
  const hooks = options.hooks ?? {};
  const clock = options.now ?? (typeof performance !== 'undefined' ? () => performance.now() : Date.now);
  let instruments: Promise<Instruments | undefined> | undefined;
  // Once the import attempt has settled, calls use the result synchronously (no extra await per call).
  let settled: { value: Instruments | undefined } | undefined;

  const loadInstruments = (): Promise<Instruments | undefined> => {
    instruments ??= (async (): Promise<Instruments | undefined> => {
      const setting = options.openTelemetry ?? 'auto';
      const api = setting === false ? undefined : setting === 'auto' ? await importOpenTelemetry() : setting;
      if (!api) return undefined;
      const tracer = api.trace.getTracer(TELEMETRY_NAMES.tracer);
      const meter = api.metrics?.getMeter(TELEMETRY_NAMES.meter);
      return {
        api,
        tracer,
        calls: meter?.createCounter(TELEMETRY_NAMES.calls, { description: 'Provider calls made' }),
        failures: meter?.createCounter(TELEMETRY_NAMES.failures, { description: 'Provider calls that failed' }),
        retries: meter?.createCounter(TELEMETRY_NAMES.retries, { description: 'Provider call retries' }),
        webhooks: meter?.createCounter(TELEMETRY_NAMES.webhooks, { description: 'Webhook verifications' }),
        duration: meter?.createHistogram(TELEMETRY_NAMES.duration, { description: 'Provider call duration', unit: 'ms' }),
      };
    })().then((value) => {
      settled = { value };
      return value;
    });
    return instruments;
  };

  // A host's hook must never break a provider call or leak through it.
  const safeHook = <E>(name: keyof TelemetryHooks, event: E) => {
    const hook = hooks[name] as ((event: E) => void) | undefined;
    if (!hook) return;
    try {
      hook(event);
    } catch (error) {
      logger.warn({ hook: name, error }, 'switchyard telemetry hook threw; ignored');
    }
  };

  return {
    async instrument<T>(call: CallInfo, run: (context: CallContext) => Promise<T>): Promise<T> {
      if (typeof call?.provider !== 'string' || typeof call.operation !== 'string' || typeof run !== 'function') {
        throw new IntegrationError('invalid_input', 'instrument needs { provider, operation } strings and a function', {
          details: { field: 'call' },
        });
      }
      const info: CallInfo = { provider: call.provider, operation: call.operation };
      const base: Attributes = { [TELEMETRY_ATTRIBUTES.provider]: info.provider, [TELEMETRY_ATTRIBUTES.operation]: info.operation };
      const otel = settled ? settled.value : await loadInstruments();
      const span = otel?.tracer.startSpan(`${info.provider} ${info.operation}`, { kind: otel.api.SpanKind?.CLIENT ?? 2, attributes: base });
      let status: number | undefined;
      let retries = 0;
      const context: CallContext = {
        setStatus(value) {
          status = value;
        },
        retrying({ attempt, delayMs, error }) {
          retries++;
          otel?.retries?.add(1, base);
          const event: RetryEvent = { ...info, attempt, delayMs };
          if (error !== undefined) event.errorCode = describeError(error);
          safeHook('onRetry', event);
          if (logging) logger.debug({ ...event }, 'switchyard provider call retrying');
        },
      };
      if (hooks.onRequest) safeHook('onRequest', { ...info } satisfies RequestEvent);
      const started = clock();
      const finish = (outcome: CallOutcome, error?: unknown): ResponseEvent | undefined => {
        const durationMs = Math.max(0, clock() - started);
        const errorCode = outcome === 'error' ? describeError(error) : undefined;
        if (otel) {
          // Assignments, not `{ ...base, [key]: v }`: the spread-with-computed-key form measured ~20× slower.
          const attributes: Attributes = {};
          attributes[TELEMETRY_ATTRIBUTES.provider] = info.provider;
          attributes[TELEMETRY_ATTRIBUTES.operation] = info.operation;
          attributes[TELEMETRY_ATTRIBUTES.outcome] = outcome;
          if (errorCode) attributes[TELEMETRY_ATTRIBUTES.errorCode] = errorCode;
          if (span) {
            span.setAttribute(TELEMETRY_ATTRIBUTES.outcome, outcome);
            span.setAttribute(TELEMETRY_ATTRIBUTES.retryCount, retries);
            if (status !== undefined) span.setAttribute(TELEMETRY_ATTRIBUTES.httpStatus, status);
            if (errorCode) span.setAttribute(TELEMETRY_ATTRIBUTES.errorCode, errorCode);
            // The status message is our own redacted message, never the provider's body.
            const message = error instanceof Error ? redactString(error.message).slice(0, 200) : undefined;
            span.setStatus(
              outcome === 'ok'
                ? { code: otel.api.SpanStatusCode?.OK ?? 1 }
                : { code: otel.api.SpanStatusCode?.ERROR ?? 2, ...(message ? { message } : {}) },
            );
            span.end();
          }
          otel.calls?.add(1, attributes);
          if (outcome === 'error') otel.failures?.add(1, attributes);
          otel.duration?.record(durationMs, attributes);
        }
        // Events are only built for someone to receive them.
        if (!hooks.onResponse && !logging) return undefined;
        const event: ResponseEvent = { ...info, outcome, retries, durationMs };
        if (status !== undefined) event.status = status;
        if (errorCode) event.errorCode = errorCode;
        safeHook('onResponse', event);
        return event;
      };
      try {
        const api = otel?.api;
        const result = await (span && api?.context && api.trace.setSpan
          ? api.context.with(api.trace.setSpan(api.context.active(), span), () => run(context))
          : run(context));
        const event = finish('ok');
        if (logging) logger.debug({ ...event }, 'switchyard provider call');
        return result;
      } catch (error) {
        const event = finish('error', error);
        if (logging)
          logger.warn(
            { ...event, error: isIntegrationError(error) ? error.toJSON() : { name: (error as Error)?.name } },
            'switchyard provider call failed',
          );
        throw error;
      }
    },

    webhook(event) {
      const safe: WebhookEvent = { provider: event.provider, outcome: event.outcome };
      if (event.errorCode) safe.errorCode = event.errorCode;
      safeHook('onWebhook', safe);
      if (safe.outcome === 'rejected') logger.warn({ ...safe }, 'switchyard webhook rejected');
      // Counting must not make the verifier async: record once the API is known.
      void loadInstruments().then((otel) => {
        const attributes: Attributes = { [TELEMETRY_ATTRIBUTES.provider]: safe.provider, [TELEMETRY_ATTRIBUTES.outcome]: safe.outcome };
        if (safe.errorCode) attributes[TELEMETRY_ATTRIBUTES.errorCode] = safe.errorCode;
        otel?.webhooks?.add(1, attributes);
      });
    },
  };
}

/** Whether a value is a `Telemetry` (what `createTelemetry` returns); adapters check their `telemetry` option with it. */
export function isTelemetry(v: unknown): v is Telemetry {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Telemetry).instrument === 'function' &&
    typeof (v as Telemetry).webhook === 'function'
  );
}

/** Whether a value is a pino-compatible `Logger` (debug/info/warn/error); adapters check their `logger` option with it. */
export function isLogger(v: unknown): v is Logger {
  return (
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function')
  );
}

/**
 * The telemetry an adapter uses: the given one, or — for a host that only passed `logger` — one that
 * logs (through `withRedaction`) without spans. Both at once is ambiguous (which logger wins?), so
 * it is refused instead of silently dropping one, and so is a `telemetry` or `logger` that is not one.
 * `undefined` when neither is given: the call is then retried but not instrumented.
 */
export function adapterTelemetry(
  owner: string,
  o: { telemetry?: Telemetry | undefined; logger?: Logger | undefined },
): Telemetry | undefined {
  if (o.telemetry !== undefined && !isTelemetry(o.telemetry)) {
    throw new IntegrationError('invalid_config', `${owner}: telemetry must be what createTelemetry() returns`, {
      details: { field: 'telemetry' },
    });
  }
  if (o.logger !== undefined && !isLogger(o.logger)) {
    throw new IntegrationError('invalid_config', `${owner}: logger must have debug, info, warn and error methods`, {
      details: { field: 'logger' },
    });
  }
  if (o.telemetry && o.logger) {
    throw new IntegrationError('invalid_config', `${owner}: pass logger inside telemetry (createTelemetry({ logger })), not both`, {
      details: { field: 'logger' },
    });
  }
  return o.telemetry ?? (o.logger ? createTelemetry({ logger: o.logger, openTelemetry: false }) : undefined);
}
