/**
 * Run by tz-independence.test.ts in a child process with another TZ: prints the host offset it saw,
 * the oracle mismatches and a digest of every answer, as one JSON line.
 */
import { createHash } from 'node:crypto';
import { mismatches, oracle, ours } from './oracle-check.js';

const digest = createHash('sha256')
  .update(JSON.stringify(oracle.cases.map(ours)))
  .digest('hex');
console.log(
  JSON.stringify({
    tz: process.env.TZ,
    hostOffsetMinutes: new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset(),
    mismatches: mismatches().map((m) => m.id),
    digest,
  }),
);
