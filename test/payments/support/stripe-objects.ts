/**
 * Stripe API objects as webhooks carry them, written to the SDK's types (stripe 20.4.1,
 * node_modules/stripe/types/*.d.ts, API 2026-02-25.clover) with the fields the adapter reads and
 * a realistic set of the others. `legacySubscription` is the pre-2025-03-31.basil layout
 * (`current_period_end` on the subscription), which endpoints on older versions still receive.
 */
const T = 1_767_225_600; // 2026-01-01T00:00:00Z

export const paymentIntent = (over: Record<string, unknown> = {}) => ({
  id: 'pi_3SwitchyardPI0001',
  object: 'payment_intent',
  amount: 4900,
  amount_capturable: 0,
  amount_received: 4900,
  capture_method: 'automatic_async',
  client_secret: 'pi_3SwitchyardPI0001_secret_abcdefghijkl',
  confirmation_method: 'automatic',
  created: T,
  currency: 'eur',
  customer: 'cus_SwitchyardC001',
  description: null,
  last_payment_error: null,
  latest_charge: 'ch_3SwitchyardCH0001',
  livemode: false,
  metadata: { orderId: 'o-42' },
  next_action: null,
  payment_method: 'pm_1SwitchyardPM0001',
  status: 'succeeded',
  ...over,
});

export const charge = (over: Record<string, unknown> = {}) => ({
  id: 'ch_3SwitchyardCH0001',
  object: 'charge',
  amount: 4900,
  amount_captured: 4900,
  amount_refunded: 1000,
  captured: true,
  created: T,
  currency: 'eur',
  customer: 'cus_SwitchyardC001',
  livemode: false,
  metadata: {},
  paid: true,
  payment_intent: 'pi_3SwitchyardPI0001',
  payment_method: 'pm_1SwitchyardPM0001',
  refunded: false,
  refunds: {
    object: 'list',
    data: [
      {
        id: 're_3SwitchyardRE0001',
        object: 'refund',
        amount: 1000,
        charge: 'ch_3SwitchyardCH0001',
        created: T + 60,
        currency: 'eur',
        payment_intent: 'pi_3SwitchyardPI0001',
        reason: 'requested_by_customer',
        status: 'succeeded',
        metadata: {},
      },
    ],
    has_more: false,
    url: '/v1/charges/ch_3SwitchyardCH0001/refunds',
  },
  status: 'succeeded',
  ...over,
});

export const dispute = () => ({
  id: 'dp_1SwitchyardDP0001',
  object: 'dispute',
  amount: 4900,
  charge: 'ch_3SwitchyardCH0001',
  created: T,
  currency: 'eur',
  livemode: false,
  metadata: {},
  payment_intent: 'pi_3SwitchyardPI0001',
  reason: 'fraudulent',
  status: 'needs_response',
});

export const checkoutSession = (over: Record<string, unknown> = {}) => ({
  id: 'cs_test_a1SwitchyardCS0001',
  object: 'checkout.session',
  amount_subtotal: 4000,
  amount_total: 4000,
  client_reference_id: 'order-42',
  created: T,
  currency: 'eur',
  customer: 'cus_SwitchyardC001',
  expires_at: T + 86_400,
  livemode: false,
  metadata: {},
  mode: 'payment',
  payment_intent: 'pi_3SwitchyardPI0001',
  payment_status: 'paid',
  status: 'complete',
  subscription: null,
  success_url: 'https://shop.example/ok',
  url: null,
  ...over,
});

export const subscription = (over: Record<string, unknown> = {}) => ({
  id: 'sub_1SwitchyardSU0001',
  object: 'subscription',
  billing_cycle_anchor: T,
  cancel_at: null,
  cancel_at_period_end: false,
  canceled_at: null,
  collection_method: 'charge_automatically',
  created: T,
  currency: 'eur',
  customer: 'cus_SwitchyardC001',
  default_payment_method: null,
  items: {
    object: 'list',
    data: [
      {
        id: 'si_SwitchyardSI0001',
        object: 'subscription_item',
        created: T,
        current_period_end: T + 30 * 86_400,
        current_period_start: T,
        metadata: {},
        price: {
          id: 'price_basic',
          object: 'price',
          currency: 'eur',
          unit_amount: 1000,
          recurring: { interval: 'month', interval_count: 1 },
        },
        quantity: 1,
        subscription: 'sub_1SwitchyardSU0001',
      },
    ],
    has_more: false,
    url: '/v1/subscription_items?subscription=sub_1SwitchyardSU0001',
  },
  latest_invoice: 'in_1SwitchyardIN0001',
  livemode: false,
  metadata: {},
  pause_collection: null,
  start_date: T,
  status: 'active',
  trial_end: null,
  trial_start: null,
  ...over,
});

export const legacySubscription = () => {
  const { items, ...rest } = subscription();
  const item = items.data[0] as Record<string, unknown>;
  delete item.current_period_end;
  delete item.current_period_start;
  return {
    ...rest,
    items,
    current_period_end: T + 30 * 86_400,
    current_period_start: T,
    plan: { id: 'price_basic', object: 'plan' },
    quantity: 1,
  };
};

export const invoice = (over: Record<string, unknown> = {}) => ({
  id: 'in_1SwitchyardIN0001',
  object: 'invoice',
  amount_due: 1000,
  amount_paid: 1000,
  amount_remaining: 0,
  billing_reason: 'subscription_cycle',
  created: T,
  currency: 'eur',
  customer: 'cus_SwitchyardC001',
  hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1Switchyard/test_YWNjdF8x',
  livemode: false,
  metadata: {},
  parent: {
    type: 'subscription_details',
    quote_details: null,
    subscription_details: { metadata: {}, subscription: 'sub_1SwitchyardSU0001' },
  },
  status: 'paid',
  ...over,
});
