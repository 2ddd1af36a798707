import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConsoleLogger, redact, redactString, withRedaction } from '../../src/index.js';

const alnum = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 24, maxLength: 60 });
const b64url = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'), minLength: 10, maxLength: 80 });
const hex32 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

function luhnComplete(body: string): string {
  for (let check = 0; check < 10; check++) {
    const digits = body + check;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}
const pan = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 18 }).map((b) => luhnComplete(`4${b}`.slice(0, Math.max(12, b.length))));

/** A secret, the text that must not survive, and ways to embed it. */
type Secret = { secret: string; core: string };
const secrets: fc.Arbitrary<Secret & { embed: 'text' | 'key' }> = fc.oneof(
  fc.tuple(fc.constantFrom('sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'), alnum).map(([p, b]) => ({ secret: p + b, core: b.slice(0, -4), embed: 'text' as const })),
  fc.tuple(b64url, b64url, b64url).map(([a, b, c]) => {
    const jwt = `eyJ${a}.eyJ${b}.${c}`;
    return { secret: jwt, core: `${a}.eyJ${b}`, embed: 'text' as const };
  }),
  alnum.map((t) => ({ secret: `Bearer ${t}`, core: t, embed: 'text' as const })),
  alnum.map((t) => ({ secret: `ya29.${t}`, core: t, embed: 'text' as const })),
  pan.map((p) => ({ secret: p, core: p.slice(0, -4), embed: 'text' as const })),
  alnum.map((t) => ({ secret: `password=${t}`, core: t, embed: 'text' as const })),
  alnum.map((t) => ({ secret: `https://user:${t}@db.example.com/x`, core: t, embed: 'text' as const })),
  // Under telling keys, any value is a secret: Twilio auth tokens, OAuth tokens, passwords.
  hex32.map((t) => ({ secret: t, core: t, embed: 'key' as const })),
  alnum.map((t) => ({ secret: t, core: t, embed: 'key' as const })),
);
const secretKeys = fc.constantFrom('authToken', 'auth_token', 'access_token', 'refreshToken', 'password', 'Authorization', 'client_secret', 'apiKey', 'x-api-key', 'clientState');
const filler = fc.string({ maxLength: 20 }).map((s) => s.replace(/[A-Za-z0-9_]/g, ' '));

describe('redact', () => {
  it('keeps a recognisable prefix', () => {
    expect(redactString('key sk_live_51HxYzAbCdEfGhIjKlMnabcd')).toBe('key sk_live_****abcd');
    expect(redactString('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer ****');
    expect(redactString('card 4242 4242 4242 4242 ok')).toBe('card ****4242 ok');
    expect(redactString('order 1234567890123')).toBe('order 1234567890123'); // fails Luhn: not a card
    expect(redactString('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:****@db:5432/x');
    expect(redactString('https://x.test/cb?code_verifier=abc&state=1')).toBe('https://x.test/cb?code_verifier=****&state=1');
    expect(redactString('publishable pk_live_abcdefghijkl and idempotency_key=abc')).toBe('publishable pk_live_abcdefghijkl and idempotency_key=abc');
  });

  it('walks nested objects, arrays, Maps, Headers and Errors without mutating them', () => {
    const input = {
      headers: new Headers({ authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' }),
      nested: [{ twilio: { authToken: '0123456789abcdef0123456789abcdef' } }],
      map: new Map([['refresh_token', '1//0gAbCdEfGhIjKlMn']]),
      error: Object.assign(new Error('failed with sk_test_aaaaaaaaaaaaaaaaaaaa1234'), { password: 'pw' }),
      ok: 'hello',
    };
    const out = redact(input) as Record<string, unknown>;
    expect(out.headers).toEqual({ authorization: 'Basic ****', 'content-type': 'application/json' });
    expect(JSON.stringify(out.nested)).not.toContain('0123456789abcdef');
    expect((out.map as Map<string, string>).get('refresh_token')).toBe('1//****');
    expect(out.error).toMatchObject({ message: 'failed with sk_test_****1234', password: '****' });
    expect(out.ok).toBe('hello');
    expect(input.nested[0]?.twilio.authToken).toBe('0123456789abcdef0123456789abcdef');
  });

  it('survives cycles and deep nesting', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
    let deep: Record<string, unknown> = { password: 'x' };
    for (let i = 0; i < 50; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('"x"');
  });

  it('property: no generated secret survives, embedded in text or under a secret key, however nested', () => {
    fc.assert(
      fc.property(secrets, secretKeys, filler, filler, fc.nat({ max: 4 }), ({ secret, core, embed }, key, before, after, depth) => {
        let value: unknown = embed === 'text' ? `${before}${secret}${after}` : { [key]: secret };
        for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
        const out = JSON.stringify(redact(value));
        expect(out).not.toContain(core);
      }),
      { numRuns: 2000 },
    );
  });

  it('withRedaction and the console logger never print a secret', () => {
    const lines: string[] = [];
    const sink = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const logger = createConsoleLogger({ level: 'debug', sink, now: () => 0 });
    logger.info({ apiKey: 'sk_live_secretsecretsecret9999', user: 'ann' }, 'calling with Bearer tok_abcdefghijklmnop');
    logger.debug({ headers: { Authorization: 'Bearer zzz' } });
    expect(lines.join('\n')).not.toMatch(/secretsecret|tok_abcdefghijklmnop|zzz/);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', user: 'ann', apiKey: 'sk_live_****9999', time: '1970-01-01T00:00:00.000Z' });

    const seen: unknown[] = [];
    const host = { debug: () => {}, info: (o: unknown, m?: string) => seen.push(o, m), warn: () => {}, error: () => {} };
    const wrapped = withRedaction(host);
    expect(withRedaction(wrapped)).toBe(wrapped);
    wrapped.info({ password: 'hunter2' }, 'password=hunter2');
    expect(JSON.stringify(seen)).not.toContain('hunter2');
  });

  it('the console logger honours its level', () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ level: 'warn', sink: { log: (l) => lines.push(l), error: (l) => lines.push(l) } });
    logger.info({}, 'hidden');
    logger.error({}, 'shown');
    expect(lines).toHaveLength(1);
  });
});
