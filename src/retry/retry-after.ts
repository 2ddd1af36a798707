/**
 * `Retry-After` and its relatives. RFC 9110 allows delta-seconds or an HTTP-date; Microsoft Graph
 * sends delta-seconds on 429/503/504; Azure-fronted services add `retry-after-ms` /
 * `x-ms-retry-after-ms`. Stripe sends no delay at all, only `Stripe-Should-Retry` (see classify.ts).
 */
import { IntegrationError } from '../core/errors.js';

const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAYS = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MON = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three HTTP-date forms of RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850, and asctime.
const IMF = new RegExp(`^${DAYS}, (\\d{2}) ${MON} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MON}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAYS} ${MON} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Epoch milliseconds of an HTTP-date, or `undefined` when `value` is not one.
 *
 * @example
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777000
 */
export function parseHttpDate(value: string): number | undefined {
  let m = IMF.exec(value);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850.exec(value);
  if (m) {
    // RFC 9110: a two-digit year more than 50 years in the future means the previous century.
    const yy = Number(m[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME.exec(value);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return undefined;
}

function utc(year = '', month = '', day = '', h = '', min = '', s = ''): number | undefined {
  const mon = MONTHS.indexOf(month);
  const ms = Date.UTC(Number(year), mon, Number(day.trim()), Number(h), Number(min), Number(s));
  // Reject dates that roll over (31 Feb) or out-of-range times (25:00:00).
  const d = new Date(ms);
  if (d.getUTCDate() !== Number(day.trim()) || Number(h) > 23 || Number(min) > 59 || Number(s) > 60) return undefined;
  return ms;
}

/**
 * Milliseconds to wait according to a `Retry-After` value: delta-seconds (`"120"`, fractions
 * tolerated) or an HTTP-date (relative to `now`, never negative). `undefined` when absent or not
 * understood: a garbled header from a provider is no reason to fail, the backoff still applies.
 *
 * @example
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter(response.headers.get('retry-after')); // undefined when absent
 */
export function parseRetryAfter(value: string | null | undefined, now: () => number = Date.now): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new IntegrationError('invalid_input', `parseRetryAfter: value must be a string, got ${typeof value}`, {
      details: { field: 'value' },
    });
  }
  if (typeof now !== 'function') {
    throw new IntegrationError('invalid_input', 'parseRetryAfter: now must be a function returning epoch milliseconds', {
      details: { field: 'now' },
    });
  }
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Math.ceil(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  const at = parseHttpDate(text);
  if (at === undefined) return undefined;
  return Math.max(0, at - now());
}

export type HeadersLike = Headers | { get(name: string): string | null } | Record<string, string | string[] | number | undefined | null>;

/**
 * Case-insensitive header lookup on a Fetch `Headers`, a Node header record or a plain object.
 *
 * @example
 * headerValue({ 'Retry-After': '5' }, 'retry-after'); // '5'
 */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') {
    const v = (headers as Headers).get(name);
    return v === null ? undefined : String(v);
  }
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() !== wanted || v === undefined || v === null) continue;
    return Array.isArray(v) ? (v[0] === undefined ? undefined : String(v[0])) : String(v);
  }
  return undefined;
}

/**
 * The delay a response's headers ask for: `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds)
 * win over `Retry-After` (seconds or HTTP-date). `undefined` when none is present or readable.
 *
 * @example
 * retryAfterFromHeaders(new Headers({ 'retry-after': '2' })); // 2000
 */
export function retryAfterFromHeaders(headers: unknown, now: () => number = Date.now): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = headerValue(headers, name)?.trim();
    if (v && /^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v));
  }
  return parseRetryAfter(headerValue(headers, 'retry-after') ?? null, now);
}
