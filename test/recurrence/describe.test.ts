import { describe, expect, it } from 'vitest';
import { isIntegrationError } from '../../src/index.js';
import { describeRecurrence } from '../../src/recurrence/index.js';

describe('describeRecurrence', () => {
  it.each([
    ['RRULE:FREQ=DAILY', 'Every day'],
    ['FREQ=DAILY;INTERVAL=2', 'Every 2 days'],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=10', 'Every 2 weeks on Monday, Wednesday and Friday, 10 times'],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'Every week on weekdays'],
    ['FREQ=MONTHLY;BYDAY=-1FR', 'Every month on the last Friday'],
    ['FREQ=MONTHLY;BYDAY=1FR;COUNT=1', 'Every month on the first Friday, once'],
    ['FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2', 'Every month on the second-to-last weekday'],
    ['FREQ=MONTHLY;BYDAY=TU,WE,TH;BYSETPOS=3', 'Every month on the third of Tuesday, Wednesday or Thursday'],
    ['FREQ=MONTHLY;BYMONTHDAY=2,15', 'Every month on the 2nd and the 15th'],
    ['FREQ=MONTHLY;BYMONTHDAY=-3', 'Every month on the third-to-last day'],
    ['FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20240131T140000Z', 'Every month on the last day, until January 31, 2024 14:00 UTC'],
    ['FREQ=YEARLY;BYMONTH=1,2,3;INTERVAL=2', 'Every 2 years in January, February and March'],
    ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', 'Every year on Monday in week 20'],
    ['FREQ=YEARLY;BYYEARDAY=1,100,-1', 'Every year on day 1, 100 and last of the year'],
    ['FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', 'Every month on Friday when it is the 13th'],
    ['FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11', 'Every 20 minutes at hour 9, 10 and 11'],
    ['FREQ=DAILY;UNTIL=20241231', 'Every day, until December 31, 2024'],
  ])('%s → %s', (rule, sentence) => {
    expect(describeRecurrence(rule)).toBe(sentence);
    expect(describeRecurrence(rule, 'en-GB')).toBe(sentence);
  });

  it('refuses locales it cannot speak, and bad rules, with clear codes', () => {
    for (const [rule, locale, code] of [
      ['FREQ=DAILY', 'de-DE', 'unsupported'],
      ['FREQ=DAILY;BYDAY=XX', 'en', 'invalid_input'],
    ] as const) {
      try {
        describeRecurrence(rule, locale);
        expect.unreachable();
      } catch (err) {
        expect(isIntegrationError(err) && err.code).toBe(code);
      }
    }
  });
});
