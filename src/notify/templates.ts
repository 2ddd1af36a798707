/**
 * Named, versioned templates with typed variables (a zod schema), per-locale variants with a
 * fallback locale, HTML + text for email, and length-aware SMS.
 *
 * Placeholders are `{{ name }}` or `{{ booking.start }}`. In `html` every value is HTML-escaped;
 * there is no raw form, so a customer's name can never inject markup. A placeholder whose value is
 * missing is an `invalid_input` naming it, never "Hello undefined"; a placeholder the schema does
 * not declare is caught at `createTemplates` (`invalid_config`), before anything is sent.
 */
import { z } from 'zod';
import { IntegrationError } from '../core/errors.js';
import { type SmsSegments, smsSegments } from './sms-segments.js';
import type { Channel } from './types.js';

/** A template's email: subject, and text, HTML or both, with `{{ placeholders }}`. */
export interface EmailContent {
  /** One line after rendering; a variable that adds a line break is `invalid_input`. */
  subject: string;
  /** The plain-text body. */
  text?: string;
  /** The HTML body; every placeholder value is HTML-escaped. */
  html?: string;
}
/** A template's SMS text. */
export interface SmsContent {
  /** The text, with `{{ placeholders }}`. */
  body: string;
  /** Refuse to render more segments than this (each costs a message). */
  maxSegments?: number;
}
/** A template's push title and text. */
export interface PushContent {
  /** The notification's title. */
  title?: string;
  /** The notification's text. */
  body?: string;
}
/** One locale's content of one template version, per channel. */
export interface LocaleContent {
  /** Email content. */
  email?: EmailContent;
  /** SMS content. */
  sms?: SmsContent;
  /** Push content. */
  push?: PushContent;
}

/** One named template: the zod schema of its variables, and its content by version and locale. */
export interface TemplateDefinition<S extends z.ZodType = z.ZodType> {
  /** The variables' schema; a `z.object` also lets `createTemplates` check every placeholder is declared. */
  variables: S;
  /** Content by version number, then by locale (`en`, `fr`, `pt-BR`). The highest version renders by default. */
  versions: Record<number, Record<string, LocaleContent>>;
}

/** What to render a template with. */
export interface RenderOptions<V> {
  /** The values, checked against the template's schema. */
  variables: V;
  /** BCP 47; falls back `pt-BR` → `pt` → the default locale. */
  locale?: string;
  /** Default: the highest version. */
  version?: number;
}

/** Which template, version and locale produced a rendering. */
export interface Rendered {
  /** The template's name. */
  template: string;
  /** The version rendered. */
  version: number;
  /** The locale actually used after fallback. */
  locale: string;
}
/** A rendered email (subject, text, html) with the template, version and locale used. */
export type RenderedEmail = Rendered & EmailContent;
/** A rendered SMS body with its segment count, and the template, version and locale used. */
export type RenderedSms = Rendered & { body: string; segments: SmsSegments };
/** A rendered push title and text with the template, version and locale used. */
export type RenderedPush = Rendered & PushContent;

/**
 * Renders the templates given to `createTemplates`, typed by their variables. Every method throws
 * `invalid_input` for an unknown name or version, bad or missing variables, or (for `email`, `sms`,
 * `push`) a template without that channel.
 */
export interface Templates<D extends Record<string, TemplateDefinition>> {
  /** Render the email of template `name`. */
  email<N extends keyof D & string>(name: N, options: RenderOptions<z.input<D[N]['variables']>>): RenderedEmail;
  /** Render the SMS of template `name`; over the template's `maxSegments` is `invalid_input`. */
  sms<N extends keyof D & string>(name: N, options: RenderOptions<z.input<D[N]['variables']>>): RenderedSms;
  /** Render the push of template `name`. */
  push<N extends keyof D & string>(name: N, options: RenderOptions<z.input<D[N]['variables']>>): RenderedPush;
  /** Every channel the template has content for (after locale fallback), ready for `fallback().send`. */
  render<N extends keyof D & string>(
    name: N,
    options: RenderOptions<z.input<D[N]['variables']>>,
  ): { email?: RenderedEmail; sms?: RenderedSms; push?: RenderedPush };
}

/** Options of `createTemplates`. */
export interface TemplatesOptions<D> {
  /** The templates by name. */
  templates: D;
  /** The locale every template must have. Default `en`. */
  defaultLocale?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escape `& < > " '` for HTML text and attribute values. Templates do this for every value in
 * `html`; use it for HTML you assemble yourself.
 *
 * @example
 * escapeHtml('<b>Ada & "Bob"</b>'); // '&lt;b&gt;Ada &amp; &quot;Bob&quot;&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  if (typeof text !== 'string')
    throw new IntegrationError('invalid_input', 'escapeHtml: text must be a string', { details: { field: 'text' } });
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

function configError(message: string, field: string): IntegrationError {
  return new IntegrationError('invalid_config', `createTemplates: ${message}`, { details: { field } });
}

/**
 * Named, versioned templates with typed variables (zod), per-locale variants with fallback
 * (`pt-BR` → `pt` → `defaultLocale`), HTML-escaped values in `html`, and SMS segment counts. A
 * version without the default locale, a non-string part, or a placeholder the schema does not
 * declare is `invalid_config` here, before anything is sent.
 *
 * @example
 * const templates = createTemplates({
 *   templates: {
 *     'booking-confirmed': {
 *       variables: z.object({ name: z.string(), start: z.string() }),
 *       versions: { 1: { en: { email: { subject: 'Booked for {{start}}', text: 'Hi {{name}}' }, sms: { body: 'Booked for {{start}}' } } } },
 *     },
 *   },
 * });
 * const { email, sms } = templates.render('booking-confirmed', { locale: 'en-GB', variables: { name: 'Ada', start: '10:00' } });
 */
export function createTemplates<const D extends Record<string, TemplateDefinition>>(options: TemplatesOptions<D>): Templates<D> {
  const defaultLocale = (options?.defaultLocale ?? 'en').toLowerCase();
  const definitions = options?.templates;
  if (typeof definitions !== 'object' || definitions === null)
    throw configError('templates must be an object of named templates', 'templates');
  for (const [name, def] of Object.entries(definitions)) {
    if (!(def.variables instanceof z.ZodType)) throw configError(`${name}.variables must be a zod schema`, `${name}.variables`);
    const declared = def.variables instanceof z.ZodObject ? new Set(Object.keys(def.variables.shape)) : undefined;
    const versions = Object.keys(def.versions ?? {});
    if (versions.length === 0) throw configError(`${name} has no versions`, `${name}.versions`);
    for (const v of versions) {
      if (!/^[1-9]\d*$/.test(v)) throw configError(`${name}: version keys must be positive integers`, `${name}.versions`);
      const locales = Object.keys(def.versions[Number(v)] ?? {}).map((l) => l.toLowerCase());
      if (!locales.includes(defaultLocale))
        throw configError(`${name} v${v} has no ${defaultLocale} content (the default locale)`, `${name}.versions.${v}`);
      for (const [locale, content] of Object.entries(def.versions[Number(v)] ?? {})) {
        for (const [channel, parts] of Object.entries(content)) {
          for (const [part, text] of Object.entries(parts as Record<string, unknown>)) {
            if (part === 'maxSegments') continue;
            if (typeof text !== 'string')
              throw configError(
                `${name} v${v} ${locale} ${channel}.${part} must be a string`,
                `${name}.versions.${v}.${locale}.${channel}.${part}`,
              );
            for (const m of text.matchAll(PLACEHOLDER)) {
              const root = (m[1] as string).split('.')[0] as string;
              if (declared && !declared.has(root)) {
                throw configError(
                  `${name} v${v} ${locale} ${channel}.${part} uses {{${m[1]}}}, which the variables schema does not declare`,
                  `${name}.variables`,
                );
              }
            }
          }
        }
      }
    }
  }

  const pick = (name: string, options: RenderOptions<unknown>) => {
    const def = (definitions as Record<string, TemplateDefinition>)[name];
    if (!def) throw new IntegrationError('invalid_input', `no template named ${JSON.stringify(name)}`, { details: { field: 'name' } });
    const version = options?.version ?? Math.max(...Object.keys(def.versions).map(Number));
    const byLocale = def.versions[version];
    if (!byLocale)
      throw new IntegrationError('invalid_input', `template ${name} has no version ${version}`, { details: { field: 'version' } });
    const parsed = def.variables.safeParse(options?.variables);
    if (!parsed.success) {
      // Names of the bad fields only: values may be personal data.
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))];
      throw new IntegrationError('invalid_input', `template ${name} v${version}: missing or invalid variables: ${fields.join(', ')}`, {
        details: { field: 'variables', variables: fields },
      });
    }
    const candidates = localeChain(options?.locale, defaultLocale);
    const locales = Object.keys(byLocale);
    let locale = defaultLocale;
    for (const c of candidates) {
      const hit = locales.find((l) => l.toLowerCase() === c);
      if (hit) {
        locale = hit;
        break;
      }
    }
    const content = byLocale[locale] ?? (byLocale[locales.find((l) => l.toLowerCase() === defaultLocale) as string] as LocaleContent);
    return { name, version, locale, content, vars: parsed.data, def };
  };

  const fill = (text: string, vars: unknown, html: boolean, where: string): string =>
    text.replace(PLACEHOLDER, (_, path: string) => {
      let value: unknown = vars;
      for (const part of path.split('.'))
        value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
      if (value === undefined || value === null || value === '') {
        throw new IntegrationError('invalid_input', `${where} needs {{${path}}} but no value was given`, {
          details: { field: 'variables', variable: path },
        });
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') {
        throw new IntegrationError('invalid_input', `${where}: {{${path}}} must be a string or a number, not an object`, {
          details: { field: 'variables', variable: path },
        });
      }
      const s = String(value);
      return html ? escapeHtml(s) : s;
    });

  const forChannel = (p: ReturnType<typeof pick>, channel: Channel, required: boolean) => {
    const c = p.content[channel] ?? fallbackContent(p, channel);
    if (!c && required)
      throw new IntegrationError('invalid_input', `template ${p.name} v${p.version} has no ${channel} content`, {
        details: { field: 'channel' },
      });
    return c;
  };
  // A locale variant without this channel falls back to the default locale's content for it.
  const fallbackContent = (p: ReturnType<typeof pick>, channel: Channel) => {
    const byLocale = p.def.versions[p.version] ?? {};
    const key = Object.keys(byLocale).find((l) => l.toLowerCase() === defaultLocale);
    return key ? byLocale[key]?.[channel] : undefined;
  };
  const base = (p: ReturnType<typeof pick>): Rendered => ({ template: p.name, version: p.version, locale: p.locale });
  const where = (p: ReturnType<typeof pick>, part: string) => `template ${p.name} v${p.version} (${p.locale}) ${part}`;

  const email = (p: ReturnType<typeof pick>, c: EmailContent): RenderedEmail => {
    const subject = fill(c.subject, p.vars, false, where(p, 'email.subject'));
    if (/[\r\n]/.test(subject))
      throw new IntegrationError('invalid_input', `${where(p, 'email.subject')}: a variable put a line break in the subject`, {
        details: { field: 'variables' },
      });
    const out: RenderedEmail = { ...base(p), subject };
    if (c.text !== undefined) out.text = fill(c.text, p.vars, false, where(p, 'email.text'));
    if (c.html !== undefined) out.html = fill(c.html, p.vars, true, where(p, 'email.html'));
    return out;
  };
  const sms = (p: ReturnType<typeof pick>, c: SmsContent): RenderedSms => {
    const body = fill(c.body, p.vars, false, where(p, 'sms.body'));
    const segments = smsSegments(body);
    if (c.maxSegments !== undefined && segments.segments > c.maxSegments) {
      throw new IntegrationError(
        'invalid_input',
        `${where(p, 'sms.body')} renders to ${segments.segments} ${segments.encoding} segments, over maxSegments ${c.maxSegments}`,
        {
          details: { field: 'variables', segments: segments.segments, encoding: segments.encoding },
        },
      );
    }
    return { ...base(p), body, segments };
  };
  const push = (p: ReturnType<typeof pick>, c: PushContent): RenderedPush => {
    const out: RenderedPush = base(p);
    if (c.title !== undefined) out.title = fill(c.title, p.vars, false, where(p, 'push.title'));
    if (c.body !== undefined) out.body = fill(c.body, p.vars, false, where(p, 'push.body'));
    return out;
  };

  return {
    email(name, o) {
      const p = pick(name, o);
      return email(p, forChannel(p, 'email', true) as EmailContent);
    },
    sms(name, o) {
      const p = pick(name, o);
      return sms(p, forChannel(p, 'sms', true) as SmsContent);
    },
    push(name, o) {
      const p = pick(name, o);
      return push(p, forChannel(p, 'push', true) as PushContent);
    },
    render(name, o) {
      const p = pick(name, o);
      const out: { email?: RenderedEmail; sms?: RenderedSms; push?: RenderedPush } = {};
      const e = forChannel(p, 'email', false) as EmailContent | undefined;
      const s = forChannel(p, 'sms', false) as SmsContent | undefined;
      const u = forChannel(p, 'push', false) as PushContent | undefined;
      if (e) out.email = email(p, e);
      if (s) out.sms = sms(p, s);
      if (u) out.push = push(p, u);
      return out;
    },
  };
}

function localeChain(requested: string | undefined, defaultLocale: string): string[] {
  const chain: string[] = [];
  if (typeof requested === 'string' && requested.length > 0) {
    const parts = requested.toLowerCase().replace(/_/g, '-').split('-');
    for (let i = parts.length; i > 0; i--) chain.push(parts.slice(0, i).join('-'));
  }
  chain.push(defaultLocale);
  return chain;
}
