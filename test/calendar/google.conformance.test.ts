/** The conformance suite against the real `@googleapis/calendar` client, over the msw model of the API. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createGoogleCalendar } from '../../src/calendar/google/index.js';
import { describeCalendarConformance } from '../conformance/calendar.js';
import { createGoogleApi } from './support/google-api.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describeCalendarConformance('google', () => {
  const now = () => Date.now();
  const api = createGoogleApi({ calendars: [{ id: 'primary', primary: true, timeZone: 'America/Los_Angeles' }], now });
  server.resetHandlers(...api.handlers);
  const provider = createGoogleCalendar({ auth: 'ya29.test-token', pageSize: 3, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  return { provider, calendarId: 'primary', ownerEmail: 'me@example.com', expireCursors: () => api.expireTokens(), now };
});
