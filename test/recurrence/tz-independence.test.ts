/**
 * No result may depend on the host's TZ (the classic rrule `tzid` bug). CI runs `npm test` once,
 * so this test runs the whole dateutil comparison again in child processes under TZ=UTC,
 * TZ=Asia/Kolkata and TZ=America/Santiago, and requires the same answers as this process.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { oracle, ours } from './oracle-check.js';

const cli = fileURLToPath(new URL('./oracle-cli.ts', import.meta.url));
const here = createHash('sha256')
  .update(JSON.stringify(oracle.cases.map(ours)))
  .digest('hex');

describe('host TZ independence', () => {
  it.each([
    ['UTC', 0],
    ['Asia/Kolkata', -330],
    ['America/Santiago', 180],
  ] as const)('TZ=%s gives the same occurrences as dateutil and as this process', (tz, offset) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as {
      hostOffsetMinutes: number;
      mismatches: string[];
      digest: string;
    };
    expect(out.hostOffsetMinutes).toBe(offset); // the child really ran in that TZ
    expect(out.mismatches).toEqual([]);
    expect(out.digest).toBe(here);
  });
});
