/**
 * Preloaded into the demo's own process by test/examples/examples.test.ts
 * (`node --import tsx --import ./test/examples/support/demo-providers.ts examples/demo.ts`), so the
 * demo's real-provider path runs unmodified with fake keys and no internet: msw answers for
 * api.stripe.com (the Stripe stand-in of the payments tests, plus the Events API below) and for
 * www.googleapis.com/calendar/v3 (the Google Calendar model of the calendar tests). Any other request
 * is an error. At exit it writes what was called to $DEMO_PROVIDER_REPORT for the test to assert.
 */
import { writeFileSync } from 'node:fs';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { STRIPE_API_VERSION } from '../../../src/payments/stripe/index.js';
import { createGoogleApi } from '../../calendar/support/google-api.js';
import { API as STRIPE_API, createStripeMock } from '../../payments/support/stripe-mock.js';

type Obj = Record<string, unknown>;

const stripe = createStripeMock({ apiVersion: STRIPE_API_VERSION, now: Date.now });
const google = createGoogleApi({ calendars: [{ id: 'primary', primary: true, timeZone: 'America/New_York' }] });
// Someone's calendar is never empty: one event already there, in the same weeks as the classes.
google.seed('primary', [
  {
    id: 'dentist0001',
    summary: 'Dentist',
    start: { dateTime: '2026-03-05T09:00:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-03-05T10:00:00', timeZone: 'America/New_York' },
  },
]);

// The Events API, modelled on Stripe's: every PaymentIntent that came back `requires_action` has a
// `payment_intent.requires_action` event. Like Stripe, an event is listed a little after the
// request that caused it: the first listing after it does not show it yet.
const intents: Obj[] = [];
const pending: Promise<void>[] = [];
const events: Obj[] = [];
let listings = 0;
const eventsRequests: { type: string | null; stripeVersion: string | null; authorized: boolean }[] = [];
const eventsHandler = http.get(`${STRIPE_API}/v1/events`, async ({ request }) => {
  await Promise.all(pending);
  const url = new URL(request.url);
  const type = url.searchParams.get('type');
  eventsRequests.push({
    type,
    stripeVersion: request.headers.get('stripe-version'),
    authorized: /^Bearer (sk|rk)_test_/.test(request.headers.get('authorization') ?? ''),
  });
  if (listings++ > 0) {
    for (const pi of intents.splice(0)) {
      if (pi.status !== 'requires_action') continue;
      events.unshift({
        id: `evt_demo${String(events.length + 1).padStart(10, '0')}`,
        object: 'event',
        api_version: STRIPE_API_VERSION,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        pending_webhooks: 1,
        request: { id: 'req_demo', idempotency_key: null },
        type: 'payment_intent.requires_action',
        data: { object: pi },
      });
    }
  }
  const data = events.filter((e) => type === null || e.type === type).slice(0, Number(url.searchParams.get('limit') ?? 10));
  return HttpResponse.json({ object: 'list', url: '/v1/events', has_more: false, data });
});

// Google's token endpoint, for the refresh-token path: a refresh grant with the client's credentials
// in the body (the google preset's client_secret_post) gets a fresh access token.
const GOOGLE_REFRESHED_TOKEN = 'ya29.refreshed-by-switchyard-oauth';
const tokenRequests: Obj[] = [];
const tokenHandler = http.post('https://oauth2.googleapis.com/token', async ({ request }) => {
  const form = Object.fromEntries(new URLSearchParams(await request.text()));
  tokenRequests.push({ ...form, client_secret: form.client_secret === process.env.GOOGLE_CLIENT_SECRET ? 'matches' : 'wrong' });
  const valid =
    form.grant_type === 'refresh_token' &&
    form.refresh_token === process.env.GOOGLE_REFRESH_TOKEN &&
    form.client_id === process.env.GOOGLE_CLIENT_ID &&
    form.client_secret === process.env.GOOGLE_CLIENT_SECRET;
  if (!valid) return HttpResponse.json({ error: 'invalid_grant', error_description: 'Bad Request' }, { status: 400 });
  return HttpResponse.json({
    access_token: GOOGLE_REFRESHED_TOKEN,
    expires_in: 3599,
    scope: 'https://www.googleapis.com/auth/calendar.calendarlist.readonly https://www.googleapis.com/auth/calendar.events',
    token_type: 'Bearer',
  });
});

const server = setupServer(eventsHandler, tokenHandler, ...stripe.handlers, ...google.handlers);
const googleBearers = new Set<string>();
const calls: string[] = [];
server.events.on('request:start', ({ request }) => {
  const url = new URL(request.url);
  calls.push(`${request.method} ${url.host}${url.pathname}`);
  if (url.host === 'www.googleapis.com') googleBearers.add(request.headers.get('authorization') ?? '(none)');
});
server.events.on('response:mocked', ({ request, response }) => {
  const url = new URL(request.url);
  if (request.method === 'POST' && url.pathname === '/v1/payment_intents' && response.ok) {
    pending.push(
      response
        .clone()
        .json()
        .then((pi: Obj) => void intents.push(pi)),
    );
  }
});
server.listen({ onUnhandledRequest: 'error' });

process.on('exit', () => {
  const report = process.env.DEMO_PROVIDER_REPORT;
  if (!report) return;
  writeFileSync(
    report,
    JSON.stringify(
      {
        calls,
        stripeViolations: stripe.violations,
        stripeCreated: stripe.created,
        eventsRequests,
        tokenRequests,
        googleBearers: [...googleBearers],
      },
      null,
      2,
    ),
  );
});
