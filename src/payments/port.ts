/**
 * The `PaymentProvider` port: what a host calls to take money. Plain JSON-serializable data in and
 * out; every input is validated by the zod schema of the same name in `schemas.ts` before anything
 * leaves the process. Every mutation accepts `{ idempotencyKey }` and, without one, derives a key
 * from the operation and its inputs, so retrying the same call never charges twice.
 */
import type { RawWebhook } from '../webhooks/types.js';
import type { PaymentEvent } from './events.js';
import type {
  CancelSubscriptionInput,
  CapturePaymentInput,
  CheckoutSession,
  CheckoutSessionInput,
  ConfirmPaymentInput,
  CreateCustomerInput,
  CreatePaymentInput,
  CreateSetupInput,
  CreateSubscriptionInput,
  Customer,
  MutationOptions,
  Payment,
  PortalSession,
  PortalSessionInput,
  Refund,
  RefundInput,
  SetupIntent,
  Subscription,
  UpdateCustomerInput,
  UpdateSubscriptionInput,
} from './schemas.js';

/**
 * The payments port: customers, checkout, payments, refunds, subscriptions, the billing portal and
 * verified, normalized webhooks. Implemented by `createStripePayments` and `createFakePayments`.
 */
export interface PaymentProvider {
  /** `stripe`, `fake`, … */
  readonly provider: string;

  /** Create a customer. */
  createCustomer(input: CreateCustomerInput, options?: MutationOptions): Promise<Customer>;
  /** Change a customer's fields or default payment method (`not_found` for an unknown id). */
  updateCustomer(customerId: string, input: UpdateCustomerInput, options?: MutationOptions): Promise<Customer>;
  /** Throws `not_found` for an unknown or deleted customer. */
  getCustomer(customerId: string): Promise<Customer>;

  /** Hosted checkout (payment, subscription or setup mode): redirect the buyer to `url`. */
  createCheckoutSession(input: CheckoutSessionInput, options?: MutationOptions): Promise<CheckoutSession>;

  /**
   * A payment (PaymentIntent). Without `confirm` it returns a `clientSecret` for Elements. With
   * `confirm`, a decline throws `precondition_failed` (details: `declineCode`); an SCA challenge is
   * *not* an error: the payment comes back `requires_action` with `nextAction` (and `recovery` when
   * off session).
   */
  createPayment(input: CreatePaymentInput, options?: MutationOptions): Promise<Payment>;
  /** Confirm a payment server-side; declines and SCA challenges come back as with `createPayment`. */
  confirmPayment(paymentId: string, input?: ConfirmPaymentInput, options?: MutationOptions): Promise<Payment>;
  /** Capture a `requires_capture` payment (manual capture), fully or partially. */
  capturePayment(paymentId: string, input?: CapturePaymentInput, options?: MutationOptions): Promise<Payment>;
  /** Cancel a payment that is not yet captured or succeeded; releases an authorization. */
  cancelPayment(paymentId: string, options?: MutationOptions): Promise<Payment>;
  /** The payment as the provider has it now (`not_found` for an unknown id). */
  getPayment(paymentId: string): Promise<Payment>;
  /** A SetupIntent `clientSecret` to save a payment method with Elements for later off-session use. */
  createSetupIntent(input: CreateSetupInput, options?: MutationOptions): Promise<SetupIntent>;

  /** Refund a payment fully, or partially with `amount`. */
  refund(input: RefundInput, options?: MutationOptions): Promise<Refund>;

  /** Start a subscription on a price; an SCA challenge on the first invoice leaves it `incomplete`. */
  createSubscription(input: CreateSubscriptionInput, options?: MutationOptions): Promise<Subscription>;
  /** Change price or quantity, with the proration behaviour you choose. */
  updateSubscription(subscriptionId: string, input: UpdateSubscriptionInput, options?: MutationOptions): Promise<Subscription>;
  /** Cancel now, or at the end of the paid period with `atPeriodEnd`. */
  cancelSubscription(subscriptionId: string, input?: CancelSubscriptionInput, options?: MutationOptions): Promise<Subscription>;
  /** Pause collection: no invoices are paid until resumed. */
  pauseSubscription(subscriptionId: string, options?: MutationOptions): Promise<Subscription>;
  /** Resume a paused subscription. */
  resumeSubscription(subscriptionId: string, options?: MutationOptions): Promise<Subscription>;
  /** The subscription as the provider has it now: resynchronise with it when in doubt. */
  getSubscription(subscriptionId: string): Promise<Subscription>;

  /** A billing portal session where the customer manages cards, invoices and their subscription. */
  createPortalSession(input: PortalSessionInput, options?: MutationOptions): Promise<PortalSession>;

  /**
   * Verify a webhook delivery (signature, timestamp, optional replay guard: `switchyard/webhooks`)
   * and normalize it. Throws the `WebhookVerificationError` of the verifier; never returns an
   * unverified event.
   */
  parseWebhook(raw: RawWebhook): Promise<PaymentEvent>;
}
