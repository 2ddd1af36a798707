/** The conformance suite against the real `@microsoft/microsoft-graph-client`, over the msw model of Graph. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createOutlookCalendar } from '../../src/calendar/outlook/index.js';
import { describeCalendarConformance } from '../conformance/calendar.js';
import { createGraphApi } from './support/graph-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describeCalendarConformance('outlook', () => {
  // The delta window is anchored on `now`: put it before the events the suite writes (March 2026).
  const now = () => Date.parse('2026-02-20T12:00:00Z');
  const api = createGraphApi({ now });
  server.resetHandlers(...api.handlers);
  const provider = createOutlookCalendar({ auth: 'eyJ.test-token', pageSize: 3, now, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return { provider, calendarId: 'AAMkCal1', ownerEmail: api.owner, expireCursors: () => api.expireTokens(), now };
});
