/**
 * The calendar conformance suite against a real Radicale 3 (started here with its own config),
 * one fresh calendar per test. Radicale has no `expand` and no `free-busy-query`: the expansion
 * and free/busy the suite checks are the adapter's client-side ones.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeCalendar } from 'tsdav';
import { afterAll, beforeAll, describe } from 'vitest';
import { createCalDavCalendar } from '../../src/calendar/caldav/index.js';
import { describeCalendarConformance } from '../conformance/calendar.js';
import { type RadicaleServer, radicaleSkipReason, startRadicale } from '../support/radicale.js';

const skip = radicaleSkipReason();
const USER = 'alice';
const headers = { Authorization: `Basic ${btoa(`${USER}:unused`)}` };

describe.skipIf(skip)('caldav on Radicale', () => {
  let server: RadicaleServer;
  let n = 0;
  beforeAll(async () => {
    server = await startRadicale();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  describeCalendarConformance(
    'caldav (Radicale)',
    async () => {
      n += 1;
      const name = `cal${n}`;
      await makeCalendar({ url: `${server.url}${USER}/${name}/`, props: { 'd:displayname': name }, headers });
      const provider = createCalDavCalendar({
        serverUrl: server.url,
        credentials: { username: USER, password: 'unused' },
        ownerEmail: 'alice@example.com',
        pageSize: 3,
      });
      return {
        provider,
        calendarId: `/${USER}/${name}/`,
        ownerEmail: 'alice@example.com',
        async expireCursors() {
          // Radicale forgets sync tokens by deleting their cached state (max age): do that, and
          // add an unrelated item so the old token no longer names the current state either.
          rmSync(join(server.storage, 'collection-root', USER, name, '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
          await provider.createEvent(`/${USER}/${name}/`, {
            title: 'other client',
            start: { date: '2026-05-01' },
            end: { date: '2026-05-02' },
          });
          rmSync(join(server.storage, 'collection-root', USER, name, '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
        },
        now: () => Date.now(),
      };
    },
    { skip: ['watch'] },
  );
});
