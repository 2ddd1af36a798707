/**
 * `npm run demo`: one booking, end to end, on embedded defaults (fakes + memory store, no keys, no
 * network). Every step feeds the next: the booking id becomes the checkout's client reference, the
 * verified webhook confirms that booking, the calendar series is created in the customer's zone,
 * and the confirmation goes to the customer's email, then (after a bounce) to their phone.
 *
 * Real providers, each one independently when its credentials are in the environment:
 * - STRIPE_SECRET_KEY=sk_test_… (test mode only; a live key is ignored) and optionally
 *   STRIPE_WEBHOOK_SECRET=whsec_…: the Checkout Session is real, and a real PaymentIntent with
 *   Stripe's 3-D Secure test card comes back `requires_action`. No script can pass the buyer's
 *   challenge, so that payment stays there. No webhook can reach this machine either, so the real
 *   `payment_intent.requires_action` event is fetched from the Events API and its delivery is
 *   simulated: signed with your whsec (or a one-off local one) by Stripe's own test helper and fed
 *   twice to the adapter's verifier. The booking is then confirmed by the demo itself, which is
 *   what `checkout.session.completed` would do once the buyer pays.
 * - GOOGLE_ACCESS_TOKEN (calendar scope), or GOOGLE_REFRESH_TOKEN with GOOGLE_CLIENT_ID and
 *   GOOGLE_CLIENT_SECRET (switchyard/oauth then refreshes an access token, as a host does);
 *   GOOGLE_CALENDAR_ID, default `primary`: the series is created in that Google calendar, synced (a
 *   full sync there also delivers the events already in it), listed, and deleted again at the end.
 * - SMTP_URL (smtp://user:pass@host:587, SMTP_FROM, DEMO_EMAIL): the confirmation really goes out
 *   through that server; a real bounce only comes back later as a DSN, so the bounce → SMS steps
 *   then stay with the fakes and are skipped.
 */

import { idempotent } from '../src/idempotency/index.js';
import { createConsoleLogger, formatMoney, IntegrationError, parseMoney } from '../src/index.js';
import { createFakePayments, FAKE_MAGIC_AMOUNTS } from '../src/payments/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { assertTimeZone, toInstant } from '../src/time/index.js';

let step = 0;
const say = (title: string, detail?: string) => {
  console.log(`\n[${++step}] ${title}`);
  if (detail) console.log(`    ${detail.split('\n').join('\n    ')}`);
};
const refused = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof IntegrationError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an IntegrationError');
};

const smtpUrl = process.env.SMTP_URL;
const stripeKey = process.env.STRIPE_SECRET_KEY;
// Test mode only: the demo creates payments, and a script must never do that with a live key.
const stripeTestKey = stripeKey && /^(sk|rk)_test_/.test(stripeKey) ? stripeKey : undefined;
const googleToken = process.env.GOOGLE_ACCESS_TOKEN;
const googleRefresh =
  !googleToken && process.env.GOOGLE_REFRESH_TOKEN && process.env.GOOGLE_CLIENT_ID && process.env.GOOGLE_CLIENT_SECRET
    ? {
        refreshToken: process.env.GOOGLE_REFRESH_TOKEN,
        clientId: process.env.GOOGLE_CLIENT_ID,
        clientSecret: process.env.GOOGLE_CLIENT_SECRET,
      }
    : undefined;
const onGoogle = Boolean(googleToken || googleRefresh);
const googleCalendarId = process.env.GOOGLE_CALENDAR_ID ?? 'primary';
if (stripeKey && !stripeTestKey) {
  console.log('STRIPE_SECRET_KEY is not a test-mode key: the demo never charges real cards, so payments run on the fake.');
}
if (stripeTestKey) {
  console.log('STRIPE_SECRET_KEY set (test mode): the checkout, the 3-D Secure payment and its event are real Stripe test-mode objects.');
}
if (onGoogle) {
  console.log(
    `${googleToken ? 'GOOGLE_ACCESS_TOKEN set' : 'GOOGLE_REFRESH_TOKEN set (switchyard/oauth refreshes the access token)'}: ` +
      `the class series goes into your Google calendar "${googleCalendarId}" and is deleted at the end.`,
  );
}
if (smtpUrl) console.log('SMTP_URL set: the confirmation email goes out through your SMTP server.');

// Everything the host logs in this story goes through switchyard's redacting logger.
const logLines: string[] = [];
const logger = createConsoleLogger({ sink: { log: (l) => logLines.push(l), error: (l) => logLines.push(l) } });
const store = createMemoryStore(); // one store for the whole host: claims, webhook dedupe, sync cursors, suppression

// 1. The customer books in their own zone; a zone name that is not IANA is refused, not guessed.
const customer = {
  name: 'Ada',
  email: (smtpUrl && process.env.DEMO_EMAIL) || 'ada@example.com',
  phone: '+14155550100',
  timeZone: assertTimeZone('America/New_York'),
};
const booking = {
  id: 'booking_42',
  title: 'Evening yoga',
  // Tuesdays 18:00 on Ada's wall clock, three weeks, across the US DST change of March 8.
  start: { dateTime: '2026-03-03T18:00:00', timeZone: customer.timeZone },
  end: { dateTime: '2026-03-03T19:00:00', timeZone: customer.timeZone },
  rrule: 'RRULE:FREQ=WEEKLY;COUNT=3',
  status: 'pending' as 'pending' | 'confirmed',
};
say(
  `${customer.name} books a weekly class in her own time zone`,
  `${booking.id}: ${booking.title}, Tuesdays ${booking.start.dateTime.slice(11, 16)} ${customer.timeZone}, ${booking.rrule}\n` +
    `a zone like "EST" is refused → ${refused(() => assertTimeZone('EST', 'customer.timeZone'))}`,
);

// 2. The price, in integer minor units; an amount the currency cannot hold is an error, not a rounding.
// 431.84 is the fake's magic amount for "the bank asks for 3-D Secure".
const price = parseMoney('431.84', 'USD');
if (price.amount !== FAKE_MAGIC_AMOUNTS.requiresAction) throw new Error('the demo price must trigger the fake SCA challenge');
say(
  'Price the three classes in minor units',
  `parseMoney('431.84', 'USD') → ${JSON.stringify(price)} (${formatMoney(price)})\n${refused(() => parseMoney('431.845', 'USD'))}`,
);

// 3. A double click on "Book" must not start two checkouts: the first claim wins.
const firstClaim = await store.setIfAbsent(`checkout-claim:${booking.id}`, { at: '2026-02-20T12:00:00Z' }, { ttlSeconds: 3600 });
const secondClaim = await store.setIfAbsent(`checkout-claim:${booking.id}`, { at: '2026-02-20T12:00:01Z' }, { ttlSeconds: 3600 });
say(
  'Claim the checkout once (the customer double-clicks)',
  `first claim: ${firstClaim}, retried claim: ${secondClaim} (the retry does nothing)`,
);

// 4. Checkout; the bank asks for 3-D Secure and the buyer passes it on the hosted page.
// 5. The signed webhook, delivered twice on purpose (Stripe redelivers when an answer is lost):
// verified both times, applied once, and the booking it names is the one confirmed.
const checkoutInput = {
  mode: 'payment' as const,
  lineItems: [{ name: `${booking.title} × 3`, amount: price }],
  customerEmail: customer.email,
  successUrl: 'https://studio.example/booked',
  clientReferenceId: booking.id,
};
// The host logs its checkout call with its key; the logger redacts it (step 10). Without Stripe, Stripe's documented sample key stands in.
const LOGGED_KEY = stripeTestKey ?? 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
const bookings = new Map([[booking.id, booking]]);
let applied = 0;
if (stripeTestKey) await checkoutOnStripe(stripeTestKey);
else await checkoutOnFake();

async function checkoutOnStripe(apiKey: string) {
  const { default: Stripe } = await import('stripe');
  const { createStripePayments, STRIPE_API_VERSION } = await import('../src/payments/stripe/index.js');
  const ownSecret = process.env.STRIPE_WEBHOOK_SECRET;
  // Without your endpoint's secret the delivery is signed with a one-off local one: the
  // verification is then real, but proves nothing about your Dashboard endpoint.
  const webhookSecret = ownSecret ?? `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')}`;
  const payments = createStripePayments({ apiKey, webhookSecret });
  const session = await payments.createCheckoutSession(checkoutInput, { idempotencyKey: `checkout:${booking.id}` });
  logger.info({ apiKey: LOGGED_KEY, bookingId: booking.id }, `checkout created with Bearer ${LOGGED_KEY}`);
  // What the hosted page does when the bank asks for 3-D Secure, done through the API so it can be
  // shown here: Stripe's test card that always requires authentication, confirmed on session.
  const payment = await payments.createPayment(
    {
      amount: price,
      paymentMethodId: 'pm_card_authenticationRequired',
      confirm: true,
      returnUrl: 'https://studio.example/booked',
      description: `${booking.title} × 3`,
      metadata: { bookingId: booking.id },
    },
    { idempotencyKey: `sca-payment:${booking.id}` },
  );
  const next = payment.nextAction;
  say(
    'Check out with an SCA challenge',
    `${formatMoney(price)} for ${booking.id} at ${session.url} (Stripe test mode: open it to pay as the buyer)\n` +
      `payment ${payment.id}, what the hosted page does when the bank asks for 3-D Secure (via the API, test card pm_card_authenticationRequired) → ${payment.status}` +
      `${next ? `, next action: ${next.type}${next.redirectUrl ? ` at ${next.redirectUrl}` : ''}` : ''}\n` +
      `the buyer's challenge cannot be completed from a script: ${payment.id} stays ${payment.status}`,
  );

  // A webhook cannot reach this machine: fetch the real event from the Events API instead (it can
  // take a moment to be listed), and simulate its delivery, twice, signed with the whsec.
  const stripe = new Stripe(apiKey, { apiVersion: STRIPE_API_VERSION, httpClient: Stripe.createFetchHttpClient() });
  let found: { id: string; type: string; data: { object: unknown } } | undefined;
  for (let attempt = 0; attempt < 10 && !found; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    const page = await stripe.events.list({ type: 'payment_intent.requires_action', limit: 20 });
    found = page.data.find((e) => (e.data.object as { id?: string }).id === payment.id);
  }
  if (!found) throw new Error(`Stripe listed no payment_intent.requires_action event for ${payment.id} within 10 s`);
  const body = JSON.stringify(found, null, 2);
  let verified = '';
  for (const attempt of [1, 2]) {
    const header = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: webhookSecret,
      timestamp: Math.floor(Date.now() / 1000) + attempt,
    });
    const event = await payments.parseWebhook({ body, headers: { 'stripe-signature': header, 'content-type': 'application/json' } });
    verified = event.type;
    await idempotent({ store, key: `payment-event:${event.id}` }, async () => {
      if (event.type !== 'payment.requires_action' || event.data.metadata.bookingId !== booking.id) return;
      applied += 1; // the host would email the buyer a link to authenticate; the booking stays pending
    });
  }
  const rawNext = (found.data.object as { next_action?: { type?: string } }).next_action?.type;
  // The buyer never authenticates in this run, so checkout.session.completed never comes: confirm
  // the booking here, as that event's handler would, to show the rest of the story.
  booking.status = 'confirmed';
  say(
    'Verify the signed webhook, delivered twice, and apply it once',
    `${found.type} ${found.id} (next_action ${rawNext}) fetched from the Events API: a webhook cannot reach this machine\n` +
      `delivery simulated: signed with ${ownSecret ? 'your STRIPE_WEBHOOK_SECRET' : 'a one-off local whsec_ (set STRIPE_WEBHOOK_SECRET to use yours)'} by Stripe's test helper, sent twice\n` +
      `→ verified twice as ${verified}, applied ${applied} time (${booking.id} waits for the buyer)\n` +
      `checkout.session.completed comes only after the buyer pays: the demo confirms ${booking.id} itself → ${booking.status}`,
  );
}

async function checkoutOnFake() {
  const payments = createFakePayments();
  const session = await payments.createCheckoutSession(checkoutInput, { idempotencyKey: `checkout:${booking.id}` });
  logger.info({ apiKey: LOGGED_KEY, bookingId: booking.id }, `checkout created with Bearer ${LOGGED_KEY}`);
  await payments.completeCheckout(session.id);
  say(
    'Check out with an SCA challenge',
    `${formatMoney(price)} for ${booking.id} at ${session.url}\nevents: ${payments
      .events()
      .map((e) => e.type)
      .join(' → ')}`,
  );

  const completed = payments.events().find((e) => e.type === 'checkout.completed');
  if (!completed) throw new Error('the fake emitted no checkout.completed');
  for (const attempt of [1, 2]) {
    const delivery = await payments.signWebhook(completed, { timestampSeconds: Math.floor(payments.clock.now() / 1000) + attempt });
    const event = await payments.parseWebhook(delivery);
    await idempotent({ store, key: `payment-event:${event.id}` }, async () => {
      if (event.type !== 'checkout.completed') return;
      const target = bookings.get(event.data.clientReferenceId ?? '');
      if (!target) throw new Error(`no booking ${event.data.clientReferenceId}`);
      target.status = 'confirmed';
      applied += 1;
    });
  }
  say(
    'Verify the signed webhook, delivered twice, and apply it once',
    `${completed.type} ${completed.id} verified twice → ${booking.id} ${booking.status}, applied ${applied} time`,
  );
}

// 6. The class series in the customer's calendar, synced; each class keeps 18:00 on her wall clock
// while its UTC offset moves with DST.
if (booking.status !== 'confirmed') throw new Error(`${booking.id} is not paid: no calendar series`);
const { createCalendarSync, createFakeCalendar } = await import('../src/calendar/index.js');
const calendarId = onGoogle ? googleCalendarId : 'ada-primary';
const calendar = onGoogle
  ? (await import('../src/calendar/google/index.js')).createGoogleCalendar({ auth: googleToken ?? (await googleTokenProvider()) })
  : createFakeCalendar({ calendars: [{ id: 'ada-primary', timeZone: customer.timeZone }] });
const series = await calendar.createEvent(calendarId, {
  title: booking.title,
  description: `Booking ${booking.id}`,
  start: booking.start,
  end: booking.end,
  recurrence: [booking.rrule],
});
const synced: string[] = [];
const sync = createCalendarSync({ provider: calendar, store, onChange: (c) => void synced.push(c.type) });
const firstSync = await sync.sync(calendarId);
const secondSync = await sync.sync(calendarId);
const classes = await calendar.listEvents(calendarId, { from: '2026-03-01T00:00:00Z', to: '2026-03-31T00:00:00Z', expand: true });
// A real calendar may hold other events in March: only this series' classes are shown.
const classLines = classes
  .filter((c) => !onGoogle || c.recurringEventId === series.id)
  .map((c) => {
    const start = c.start as { dateTime: string; timeZone: string };
    return `${start.dateTime.slice(0, 16)} ${start.timeZone} = ${toInstant(start)}`;
  });
say(
  `Create the series in ${customer.name}'s calendar and sync it`,
  `series ${series.id} for ${booking.id}: synced ${firstSync.delivered} change(s) (${changeKinds(synced)}); a second sync delivers ${secondSync.delivered}\n` +
    (onGoogle ? `(in Google calendar "${calendarId}": a first, full sync also delivers the events already there)\n` : '') +
    `${classLines.join('\n')}\n(DST starts March 8: still 18:00 local, the UTC offset moves from -05:00 to -04:00)`,
);

// 7-9. The confirmation: email with one-click unsubscribe; it bounces hard, the address is
// suppressed and the same notification goes out by SMS; the SMS delivery event closes the loop.
const { createDeliveryTracker, createFakeNotifier, createSuppressionList, fallback, listUnsubscribeHeaders } = await import(
  '../src/notify/index.js'
);
// The HMAC key for suppression entries comes from the host's secret store in production.
const suppression = createSuppressionList({ store, hashKey: 'demo-suppression-hash-key-0123456789abcdef' });
const tracker = createDeliveryTracker({ store, suppression });
const fakeMail = createFakeNotifier({ provider: 'fake-email', channels: ['email'] });
const mail = smtpUrl
  ? (await import('../src/notify/smtp/index.js')).createSmtpEmail({
      url: smtpUrl,
      from: process.env.SMTP_FROM ?? 'bookings@studio.example',
    })
  : fakeMail;
const text = createFakeNotifier({ provider: 'fake-sms', channels: ['sms'] });
const notify = fallback([mail, text], { store, suppression });
const unsubscribe = { url: 'https://studio.example/unsubscribe?token=demo' };
if (booking.status !== 'confirmed') throw new Error(`${booking.id} is not paid: no confirmation`);
const summary = `${booking.title}, Tuesdays 18:00 (${customer.timeZone}) from ${booking.start.dateTime.slice(0, 10)}, ${formatMoney(price)} paid`;
const sent = await notify.send(
  {
    email: {
      to: customer.email,
      subject: `Booked: ${summary}`,
      text: `See you on ${booking.start.dateTime.slice(0, 10)} at 18:00, ${customer.timeZone} time.`,
      unsubscribe,
    },
    sms: { to: customer.phone, body: `Booked: ${summary}.` },
  },
  { idempotencyKey: `${booking.id}:confirmation` },
);
say(
  'Send the confirmation email with List-Unsubscribe',
  `email ${sent.providerMessageId} via ${sent.provider} to ${customer.email}: "Booked: ${summary}"\nList-Unsubscribe: ${listUnsubscribeHeaders(unsubscribe)['List-Unsubscribe']} (+ One-Click POST)`,
);

if (mail === fakeMail) {
  const bounce = fakeMail.emit(sent.providerMessageId, 'bounced', { bounceType: 'hard' });
  await tracker.record([bounce]);
  const [moved] = await notify.handleEvents([bounce]);
  if (!moved) throw new Error('the fallback did not move to SMS');
  say(
    'The email bounces: suppress the address, fall back to SMS',
    `verified hard bounce → ${customer.email} suppressed (${(await suppression.get('email', customer.email))?.reason}) → SMS ${moved.providerMessageId} to ${customer.phone}`,
  );

  const delivered = text.emit(moved.providerMessageId, 'delivered');
  await tracker.record([delivered]);
  say(
    'The SMS delivery event arrives',
    `SMS delivery event → status ${(await tracker.get('fake-sms', delivered.providerMessageId))?.status}; ${booking.id} is confirmed, in the calendar, and ${customer.name} knows`,
  );
} else {
  // Not simulated on a real server: SMTP reports a bounce later, as a DSN mail, not to this process.
  console.log('    (SMTP has no delivery webhooks: the bounce → SMS steps run with the fake email only)');
  await mail.close?.();
}

// 10. What the host logged along the way carries no key.
say('The log line of the checkout call, redacted', logLines[0]);

if (onGoogle) {
  await calendar.deleteEvent(calendarId, series.id);
  console.log(`\n(The demo's class series ${series.id} was deleted again from your Google calendar.)`);
}

const real = [
  ...(stripeTestKey ? ['payments on Stripe test mode'] : []),
  ...(onGoogle ? ['the calendar on Google'] : []),
  ...(smtpUrl ? ['the email through your SMTP server'] : []),
];
console.log(`\nDemo finished: ${real.length ? `${real.join(', ')}; the rest` : 'every step above'} ran on embedded defaults.`);

/** `upsert` for one change, `upsert ×12, delete ×2` for a full sync of a real calendar. */
function changeKinds(types: string[]): string {
  if (types.length <= 3) return types.join(', ');
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t} ×${n}`).join(', ');
}

/**
 * The host's way to call Google for a user: switchyard/oauth holds the user's refresh token and
 * hands out access tokens, refreshing them when due. The refresh token came from an earlier
 * authorization (examples/oauth-google.ts shows one); here it is imported with an expired access
 * token, so the first call refreshes.
 */
async function googleTokenProvider() {
  if (!googleRefresh) throw new Error('no Google refresh token');
  const { createInMemoryTokenStore, createOAuthClient } = await import('../src/oauth/index.js');
  const tokenStore = createInMemoryTokenStore();
  const imported = {
    accessToken: 'expired',
    refreshToken: googleRefresh.refreshToken,
    expiresAt: 0,
    scopes: [],
    tokenType: 'Bearer',
    obtainedAt: 0,
  };
  await tokenStore.save(customer.name, 'google', imported, null);
  const oauth = createOAuthClient({
    preset: 'google',
    clientId: googleRefresh.clientId,
    clientSecret: googleRefresh.clientSecret,
    // Only a refresh happens here: no browser comes back to this URI.
    redirectUri: process.env.GOOGLE_REDIRECT_URI ?? 'http://127.0.0.1:3000/oauth/google/callback',
    features: ['calendar.readwrite'],
    stateSecret: crypto.getRandomValues(new Uint8Array(32)),
    tokenStore,
    openTelemetry: false,
  });
  return oauth.tokenProvider(customer.name);
}
