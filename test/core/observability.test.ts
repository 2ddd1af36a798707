/**
 * createTelemetry: one OpenTelemetry span per provider call with the documented attributes and no
 * payloads, counters and a histogram, hooks, redacted logs, and nothing at all without the API.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Context, type ContextManager, context, metrics, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTelemetry,
  IntegrationError,
  type LogFields,
  type Logger,
  type ResponseEvent,
  type RetryEvent,
  TELEMETRY_ATTRIBUTES,
  TELEMETRY_NAMES,
  type WebhookEvent,
} from '../../src/index.js';

const exporter = new InMemorySpanExporter();
const recorded: Array<{ instrument: string; value: number; attributes: Record<string, unknown> }> = [];

/** A MeterProvider that records every measurement: the SDK's metrics package is not installed here. */
const meterProvider = {
  getMeter: () => ({
    createCounter: (name: string) => ({
      add: (value: number, attributes: Record<string, unknown> = {}) => recorded.push({ instrument: name, value, attributes }),
    }),
    createHistogram: (name: string) => ({
      record: (value: number, attributes: Record<string, unknown> = {}) => recorded.push({ instrument: name, value, attributes }),
    }),
    createUpDownCounter: () => ({ add() {} }),
    createGauge: () => ({ record() {} }),
    createObservableGauge: () => ({ addCallback() {}, removeCallback() {} }),
    createObservableCounter: () => ({ addCallback() {}, removeCallback() {} }),
    createObservableUpDownCounter: () => ({ addCallback() {}, removeCallback() {} }),
    addBatchObservableCallback() {},
    removeBatchObservableCallback() {},
  }),
};

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  metrics.setGlobalMeterProvider(meterProvider as never);
});
afterAll(() => {
  trace.disable();
  metrics.disable();
});
beforeEach(() => {
  exporter.reset();
  recorded.length = 0;
});

function capturingLogger() {
  const lines: string[] = [];
  const write = (level: string) => (fields: LogFields, message?: string) => void lines.push(JSON.stringify({ level, message, ...fields }));
  const logger: Logger = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  return { logger, lines };
}

const SECRET = 'sk_live_51Habcdefghijklmnopqrstuvwxyz0123';
const BEARER = 'Bearer ya29.a0AfH6SMBx-secret-access-token';

describe('createTelemetry with OpenTelemetry installed', () => {
  it('makes one CLIENT span per call with provider, operation, outcome, status and retry count', async () => {
    const telemetry = createTelemetry();
    const result = await telemetry.instrument({ provider: 'google', operation: 'events.list' }, async (call) => {
      call.retrying({ attempt: 2, delayMs: 100, error: new IntegrationError('rate_limited', 'slow down') });
      call.setStatus(200);
      return { items: [{ summary: 'private meeting' }], token: SECRET };
    });
    expect(result.items).toHaveLength(1);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span?.name).toBe('google events.list');
    expect(span?.kind).toBe(2); // SpanKind.CLIENT
    expect(span?.attributes).toEqual({
      [TELEMETRY_ATTRIBUTES.provider]: 'google',
      [TELEMETRY_ATTRIBUTES.operation]: 'events.list',
      [TELEMETRY_ATTRIBUTES.outcome]: 'ok',
      [TELEMETRY_ATTRIBUTES.retryCount]: 1,
      [TELEMETRY_ATTRIBUTES.httpStatus]: 200,
    });
    expect(span?.status.code).toBe(1); // OK
    const dump = JSON.stringify(spans.map((s) => ({ attributes: s.attributes, events: s.events, status: s.status, name: s.name })));
    expect(dump).not.toContain('private meeting');
    expect(dump).not.toContain(SECRET);
  });

  it('marks failures with error.type and a redacted status message, and rethrows the same error', async () => {
    const telemetry = createTelemetry();
    const failure = new IntegrationError('authentication', `refused ${BEARER}`, { status: 401 });
    await expect(
      telemetry.instrument({ provider: 'graph', operation: 'calendar.getSchedule' }, async (call) => {
        call.setStatus(401);
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes[TELEMETRY_ATTRIBUTES.outcome]).toBe('error');
    expect(span?.attributes[TELEMETRY_ATTRIBUTES.errorCode]).toBe('authentication');
    expect(span?.attributes[TELEMETRY_ATTRIBUTES.httpStatus]).toBe(401);
    expect(span?.status.code).toBe(2); // ERROR
    expect(JSON.stringify(span?.status)).not.toContain('ya29.a0AfH6SMBx');
    expect(span?.events).toEqual([]); // no recordException: stacks and causes can carry payloads
    // A non-IntegrationError is typed `internal`.
    await expect(
      telemetry.instrument({ provider: 'x', operation: 'y' }, async () => Promise.reject(new TypeError('boom'))),
    ).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans()[1]?.attributes[TELEMETRY_ATTRIBUTES.errorCode]).toBe('internal');
  });

  it('counts calls, failures, retries and webhook verifications and records durations', async () => {
    let t = 1000;
    const telemetry = createTelemetry({ now: () => t });
    await telemetry.instrument({ provider: 'stripe', operation: 'charges.create' }, async (call) => {
      call.retrying({ attempt: 2, delayMs: 50 });
      t += 25;
    });
    await telemetry
      .instrument({ provider: 'stripe', operation: 'charges.create' }, async () => {
        throw new IntegrationError('unavailable', 'down');
      })
      .catch(() => {});
    telemetry.webhook({ provider: 'stripe', outcome: 'verified' });
    telemetry.webhook({ provider: 'stripe', outcome: 'rejected', errorCode: 'signature_invalid' });
    await new Promise((r) => setTimeout(r, 0));
    const count = (name: string) => recorded.filter((r) => r.instrument === name).reduce((sum, r) => sum + r.value, 0);
    expect(count(TELEMETRY_NAMES.calls)).toBe(2);
    expect(count(TELEMETRY_NAMES.failures)).toBe(1);
    expect(count(TELEMETRY_NAMES.retries)).toBe(1);
    expect(count(TELEMETRY_NAMES.webhooks)).toBe(2);
    expect(recorded.filter((r) => r.instrument === TELEMETRY_NAMES.duration).map((r) => r.value)).toEqual([25, 0]);
    expect(recorded.find((r) => r.instrument === TELEMETRY_NAMES.failures)?.attributes).toEqual({
      [TELEMETRY_ATTRIBUTES.provider]: 'stripe',
      [TELEMETRY_ATTRIBUTES.operation]: 'charges.create',
      [TELEMETRY_ATTRIBUTES.outcome]: 'error',
      [TELEMETRY_ATTRIBUTES.errorCode]: 'unavailable',
    });
    expect(
      recorded.filter((r) => r.instrument === TELEMETRY_NAMES.webhooks).map((r) => r.attributes[TELEMETRY_ATTRIBUTES.outcome]),
    ).toEqual(['verified', 'rejected']);
  });
});

describe('span context', () => {
  it('runs the call with its span active, so HTTP auto-instrumentation nests under it', async () => {
    // A minimal synchronous context manager (the async-hooks one is not installed here).
    let active: Context = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => active,
      with(ctx, fn, thisArg, ...args) {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    try {
      let inside: unknown;
      await createTelemetry().instrument({ provider: 'google', operation: 'events.list' }, async () => {
        inside = trace.getActiveSpan()?.spanContext().spanId;
      });
      expect(inside).toBe(exporter.getFinishedSpans()[0]?.spanContext().spanId);
    } finally {
      context.disable();
    }
  });

  it('rejects a malformed call description instead of crashing', async () => {
    await expect(createTelemetry().instrument(undefined as never, async () => 1)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(createTelemetry().instrument({ provider: 'p', operation: 'o' }, undefined as never)).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('hooks and logs', () => {
  it('calls onRequest, onRetry, onResponse and onWebhook with metadata only, and survives a throwing hook', async () => {
    const events: string[] = [];
    const responses: ResponseEvent[] = [];
    const retries: RetryEvent[] = [];
    const webhooks: WebhookEvent[] = [];
    const { logger, lines } = capturingLogger();
    const telemetry = createTelemetry({
      openTelemetry: false,
      logger,
      hooks: {
        onRequest: (e) => {
          events.push(`request ${e.operation}`);
          throw new Error(`hook bug ${SECRET}`);
        },
        onRetry: (e) => void retries.push(e),
        onResponse: (e) => void responses.push(e),
        onWebhook: (e) => void webhooks.push(e),
      },
    });
    await telemetry.instrument({ provider: 'twilio', operation: 'messages.create' }, async (call) => {
      call.retrying({ attempt: 2, delayMs: 200, error: new IntegrationError('rate_limited', 'later') });
      call.setStatus(201);
      return 'ok';
    });
    telemetry.webhook({ provider: 'twilio', outcome: 'rejected', errorCode: 'signature_invalid' });
    expect(events).toEqual(['request messages.create']);
    expect(retries).toEqual([{ provider: 'twilio', operation: 'messages.create', attempt: 2, delayMs: 200, errorCode: 'rate_limited' }]);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ provider: 'twilio', operation: 'messages.create', outcome: 'ok', status: 201, retries: 1 });
    expect(webhooks).toEqual([{ provider: 'twilio', outcome: 'rejected', errorCode: 'signature_invalid' }]);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // openTelemetry: false
    expect(lines.some((l) => l.includes('hook threw'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET.slice(8, -4));
  });

  it('logs failures at warn with the error JSON, redacted', async () => {
    const { logger, lines } = capturingLogger();
    const telemetry = createTelemetry({ openTelemetry: false, logger });
    await telemetry
      .instrument({ provider: 'google', operation: 'token.refresh' }, async () => {
        throw new IntegrationError('authentication', 'refused', { details: { access_token: 'ya29.secret-token-value-here' } });
      })
      .catch(() => {});
    const line = JSON.parse(lines.at(-1) as string);
    expect(line).toMatchObject({
      level: 'warn',
      provider: 'google',
      operation: 'token.refresh',
      outcome: 'error',
      errorCode: 'authentication',
    });
    expect(lines.join('\n')).not.toContain('secret-token-value-here');
  });
});

describe('without @opentelemetry/api', () => {
  it('runs calls and hooks and creates nothing when the optional peer cannot be imported', async () => {
    // Bundle the module to a directory with no node_modules above it, so the guarded import really fails.
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-no-otel-'));
    try {
      const bundle = await build({
        entryPoints: ['src/core/observability.ts'],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'neutral',
        external: ['@opentelemetry/api'],
        logLevel: 'silent',
      });
      writeFileSync(join(dir, 'observability.mjs'), bundle.outputFiles[0]?.text ?? '');
      writeFileSync(
        join(dir, 'run.mjs'),
        `import { createTelemetry } from './observability.mjs';
         const seen = [];
         const t = createTelemetry({ hooks: { onResponse: (e) => seen.push(e.outcome) } });
         const value = await t.instrument({ provider: 'p', operation: 'o' }, async () => 42);
         t.webhook({ provider: 'p', outcome: 'verified' });
         let resolvable = true;
         try { await import('@opentelemetry/api'); } catch { resolvable = false; }
         console.log(JSON.stringify({ value, seen, resolvable }));`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'run.mjs')], { cwd: dir });
      expect(JSON.parse(stdout)).toEqual({ value: 42, seen: ['ok'], resolvable: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
