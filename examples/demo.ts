/**
 * `npm run demo`: one booking, end to end, on embedded defaults (fakes + memory store, no keys, no
 * network). Every step feeds the next: the booking id becomes the checkout's client reference, the
 * verified webhook confirms that booking, the calendar series is created in the customer's zone,
 * and the confirmation goes to the customer's email, then (after a bounce) to their phone.
 *
 * Real providers: with SMTP_URL set (smtp://user:pass@host:587, SMTP_FROM, DEMO_EMAIL) the
 * confirmation really goes out through that server; a real bounce only comes back later as a DSN,
 * so the bounce → SMS steps then stay with the fakes and are skipped. Payments stay on the fake even
 * with STRIPE_SECRET_KEY: the story needs a buyer to pass 3-D Secure on Stripe's page and a public
 * URL for the webhook. examples/stripe-checkout.ts and stripe-webhook-handler.ts run those calls
 * on Stripe test mode.
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
if (process.env.STRIPE_SECRET_KEY) {
  console.log("STRIPE_SECRET_KEY set: payments still run on the fake (a real checkout needs a buyer on Stripe's page).");
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
const payments = createFakePayments();
const session = await payments.createCheckoutSession(
  {
    mode: 'payment',
    lineItems: [{ name: `${booking.title} × 3`, amount: price }],
    customerEmail: customer.email,
    successUrl: 'https://studio.example/booked',
    clientReferenceId: booking.id,
  },
  { idempotencyKey: `checkout:${booking.id}` },
);
logger.info(
  { apiKey: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', bookingId: booking.id },
  'checkout created with Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc',
);
await payments.completeCheckout(session.id);
say(
  'Check out with an SCA challenge',
  `${formatMoney(price)} for ${booking.id} at ${session.url}\nevents: ${payments
    .events()
    .map((e) => e.type)
    .join(' → ')}`,
);

// 5. The signed webhook, delivered twice on purpose (Stripe redelivers when an answer is lost):
// verified both times, applied once, and the booking it names is the one confirmed.
const completed = payments.events().find((e) => e.type === 'checkout.completed');
if (!completed) throw new Error('the fake emitted no checkout.completed');
const bookings = new Map([[booking.id, booking]]);
let applied = 0;
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

// 6. The class series in the customer's calendar, synced; each class keeps 18:00 on her wall clock
// while its UTC offset moves with DST.
if (booking.status !== 'confirmed') throw new Error(`${booking.id} is not paid: no calendar series`);
const { createCalendarSync, createFakeCalendar } = await import('../src/calendar/index.js');
const calendar = createFakeCalendar({ calendars: [{ id: 'ada-primary', timeZone: customer.timeZone }] });
const series = await calendar.createEvent('ada-primary', {
  title: booking.title,
  description: `Booking ${booking.id}`,
  start: booking.start,
  end: booking.end,
  recurrence: [booking.rrule],
});
const synced: string[] = [];
const sync = createCalendarSync({ provider: calendar, store, onChange: (c) => void synced.push(c.type) });
const firstSync = await sync.sync('ada-primary');
const secondSync = await sync.sync('ada-primary');
const classes = await calendar.listEvents('ada-primary', { from: '2026-03-01T00:00:00Z', to: '2026-03-31T00:00:00Z', expand: true });
const classLines = classes.map((c) => {
  const start = c.start as { dateTime: string; timeZone: string };
  return `${start.dateTime.slice(0, 16)} ${start.timeZone} = ${toInstant(start)}`;
});
say(
  `Create the series in ${customer.name}'s calendar and sync it`,
  `series ${series.id} for ${booking.id}: synced ${firstSync.delivered} change(s) (${synced.join(', ')}); a second sync delivers ${secondSync.delivered}\n` +
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

console.log(
  `\nDemo finished: ${smtpUrl ? 'the email went through your SMTP server, the rest' : 'every step above'} ran on embedded defaults.`,
);
