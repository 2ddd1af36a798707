/**
 * A human sentence for a rule: "Every 2 weeks on Monday, Wednesday and Friday, 10 times".
 * English only for now; other locales throw `unsupported` rather than return English mislabelled
 * as, say, German. Every RRULE part is described (none silently dropped).
 */
import { IntegrationError } from '../core/errors.js';
import { parseRrule } from './parse.js';
import type { ByDay, RecurrenceRule, Weekday } from './types.js';

const DAY: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const UNIT: Record<RecurrenceRule['freq'], string> = {
  YEARLY: 'year',
  MONTHLY: 'month',
  WEEKLY: 'week',
  DAILY: 'day',
  HOURLY: 'hour',
  MINUTELY: 'minute',
  SECONDLY: 'second',
};
const ORDINAL_WORDS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

function ordinal(n: number): string {
  if (n > 0) {
    if (n <= 5) return ORDINAL_WORDS[n]!;
    const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
    return `${n}${s}`;
  }
  if (n === -1) return 'last';
  return `${ordinal(-n)}-to-last`;
}

function dayOfMonth(n: number): string {
  if (n === -1) return 'the last day';
  if (n < 0) return `the ${ordinal(n)} day`;
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `the ${n}${s}`;
}

function join(items: string[], last = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

function weekdays(list: ByDay[], last = 'and'): string {
  const plain = list.map((d) => d.weekday);
  if (
    list.every((d) => d.n === undefined) &&
    plain.length === 5 &&
    ['MO', 'TU', 'WE', 'TH', 'FR'].every((d) => plain.includes(d as Weekday))
  ) {
    return 'weekdays';
  }
  return join(
    list.map((d) => (d.n === undefined ? DAY[d.weekday] : `the ${ordinal(d.n)} ${DAY[d.weekday]}`)),
    last,
  );
}

function untilText(until: string): string {
  const y = Number(until.slice(0, 4));
  const m = Number(until.slice(4, 6));
  const d = Number(until.slice(6, 8));
  const time = until.length > 8 ? ` ${until.slice(9, 11)}:${until.slice(11, 13)}${until.endsWith('Z') ? ' UTC' : ''}` : '';
  return `until ${MONTHS[m - 1]} ${d}, ${y}${time}`;
}

/**
 * Describe a rule (`RRULE:…` or `FREQ=…`) in plain language.
 *
 * @example
 * describeRecurrence('RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10'); // 'Every week on Monday and Wednesday, 10 times'
 */
export function describeRecurrence(rrule: string, locale = 'en'): string {
  if (typeof locale !== 'string' || !/^en(?:-|$)/i.test(locale)) {
    throw new IntegrationError(
      'unsupported',
      `describeRecurrence supports English (en, en-*) only, not ${JSON.stringify(String(locale))}`,
      {
        details: { field: 'locale' },
      },
    );
  }
  const rule = parseRrule(rrule);
  const interval = rule.interval ?? 1;
  const unit = UNIT[rule.freq];
  const parts: string[] = [interval === 1 ? `Every ${unit}` : `Every ${interval} ${unit}s`];

  if (rule.byDay && rule.bySetPos) {
    parts.push(`on the ${join(rule.bySetPos.map(ordinal))} of ${weekdays(rule.byDay, 'or')}`.replace('of weekdays', 'weekday'));
  } else if (rule.byDay) {
    parts.push(`on ${weekdays(rule.byDay)}`);
  }
  if (rule.byMonthDay) {
    const days = `${join(rule.byMonthDay.map(dayOfMonth))}`;
    if (rule.bySetPos && !rule.byDay) parts.push(`on the ${join(rule.bySetPos.map(ordinal))} of ${days}`);
    else parts.push(rule.byDay ? `when it is ${days}` : `on ${days}`);
  } else if (rule.bySetPos && !rule.byDay) {
    parts.push(`on the ${join(rule.bySetPos.map(ordinal))} match`);
  }
  if (rule.byYearDay) parts.push(`on day ${join(rule.byYearDay.map((n) => (n < 0 ? ordinal(n) : String(n))))} of the year`);
  if (rule.byWeekNo) parts.push(`in week ${join(rule.byWeekNo.map(String))}`);
  if (rule.byMonth) parts.push(`in ${join(rule.byMonth.map((m) => MONTHS[m - 1]!))}`);
  if (rule.byHour || rule.byMinute || rule.bySecond) {
    const hours = rule.byHour ? `hour ${join(rule.byHour.map(String))}` : undefined;
    const minutes = rule.byMinute ? `minute ${join(rule.byMinute.map(String))}` : undefined;
    const seconds = rule.bySecond ? `second ${join(rule.bySecond.map(String))}` : undefined;
    parts.push(`at ${join([hours, minutes, seconds].filter((x): x is string => x !== undefined))}`);
  }
  if (rule.wkst && rule.freq === 'WEEKLY' && interval > 1) parts.push(`(weeks start on ${DAY[rule.wkst]})`);
  let sentence = parts.join(' ');
  if (rule.count !== undefined) sentence += rule.count === 1 ? ', once' : `, ${rule.count} times`;
  if (rule.until !== undefined) sentence += `, ${untilText(rule.until)}`;
  return sentence;
}
