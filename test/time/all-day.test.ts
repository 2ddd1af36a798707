import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import {
  addDays,
  allDayLength,
  allDayRange,
  allDayToGraph,
  allDayToInstants,
  floatingToLocal,
  graphToAllDay,
  isAllDay,
} from '../../src/time/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIntegrationError(err) ? err.code : 'not-an-integration-error';
  }
  return undefined;
}

describe('all-day values', () => {
  it('are dates with an exclusive end, defaulting to one day', () => {
    expect(allDayRange('2024-02-28')).toEqual({ start: { date: '2024-02-28' }, end: { date: '2024-02-29' } });
    expect(allDayRange('2024-12-31')).toEqual({ start: { date: '2024-12-31' }, end: { date: '2025-01-01' } });
    expect(allDayLength(allDayRange('2024-03-09', '2024-03-12'))).toBe(3);
    // A DST change inside the range does not make a day 23 or 25 hours: dates are not instants.
    expect(allDayLength(allDayRange('2024-03-10', '2024-03-11'))).toBe(1);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31');
  });

  it('rejects an end that is not after the start (the inclusive-end bug) and impossible dates', () => {
    expect(() => allDayRange('2024-03-01', '2024-03-01')).toThrow(/exclusive/);
    expect(codeOf(() => allDayRange('2024-03-02', '2024-03-01'))).toBe('invalid_input');
    expect(codeOf(() => allDayRange('2023-02-29'))).toBe('invalid_input');
    expect(codeOf(() => allDayRange('2024-3-1'))).toBe('invalid_input');
    expect(codeOf(() => addDays('2024-03-01', 0.5))).toBe('invalid_input');
  });

  it('convert to Graph isAllDay midnight-to-midnight and back', () => {
    const range = allDayRange('2024-03-09', '2024-03-11');
    const graph = allDayToGraph(range, 'America/New_York');
    expect(graph).toEqual({
      isAllDay: true,
      start: { dateTime: '2024-03-09T00:00:00.0000000', timeZone: 'America/New_York' },
      end: { dateTime: '2024-03-11T00:00:00.0000000', timeZone: 'America/New_York' },
    });
    expect(graphToAllDay(graph)).toEqual(range);
    expect(allDayToGraph(range, 'Eastern Standard Time').start.timeZone).toBe('Eastern Standard Time');
    expect(codeOf(() => allDayToGraph(range, 'Nowhere/Zone'))).toBe('invalid_input');
  });

  it('refuse a Graph event that is not midnight-to-midnight instead of rounding it', () => {
    const bad = { isAllDay: true, start: { dateTime: '2024-03-09T05:00:00.0000000' }, end: { dateTime: '2024-03-10T05:00:00.0000000' } };
    expect(() => graphToAllDay(bad)).toThrow(/midnight/);
    expect(codeOf(() => graphToAllDay({ ...bad, isAllDay: false }))).toBe('invalid_input');
  });

  it('cover the right instants in a zone, including where midnight does not exist', () => {
    expect(allDayToInstants(allDayRange('2024-03-10'), 'America/New_York')).toEqual({
      from: '2024-03-10T00:00:00-05:00',
      to: '2024-03-11T00:00:00-04:00',
    });
    // Santiago springs forward at 24:00 on 2024-09-07: September 8 starts at 01:00.
    expect(allDayToInstants(allDayRange('2024-09-08'), 'America/Santiago').from).toBe('2024-09-08T01:00:00-03:00');
  });

  it('floating times pin to a zone; isAllDay tells the shapes apart', () => {
    expect(floatingToLocal({ dateTime: '2024-01-01T09:00' }, 'Europe/Kiev')).toEqual({
      dateTime: '2024-01-01T09:00:00',
      timeZone: 'Europe/Kyiv',
    });
    expect(codeOf(() => floatingToLocal({ dateTime: '2024-01-01T09:00Z' }, 'UTC'))).toBe('invalid_input');
    expect(isAllDay({ date: '2024-01-01' })).toBe(true);
    expect(isAllDay({ dateTime: '2024-01-01T09:00' })).toBe(false);
  });
});
