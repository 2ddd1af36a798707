/**
 * VTIMEZONE components generated from the runtime's IANA data (Intl), because RFC 5545 requires
 * one for every TZID a resource uses and ical.js ships no zone database. Each offset change in the
 * covered years becomes its own STANDARD/DAYLIGHT observance with an explicit DTSTART: no RRULE
 * guessing, so historical rule changes come out exactly as the runtime knows them.
 */
import ICAL from 'ical.js';
import { toLocal } from '../../time/index.js';

const HOUR = 3_600_000;

/** Offset of `zone` from UTC at `epochMs`, in minutes. */
export function offsetMinutes(zone: string, epochMs: number): number {
  const local = toLocal(new Date(epochMs).toISOString(), zone).dateTime;
  return Math.round((Date.parse(`${local.slice(0, 19)}Z`) - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/** The instants (epoch ms, to the minute) in `[from, to)` at which `zone` changes its offset. */
function transitions(zone: string, from: number, to: number): { at: number; before: number; after: number }[] {
  const out: { at: number; before: number; after: number }[] = [];
  // Hourly probing is cheap (about 9k Intl calls a year) and finds every real transition: no
  // zone has changed its offset twice within an hour.
  const step = 6 * HOUR;
  let prev = offsetMinutes(zone, from);
  for (let t = from + step; t <= to; t += step) {
    const cur = offsetMinutes(zone, t);
    if (cur === prev) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (offsetMinutes(zone, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: cur });
    prev = cur;
  }
  return out;
}

/**
 * A VTIMEZONE for `zone` covering `[fromYear, toYear]`. A zone without transitions in the range
 * gets a single STANDARD observance at its fixed offset.
 */
export function buildVtimezone(zone: string, fromYear: number, toYear: number): ICAL.Component {
  // Probing a zone costs tens of milliseconds for a ten-year span: a process builds each once.
  const key = `${zone}|${fromYear}|${toYear}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = generate(zone, fromYear, toYear).toString();
    if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
    cache.set(key, text);
  }
  return new ICAL.Component(ICAL.parse(text));
}

const cache = new Map<string, string>();

function generate(zone: string, fromYear: number, toYear: number): ICAL.Component {
  const vtz = new ICAL.Component('vtimezone');
  vtz.addPropertyWithValue('tzid', zone);
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear + 1, 0, 1);
  const changes = transitions(zone, from, to);
  const start = offsetMinutes(zone, from);
  const january = offsetMinutes(zone, Date.UTC(fromYear, 0, 15));
  const july = offsetMinutes(zone, Date.UTC(fromYear, 6, 15));
  const standardOffset = Math.min(january, july);
  const observance = (kind: 'standard' | 'daylight', at: number, fromOff: number, toOff: number) => {
    const c = new ICAL.Component(kind);
    const local = toLocal(new Date(at).toISOString(), zone).dateTime.slice(0, 19);
    // DTSTART of an observance is the local time in the offset that was in effect before it.
    const wall = new Date(at + fromOff * 60_000).toISOString().slice(0, 19);
    c.addPropertyWithValue('dtstart', ICAL.Time.fromDateTimeString(changes.length === 0 ? local : wall));
    c.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(fromOff * 60));
    c.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(toOff * 60));
    vtz.addSubcomponent(c);
  };
  if (changes.length === 0) {
    observance('standard', from, start, start);
    return vtz;
  }
  observance(start > standardOffset ? 'daylight' : 'standard', from, start, start);
  for (const ch of changes) observance(ch.after > standardOffset ? 'daylight' : 'standard', ch.at, ch.before, ch.after);
  return vtz;
}
