import { describe, expect, it } from 'vitest';
import { IntegrationError } from '../../src/index.js';
import { classifyError, errorFromResponse } from '../../src/retry/index.js';

const now = () => Date.UTC(2026, 10, 25, 12);
const netError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: netError(code) });

describe('classifyError', () => {
  it.each<[string, unknown, boolean]>([
    ['IntegrationError rate_limited', new IntegrationError('rate_limited', 'x'), true],
    ['IntegrationError invalid_input', new IntegrationError('invalid_input', 'x'), false],
    ['IntegrationError with an explicit retryable', new IntegrationError('provider_error', 'x', { retryable: true }), true],
    ['a Response 503', new Response(null, { status: 503 }), true],
    ['a Response 404', new Response(null, { status: 404 }), false],
    ['an SDK error with statusCode 502', { statusCode: 502 }, true],
    ['a gaxios-style error with response.status 429', { response: { status: 429 } }, true],
    ['ECONNRESET', netError('ECONNRESET'), true],
    ['ETIMEDOUT', netError('ETIMEDOUT'), true],
    ['EAI_AGAIN', netError('EAI_AGAIN'), true],
    ['ECONNREFUSED', netError('ECONNREFUSED'), true],
    ['undici socket error inside fetch failed', fetchFailed('UND_ERR_SOCKET'), true],
    ['undici headers timeout', fetchFailed('UND_ERR_HEADERS_TIMEOUT'), true],
    ['ENOTFOUND (a typo in the host, not transient)', netError('ENOTFOUND'), false],
    ['TimeoutError', new DOMException('t', 'TimeoutError'), true],
    ['AbortError', new DOMException('a', 'AbortError'), false],
    ['a plain bug', new TypeError('x is not a function'), false],
    ['a string', 'oops', false],
    ['null', null, false],
  ])('%s → retryable %s', (_, error, retryable) => {
    expect(classifyError(error, now).retryable).toBe(retryable);
  });

  it('marks only never-sent failures as safe for mutations without a key', () => {
    expect(classifyError(fetchFailed('ECONNREFUSED'), now).notDelivered).toBe(true);
    expect(classifyError(fetchFailed('EAI_AGAIN'), now).notDelivered).toBe(true);
    expect(classifyError(fetchFailed('ECONNRESET'), now).notDelivered).toBe(false);
    expect(classifyError(new Response(null, { status: 503 }), now).notDelivered).toBe(false);
  });

  it('finds transient codes in an AggregateError (happy-eyeballs connect)', () => {
    const error = new TypeError('fetch failed', { cause: new AggregateError([netError('ECONNREFUSED'), netError('ENETUNREACH')]) });
    expect(classifyError(error, now)).toMatchObject({ retryable: true, reason: 'ECONNREFUSED' });
  });

  it('reads Stripe-Should-Retry from Stripe SDK errors (headers) and raw responses', () => {
    expect(classifyError({ statusCode: 409, headers: { 'stripe-should-retry': 'true' } }, now).retryable).toBe(true);
    expect(classifyError({ statusCode: 503, headers: { 'Stripe-Should-Retry': 'false' } }, now).retryable).toBe(false);
    expect(classifyError({ statusCode: 409, raw: { headers: { 'stripe-should-retry': 'true' } } }, now).retryable).toBe(true);
    expect(classifyError(new Response(null, { status: 409, headers: { 'Stripe-Should-Retry': 'true' } }), now).retryable).toBe(true);
  });

  it('reads Google 403 reasons from gaxios errors, raw bodies and our details', () => {
    const body = { error: { errors: [{ reason: 'userRateLimitExceeded' }] } };
    expect(classifyError({ status: 403, response: { status: 403, data: body } }, now)).toMatchObject({
      retryable: true,
      reason: 'google userRateLimitExceeded',
    });
    expect(classifyError({ status: 403, body: JSON.stringify(body) }, now).retryable).toBe(true);
    expect(classifyError({ status: 403, errors: [{ reason: 'rateLimitExceeded' }] }, now).retryable).toBe(true);
    expect(classifyError({ status: 403, errors: [{ reason: 'forbidden' }] }, now).retryable).toBe(false);
    expect(classifyError({ status: 403, body: '{not json' }, now).retryable).toBe(false);
  });

  it('carries the delay: IntegrationError.retryAfterMs, or the Retry-After of the response', () => {
    expect(classifyError(new IntegrationError('rate_limited', 'x', { retryAfterMs: 1234 }), now).retryAfterMs).toBe(1234);
    expect(classifyError(new Response(null, { status: 429, headers: { 'Retry-After': '9' } }), now).retryAfterMs).toBe(9000);
    expect(classifyError({ status: 503, headers: { 'retry-after': '2' } }, now).retryAfterMs).toBe(2000);
  });
});

describe('errorFromResponse', () => {
  it.each<[number, string, boolean]>([
    [400, 'invalid_input', false],
    [401, 'authentication', false],
    [402, 'provider_error', false],
    [403, 'permission', false],
    [404, 'not_found', false],
    [408, 'timeout', true],
    [409, 'conflict', false],
    [412, 'precondition_failed', false],
    [429, 'rate_limited', true],
    [500, 'provider_error', true],
    [502, 'unavailable', true],
    [503, 'unavailable', true],
    [504, 'timeout', true],
  ])('HTTP %i → %s (retryable %s)', async (status, code, retryable) => {
    const error = await errorFromResponse(new Response('{"secret":"sk_live_abc"}', { status }), { provider: 'x' });
    expect(error).toMatchObject({ code, retryable, status, provider: 'x' });
    expect(error.message).not.toContain('sk_live');
  });

  it('turns Google rate-limit 403s into rate_limited with the reason', async () => {
    const res = new Response(JSON.stringify({ error: { errors: [{ reason: 'rateLimitExceeded' }] } }), { status: 403 });
    expect(await errorFromResponse(res, { provider: 'google' })).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      details: { reason: 'rateLimitExceeded' },
    });
  });

  it('rejects something that is not a response with invalid_input', async () => {
    await expect(errorFromResponse({} as Response)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
