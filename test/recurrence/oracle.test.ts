/**
 * python-dateutil is the oracle: test/fixtures/recurrence/expected.json holds its occurrences for
 * the 42 RFC 5545 §3.8.5.3 examples and 220 seeded fast-check rules across DST zones
 * (scripts/gen-recurrence-fixtures.py). Every case must match exactly.
 */
import { describe, expect, it } from 'vitest';
import { type OracleCase, oracle, ours } from './oracle-check.js';

const rfc = oracle.cases.filter((c) => c.id.startsWith('rfc5545'));
const random = oracle.cases.filter((c) => c.id.startsWith('random'));
/** The RFC's own erratum: it lists 15:00 EDT, after UNTIL=…T170000Z (13:00 EDT). */
const RFC_ERRATUM = 'Every 3 hours from 9:00 AM to 5:00 PM on a specific day';

const expectedOf = (c: OracleCase) => (c.error !== undefined ? { error: 'invalid_input' } : c.expected);

describe('dateutil oracle', () => {
  it('has at least 200 rules, RFC examples included, covering the hard parts', () => {
    expect(oracle.cases.length).toBeGreaterThanOrEqual(262);
    expect(rfc).toHaveLength(42);
    const rules = oracle.cases.map((c) => c.rrule).join('\n');
    for (const part of ['BYSETPOS', 'BYWEEKNO', 'BYYEARDAY', 'WKST', 'BYDAY=-', 'COUNT', 'UNTIL', 'BYMONTHDAY=-'])
      expect(rules).toContain(part);
    const zones = new Set(oracle.cases.map((c) => ('timeZone' in c.start ? c.start.timeZone : 'all-day')));
    for (const z of [
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/Santiago',
      'Pacific/Chatham',
      'Europe/Dublin',
      'all-day',
    ]) {
      expect(zones).toContain(z);
    }
  });

  it.each(rfc.map((c) => [c.id, c] as const))('%s matches dateutil', (_id, c) => {
    expect(ours(c)).toEqual(expectedOf(c));
  });

  it.each(random.map((c) => [c.id, c.rrule, c] as const))('%s %s matches dateutil', (_id, _rule, c) => {
    expect(ours(c)).toEqual(expectedOf(c));
  });

  it('agrees with the dates RFC 5545 itself lists, except its known erratum', () => {
    for (const c of rfc) {
      const listed = c.rfcListed ?? [];
      const got = ours(c) as string[];
      if (c.source.endsWith(RFC_ERRATUM)) {
        expect(got).toEqual(['1997-09-02T09:00:00-04:00', '1997-09-02T12:00:00-04:00']);
        expect(listed).toContain('1997-09-02T15:00:00-04:00');
        continue;
      }
      expect(got, c.source).toEqual(listed);
    }
  });
});
