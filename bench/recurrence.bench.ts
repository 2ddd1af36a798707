/**
 * Expanding a one-month window: ours against plain rrule `between()` on the same rule in the same
 * run (rrule on fake-UTC dates, no tzid, which is the cheapest correct use of rrule there is).
 * (a) daily, started 20 years ago: target ≥ 50× faster (skip-ahead);
 * (b) weekly MO,WE,FR in America/New_York, started 3 years ago: no slower;
 * (c) monthly last Friday: no slower.
 */

import { expandRecurrence } from '../src/recurrence/index.js';
import { RRule } from '../src/recurrence/rrule-lib.js';
import { measure, report } from './harness.js';

const window = { from: '2026-03-01T00:00:00-05:00', to: '2026-04-01T00:00:00-04:00' };
const after = new Date(Date.UTC(2026, 2, 1));
const before = new Date(Date.UTC(2026, 3, 1));

const cases = [
  {
    title: '(a) daily, started 20 years ago (target: ours ≥ 50× faster)',
    series: { rrule: 'RRULE:FREQ=DAILY', start: { dateTime: '2006-03-01T09:00:00', timeZone: 'America/New_York' } },
    rrule: () => new RRule({ freq: RRule.DAILY, dtstart: new Date(Date.UTC(2006, 2, 1, 9)) }),
  },
  {
    title: '(b) weekly MO,WE,FR in America/New_York, started 3 years ago (target: no slower)',
    series: { rrule: 'RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR', start: { dateTime: '2023-03-01T09:00:00', timeZone: 'America/New_York' } },
    rrule: () => new RRule({ freq: RRule.WEEKLY, byweekday: [RRule.MO, RRule.WE, RRule.FR], dtstart: new Date(Date.UTC(2023, 2, 1, 9)) }),
  },
  {
    title: '(c) monthly on the last Friday, started 3 years ago (target: no slower)',
    series: { rrule: 'RRULE:FREQ=MONTHLY;BYDAY=-1FR', start: { dateTime: '2023-03-31T09:00:00', timeZone: 'America/New_York' } },
    rrule: () => new RRule({ freq: RRule.MONTHLY, byweekday: [RRule.FR.nth(-1)], dtstart: new Date(Date.UTC(2023, 2, 31, 9)) }),
  },
];

for (const c of cases) {
  // A new RRule per call: rrule caches results per instance, and a host expanding a different
  // series or window each request gets no benefit from that cache.
  const anchor = await measure('rrule between() (new RRule each call)', () => c.rrule().between(after, before, true), { batch: 5 });
  const ours = await measure('expandRecurrence', () => expandRecurrence(c.series, window), { batch: 20 });
  report(c.title, anchor, [ours]);
  console.log(
    `\nspeed-up: ${(anchor.medianMicros / ours.medianMicros).toFixed(1)}× (occurrences: ${expandRecurrence(c.series, window).length})`,
  );
}
