/** The IANA zone named by a `calendar-timezone` property (a VCALENDAR with one VTIMEZONE). */
import { isValidTimeZone } from '../../time/index.js';

export function parseIcalTimezone(text: string): string | undefined {
  const tzid = /^TZID:(.+)$/m.exec(text.replace(/\r\n[ \t]/g, ''))?.[1]?.trim();
  return tzid && isValidTimeZone(tzid) ? tzid : undefined;
}
