/**
 * `npm run demo`: what switchyard does, on embedded defaults only (no keys, no network).
 * Each later area (webhooks, payments, calendars, notifications) adds its step here, until this
 * script tells the whole booking story: checkout → verified webhook → calendar event → confirmation.
 */
import { IntegrationError, createConsoleLogger, formatMoney, parseMoney, redact } from '../src/index.js';
import { idempotent } from '../src/idempotency/index.js';
import { createFakePayments, FAKE_MAGIC_AMOUNTS } from '../src/payments/index.js';
import { createMemoryStore } from '../src/stores/index.js';

let step = 0;
const say = (title: string, detail?: string) => {
  console.log(`\n[${++step}] ${title}`);
  if (detail) console.log(`    ${detail.split('\n').join('\n    ')}`);
};

// 1. Money never touches floats.
const price = parseMoney('49.00', 'EUR');
const yen = parseMoney('5500', 'JPY');
say('Price the class in minor units', `parseMoney('49.00', 'EUR') → ${JSON.stringify(price)} (${formatMoney(price)}); ¥ has no minor unit: ${JSON.stringify(yen)} (${formatMoney(yen)})`);

// 2. Bad input is a clear IntegrationError, not a crash or a silent rounding.
try {
  parseMoney('49.999', 'EUR');
} catch (error) {
  if (!(error instanceof IntegrationError)) throw error;
  say('Reject an amount EUR cannot hold', `${error.code}: ${error.message}`);
}

// 3. The store makes "only once" possible: the first writer wins, a second attempt sees it.
const store = createMemoryStore();
const first = await store.setIfAbsent('booking:42:confirmation', { sentAt: '2026-11-25T10:00:00Z' }, { ttlSeconds: 3600 });
const second = await store.setIfAbsent('booking:42:confirmation', { sentAt: '2026-11-25T10:00:05Z' }, { ttlSeconds: 3600 });
say('Claim a one-time action in the store', `first claim: ${first}, retried claim: ${second} (the retry does nothing)`);

// 4. Secrets never reach logs.
const lines: string[] = [];
const logger = createConsoleLogger({ sink: { log: (l) => lines.push(l), error: (l) => lines.push(l) } });
logger.info({ apiKey: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', card: '4242 4242 4242 4242' }, 'calling Stripe with Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc');
say('Log a call that carries a key and a card number', lines[0]);
say('redact() works on any value too', JSON.stringify(redact({ headers: { authorization: 'Bearer ya29.a0AfH6SMBx' }, password: 'hunter2' })));

// 5. Payments: a checkout whose bank asks for 3-D Secure, then its webhook, verified and applied once.
const payments = createFakePayments();
const classFee = { amount: FAKE_MAGIC_AMOUNTS.requiresAction, currency: 'EUR' };
const session = await payments.createCheckoutSession(
  {
    mode: 'payment',
    lineItems: [{ name: 'Vinyasa flow', amount: classFee }],
    customerEmail: 'ada@example.com',
    successUrl: 'https://studio.example/booked',
    clientReferenceId: 'booking_42',
  },
  { idempotencyKey: 'checkout:booking_42' },
);
await payments.completeCheckout(session.id); // the buyer pays on the hosted page and passes the challenge
say(
  'Check out on the fake payments with an SCA challenge',
  `${formatMoney(classFee)} at ${session.url}\nevents: ${payments
    .events()
    .map((e) => e.type)
    .join(' → ')}`,
);
const completed = payments.events().find((e) => e.type === 'checkout.completed');
if (!completed) throw new Error('the fake emitted no checkout.completed');
const confirmations: string[] = [];
const webhookStore = createMemoryStore();
for (const attempt of [1, 2]) {
  // Stripe re-signs a redelivery; the event id stays the same, so the second one does nothing.
  const delivery = await payments.signWebhook(completed, { timestampSeconds: Math.floor(payments.clock.now() / 1000) + attempt });
  const verified = await payments.parseWebhook(delivery);
  await idempotent({ store: webhookStore, key: `payment-event:${verified.id}` }, async () => {
    confirmations.push(verified.objectId);
  });
}
say(
  'Verify the signed webhook, delivered twice',
  `${completed.type} ${completed.id} verified twice → booking confirmed ${confirmations.length} time`,
);

// Calendars: a weekly class in the customer's zone keeps its wall time across the DST change.
{
  const { createCalendarSync, createFakeCalendar } = await import('../src/calendar/index.js');
  const calendar = createFakeCalendar({ calendars: [{ id: 'studio', timeZone: 'America/New_York' }] });
  const series = await calendar.createEvent('studio', {
    title: 'Evening yoga',
    start: { dateTime: '2026-03-03T18:00:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-03-03T19:00:00', timeZone: 'America/New_York' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
  });
  const synced: string[] = [];
  const sync = createCalendarSync({ provider: calendar, store, onChange: (c) => void synced.push(c.type) });
  const result = await sync.sync('studio');
  const classes = await calendar.listEvents('studio', { from: '2026-03-01T00:00:00Z', to: '2026-03-31T00:00:00Z', expand: true });
  const { toInstant } = await import('../src/time/index.js');
  const lines = classes.map((c) => {
    const start = c.start as { dateTime: string; timeZone: string };
    return `${start.dateTime.slice(0, 16)} ${start.timeZone} = ${toInstant(start)}`;
  });
  say(
    'Create a weekly class in the customer\'s zone and sync it',
    `series ${series.id}: synced ${result.delivered} change(s) (${synced.join(', ')}); a second sync delivers ${(await sync.sync('studio')).delivered}\n${lines.join('\n')}\n(DST starts March 8: still 18:00 local, the UTC offset moves from -05:00 to -04:00)`,
  );
}

// Notifications: a confirmation email with one-click unsubscribe, a verified hard bounce, the SMS
// fallback, and its delivery event; the bounce also suppresses the address for later sends.
{
  const { createDeliveryTracker, createFakeNotifier, createSuppressionList, fallback, listUnsubscribeHeaders } = await import(
    '../src/notify/index.js'
  );
  const notifyStore = createMemoryStore();
  // The HMAC key for suppression entries comes from the host's secret store in production.
  const suppression = createSuppressionList({ store: notifyStore, hashKey: 'demo-suppression-hash-key-0123456789abcdef' });
  const tracker = createDeliveryTracker({ store: notifyStore, suppression });
  const mail = createFakeNotifier({ provider: 'fake-email', channels: ['email'] });
  const text = createFakeNotifier({ provider: 'fake-sms', channels: ['sms'] });
  const notify = fallback([mail, text], { store: notifyStore, suppression });
  const unsubscribe = { url: 'https://studio.example/unsubscribe?token=demo' };
  const sent = await notify.send(
    {
      email: { to: 'ada@example.com', subject: 'Booked: Morning yoga at 10:00', text: 'See you at 10:00.', unsubscribe },
      sms: { to: '+14155550100', body: 'Booked: Morning yoga at 10:00.' },
    },
    { idempotencyKey: 'booking:42:confirmed' },
  );
  const bounce = mail.emit(sent.providerMessageId, 'bounced', { bounceType: 'hard' });
  await tracker.record([bounce]);
  const [moved] = await notify.handleEvents([bounce]);
  const delivered = text.emit(moved?.providerMessageId ?? '', 'delivered');
  await tracker.record([delivered]);
  say(
    'Confirm the booking: email, a hard bounce, then SMS',
    [
      `email ${sent.providerMessageId} with List-Unsubscribe: ${listUnsubscribeHeaders(unsubscribe)['List-Unsubscribe']} (+ One-Click POST)`,
      `verified hard bounce → ada@example.com suppressed (${(await suppression.get('email', 'ada@example.com'))?.reason}) → SMS ${moved?.providerMessageId}`,
      `SMS delivery event → status ${(await tracker.get('fake-sms', delivered.providerMessageId))?.status}`,
    ].join('\n'),
  );
}

console.log('\nDemo finished: every step above ran on embedded defaults.');
