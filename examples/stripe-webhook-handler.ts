/**
 * A Stripe webhook endpoint as a Fetch handler (Next.js route, Hono, Workers): verify, normalize,
 * process each event once, and keep a subscription's state right even when deliveries come twice
 * and out of order.
 *
 * Run: `npx tsx examples/stripe-webhook-handler.ts`. Without STRIPE_SECRET_KEY it drives the handler
 * with signed deliveries from the fake (shuffled, each one twice). With STRIPE_SECRET_KEY and
 * STRIPE_WEBHOOK_SECRET it listens on PORT (default 4242) for `stripe listen --forward-to
 * localhost:4242/webhooks/stripe`.
 */
import { createServer } from 'node:http';
import { idempotent } from '../src/idempotency/index.js';
import {
  applySubscriptionEvent,
  createFakePayments,
  isSubscriptionEvent,
  type PaymentEvent,
  type PaymentProvider,
  type SubscriptionState,
} from '../src/payments/index.js';
import { createStripePayments } from '../src/payments/stripe/index.js';
import { createMemoryStore } from '../src/stores/index.js';
import { fromFetchRequest, fromNodeRequest, isWebhookVerificationError, type RawWebhook } from '../src/webhooks/index.js';

const key = process.env.STRIPE_SECRET_KEY;
const fake = key ? undefined : createFakePayments();
const payments: PaymentProvider = key
  ? createStripePayments({
      apiKey: key,
      ...(process.env.STRIPE_WEBHOOK_SECRET ? { webhookSecret: process.env.STRIPE_WEBHOOK_SECRET } : {}),
    })
  : (fake as PaymentProvider);

// Your database. A durable Store (Redis, PostgreSQL) makes "once" hold across instances.
const store = createMemoryStore();
const subscriptions = new Map<string, SubscriptionState>();
const fulfilled: string[] = [];

async function onEvent(event: PaymentEvent): Promise<void> {
  // Subscription state is a join: applying it twice or late is harmless, so it needs no lock.
  if (isSubscriptionEvent(event)) {
    const next = applySubscriptionEvent(subscriptions.get(event.objectId), event);
    subscriptions.set(event.objectId, next);
    return;
  }
  // Side effects (emails, fulfilment) run once per event id.
  await idempotent({ store, key: `payment-event:${event.id}` }, async () => {
    if (event.type === 'checkout.completed') fulfilled.push(event.data.clientReferenceId ?? event.data.id);
    if (event.type === 'payment.requires_action' && event.data.recovery?.url)
      console.log(`    ask the customer to authenticate: ${event.data.recovery.url}`);
    if (event.type === 'provider.unhandled') console.log(`    not handled: ${event.data.providerType}`);
  });
}

export async function handleRaw(raw: RawWebhook): Promise<number> {
  try {
    await onEvent(await payments.parseWebhook(raw));
    return 204;
  } catch (error) {
    // A forged or stale request is the sender's fault: 400, and Stripe does not keep retrying a 4xx
    // forever. Anything else is ours: 500 so Stripe retries later.
    if (isWebhookVerificationError(error)) return 400;
    console.error(error);
    return 500;
  }
}

export async function handle(request: Request): Promise<Response> {
  return new Response(null, { status: await handleRaw(await fromFetchRequest(request)) });
}

if (fake) {
  const customer = await fake.createCustomer({ email: 'ada@example.com' });
  const session = await fake.createCheckoutSession({
    mode: 'subscription',
    customerId: customer.id,
    lineItems: [{ priceId: 'price_basic' }],
    trialDays: 7,
    successUrl: 'https://studio.example/welcome',
    clientReferenceId: 'membership_9',
  });
  await fake.completeCheckout(session.id);
  await fake.clock.advance(10 * 86_400_000); // trial ends, first invoice paid
  const sub = fake.events().find(isSubscriptionEvent)?.objectId;
  if (sub) await fake.updateSubscription(sub, { priceId: 'price_pro' });
  if (sub) await fake.cancelSubscription(sub, { atPeriodEnd: true });

  // Every event, delivered twice, in a scrambled order, through a real Fetch Request.
  const events = fake.events();
  const deliveries = shuffle([...events, ...events]);
  const statuses: number[] = [];
  for (const event of deliveries) {
    const raw = await fake.signWebhook(event);
    const request = new Request('https://studio.example/webhooks/stripe', {
      method: 'POST',
      headers: raw.headers as Record<string, string>,
      body: String(raw.body),
    });
    statuses.push((await handle(request)).status);
  }
  const forged = new Request('https://studio.example/webhooks/stripe', {
    method: 'POST',
    headers: { 'stripe-signature': 't=1,v1=00' },
    body: '{}',
  });
  console.log(
    `${deliveries.length} deliveries of ${events.length} events: ${statuses.filter((s) => s === 204).length} accepted; forged one → ${(await handle(forged)).status}`,
  );
  console.log(`fulfilled once: ${fulfilled.join(', ')}`);
  for (const [id, state] of subscriptions) {
    console.log(
      `subscription ${id}: ${state.subscription.status}, ${state.subscription.priceId}, cancelAtPeriodEnd=${state.subscription.cancelAtPeriodEnd}`,
    );
  }
} else {
  const port = Number(process.env.PORT ?? 4242);
  createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/webhooks/stripe') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(await handleRaw(await fromNodeRequest(req))).end();
  }).listen(port, () => console.log(`listening on http://localhost:${port}/webhooks/stripe`));
}

/** A seeded Fisher–Yates shuffle, so the scrambled order is the same on every run. */
function shuffle<T>(items: T[]): T[] {
  let seed = 42;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
