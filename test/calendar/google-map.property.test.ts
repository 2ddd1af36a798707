/** The day-offset cache of the Google mapping must agree with `toLocal` everywhere, transition days included. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromGoogleTime } from '../../src/calendar/google/map.js';
import { IntegrationError } from '../../src/core/errors.js';
import { formatInstantIn } from '../../src/time/instant.js';
import { toLocal } from '../../src/time/index.js';

const zones = [
  'America/Los_Angeles',
  'Europe/London',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
  'America/Santiago',
];

describe('fromGoogleTime', () => {
  it('matches toLocal for any instant and zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1975-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.constantFrom(...zones),
        (ts, zone) => {
          const instant = new Date(Math.floor(ts / 60_000) * 60_000).toISOString();
          expect(fromGoogleTime({ dateTime: instant, timeZone: zone }, 'UTC')).toEqual(toLocal(instant, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches toLocal every 15 minutes through transition days', () => {
    for (const [zone, day] of [
      ['America/Los_Angeles', '2026-03-08'],
      ['America/Los_Angeles', '2026-11-01'],
      ['Europe/London', '2026-03-29'],
      ['Australia/Lord_Howe', '2026-04-05'],
    ] as const) {
      const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
      for (let t = start; t < start + 3 * 86_400_000; t += 15 * 60_000) {
        const instant = new Date(t).toISOString();
        expect(fromGoogleTime({ dateTime: instant, timeZone: zone }, 'UTC')).toEqual(toLocal(instant, zone));
      }
    }
  });

  it("reads instants written with an offset (the zone's own, as Google sends them, or another) like toLocal", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1975-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc.constantFrom(...zones),
        fc.constantFrom(...zones),
        (ts, zone, writtenIn) => {
          const t = Math.floor(ts / 1000) * 1000;
          // `…T09:00:00-08:00` with the offset of `writtenIn` (the event's zone itself, or not).
          const instant = formatInstantIn(t, writtenIn);
          expect(fromGoogleTime({ dateTime: instant, timeZone: zone }, 'UTC')).toEqual(toLocal(instant, zone));
        },
      ),
      { numRuns: 2000 },
    );
    // Both sides of the spring-forward and fall-back instants in Los Angeles, in its own offsets.
    for (const t of ['2026-03-08T01:59:59-08:00', '2026-03-08T03:00:00-07:00', '2026-11-01T01:30:00-07:00', '2026-11-01T01:30:00-08:00']) {
      expect(fromGoogleTime({ dateTime: t, timeZone: 'America/Los_Angeles' }, 'UTC')).toEqual(toLocal(t, 'America/Los_Angeles'));
    }
  });

  it('falls back to the calendar zone, keeps dates, and reads offset-less values as local', () => {
    expect(fromGoogleTime({ dateTime: '2026-03-08T10:30:00Z' }, 'America/Los_Angeles')).toEqual({
      dateTime: '2026-03-08T03:30:00',
      timeZone: 'America/Los_Angeles',
    });
    expect(fromGoogleTime({ date: '2026-03-08' }, 'UTC')).toEqual({ date: '2026-03-08' });
    expect(fromGoogleTime({ dateTime: '2026-03-08T10:30:00', timeZone: 'Europe/Paris' }, 'UTC')).toEqual({
      dateTime: '2026-03-08T10:30:00',
      timeZone: 'Europe/Paris',
    });
  });
  it('reads any string of the ±HH:MM shape, real or not, like toLocal (same value or same error)', () => {
    const outcome = (f: () => unknown) => {
      try {
        return { value: f() };
      } catch (error) {
        expect(error).toBeInstanceOf(IntegrationError);
        return { code: (error as IntegrationError).code, message: (error as Error).message };
      }
    };
    const d2 = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        d2(14),
        d2(32),
        d2(25),
        d2(61),
        d2(61),
        fc.constantFrom('+', '-'),
        d2(25),
        d2(61),
        fc.constantFrom(...zones),
        (y, mo, d, h, mi, s, sign, oh, om, zone) => {
          const instant = `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${oh}:${om}`;
          expect(outcome(() => fromGoogleTime({ dateTime: instant, timeZone: zone }, 'UTC'))).toEqual(
            outcome(() => toLocal(instant, zone)),
          );
        },
      ),
      { numRuns: 3000 },
    );
    // Days past the month's end and hour 24 are rejected, not rolled over or passed through.
    for (const t of [
      '2026-02-30T09:00:00-08:00',
      '2026-04-31T09:00:00-07:00',
      '2026-03-01T24:00:00-08:00',
      '2026-03-01T23:59:60-08:00',
      '2026-03-01T09:00:00+24:00',
    ]) {
      expect(() => fromGoogleTime({ dateTime: t, timeZone: 'America/Los_Angeles' }, 'UTC')).toThrow(IntegrationError);
    }
    expect(fromGoogleTime({ dateTime: '2024-02-29T09:00:00-08:00', timeZone: 'America/Los_Angeles' }, 'UTC')).toEqual({
      dateTime: '2024-02-29T09:00:00',
      timeZone: 'America/Los_Angeles',
    });
  });
});
