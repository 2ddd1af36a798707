/**
 * The fake's public surface: its magic amounts, options and the test controls it adds to the
 * `PaymentProvider` port. Kept apart from the engine in fake.ts so the contract reads on one page.
 */
import type { Logger } from '../core/logger.js';
import type { ReplayGuard } from '../webhooks/replay.js';
import type { RawWebhook } from '../webhooks/types.js';
import type { PaymentEvent } from './events.js';
import type { PaymentProvider } from './port.js';
import type { CheckoutSession, Money, Payment, Subscription } from './schemas.js';

/**
 * Amounts (minor units, any currency) that make the fake answer like Stripe's test cards do.
 * Every other amount succeeds.
 */
export const FAKE_MAGIC_AMOUNTS = {
  /** Declined, `card_declined` / `generic_decline` (like 4000 0000 0000 0002). */
  declined: 40_002,
  /** Declined, `card_declined` / `insufficient_funds` (like 4000 0000 0000 9995). */
  insufficientFunds: 49_995,
  /** Needs 3-D Secure: `requires_action` on session, `requires_action` + recovery off session (like 4000 0027 6000 3184). */
  requiresAction: 43_184,
} as const;

/** The signing secret of the fake's webhooks unless you pass one. Not a secret: tests only. */
export const FAKE_WEBHOOK_SECRET = 'whsec_switchyard_fake';

/** A price the fake knows: amount per period and the period. */
export interface FakePrice {
  /** Charged per period. */
  amount: Money;
  /** Billing period. */
  interval: 'day' | 'week' | 'month' | 'year';
}

/** Options of `createFakePayments`; all optional. */
export interface FakePaymentsOptions {
  /** Start of the test clock, epoch ms. Default 2026-01-01T00:00:00Z. */
  startAt?: number;
  /** Prices subscriptions and checkout can use, by id. Default: `price_basic` (€10/month), `price_pro` (€30/month). */
  prices?: Record<string, FakePrice>;
  /** Secret `signWebhook` signs with and `parseWebhook` verifies with. Default `FAKE_WEBHOOK_SECRET`. */
  webhookSecret?: string;
  /** Passed to the verifier in `parseWebhook`. */
  replayGuard?: ReplayGuard;
  /** Host logger, wrapped with `withRedaction`. */
  logger?: Logger;
}

/** How a customer's saved card answers the fake's subscription charges. */
export type FakeCardBehavior = 'succeed' | 'declined' | 'requires_action';

/**
 * The in-memory `PaymentProvider` built by `createFakePayments`, plus test controls: a clock,
 * the events it emitted, signed webhook deliveries, and the customer's side of checkout and SCA.
 */
export interface FakePayments extends PaymentProvider {
  /** Always `fake`. */
  readonly provider: 'fake';
  /** The test clock. `advance` runs trials, renewals and period-end cancellations that fall due. */
  readonly clock: {
    /** The fake's current time, epoch milliseconds. */
    now(): number;
    /** Move the clock forward by `ms`, emitting the events of everything that fell due. */
    advance(ms: number): Promise<void>;
  };
  /** Every event emitted so far, oldest first. */
  events(): readonly PaymentEvent[];
  /** Every payment the fake holds, in creation order: what a host's test asserts was charged. */
  payments(): Payment[];
  /** Events emitted since the last call. */
  takeEvents(): PaymentEvent[];
  /** A signed delivery of `event`, as a host's webhook endpoint receives it. */
  signWebhook(event: PaymentEvent, options?: { timestampSeconds?: number }): Promise<RawWebhook>;
  /**
   * The buyer finished hosted checkout. Magic amounts apply to the session total: `requiresAction`
   * emits `payment.requires_action` (the page's 3-D Secure challenge, passed) before success;
   * a decline emits `payment.failed` and leaves the session open.
   */
  completeCheckout(sessionId: string): Promise<CheckoutSession>;
  /** The session timed out unused. */
  expireCheckout(sessionId: string): Promise<CheckoutSession>;
  /** The customer passed (or failed) the SCA challenge of a `requires_action` payment. */
  completeAction(paymentId: string, outcome: 'authenticated' | 'failed'): Promise<Payment>;
  /** The cardholder disputes a succeeded payment. */
  dispute(paymentId: string, reason?: string): Promise<void>;
  /** How the customer's saved card answers subscription charges from now on. */
  setCardBehavior(customerId: string, behavior: FakeCardBehavior): void;
  /**
   * The customer paid the subscription's open invoice at `latestInvoiceUrl` (authenticated or with
   * another card): `invoice.paid`, and an `incomplete` or `past_due` subscription becomes `active`.
   */
  payOpenInvoice(subscriptionId: string): Promise<Subscription>;
}
