/**
 * RRULE / EXDATE / RDATE lines: parse with errors that name the bad part, serialize in a canonical
 * order. We parse ourselves rather than through rrule's `rrulestr`, which accepts garbage silently
 * (`FREQ=WEEKLY;BYDAY=XX` becomes a rule with no BYDAY) and whose `toString()` adds a DTSTART line
 * Google rejects.
 */
import { IntegrationError } from '../core/errors.js';
import { FREQUENCIES, type Frequency, type RecurrenceRule, WEEKDAYS, type Weekday } from './types.js';

function bad(part: string, why: string, value?: string): never {
  const shown = value === undefined ? '' : ` (${JSON.stringify(value.slice(0, 60))})`;
  throw new IntegrationError('invalid_input', `RRULE ${part}${shown}: ${why}`, { details: { field: 'rrule', part } });
}

const INT_LIST: Record<string, { key: keyof RecurrenceRule; min: number; max: number; signed: boolean }> = {
  BYMONTH: { key: 'byMonth', min: 1, max: 12, signed: false },
  BYMONTHDAY: { key: 'byMonthDay', min: 1, max: 31, signed: true },
  BYYEARDAY: { key: 'byYearDay', min: 1, max: 366, signed: true },
  BYWEEKNO: { key: 'byWeekNo', min: 1, max: 53, signed: true },
  BYHOUR: { key: 'byHour', min: 0, max: 23, signed: false },
  BYMINUTE: { key: 'byMinute', min: 0, max: 59, signed: false },
  BYSECOND: { key: 'bySecond', min: 0, max: 59, signed: false },
  BYSETPOS: { key: 'bySetPos', min: 1, max: 366, signed: true },
};

function intList(name: string, raw: string): number[] {
  const spec = INT_LIST[name]!;
  const out: number[] = [];
  for (const item of raw.split(',')) {
    if (!/^[+-]?\d{1,3}$/.test(item)) bad(name, 'expected a comma-separated list of integers', raw);
    const n = Number(item);
    const abs = Math.abs(n);
    if ((!spec.signed && n < 0) || abs < spec.min || abs > spec.max || (spec.signed && n === 0)) {
      bad(name, `${item} is out of range (${spec.signed ? '±' : ''}${spec.min}…${spec.max})`, raw);
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function positiveInt(name: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) bad(name, 'expected a positive integer', raw);
  return Number(raw);
}

/**
 * Parse one rule: `RRULE:FREQ=…`, `FREQ=…`. Throws `invalid_input` naming the offending part.
 *
 * @example
 * parseRrule('FREQ=MONTHLY;BYDAY=-1FR'); // { freq: 'MONTHLY', byDay: [{ weekday: 'FR', n: -1 }] }
 */
export function parseRrule(input: string): RecurrenceRule {
  if (typeof input !== 'string') bad('input', 'expected a string');
  let text = input.trim();
  if (/^RRULE:/i.test(text)) text = text.slice(6);
  if (text.includes('\n')) bad('input', 'expected one RRULE line; pass EXDATE/RDATE lines separately', text);
  if (text.length === 0) bad('FREQ', 'the rule is empty');
  const seen = new Set<string>();
  const rule: Partial<RecurrenceRule> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) bad(part || '(empty part)', 'expected NAME=VALUE');
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1);
    if (seen.has(name)) bad(name, 'appears twice');
    seen.add(name);
    if (value.length === 0) bad(name, 'has no value');
    switch (name) {
      case 'FREQ': {
        const f = value.toUpperCase();
        if (!(FREQUENCIES as readonly string[]).includes(f)) bad('FREQ', `expected one of ${FREQUENCIES.join(', ')}`, value);
        rule.freq = f as Frequency;
        break;
      }
      case 'INTERVAL':
        rule.interval = positiveInt(name, value);
        break;
      case 'COUNT':
        rule.count = positiveInt(name, value);
        break;
      case 'UNTIL':
        if (!/^\d{8}(?:T\d{6}Z?)?$/i.test(value)) bad('UNTIL', 'expected YYYYMMDD or YYYYMMDDTHHMMSS[Z]', value);
        rule.until = value.toUpperCase();
        break;
      case 'WKST': {
        const w = value.toUpperCase();
        if (!(WEEKDAYS as readonly string[]).includes(w)) bad('WKST', 'expected a weekday (MO…SU)', value);
        rule.wkst = w as Weekday;
        break;
      }
      case 'BYDAY':
        rule.byDay = value.split(',').map((item) => {
          const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/i.exec(item);
          if (!m) bad('BYDAY', `${item || '(empty)'} is not a weekday like MO or -1FR`, value);
          if (m[1] === undefined) return { weekday: m[2]!.toUpperCase() as Weekday };
          const n = Number(m[1]);
          if (n === 0 || Math.abs(n) > 53) bad('BYDAY', `${item}: the ordinal must be ±1…±53`, value);
          return { weekday: m[2]!.toUpperCase() as Weekday, n };
        });
        break;
      default:
        if (Object.hasOwn(INT_LIST, name)) {
          (rule as Record<string, unknown>)[INT_LIST[name]!.key] = intList(name, value);
        } else if (name.startsWith('X-')) {
          // RFC 5545 lets producers add x-names; they carry no recurrence semantics for us.
        } else if (name === 'RSCALE' || name === 'SKIP') {
          throw new IntegrationError('unsupported', `RRULE ${name} (RFC 7529 non-Gregorian rules) is not supported`, {
            details: { field: 'rrule', part: name },
          });
        } else {
          bad(name, 'is not an RRULE part');
        }
    }
  }
  if (rule.freq === undefined) bad('FREQ', 'is required');
  if (rule.count !== undefined && rule.until !== undefined) bad('COUNT', 'COUNT and UNTIL cannot both be set (RFC 5545 §3.3.10)');
  if (rule.byWeekNo && rule.freq !== 'YEARLY') bad('BYWEEKNO', 'is only valid with FREQ=YEARLY');
  if (rule.byYearDay && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(rule.freq)) bad('BYYEARDAY', `is not valid with FREQ=${rule.freq}`);
  if (rule.byMonthDay && rule.freq === 'WEEKLY') bad('BYMONTHDAY', 'is not valid with FREQ=WEEKLY');
  if (rule.byDay?.some((d) => d.n !== undefined) && rule.freq !== 'MONTHLY' && rule.freq !== 'YEARLY') {
    bad('BYDAY', `an ordinal weekday (like 1MO) needs FREQ=MONTHLY or YEARLY, not ${rule.freq}`);
  }
  if (rule.byDay?.some((d) => d.n !== undefined) && rule.freq === 'YEARLY' && rule.byWeekNo) {
    bad('BYDAY', 'an ordinal weekday cannot be combined with BYWEEKNO');
  }
  if (rule.bySetPos) {
    const others = ['byDay', 'byMonth', 'byMonthDay', 'byYearDay', 'byWeekNo', 'byHour', 'byMinute', 'bySecond'] as const;
    if (!others.some((k) => rule[k] !== undefined)) bad('BYSETPOS', 'needs another BYxxx part to select from');
  }
  return rule as RecurrenceRule;
}

/**
 * Serialize to `RRULE:…` in a stable order (FREQ first, as Google writes it). Never emits DTSTART.
 *
 * @example
 * serializeRrule({ freq: 'MONTHLY', byDay: [{ weekday: 'FR', n: -1 }] }); // 'RRULE:FREQ=MONTHLY;BYDAY=-1FR'
 */
export function serializeRrule(rule: RecurrenceRule): string {
  const parts: string[] = [`FREQ=${rule.freq}`];
  if (rule.interval !== undefined && rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== undefined) parts.push(`COUNT=${rule.count}`);
  if (rule.until !== undefined) parts.push(`UNTIL=${rule.until}`);
  if (rule.bySetPos) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.byMonth) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.byWeekNo) parts.push(`BYWEEKNO=${rule.byWeekNo.join(',')}`);
  if (rule.byYearDay) parts.push(`BYYEARDAY=${rule.byYearDay.join(',')}`);
  if (rule.byMonthDay) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byDay) parts.push(`BYDAY=${rule.byDay.map((d) => `${d.n ?? ''}${d.weekday}`).join(',')}`);
  if (rule.byHour) parts.push(`BYHOUR=${rule.byHour.join(',')}`);
  if (rule.byMinute) parts.push(`BYMINUTE=${rule.byMinute.join(',')}`);
  if (rule.bySecond) parts.push(`BYSECOND=${rule.bySecond.join(',')}`);
  if (rule.wkst !== undefined) parts.push(`WKST=${rule.wkst}`);
  return `RRULE:${parts.join(';')}`;
}

/** The lines of a recurrence, split by kind (Google `recurrence[]`, a VEVENT's lines, rrule's `toString()`). */
export interface RecurrenceLines {
  rrule: string;
  exdates: string[];
  rdates: string[];
}

/**
 * Split recurrence lines (an array, or one string with newlines) into the RRULE and EXDATE/RDATE
 * lists. DTSTART lines are dropped: the start lives in the event, and Google rejects a
 * `recurrence[]` that contains one. More than one RRULE is `unsupported` (deprecated by RFC 5545).
 *
 * @example
 * parseRecurrenceLines(['DTSTART:20260105T090000Z', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE:20260107T090000Z']);
 * // { rrule: 'RRULE:FREQ=DAILY;COUNT=5', exdates: ['EXDATE:20260107T090000Z'], rdates: [] }
 */
export function parseRecurrenceLines(lines: string | readonly string[]): RecurrenceLines {
  const all = (typeof lines === 'string' ? [lines] : [...lines]).flatMap((l) => l.split(/\r?\n/)).map((l) => l.trim());
  const out: RecurrenceLines = { rrule: '', exdates: [], rdates: [] };
  for (const line of all) {
    if (line === '') continue;
    const name = /^[A-Za-z-]+/.exec(line)?.[0].toUpperCase();
    if (name === 'DTSTART') continue;
    if (name === 'RRULE' || name === 'FREQ') {
      if (out.rrule)
        throw new IntegrationError('unsupported', 'more than one RRULE in a recurrence is not supported', { details: { field: 'rrule' } });
      out.rrule = serializeRrule(parseRrule(line));
    } else if (name === 'EXDATE') out.exdates.push(line);
    else if (name === 'RDATE') out.rdates.push(line);
    else if (name === 'EXRULE')
      throw new IntegrationError('unsupported', 'EXRULE (deprecated by RFC 5545) is not supported', { details: { field: 'rrule' } });
    else
      throw new IntegrationError('invalid_input', `unknown recurrence line ${JSON.stringify(line.slice(0, 40))}`, {
        details: { field: 'recurrence' },
      });
  }
  if (!out.rrule) throw new IntegrationError('invalid_input', 'the recurrence has no RRULE line', { details: { field: 'rrule' } });
  return out;
}

/**
 * Google Calendar's `recurrence[]` for a rule plus EXDATE/RDATE lines, with any DTSTART removed
 * (rrule's `RRule#toString()` prepends `DTSTART:…`, and Google answers 400 to it).
 *
 * @example
 * toGoogleRecurrence(new RRule({ freq: RRule.DAILY, count: 5, dtstart }).toString()); // ['RRULE:FREQ=DAILY;COUNT=5']
 */
export function toGoogleRecurrence(lines: string | readonly string[]): string[] {
  const parsed = parseRecurrenceLines(lines);
  return [parsed.rrule, ...parsed.exdates, ...parsed.rdates];
}
