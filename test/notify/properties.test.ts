/** fast-check properties for the pure parts: SMS segment counts, HTML escaping, unsubscribe tokens. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTemplates, createUnsubscribeTokens, smsSegments } from '../../src/notify/index.js';

const GSM_BASIC = [
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
];

describe('smsSegments, against the closed-form counts', () => {
  it('GSM-7 basic characters: 1 segment up to 160, then ceil(n / 153)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...GSM_BASIC), { maxLength: 800 }), (chars) => {
        const n = chars.length;
        expect(smsSegments(chars.join(''))).toMatchObject({ encoding: 'GSM-7', units: n, segments: n <= 160 ? 1 : Math.ceil(n / 153) });
      }),
      { numRuns: 300 },
    );
  });

  it('BMP characters outside GSM-7: UCS-2, 1 segment up to 70, then ceil(n / 67)', () => {
    const nonGsm = fc.integer({ min: 0x0400, max: 0x04ff }).map((c) => String.fromCharCode(c)); // Cyrillic
    fc.assert(
      fc.property(fc.array(nonGsm, { minLength: 1, maxLength: 400 }), (chars) => {
        const n = chars.length;
        expect(smsSegments(chars.join(''))).toMatchObject({ encoding: 'UCS-2', units: n, segments: n <= 70 ? 1 : Math.ceil(n / 67) });
      }),
      { numRuns: 300 },
    );
  });

  it('segments never exceed the worst case and remaining is within the segment size', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => {
        const s = smsSegments(text);
        const per = s.encoding === 'GSM-7' ? 153 : 67;
        expect(s.remaining).toBeGreaterThanOrEqual(0);
        expect(s.remaining).toBeLessThanOrEqual(s.encoding === 'GSM-7' ? 160 : 70);
        if (s.segments > 1) expect(s.segments).toBeLessThanOrEqual(Math.ceil(s.units / (per - 1)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('templates escape every variable in HTML', () => {
  const t = createTemplates({
    templates: {
      x: { variables: z.object({ v: z.string().min(1) }), versions: { 1: { en: { email: { subject: 's', html: '[{{v}}]' } } } } },
    },
  });
  it('no variable can open a tag, close the attribute or start an entity that was not there', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (v) => {
        const html = t.email('x', { variables: { v } }).html as string;
        const inner = html.slice(1, -1);
        // Safe in text and in a quoted attribute: no markup, no quote, no entity we did not write.
        expect(inner).not.toMatch(/[<>"']/);
        expect(inner.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        // And nothing is lost: unescaping gives the value back.
        expect(
          inner
            .replace(/&lt;/g, '<')
            .replace(/&gt;/g, '>')
            .replace(/&quot;/g, '"')
            .replace(/&#39;/g, "'")
            .replace(/&amp;/g, '&'),
        ).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});

describe('unsubscribe tokens', () => {
  it('any single-character change to a token is refused', async () => {
    const tokens = createUnsubscribeTokens({ keys: [{ id: 'k1', secret: 'property-test-secret-of-32-bytes-or-more' }], now: () => 0 });
    const token = await tokens.create({ channel: 'email', address: 'ada@example.com', ttlSeconds: 3600 });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc019-_.'), async (i, c) => {
        fc.pre(token[i] !== c);
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        await expect(tokens.verify(mutated)).rejects.toMatchObject({ code: 'signature_invalid' });
      }),
      { numRuns: 200 },
    );
  });
});
