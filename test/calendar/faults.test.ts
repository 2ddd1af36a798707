/**
 * Faults from the wire for both adapters: malformed bodies, network errors and timeouts become
 * IntegrationErrors (never a TypeError, never a silent empty success), and the sync engine keeps its
 * cursor when a page fails.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleCalendar } from '../../src/calendar/google/index.js';
import { createCalendarSync } from '../../src/calendar/index.js';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { IntegrationError } from '../../src/index.js';
import { createMemoryStore } from '../../src/stores/index.js';
import { createGoogleApi, GOOGLE_BASE } from './support/google-api.js';
import { createGraphApi, GRAPH_BASE } from './support/graph-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const once = { maxAttempts: 1 };
async function failure(p: Promise<unknown>): Promise<IntegrationError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(IntegrationError);
  return e as IntegrationError;
}

describe('google faults', () => {
  const list = `${GOOGLE_BASE}/calendars/primary/events`;
  it.each([
    [
      'a body that is not JSON',
      () => new HttpResponse('<html>oops</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      'provider_error',
    ],
    ['JSON without items or tokens', () => HttpResponse.json({ kind: 'calendar#events' }), 'provider_error'],
    ['a network error', () => HttpResponse.error(), 'unavailable'],
    ['a 500 with an HTML body', () => new HttpResponse('<html>500</html>', { status: 500 }), 'unavailable'],
  ] as const)('listChanges with %s is an IntegrationError and the cursor stays', async (_name, answer, code) => {
    const api = createGoogleApi({ calendars: [{ id: 'primary', timeZone: 'UTC' }] });
    server.resetHandlers(http.get(list, answer), ...api.handlers);
    const g = createGoogleCalendar({ auth: 't', retry: once });
    const e = await failure(g.listChanges('primary'));
    expect(e.code).toBe(code);
    const store = createMemoryStore();
    const sync = createCalendarSync({ provider: g, store, onChange: () => undefined });
    await failure(sync.sync('primary'));
    expect(await sync.cursor('primary')).toBeUndefined();
  });

  it('a per-attempt timeout is a timeout error', async () => {
    const api = createGoogleApi();
    server.resetHandlers(
      http.get(`${GOOGLE_BASE}/users/me/calendarList`, async () => {
        await new Promise((r) => setTimeout(r, 200));
        return HttpResponse.json({ items: [] });
      }),
      ...api.handlers,
    );
    const e = await failure(createGoogleCalendar({ auth: 't', retry: { maxAttempts: 1, attemptTimeoutMs: 20 } }).listCalendars());
    expect(e.code).toBe('timeout');
  });
});

describe('outlook faults', () => {
  it.each([
    [
      'a body that is not JSON',
      () => new HttpResponse('not json', { status: 200, headers: { 'content-type': 'text/plain' } }),
      'provider_error',
    ],
    ['JSON without nextLink or deltaLink', () => HttpResponse.json({ value: [] }), 'provider_error'],
    ['a network error', () => HttpResponse.error(), 'unavailable'],
  ] as const)('listChanges with %s is an IntegrationError', async (_name, answer, code) => {
    const api = createGraphApi();
    server.resetHandlers(http.get(`${GRAPH_BASE}/me/calendars/:cal/calendarView/delta`, answer), ...api.handlers);
    const o = createOutlookCalendar({ auth: 't', retry: once });
    const e = await failure(o.listChanges('AAMkCal1'));
    expect(e.code).toBe(code);
  });
});
