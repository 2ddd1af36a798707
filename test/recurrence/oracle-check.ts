/**
 * Shared by oracle.test.ts (in-process) and tz-independence.test.ts (a child process under another
 * TZ): expand every committed dateutil case and list the differences.
 */
import { readFileSync } from 'node:fs';
import { expandRecurrence } from '../../src/recurrence/index.js';
import type { RecurringSeries } from '../../src/recurrence/types.js';

export interface OracleCase {
  id: string;
  source: string;
  rrule: string;
  start: RecurringSeries['start'];
  exdates?: string[];
  window: { from: string; to: string };
  expected?: string[];
  error?: string;
  rfcListed?: string[];
}

export const oracle = JSON.parse(readFileSync(new URL('../fixtures/recurrence/expected.json', import.meta.url), 'utf8')) as {
  generator: Record<string, string | number>;
  cases: OracleCase[];
};

/** Our answer for a case: occurrence instants (timed) or dates (all-day), or the error code. */
export function ours(c: OracleCase): string[] | { error: string } {
  try {
    const series: RecurringSeries = { rrule: c.rrule, start: c.start };
    if (c.exdates) series.exdates = c.exdates;
    return expandRecurrence(series, c.window, { limit: 500 }).map((o) => o.instant ?? ('date' in o.start ? o.start.date : ''));
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
}

export function mismatches(): { id: string; expected: unknown; actual: unknown }[] {
  const out: { id: string; expected: unknown; actual: unknown }[] = [];
  for (const c of oracle.cases) {
    const actual = ours(c);
    const expected = c.error !== undefined ? { error: 'invalid_input' } : c.expected;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push({ id: c.id, expected, actual });
  }
  return out;
}
