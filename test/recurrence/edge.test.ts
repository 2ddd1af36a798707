/**
 * Edge-ready in fact, not only by import audit: bundle both subpaths with their dependencies (luxon,
 * rrule) and run an expansion and a DST conversion inside the Edge Runtime VM (Web APIs only).
 */
import { EdgeVM } from '@edge-runtime/vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('time and recurrence on the Edge Runtime', () => {
  it('expand and convert with the same answers as on Node', async () => {
    const entry = `
      import { expandRecurrence, rruleToGraphRecurrence } from './src/recurrence/index.ts';
      import { toInstant, windowsToIana } from './src/time/index.ts';
      globalThis.result = JSON.stringify({
        occurrences: expandRecurrence(
          { rrule: 'RRULE:FREQ=DAILY', start: { dateTime: '2006-03-08T02:30:00', timeZone: 'America/New_York' } },
          { from: '2024-03-09T00:00:00Z', to: '2024-03-12T00:00:00Z' },
        ).map((o) => o.instant),
        gap: toInstant({ dateTime: '2024-03-10T02:30', timeZone: 'America/New_York' }, { gap: 'backward' }),
        windows: windowsToIana('India Standard Time'),
        graph: rruleToGraphRecurrence('FREQ=MONTHLY;BYDAY=-1FR', { date: '2024-01-26' }).pattern.index,
      });`;
    const out = await build({
      stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      logLevel: 'silent',
    });
    const vm = new EdgeVM();
    vm.evaluate(out.outputFiles[0]!.text);
    expect(JSON.parse(vm.evaluate('globalThis.result') as string)).toEqual({
      occurrences: ['2024-03-09T02:30:00-05:00', '2024-03-10T03:30:00-04:00', '2024-03-11T02:30:00-04:00'],
      gap: '2024-03-10T01:30:00-05:00',
      windows: 'Asia/Kolkata',
      graph: 'last',
    });
  });
});
