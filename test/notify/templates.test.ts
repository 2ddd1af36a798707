import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTemplates, escapeHtml, smsSegments } from '../../src/notify/index.js';

const booking = {
  variables: z.object({ name: z.string().min(1), start: z.string(), code: z.string().optional() }),
  versions: {
    1: { en: { email: { subject: 'Booked', text: 'Hi {{name}}' } } },
    2: {
      en: {
        email: {
          subject: 'Your class at {{ start }}',
          text: 'Hello {{name}}, see you at {{start}}.',
          html: '<p>Hello {{name}}, see you at {{start}}.</p>',
        },
        sms: { body: 'Hello {{name}}, see you at {{start}}.', maxSegments: 2 },
        push: { title: 'Booked', body: '{{start}}' },
      },
      fr: { email: { subject: 'Votre cours à {{start}}', text: 'Bonjour {{name}}' } },
      'pt-BR': { sms: { body: 'Olá {{name}}, até {{start}}.' } },
    },
  },
};
const templates = createTemplates({ templates: { booking }, defaultLocale: 'en' });

describe('templates', () => {
  it('renders the latest version, HTML-escaping only the html part', () => {
    const out = templates.email('booking', { variables: { name: 'Ada <script>alert(1)</script> & "Bob"', start: '10:00' } });
    expect(out.version).toBe(2);
    expect(out.subject).toBe('Your class at 10:00');
    expect(out.text).toBe('Hello Ada <script>alert(1)</script> & "Bob", see you at 10:00.');
    expect(out.html).toBe('<p>Hello Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bob&quot;, see you at 10:00.</p>');
  });

  it('renders an older version on request', () => {
    expect(templates.email('booking', { version: 1, variables: { name: 'Ada', start: 'x' } }).text).toBe('Hi Ada');
  });

  it('falls back fr-CA → fr → en, and per channel to the default locale', () => {
    expect(templates.email('booking', { locale: 'fr-CA', variables: { name: 'Ada', start: '10:00' } })).toMatchObject({
      locale: 'fr',
      text: 'Bonjour Ada',
    });
    expect(templates.email('booking', { locale: 'de', variables: { name: 'Ada', start: '10:00' } }).locale).toBe('en');
    expect(templates.sms('booking', { locale: 'pt_br', variables: { name: 'Ana', start: '10h' } }).body).toBe('Olá Ana, até 10h.');
    // fr has no sms: the default locale's sms content is used.
    expect(templates.sms('booking', { locale: 'fr', variables: { name: 'Ada', start: '10:00' } }).body).toBe(
      'Hello Ada, see you at 10:00.',
    );
  });

  it('a missing variable is a clear invalid_input naming it, never "Hello undefined"', () => {
    expect(() => templates.email('booking', { variables: { start: '10:00' } as never })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('name') }),
    );
    expect(() => templates.email('booking', { variables: { name: '', start: '10:00' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('a placeholder the schema does not declare is refused at construction', () => {
    expect(() =>
      createTemplates({
        templates: { t: { variables: z.object({ a: z.string() }), versions: { 1: { en: { sms: { body: 'Hi {{b}}' } } } } } },
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config', message: expect.stringContaining('{{b}}') }));
    expect(() =>
      createTemplates({ templates: { t: { variables: z.object({}), versions: { 1: { fr: { sms: { body: 'x' } } } } } } }),
    ).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('an optional variable used by a template is still required when rendering', () => {
    const t = createTemplates({
      templates: {
        otp: { variables: z.object({ code: z.string().optional() }), versions: { 1: { en: { sms: { body: 'Code {{code}}' } } } } },
      },
    });
    expect(() => t.sms('otp', { variables: {} })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('{{code}}') }),
    );
  });

  it('refuses a subject line break injected through a variable, and object values', () => {
    expect(() => templates.email('booking', { variables: { name: 'x', start: '10\r\nBcc: a@b.c' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const t = createTemplates({
      templates: { o: { variables: z.object({ a: z.any() }), versions: { 1: { en: { sms: { body: '{{a}}' } } } } } },
    });
    expect(() => t.sms('o', { variables: { a: { x: 1 } } })).toThrow(/not an object/);
  });

  it('counts SMS segments and enforces maxSegments', () => {
    const sms = templates.sms('booking', { variables: { name: 'Ada', start: '10:00' } });
    expect(sms.segments).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(() => templates.sms('booking', { variables: { name: '😀'.repeat(80), start: '10:00' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('UCS-2') }),
    );
  });

  it('variables and names are typed from the schema (wrong calls do not compile)', () => {
    // @ts-expect-error: `start` is required by the schema
    expect(() => templates.email('booking', { variables: { name: 'Ada' } })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    // @ts-expect-error: no template of that name
    expect(() => templates.sms('bookng', { variables: { name: 'Ada', start: '10:00' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    // @ts-expect-error: name must be a string
    expect(() => templates.sms('booking', { variables: { name: 42, start: '10:00' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });

  it('unknown template, version or channel is invalid_input', () => {
    expect(() => templates.email('nope' as never, { variables: {} as never })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => templates.email('booking', { version: 9, variables: { name: 'a', start: 'b' } })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const t = createTemplates({ templates: { s: { variables: z.object({}), versions: { 1: { en: { sms: { body: 'x' } } } } } } });
    expect(() => t.email('s', { variables: {} })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(Object.keys(t.render('s', { variables: {} }))).toEqual(['sms']);
  });
});

describe('smsSegments (3GPP TS 23.038)', () => {
  it.each([
    ['', 'GSM-7', 0, 1],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    ['€'.repeat(80), 'GSM-7', 160, 1], // extension characters cost two septets
    ['€'.repeat(81), 'GSM-7', 162, 2],
    ['é'.repeat(160), 'GSM-7', 160, 1], // é is in the basic table
    ['ç'.repeat(70), 'UCS-2', 70, 1], // ç (lowercase) is not, Ç is
    ['ç'.repeat(71), 'UCS-2', 71, 2],
    ['a'.repeat(134), 'GSM-7', 134, 1],
  ])('%#: %j → %s, %i units, %i segments', (text, encoding, units, segments) => {
    expect(smsSegments(text)).toMatchObject({ encoding, units, segments });
  });

  it('never splits an escape sequence or a surrogate pair', () => {
    // 152 plain + one € (2 septets) cannot fit in the first 153-septet segment with 'a' at 153.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(10)}`).segments).toBe(2);
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(153)}`).segments).toBe(3);
    // 66 units then an emoji (2 units) cannot fit in a 67-unit segment.
    expect(smsSegments(`${'ç'.repeat(66)}😀${'ç'.repeat(10)}`)).toMatchObject({ encoding: 'UCS-2', units: 78, segments: 2 });
    expect(smsSegments('😀'.repeat(35)).segments).toBe(1); // 70 units fit one segment
    expect(smsSegments('😀'.repeat(36)).segments).toBe(2); // 72 units: 33 emoji (66 units) then 3
  });

  it('lists the characters that forced UCS-2', () => {
    expect(smsSegments('Hello “quoted” 😀').nonGsmCharacters).toEqual(['“', '”', '😀']);
  });

  it('refuses a non-string with invalid_input, not a TypeError', () => {
    for (const bad of [undefined, null, 42, ['a']]) {
      expect(() => smsSegments(bad as unknown as string)).toThrow(
        expect.objectContaining({ code: 'invalid_input', details: { field: 'text' } }),
      );
    }
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters and refuses a non-string with invalid_input', () => {
    expect(escapeHtml(`<b>Ada & "Bob" 'x'</b>`)).toBe('&lt;b&gt;Ada &amp; &quot;Bob&quot; &#39;x&#39;&lt;/b&gt;');
    for (const bad of [undefined, 42, { toString: () => '<b>' }]) {
      expect(() => escapeHtml(bad as unknown as string)).toThrow(
        expect.objectContaining({ code: 'invalid_input', details: { field: 'text' } }),
      );
    }
  });
});
