/**
 * Sell a class with hosted checkout, then charge a saved card off session the SCA-correct way.
 *
 * Run: `npx tsx examples/stripe-checkout.ts`. Without STRIPE_SECRET_KEY it runs on the in-memory
 * fake (and plays the buyer's part itself). With STRIPE_SECRET_KEY=sk_test_… it creates the same
 * objects in your Stripe test mode and prints the checkout URL to open.
 */
import { IntegrationError } from '../src/index.js';
import { createFakePayments, FAKE_MAGIC_AMOUNTS, type PaymentProvider } from '../src/payments/index.js';
import { createStripePayments } from '../src/payments/stripe/index.js';

const key = process.env.STRIPE_SECRET_KEY;
const fake = key ? undefined : createFakePayments();
const payments: PaymentProvider = key ? createStripePayments({ apiKey: key }) : (fake as PaymentProvider);
console.log(`Using ${payments.provider}${fake ? ' (set STRIPE_SECRET_KEY=sk_test_… to use Stripe test mode)' : ''}`);

// 1. A customer, identified by your own user id in metadata.
const customer = await payments.createCustomer({ email: 'ada@example.com', name: 'Ada', metadata: { userId: 'u_42' } });
console.log(`customer ${customer.id}`);

// 2. Hosted checkout: Stripe collects the card (you never see it) and runs 3-D Secure if needed.
//    The idempotency key is your order id: a double-click or a retried request is one session.
const session = await payments.createCheckoutSession(
  {
    mode: 'payment',
    customerId: customer.id,
    lineItems: [{ name: 'Vinyasa flow, Tue 18:00', amount: { amount: 2400, currency: 'EUR' } }],
    savePaymentMethod: true,
    successUrl: 'https://studio.example/booked?session={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://studio.example/schedule',
    clientReferenceId: 'order_1001',
  },
  { idempotencyKey: 'checkout:order_1001' },
);
console.log(`checkout ${session.id}: send the buyer to ${session.url}`);

if (fake) {
  // The fake plays the buyer: completing checkout emits the same events Stripe would send.
  await fake.completeCheckout(session.id);
  console.log(
    `events: ${fake
      .takeEvents()
      .map((e) => e.type)
      .join(', ')}`,
  );

  // 3. Later, a no-show fee charged off session. The bank wants authentication: not an exception,
  //    a payment in `requires_action` with the link to send the customer.
  const fee = await payments.createPayment(
    {
      amount: { amount: FAKE_MAGIC_AMOUNTS.requiresAction, currency: 'EUR' },
      customerId: customer.id,
      paymentMethodId: 'pm_saved_at_checkout',
      confirm: true,
      offSession: true,
      recoveryUrl: 'https://studio.example/pay',
    },
    { idempotencyKey: 'no-show-fee:booking_77' },
  );
  console.log(`off-session fee: ${fee.status}; email the customer ${fee.recovery?.url}`);

  // 4. A declined card is a clear error with the bank's decline code.
  try {
    await payments.createPayment({
      amount: { amount: FAKE_MAGIC_AMOUNTS.declined, currency: 'EUR' },
      customerId: customer.id,
      paymentMethodId: 'pm_saved_at_checkout',
      confirm: true,
    });
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    console.log(`declined: ${error.code} (${String(error.details?.declineCode)})`);
  }
}
