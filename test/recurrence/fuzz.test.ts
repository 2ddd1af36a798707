/** Bad input gets an IntegrationError, never a TypeError, a hang or a silent success. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { describeRecurrence, expandRecurrence, graphRecurrenceToRrule, parseRrule } from '../../src/recurrence/index.js';
import { toInstant } from '../../src/time/index.js';

const PARTS = [
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTH',
  'BYMONTHDAY',
  'BYSETPOS',
  'BYWEEKNO',
  'BYYEARDAY',
  'BYHOUR',
  'WKST',
  'X',
];
const VALUES = [
  'DAILY',
  'WEEKLY',
  'MONTHLY',
  'YEARLY',
  'HOURLY',
  '0',
  '1',
  '-1',
  '53',
  '367',
  'MO',
  '-1FR',
  '5SU',
  'XX',
  '20240101',
  '20240101T000000Z',
  '',
  ',',
  '1,,2',
];
const ruleish = fc
  .array(fc.tuple(fc.constantFrom(...PARTS), fc.constantFrom(...VALUES)), { maxLength: 6 })
  .map((parts) => parts.map(([k, v]) => `${k}=${v}`).join(';'));

function onlyIntegrationErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!isIntegrationError(err)) throw err;
    expect(['invalid_input', 'unsupported']).toContain(err.code);
  }
}

describe('fuzz', () => {
  it('parseRrule and describeRecurrence: arbitrary text and rule-shaped junk', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), ruleish), (text) => {
        onlyIntegrationErrors(() => parseRrule(text));
        onlyIntegrationErrors(() => describeRecurrence(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('expandRecurrence: rule-shaped junk, odd starts and windows', () => {
    fc.assert(
      fc.property(
        ruleish,
        fc.constantFrom<unknown>(
          { dateTime: '2024-03-10T02:30', timeZone: 'America/New_York' },
          { date: '2024-01-31' },
          { dateTime: 'x' },
          null,
          {},
        ),
        fc.constantFrom<unknown>({ from: '2024-01-01T00:00:00Z', to: '2024-03-01T00:00:00Z' }, { from: 'x', to: 'y' }, {}, undefined),
        (rrule, start, window) => {
          onlyIntegrationErrors(() => expandRecurrence({ rrule, start } as never, window as never, { limit: 50 }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('graphRecurrenceToRrule and toInstant: arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        onlyIntegrationErrors(() => graphRecurrenceToRrule(a as never));
        onlyIntegrationErrors(() => graphRecurrenceToRrule({ pattern: a, range: b } as never));
        onlyIntegrationErrors(() => toInstant(a as never, b as never));
      }),
      { numRuns: 500 },
    );
  });
});
