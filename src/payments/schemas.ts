/**
 * Zod schemas for every input of the `PaymentProvider` port and for the plain domain objects it
 * returns. The TypeScript types are inferred from them, so the runtime check and the compile-time
 * type cannot drift apart.
 */
import { z } from 'zod';
import { isCurrency } from '../core/money.js';

/**
 * The largest amount Stripe accepts in one charge: eight digits of the currency's minor unit
 * (99,999,999, i.e. $999,999.99). The fake enforces the same limit so a host's tests see the error
 * they would see in production.
 */
export const MAX_AMOUNT = 99_999_999;

const id = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be a provider id (letters, digits, _ and -)');
const currency = z
  .string()
  .refine((c) => isCurrency(c), 'unknown ISO 4217 currency code')
  .transform((c) => c.toUpperCase());
const metadata = z.record(z.string().max(40), z.string().max(500)).optional();
const url = z.url({ protocol: /^https?$/ });

/** Money in integer minor units. Payment amounts are positive and within Stripe's limit. */
export const moneySchema = z.object({
  amount: z
    .number()
    .refine((n) => Number.isSafeInteger(n), 'must be an integer number of minor units (1050 for 10.50)')
    .refine((n) => n > 0, 'must be positive')
    .refine((n) => n <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT} minor units (Stripe's limit)`),
  currency,
});
/** A payment amount: positive integer minor units within Stripe's limit, and an upper-case ISO 4217 code. */
export type Money = z.output<typeof moneySchema>;

/** The last argument of every mutation of the port: `{ idempotencyKey? }`. */
export const mutationOptionsSchema = z
  .object({
    /**
     * Your key for this operation (an order id, a job id). Without it the adapter derives one from
     * the operation and its inputs, so two identical calls within the provider's idempotency window
     * (24 h at Stripe) are one operation: pass distinct keys for deliberate repeats.
     */
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .optional();
/** Options every mutation accepts: your idempotency key, or none to have one derived. */
export type MutationOptions = z.output<typeof mutationOptionsSchema>;

/** Input of `createCustomer`. */
export const createCustomerSchema = z.object({
  email: z.email().optional(),
  name: z.string().max(256).optional(),
  phone: z.string().max(20).optional(),
  metadata,
});
/** A new customer: email, name, phone and metadata, all optional. */
export type CreateCustomerInput = z.input<typeof createCustomerSchema>;

/** Input of `updateCustomer`. */
export const updateCustomerSchema = createCustomerSchema.extend({
  /** A saved payment method to charge by default (invoices, off-session payments). */
  defaultPaymentMethodId: id.optional(),
});
/** Fields to change on a customer, including its default payment method. */
export type UpdateCustomerInput = z.input<typeof updateCustomerSchema>;

/** A customer as the port returns it. */
export const customerSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  defaultPaymentMethodId: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  createdAt: z.string(),
});
/** A customer as the provider has it: id, contact fields, default payment method, metadata, `createdAt` instant. */
export type Customer = z.output<typeof customerSchema>;

const lineItemSchema = z.union([
  z.object({ priceId: id, quantity: z.number().int().min(1).max(999).default(1) }),
  z.object({ name: z.string().min(1).max(250), amount: moneySchema, quantity: z.number().int().min(1).max(999).default(1) }),
]);

const checkoutCommon = {
  customerId: id.optional(),
  customerEmail: z.email().optional(),
  successUrl: url,
  cancelUrl: url.optional(),
  /** Your order or cart id, echoed back on `checkout.completed`. */
  clientReferenceId: z.string().min(1).max(200).optional(),
  metadata,
};

/** Input of `createCheckoutSession`, discriminated by `mode`: `payment`, `subscription` or `setup`. */
export const checkoutSessionSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('payment'),
    ...checkoutCommon,
    lineItems: z.array(lineItemSchema).min(1).max(100),
    captureMethod: z.enum(['automatic', 'manual']).default('automatic'),
    /** Save the card for later off-session charges (SCA-compliant mandate collected at checkout). */
    savePaymentMethod: z.boolean().default(false),
  }),
  z.object({
    mode: z.literal('subscription'),
    ...checkoutCommon,
    lineItems: z
      .array(z.object({ priceId: id, quantity: z.number().int().min(1).max(999).default(1) }))
      .min(1)
      .max(20),
    trialDays: z.number().int().min(1).max(730).optional(),
  }),
  z.object({ mode: z.literal('setup'), ...checkoutCommon, currency }),
]);
/** A hosted checkout to create: line items or prices, success and cancel URLs, your reference id. */
export type CheckoutSessionInput = z.input<typeof checkoutSessionSchema>;

/** A checkout session as the port returns it. */
export const checkoutSessionResultSchema = z.object({
  id: z.string(),
  mode: z.enum(['payment', 'subscription', 'setup']),
  status: z.enum(['open', 'complete', 'expired']),
  /** Where to send the buyer. */
  url: z.string(),
  customerId: z.string().optional(),
  clientReferenceId: z.string().optional(),
  paymentId: z.string().optional(),
  subscriptionId: z.string().optional(),
  amountTotal: z.object({ amount: z.number(), currency: z.string() }).optional(),
  expiresAt: z.string(),
});
/** A created checkout session: redirect the buyer to `url` before `expiresAt`. */
export type CheckoutSession = z.output<typeof checkoutSessionResultSchema>;

/** Input of `createPayment`; `confirm` needs `paymentMethodId`, `offSession` needs `confirm` and `customerId`. */
export const createPaymentSchema = z
  .object({
    amount: moneySchema,
    customerId: id.optional(),
    /** A saved payment method; with `confirm` it is charged now. Never a card number. */
    paymentMethodId: id.optional(),
    /** Confirm immediately (needs `paymentMethodId`). Otherwise the client confirms with `clientSecret`. */
    confirm: z.boolean().default(false),
    /** The customer is not present (a renewal, a no-show fee): SCA challenges come back as `requires_action`. */
    offSession: z.boolean().default(false),
    captureMethod: z.enum(['automatic', 'manual']).default('automatic'),
    description: z.string().max(1000).optional(),
    /** Your page that brings the customer back to authenticate; returned with the payment id as `recovery.url`. */
    recoveryUrl: url.optional(),
    /** Where a redirect-based method (3DS page, bank) returns to after confirmation. */
    returnUrl: url.optional(),
    metadata,
  })
  .refine((p) => !p.confirm || p.paymentMethodId !== undefined, { message: 'confirm needs paymentMethodId', path: ['paymentMethodId'] })
  .refine((p) => !p.offSession || (p.confirm && p.customerId !== undefined), {
    message: 'offSession needs confirm: true and a customerId',
    path: ['offSession'],
  });
/** A payment (PaymentIntent) to create: amount, customer, saved method, confirm and capture choices. */
export type CreatePaymentInput = z.input<typeof createPaymentSchema>;

/** Input of `confirmPayment`. */
export const confirmPaymentSchema = z.object({ paymentMethodId: id.optional(), returnUrl: url.optional() }).optional();
/** Optional payment method and return URL for confirming a payment server-side. */
export type ConfirmPaymentInput = z.input<typeof confirmPaymentSchema>;

/** Input of `capturePayment`. */
export const capturePaymentSchema = z
  .object({
    /** Capture less than authorized; the rest is released. Same currency as the payment. */
    amount: z.number().int().positive().max(MAX_AMOUNT).optional(),
  })
  .optional();
/** How much of an authorized payment to capture; omit for all of it. */
export type CapturePaymentInput = z.input<typeof capturePaymentSchema>;

/** Every status a payment can have, as Stripe names them. */
export const PAYMENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
] as const;
/** One of `PAYMENT_STATUSES`. */
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const amountOut = z.object({ amount: z.number(), currency: z.string() });

/** A payment as the port returns it. */
export const paymentSchema = z.object({
  id: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  amount: amountOut,
  amountReceived: z.number(),
  amountRefunded: z.number(),
  captureMethod: z.enum(['automatic', 'manual']),
  customerId: z.string().optional(),
  paymentMethodId: z.string().optional(),
  /** For Stripe.js / Elements on your page; pass it only to the paying customer's browser. */
  clientSecret: z.string().optional(),
  /** What the client must do when `status` is `requires_action`. */
  nextAction: z
    .object({
      type: z.enum(['authenticate', 'redirect', 'verify']),
      /** The customer was not present: bring them back on session (email them `recovery.url`). */
      offSession: z.boolean(),
      redirectUrl: z.string().optional(),
    })
    .optional(),
  /** How to recover an off-session payment that needs the customer. */
  recovery: z.object({ url: z.string().optional() }).optional(),
  lastError: z.object({ code: z.string(), declineCode: z.string().optional(), message: z.string() }).optional(),
  metadata: z.record(z.string(), z.string()),
  createdAt: z.string(),
});
/** A payment as the provider has it: status, amounts, `nextAction` when the customer must act, last error. */
export type Payment = z.output<typeof paymentSchema>;

/** Input of `createSetupIntent`. */
export const createSetupSchema = z.object({ customerId: id, returnUrl: url.optional(), metadata });
/** The customer whose payment method is to be saved for later off-session use. */
export type CreateSetupInput = z.input<typeof createSetupSchema>;
/** A SetupIntent as the port returns it. */
export const setupIntentSchema = z.object({
  id: z.string(),
  status: z.string(),
  customerId: z.string().optional(),
  clientSecret: z.string().optional(),
});
/** A SetupIntent: hand `clientSecret` to Elements in the customer's browser. */
export type SetupIntent = z.output<typeof setupIntentSchema>;

/** Input of `refund`. */
export const refundSchema = z.object({
  paymentId: id,
  /** Partial refund in the payment's minor units; omit for a full refund of what is left. */
  amount: z.number().int().positive().max(MAX_AMOUNT).optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata,
});
/** A refund to make: the payment, and an amount for a partial refund. */
export type RefundInput = z.input<typeof refundSchema>;
/** A refund as the port returns it. */
export const refundResultSchema = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: amountOut,
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']),
  reason: z.string().optional(),
  createdAt: z.string(),
});
/** A refund as the provider has it, with its status. */
export type Refund = z.output<typeof refundResultSchema>;

/** Every status a subscription can have, as Stripe names them. */
export const SUBSCRIPTION_STATUSES = [
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'paused',
] as const;
/** One of `SUBSCRIPTION_STATUSES`. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Input of `createSubscription`. */
export const createSubscriptionSchema = z.object({
  customerId: id,
  priceId: id,
  quantity: z.number().int().min(1).max(10_000).default(1),
  trialDays: z.number().int().min(1).max(730).optional(),
  /** Defaults to the customer's default payment method. */
  paymentMethodId: id.optional(),
  metadata,
});
/** A subscription to start: customer, price, quantity, optional trial and payment method. */
export type CreateSubscriptionInput = z.input<typeof createSubscriptionSchema>;

/** Input of `updateSubscription`. */
export const updateSubscriptionSchema = z.object({
  priceId: id.optional(),
  quantity: z.number().int().min(1).max(10_000).optional(),
  /** `create_prorations` (default, credited/charged on the next invoice), `always_invoice` (now), or `none`. */
  proration: z.enum(['create_prorations', 'always_invoice', 'none']).default('create_prorations'),
  metadata,
});
/** A change of price or quantity, and how to prorate it. */
export type UpdateSubscriptionInput = z.input<typeof updateSubscriptionSchema>;

/** Input of `cancelSubscription`. */
export const cancelSubscriptionSchema = z
  .object({
    /** `true`: keep access until the paid period ends. `false` (default): cancel now. */
    atPeriodEnd: z.boolean().default(false),
  })
  .optional();
/** Cancel now (default) or at the end of the paid period. */
export type CancelSubscriptionInput = z.input<typeof cancelSubscriptionSchema>;

/** A subscription as the port returns it. */
export const subscriptionSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  priceId: z.string(),
  quantity: z.number(),
  cancelAtPeriodEnd: z.boolean(),
  currentPeriodEnd: z.string().optional(),
  trialEnd: z.string().optional(),
  canceledAt: z.string().optional(),
  /** Link the customer follows to pay an invoice that needs action (SCA) or failed. */
  latestInvoiceUrl: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  createdAt: z.string(),
});
/** A subscription as the provider has it: status, price, quantity, period end, cancellation. */
export type Subscription = z.output<typeof subscriptionSchema>;

/** Input of `createPortalSession`. */
export const portalSessionSchema = z.object({ customerId: id, returnUrl: url });
/** The customer who opens the billing portal, and where they come back to. */
export type PortalSessionInput = z.input<typeof portalSessionSchema>;
/** A billing portal session as the port returns it. */
export const portalSessionResultSchema = z.object({ id: z.string(), url: z.string() });
/** A billing portal session: redirect the customer to `url`. */
export type PortalSession = z.output<typeof portalSessionResultSchema>;

/** An invoice as normalized events carry it. */
export const invoiceSchema = z.object({
  id: z.string(),
  status: z.string(),
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  amountDue: amountOut,
  amountPaid: z.number(),
  hostedInvoiceUrl: z.string().optional(),
});
/** An invoice: amounts due and paid, its subscription, and the hosted page to pay it. */
export type Invoice = z.output<typeof invoiceSchema>;

/** A dispute (chargeback) as normalized events carry it. */
export const disputeSchema = z.object({
  id: z.string(),
  paymentId: z.string().optional(),
  amount: amountOut,
  reason: z.string(),
  status: z.string(),
});
/** A dispute (chargeback): the disputed payment, amount, reason and status. */
export type Dispute = z.output<typeof disputeSchema>;
