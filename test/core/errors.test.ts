import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, IntegrationError, isIntegrationError } from '../../src/index.js';

describe('IntegrationError', () => {
  it('carries code, retryable, provider, status, retryAfterMs and cause', () => {
    const cause = new Error('socket hang up');
    const e = new IntegrationError('rate_limited', 'slow down', { provider: 'stripe', status: 429, retryAfterMs: 2000, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'IntegrationError',
      code: 'rate_limited',
      retryable: true,
      provider: 'stripe',
      status: 429,
      retryAfterMs: 2000,
    });
    expect(e.cause).toBe(cause);
  });

  it('defaults retryable by code and lets the caller override it', () => {
    expect(new IntegrationError('unavailable', 'x').retryable).toBe(true);
    expect(new IntegrationError('timeout', 'x').retryable).toBe(true);
    expect(new IntegrationError('invalid_input', 'x').retryable).toBe(false);
    expect(new IntegrationError('signature_invalid', 'x').retryable).toBe(false);
    expect(new IntegrationError('provider_error', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('has the closed union of the architecture brief', () => {
    expect(ERROR_CODES).toHaveLength(18);
    expect(() => new IntegrationError('nope' as never, 'x')).toThrow(TypeError);
  });

  it('toJSON never includes the cause and redacts message and details', () => {
    const e = new IntegrationError('authentication', 'bad key sk_live_abcdefghijklmnop1234', {
      cause: { headers: { authorization: 'Bearer abc.def.ghi' } },
      details: { apiKey: 'sk_test_0123456789abcdefWXYZ', field: 'apiKey' },
    });
    const json = JSON.stringify(e);
    expect(json).not.toContain('abcdefghijklmnop');
    expect(json).not.toContain('0123456789abcdef');
    expect(json).not.toContain('Bearer abc');
    expect(json).toContain('sk_live_****1234');
    expect(JSON.parse(json)).toMatchObject({ code: 'authentication', retryable: false, details: { field: 'apiKey' } });
    expect(e.message).toBe('bad key sk_live_****1234');
  });

  it('isIntegrationError recognises instances and structurally equal errors from another module copy', () => {
    expect(isIntegrationError(new IntegrationError('conflict', 'x'))).toBe(true);
    expect(isIntegrationError({ name: 'IntegrationError', code: 'conflict', retryable: false })).toBe(true);
    expect(isIntegrationError(new Error('x'))).toBe(false);
    expect(isIntegrationError({ code: 'ENOTFOUND', retryable: true, name: 'x' })).toBe(false);
    expect(isIntegrationError(null)).toBe(false);
  });

  it('no secret given to it reaches the message, the stack, util.inspect / console.log or JSON', () => {
    const secret = 'sk_live_abcdefghijklmnop1234';
    const e = new IntegrationError('invalid_config', `apiKey ${secret} was rejected`, {
      details: { apiKey: secret, nested: { note: `got ${secret}` }, field: 'apiKey' },
    });
    for (const view of [e.message, String(e.stack), inspect(e, { depth: 10 }), JSON.stringify(e), String(e)]) {
      expect(view).not.toContain('abcdefghijklmnop');
    }
    expect(e.details).toMatchObject({ field: 'apiKey', nested: { note: 'got sk_live_****1234' } });
  });

  it('instanceof holds for the redactor-free webhook errors, and subclasses keep the ordinary check', async () => {
    const { WebhookVerificationError } = await import('../../src/webhooks/index.js');
    const w = new WebhookVerificationError('signature_invalid', 'no v1 signature matches', { provider: 'stripe' });
    expect(w).toBeInstanceOf(IntegrationError);
    expect(isIntegrationError(w)).toBe(true);
    expect(new IntegrationError('conflict', 'x')).not.toBeInstanceOf(WebhookVerificationError);
    class PaymentDeclined extends IntegrationError {}
    expect(new PaymentDeclined('provider_error', 'x')).toBeInstanceOf(IntegrationError);
    expect(new IntegrationError('provider_error', 'x')).not.toBeInstanceOf(PaymentDeclined);
    expect(w).not.toBeInstanceOf(PaymentDeclined);
    expect({ code: 'conflict' }).not.toBeInstanceOf(IntegrationError);
    expect(w.toJSON()).toEqual({
      name: 'WebhookVerificationError',
      code: 'signature_invalid',
      message: 'no v1 signature matches',
      retryable: false,
      provider: 'stripe',
    });
  });
});
