/** findConflicts and mergeFreeBusy: instants across zones, all-day, tentative, transparent, declined, bad input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CalendarEvent, findConflicts, mergeFreeBusy } from '../../src/calendar/index.js';
import { IntegrationError } from '../../src/index.js';

let n = 0;
function event(partial: Partial<CalendarEvent> & Pick<CalendarEvent, 'start' | 'end'>): CalendarEvent {
  return { id: `e${++n}`, calendarId: 'c', etag: '"1"', attendees: [], status: 'confirmed', transparency: 'opaque', ...partial };
}
const la = (d: string, h: string) => ({ dateTime: `${d}T${h}:00`, timeZone: 'America/Los_Angeles' });
const london = (d: string, h: string) => ({ dateTime: `${d}T${h}:00`, timeZone: 'Europe/London' });

describe('findConflicts', () => {
  const candidate = { start: la('2026-03-09', '09:00'), end: la('2026-03-09', '10:00') };

  it('compares instants across zones (09:00 Los Angeles is 16:00 London after the US DST change)', () => {
    const hit = event({ start: london('2026-03-09', '16:30'), end: london('2026-03-09', '17:30') });
    const miss = event({ start: london('2026-03-09', '17:00'), end: london('2026-03-09', '18:00') });
    const result = findConflicts([hit, miss], candidate);
    expect(result.map((c) => c.event.id)).toEqual([hit.id]);
    expect(result[0]?.overlap).toEqual({ start: '2026-03-09T16:30:00.000Z', end: '2026-03-09T17:00:00.000Z' });
  });

  it('ignores cancelled, transparent, declined and merely touching events; tentative is soft', () => {
    const events = [
      event({ start: la('2026-03-09', '09:00'), end: la('2026-03-09', '10:00'), status: 'cancelled' }),
      event({ start: la('2026-03-09', '09:00'), end: la('2026-03-09', '10:00'), transparency: 'transparent' }),
      event({
        start: la('2026-03-09', '09:00'),
        end: la('2026-03-09', '10:00'),
        attendees: [{ email: 'me@x.com', responseStatus: 'declined', self: true }],
      }),
      event({ start: la('2026-03-09', '10:00'), end: la('2026-03-09', '11:00') }),
      event({ id: 'soft', start: la('2026-03-09', '09:30'), end: la('2026-03-09', '11:00'), status: 'tentative' }),
    ];
    expect(findConflicts(events, candidate).map((c) => [c.event.id, c.severity])).toEqual([['soft', 'tentative']]);
    expect(findConflicts(events, candidate, { ignoreTentative: true })).toEqual([]);
  });

  it('all-day events block their dates in the given zone', () => {
    const allDay = event({ start: { date: '2026-03-09' }, end: { date: '2026-03-10' } });
    expect(findConflicts([allDay], candidate, { timeZone: 'America/Los_Angeles' })).toHaveLength(1);
    // Read in Asia/Tokyo, March 9 ends at 15:00Z, before the candidate (17:00Z... 16:00Z): no conflict.
    expect(findConflicts([allDay], candidate, { timeZone: 'Asia/Tokyo' })).toHaveLength(0);
  });

  it('bad input is invalid_input', () => {
    const master = event({ start: la('2026-03-09', '09:00'), end: la('2026-03-09', '10:00'), recurrence: ['RRULE:FREQ=DAILY'] });
    for (const call of [
      () => findConflicts([master], candidate),
      () => findConflicts([], { start: la('2026-03-09', '10:00'), end: la('2026-03-09', '09:00') }),
      () => findConflicts([], candidate, { timeZone: 'EST' }),
      () => findConflicts([], { start: { dateTime: '2026-03-09T09:00:00', timeZone: 'Nowhere/City' }, end: la('2026-03-09', '10:00') }),
    ]) {
      expect(call).toThrow(IntegrationError);
    }
  });
});

describe('mergeFreeBusy', () => {
  it('merges calendars, busy wins over tentative', () => {
    const merged = mergeFreeBusy({
      a: { busy: [{ start: '2026-03-09T09:00:00Z', end: '2026-03-09T10:00:00Z' }] },
      b: {
        busy: [
          { start: '2026-03-09T09:30:00+00:00', end: '2026-03-09T11:00:00Z' },
          { start: '2026-03-09T10:30:00-01:00', end: '2026-03-09T13:00:00Z', kind: 'tentative' },
        ],
      },
    });
    expect(merged).toEqual([
      { start: '2026-03-09T09:00:00.000Z', end: '2026-03-09T11:00:00.000Z', kind: 'busy' },
      { start: '2026-03-09T11:30:00.000Z', end: '2026-03-09T13:00:00.000Z', kind: 'tentative' },
    ]);
  });

  it('property: merged busy intervals are sorted, disjoint and cover exactly the inputs', () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 100 })).map(([s, d]) => ({
      start: new Date(Date.UTC(2026, 0, 1) + s * 60_000).toISOString(),
      end: new Date(Date.UTC(2026, 0, 1) + (s + d) * 60_000).toISOString(),
    }));
    fc.assert(
      fc.property(fc.array(fc.array(interval, { maxLength: 8 }), { maxLength: 4 }), (cals) => {
        const merged = mergeFreeBusy(cals.map((busy) => ({ busy })));
        for (let i = 1; i < merged.length; i++)
          expect(Date.parse(merged[i]?.start ?? '')).toBeGreaterThan(Date.parse(merged[i - 1]?.end ?? ''));
        for (let m = 0; m < 1100; m += 7) {
          const t = Date.UTC(2026, 0, 1) + m * 60_000 + 1;
          const inInput = cals.flat().some((b) => Date.parse(b.start) <= t && t < Date.parse(b.end));
          const inMerged = merged.some((b) => Date.parse(b.start) <= t && t < Date.parse(b.end));
          expect(inMerged).toBe(inInput);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('bad input is invalid_input', () => {
    expect(() => mergeFreeBusy([{ busy: [{ start: '2026-03-09T09:00', end: '2026-03-09T10:00:00Z' }] }])).toThrow(/offset/);
    expect(() => mergeFreeBusy([{ busy: [{ start: '2026-03-09T11:00:00Z', end: '2026-03-09T10:00:00Z' }] }])).toThrow(IntegrationError);
    expect(() => mergeFreeBusy([{} as never])).toThrow(IntegrationError);
  });
});
