/**
 * The OAuth client's token calls go through the observability core: one span per token-endpoint
 * call with the documented attributes, and — with a capturing logger and known secret values —
 * no secret in any log line, span, hook event, error message or `toJSON()`.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIntegrationError, type LogFields, type Logger, TELEMETRY_ATTRIBUTES } from '../../src/index.js';
import { createEncryptedTokenStore, createOAuthClient } from '../../src/oauth/index.js';
import { createMemoryStore, type Store } from '../../src/stores/index.js';
import type { AuthServer } from './support/auth-server.js';
import { CLIENT_ID, CLIENT_SECRET, connect, createClock, customClient, REDIRECT_URI, STATE_SECRET, startServer } from './support/setup.js';

const exporter = new InMemorySpanExporter();
let server: AuthServer;
beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  server = await startServer();
});
afterAll(async () => {
  trace.disable();
  await server.close();
});

const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString('base64');

describe('OAuth client telemetry', () => {
  it('emits one span per token-endpoint call with provider, operation, outcome, status and retry count', async () => {
    exporter.reset();
    const clock = createClock();
    const client = customClient(server, clock, { openTelemetry: 'auto' });
    const connection = await connect(client, server, 'span-user');
    clock.set(connection.expiresAt as number);
    await client.getAccessToken('span-user');
    server.failNextRefreshes(1, 'invalid_grant');
    clock.advance(3600_000);
    await client.getAccessToken('span-user').catch(() => {});
    const spans = exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes }));
    expect(spans).toEqual([
      {
        name: 'local token.exchange',
        attributes: {
          [TELEMETRY_ATTRIBUTES.provider]: 'local',
          [TELEMETRY_ATTRIBUTES.operation]: 'token.exchange',
          [TELEMETRY_ATTRIBUTES.outcome]: 'ok',
          [TELEMETRY_ATTRIBUTES.retryCount]: 0,
          [TELEMETRY_ATTRIBUTES.httpStatus]: 200,
        },
      },
      {
        name: 'local token.refresh',
        attributes: {
          [TELEMETRY_ATTRIBUTES.provider]: 'local',
          [TELEMETRY_ATTRIBUTES.operation]: 'token.refresh',
          [TELEMETRY_ATTRIBUTES.outcome]: 'ok',
          [TELEMETRY_ATTRIBUTES.retryCount]: 0,
          [TELEMETRY_ATTRIBUTES.httpStatus]: 200,
        },
      },
      {
        name: 'local token.refresh',
        attributes: {
          [TELEMETRY_ATTRIBUTES.provider]: 'local',
          [TELEMETRY_ATTRIBUTES.operation]: 'token.refresh',
          [TELEMETRY_ATTRIBUTES.outcome]: 'error',
          [TELEMETRY_ATTRIBUTES.retryCount]: 0,
          [TELEMETRY_ATTRIBUTES.httpStatus]: 400,
          [TELEMETRY_ATTRIBUTES.errorCode]: 'authentication',
        },
      },
    ]);
  });

  it('never lets a secret reach a log line, span, hook event, error message or toJSON()', async () => {
    exporter.reset();
    const output: string[] = [];
    const write = (level: string) => (fields: LogFields, message?: string) =>
      void output.push(`${level} ${message} ${JSON.stringify(fields)}`);
    const logger: Logger = { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
    const clock = createClock();
    const base = createMemoryStore({ now: clock.now });
    const verifiers: string[] = [];
    const store: Store = {
      ...base,
      set(key, value, o) {
        if (key.includes(':pending:')) verifiers.push((value as { verifier: string }).verifier);
        return base.set(key, value, o);
      },
    };
    const tokenStore = createEncryptedTokenStore({ store, keys: { k1: ENCRYPTION_KEY }, currentKeyId: 'k1' });
    const hooks = {
      onRequest: (e: unknown) => void output.push(`hook ${JSON.stringify(e)}`),
      onResponse: (e: unknown) => void output.push(`hook ${JSON.stringify(e)}`),
      onRetry: (e: unknown) => void output.push(`hook ${JSON.stringify(e)}`),
    };
    const options = { logger, hooks, store, tokenStore, openTelemetry: 'auto' as const };
    const client = customClient(server, clock, options);
    const errors: unknown[] = [];
    const attempt = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        errors.push(error);
      }
    };
    const callbacks: string[] = [];

    // The whole life of a grant, failures included.
    const start = await client.createAuthorizationUrl({ sessionId: 'secret-session-id-0001' });
    const callback = await server.authorize(start.url);
    callbacks.push(callback);
    const connection = await client.handleCallback({ url: callback, sessionId: 'secret-session-id-0001', userId: 'leak' });
    await attempt(() => client.handleCallback({ url: callback, sessionId: 'secret-session-id-0001', userId: 'leak' })); // replay
    await attempt(() => client.handleCallback({ url: `${callback}x`, sessionId: 'secret-session-id-0001', userId: 'leak' })); // tampered
    await attempt(() => client.handleCallback({ url: callback, sessionId: 'another-session', userId: 'leak' }));
    await client.getAccessToken('leak');
    clock.set(connection.expiresAt as number);
    await client.getAccessToken('leak');
    server.failNextRefreshes(1, 'server_error');
    clock.advance(3600_000);
    await attempt(() => client.getAccessToken('leak'));
    await client.getAccessToken('leak');
    const wrongSecret = customClient(server, clock, { ...options, clientSecret: 'wrong-client-secret-value-0001' });
    const start2 = await wrongSecret.createAuthorizationUrl({ sessionId: 'secret-session-id-0001' });
    const callback2 = await server.authorize(start2.url);
    callbacks.push(callback2);
    await attempt(() => wrongSecret.handleCallback({ url: callback2, sessionId: 'secret-session-id-0001', userId: 'leak2' }));
    await attempt(() =>
      Promise.resolve().then(() =>
        createOAuthClient({
          preset: 'google',
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          redirectUri: REDIRECT_URI,
          scopes: ['a'],
          stateSecret: 'short-state-secret',
        }),
      ),
    );
    await attempt(() =>
      Promise.resolve().then(() => createEncryptedTokenStore({ store, keys: { k1: 'c2hvcnQta2V5LXZhbHVlLTAwMDE=' }, currentKeyId: 'k1' })),
    );
    server.failNextRefreshes(1, 'invalid_grant');
    clock.advance(3600_000);
    await attempt(() => client.getAccessToken('leak'));
    await connect(client, server, 'leak3', 'secret-session-id-0001');
    await client.revoke('leak3');

    expect(errors.length).toBeGreaterThanOrEqual(7);
    for (const error of errors) {
      expect(isIntegrationError(error), String(error)).toBe(true);
      if (isIntegrationError(error)) output.push(`error ${error.message} ${JSON.stringify(error.toJSON())} ${String(error)}`);
    }
    for (const span of exporter.getFinishedSpans()) {
      output.push(`span ${span.name} ${JSON.stringify(span.attributes)} ${JSON.stringify(span.status)} ${JSON.stringify(span.events)}`);
    }
    const codes = callbacks.map((c) => new URL(c).searchParams.get('code') as string);
    const secrets = [
      CLIENT_SECRET,
      'wrong-client-secret-value-0001',
      STATE_SECRET,
      'short-state-secret',
      ENCRYPTION_KEY,
      'c2hvcnQta2V5LXZhbHVlLTAwMDE=',
      'secret-session-id-0001',
      start.state,
      ...codes,
      ...verifiers,
      ...server.accessTokens,
      ...server.refreshes,
      ...server.liveRefreshTokens,
    ];
    expect(secrets.length).toBeGreaterThan(12);
    expect(output.length).toBeGreaterThan(15);
    const text = output.join('\n');
    for (const secret of secrets) expect(text.includes(secret), `leaked ${secret.slice(0, 6)}…`).toBe(false);
  });
});
