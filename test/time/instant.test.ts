/**
 * DST: a wall time in the spring-forward gap and in the fall-back overlap, under every policy, in
 * zones whose transitions differ (US at 02:00, Europe at 01:00 UTC, southern hemisphere, half-hour
 * and 45-minute offsets, a zone that springs forward at midnight).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { type DstPolicy, toInstant, toLocal } from '../../src/time/index.js';

const at = (dateTime: string, timeZone: string, policy?: DstPolicy) => toInstant({ dateTime, timeZone }, policy);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIntegrationError(err) ? err.code : 'not-an-integration-error';
  }
  return undefined;
}

// [zone, wall time in the gap, forward, backward]
const GAPS = [
  ['America/New_York', '2024-03-10T02:30:00', '2024-03-10T03:30:00-04:00', '2024-03-10T01:30:00-05:00'],
  ['Europe/London', '2024-03-31T01:30:00', '2024-03-31T02:30:00+01:00', '2024-03-31T00:30:00+00:00'],
  ['Australia/Sydney', '2024-10-06T02:30:00', '2024-10-06T03:30:00+11:00', '2024-10-06T01:30:00+10:00'],
  ['Pacific/Chatham', '2024-09-29T03:00:00', '2024-09-29T04:00:00+13:45', '2024-09-29T02:00:00+12:45'],
  ['America/Santiago', '2024-09-08T00:30:00', '2024-09-08T01:30:00-03:00', '2024-09-07T23:30:00-04:00'],
] as const;

// [zone, wall time in the overlap, earlier, later]
const OVERLAPS = [
  ['America/New_York', '2024-11-03T01:30:00', '2024-11-03T01:30:00-04:00', '2024-11-03T01:30:00-05:00'],
  ['Europe/London', '2024-10-27T01:30:00', '2024-10-27T01:30:00+01:00', '2024-10-27T01:30:00+00:00'],
  ['Australia/Sydney', '2024-04-07T02:30:00', '2024-04-07T02:30:00+11:00', '2024-04-07T02:30:00+10:00'],
  ['Pacific/Chatham', '2024-04-07T03:00:00', '2024-04-07T03:00:00+13:45', '2024-04-07T03:00:00+12:45'],
  ['America/Santiago', '2024-04-06T23:30:00', '2024-04-06T23:30:00-03:00', '2024-04-06T23:30:00-04:00'],
  // Europe/Dublin's "negative DST" (IST is standard time, GMT in winter): the overlap is the same to a user.
  ['Europe/Dublin', '2024-10-27T01:30:00', '2024-10-27T01:30:00+01:00', '2024-10-27T01:30:00+00:00'],
] as const;

describe('toInstant: spring-forward gap', () => {
  it.each(GAPS)('%s %s', (zone, wall, forward, backward) => {
    expect(at(wall, zone)).toBe(forward); // default: forward, as RFC 5545 §3.3.5
    expect(at(wall, zone, { gap: 'forward' })).toBe(forward);
    expect(at(wall, zone, { gap: 'backward' })).toBe(backward);
    expect(codeOf(() => at(wall, zone, { gap: 'reject' }))).toBe('invalid_input');
    expect(() => at(wall, zone, { gap: 'reject' })).toThrow(/does not exist/);
    // The overlap policy has no say in a gap.
    expect(at(wall, zone, { overlap: 'reject' })).toBe(forward);
  });
});

describe('toInstant: fall-back overlap', () => {
  it.each(OVERLAPS)('%s %s', (zone, wall, earlier, later) => {
    expect(at(wall, zone)).toBe(earlier);
    expect(at(wall, zone, { overlap: 'earlier' })).toBe(earlier);
    expect(at(wall, zone, { overlap: 'later' })).toBe(later);
    expect(codeOf(() => at(wall, zone, { overlap: 'reject' }))).toBe('invalid_input');
    expect(() => at(wall, zone, { overlap: 'reject' })).toThrow(/happens twice/);
    expect(at(wall, zone, { gap: 'reject' })).toBe(earlier);
  });
});

describe('toInstant / toLocal', () => {
  it('handles ordinary times, fixed-offset zones and seconds', () => {
    expect(at('2024-07-01T09:00', 'America/New_York')).toBe('2024-07-01T09:00:00-04:00');
    expect(at('2024-01-15T09:00:05', 'Asia/Kolkata')).toBe('2024-01-15T09:00:05+05:30');
    expect(at('2024-01-15T09:00:00', 'UTC')).toBe('2024-01-15T09:00:00+00:00');
    expect(at('2024-01-15T09:00:00', 'Asia/Calcutta')).toBe('2024-01-15T09:00:00+05:30');
  });

  it('treats a dateTime with an offset (as Google sends it) as the instant it names', () => {
    expect(at('2024-03-10T07:30:00Z', 'America/New_York', { gap: 'reject' })).toBe('2024-03-10T03:30:00-04:00');
    expect(at('2024-11-03T01:30:00-05:00', 'America/New_York', { overlap: 'reject' })).toBe('2024-11-03T01:30:00-05:00');
  });

  it('toLocal gives the wall time and canonical zone', () => {
    expect(toLocal('2024-03-10T07:30:00Z', 'America/New_York')).toEqual({ dateTime: '2024-03-10T03:30:00', timeZone: 'America/New_York' });
    expect(toLocal('2024-11-03T06:30:00Z', 'US/Eastern')).toEqual({ dateTime: '2024-11-03T01:30:00', timeZone: 'America/New_York' });
  });

  it('round-trips every instant: toInstant(toLocal(t)) is t, with the policy that picks the right side', () => {
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/Santiago',
      'Pacific/Chatham',
      'Europe/Dublin',
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const t = Math.floor(ms / 60_000) * 60_000;
        const iso = new Date(t).toISOString();
        const local = toLocal(iso, zone);
        const earlier = Date.parse(toInstant(local, { overlap: 'earlier' }));
        const later = Date.parse(toInstant(local, { overlap: 'later' }));
        expect([earlier, later]).toContain(t);
        // The wall time of the answer is the wall time we asked for (a real time is never in a gap).
        expect(toLocal(toInstant(local), zone)).toEqual(local);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [{ dateTime: '2024-02-30T09:00', timeZone: 'UTC' }, /real calendar/],
    [{ dateTime: '2024-01-01T24:00', timeZone: 'UTC' }, /real calendar/],
    [{ dateTime: 'tomorrow', timeZone: 'UTC' }, /ISO-8601/],
    [{ dateTime: '2024-01-01T09:00', timeZone: 'EST5EDT' }, /IANA/],
    [{ dateTime: 42, timeZone: 'UTC' }, /ISO-8601/],
    [null, /toInstant expects/],
  ])('rejects %j with invalid_input', (local, message) => {
    expect(codeOf(() => toInstant(local as never))).toBe('invalid_input');
    expect(() => toInstant(local as never)).toThrow(message);
  });

  it('rejects unknown policies and bare local times where an instant is required', () => {
    expect(codeOf(() => at('2024-01-01T09:00', 'UTC', { gap: 'sideways' as never }))).toBe('invalid_input');
    expect(codeOf(() => at('2024-01-01T09:00', 'UTC', { overlap: 'both' as never }))).toBe('invalid_input');
    expect(codeOf(() => at('2024-01-01T09:00', 'UTC', null as never))).toBe('invalid_input');
    expect(codeOf(() => at('2024-01-01T09:00', 'UTC', 'forward' as never))).toBe('invalid_input');
    expect(codeOf(() => toLocal('2024-01-01T09:00:00', 'UTC'))).toBe('invalid_input');
  });
});

describe('offset cache', () => {
  it('agrees with luxon at every instant, transitions included (property)', async () => {
    const { IANAZone } = await import('luxon');
    const { offsetAt } = await import('../../src/time/instant.js');
    const zones = [
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/Santiago',
      'Pacific/Chatham',
      'Europe/Dublin',
      'Australia/Lord_Howe',
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2037, 0, 1) }), fc.constantFrom(...zones), (ts, zone) => {
        expect(offsetAt(zone, ts)).toBe(IANAZone.create(zone).offset(ts));
      }),
      { numRuns: 2000 },
    );
    // Every minute across the 2024 US and Chatham transitions.
    for (const [zone, from] of [
      ['America/New_York', Date.UTC(2024, 2, 10, 6)],
      ['America/New_York', Date.UTC(2024, 10, 3, 5)],
      ['Pacific/Chatham', Date.UTC(2024, 8, 28, 13)],
    ] as const) {
      for (let ts = from; ts < from + 3 * 3_600_000; ts += 60_000)
        expect(offsetAt(zone, ts), `${zone} ${new Date(ts).toISOString()}`).toBe(IANAZone.create(zone).offset(ts));
    }
  });
});
