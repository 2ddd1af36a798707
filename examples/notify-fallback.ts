/**
 * A booking confirmation sent once, by the best channel the person accepts: email first, SMS when
 * the email hard-bounces, and the bounce suppresses the address for every later message.
 *
 * Run: `npx tsx examples/notify-fallback.ts`. By default everything runs on fakes (no network).
 * Set SMTP_URL (e.g. `smtp://user:pass@localhost:587`) and SMTP_FROM to send the email through a
 * real SMTP server; the bounce step then needs a provider webhook and is skipped.
 */
import { z } from 'zod';
import {
  createDeliveryTracker,
  createFakeNotifier,
  createSuppressionList,
  createTemplates,
  createUnsubscribeTokens,
  fallback,
  type Notifier,
  unsubscribeUrl,
} from '../src/notify/index.js';
import { createSmtpEmail } from '../src/notify/smtp/index.js';
import { createMemoryStore } from '../src/stores/index.js';

const store = createMemoryStore(); // use switchyard/stores/redis or /postgres with several processes
// Suppression entries are keyed by an HMAC of the address: keep SUPPRESSION_HASH_KEY with your other secrets.
const suppression = createSuppressionList({ store, hashKey: process.env.SUPPRESSION_HASH_KEY ?? 'example-only-hash-key-0123456789abcdef' });
const tracker = createDeliveryTracker({ store, suppression });

const templates = createTemplates({
  templates: {
    'booking-confirmed': {
      variables: z.object({ name: z.string().min(1), className: z.string(), start: z.string() }),
      versions: {
        1: {
          en: {
            email: {
              subject: 'Booked: {{className}} at {{start}}',
              text: 'Hi {{name}}, you are booked for {{className}} at {{start}}.',
              html: '<p>Hi {{name}}, you are booked for <b>{{className}}</b> at {{start}}.</p>',
            },
            sms: { body: 'Hi {{name}}, booked: {{className}} at {{start}}.', maxSegments: 1 },
          },
          fr: {
            email: {
              subject: 'Réservé : {{className}} à {{start}}',
              text: 'Bonjour {{name}}, vous êtes inscrit·e à {{className}} à {{start}}.',
            },
          },
        },
      },
    },
  },
});

const tokens = createUnsubscribeTokens({
  keys: [{ id: 'k1', secret: process.env.UNSUBSCRIBE_SECRET ?? 'local-example-secret-at-least-32-bytes!' }],
});

const fakeEmail = createFakeNotifier({ provider: 'fake-email', channels: ['email'] });
const sms = createFakeNotifier({ provider: 'fake-sms', channels: ['sms'] });
const email: Notifier = process.env.SMTP_URL
  ? createSmtpEmail({ url: process.env.SMTP_URL, from: process.env.SMTP_FROM ?? 'bookings@example.com' })
  : fakeEmail;
const notify = fallback([email, sms], { store, suppression });

const unsubscribeTokenByBooking = new Map<string, string>();
async function confirm(booking: { id: string; name: string; email: string; phone: string; locale: string }) {
  const rendered = templates.render('booking-confirmed', {
    locale: booking.locale,
    variables: { name: booking.name, className: 'Morning yoga', start: '10:00' },
  });
  // The token carries its issue time, so a retry must reuse the one minted for this booking: a new one
  // would change the message, and the same idempotency key with a different message is refused
  // (idempotency_conflict). Keep it with the booking (here: a map; in an app: the booking row).
  let token = unsubscribeTokenByBooking.get(booking.id);
  if (!token) {
    token = await tokens.create({ channel: 'email', address: booking.email, list: 'reminders' });
    unsubscribeTokenByBooking.set(booking.id, token);
  }
  return notify.send(
    {
      email: {
        to: { email: booking.email, name: booking.name },
        subject: rendered.email?.subject ?? '',
        text: rendered.email?.text ?? '',
        ...(rendered.email?.html ? { html: rendered.email.html } : {}),
        unsubscribe: { url: unsubscribeUrl('https://studio.example/unsubscribe', token) },
      },
      sms: { to: booking.phone, body: rendered.sms?.body ?? '' },
    },
    { idempotencyKey: `booking:${booking.id}:confirmed` },
  );
}

const ada = { id: '42', name: 'Ada', email: 'ada@bounces.example', phone: '+14155550100', locale: 'fr-CA' };
const first = await confirm(ada);
console.log(`1. sent by ${first.channel} via ${first.provider} (${first.providerMessageId})`);
const again = await confirm(ada);
console.log(`2. the same booking again: replayed=${again.replayed === true}, nothing new sent`);

if (email === fakeEmail) {
  // In production this event comes from the provider's webhook: events = await sendgrid.parseWebhook(raw).
  const bounce = fakeEmail.emit(first.providerMessageId, 'bounced', { bounceType: 'hard', reason: '5.1.1' });
  await tracker.record([bounce]);
  const moved = await notify.handleEvents([bounce]);
  console.log(`3. hard bounce → moved to ${moved.map((m) => `${m.channel} (${m.providerMessageId})`).join(', ')}`);
  const delivered = sms.emit(moved[0]?.providerMessageId ?? '', 'delivered');
  await tracker.record([delivered]);
  console.log(`4. SMS delivery event → status ${(await tracker.get('fake-sms', delivered.providerMessageId))?.status}`);
  const next = await confirm({ ...ada, id: '43' });
  console.log(`5. next booking: email skipped (${next.attempts[0]?.reason}), sent by ${next.channel}`);
} else {
  console.log('3. (SMTP has no delivery webhooks: the bounce steps run with the fake transport only)');
}
await notify.close(); // closes every step's notifier once: here the SMTP pool, when SMTP_URL is set
