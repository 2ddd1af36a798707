/**
 * Normalized payment events: a small discriminated union, versioned (`schemaVersion`), that a host
 * can store, queue and switch on without knowing Stripe's hundred event types. Each event carries
 * the provider's event id (dedupe on it), the id of the object it is about, a snapshot of that
 * object's state when the event was created, and `occurredAt`.
 */
import { z } from 'zod';
import {
  checkoutSessionResultSchema,
  disputeSchema,
  invoiceSchema,
  paymentSchema,
  refundResultSchema,
  subscriptionSchema,
} from './schemas.js';

/** `schemaVersion` of every normalized payment event; bumped on a breaking change of the union. */
export const EVENT_SCHEMA_VERSION = 1;

const base = {
  schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
  /** The provider's event id (`evt_…`): the key to process an event once. */
  id: z.string().min(1),
  provider: z.string().min(1),
  /** The id of the object the event is about (payment, subscription, invoice, session). */
  objectId: z.string().min(1),
  /** When the provider created the event, ISO-8601 UTC. */
  occurredAt: z.iso.datetime(),
  /**
   * Orders events about the same object created in the same second (the provider's clock has
   * one-second resolution). Set by the fake; absent for Stripe.
   */
  sequence: z.number().int().nonnegative().optional(),
  livemode: z.boolean(),
};

const event = <T extends string, D extends z.ZodType>(type: T, data: D) => z.object({ ...base, type: z.literal(type), data });

/** Every `type` of a normalized payment event; anything else arrives as `provider.unhandled`. */
export const PAYMENT_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'payment.requires_action',
  'payment.refunded',
  'payment.disputed',
  'checkout.completed',
  'checkout.expired',
  'subscription.created',
  'subscription.updated',
  'subscription.trial_ending',
  'subscription.past_due',
  'subscription.canceled',
  'subscription.paused',
  'subscription.resumed',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.action_required',
  'provider.unhandled',
] as const;
/** One of `PAYMENT_EVENT_TYPES`. */
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

/** The event types whose `data` is a `Subscription`: the input of `applySubscriptionEvent`. */
export const SUBSCRIPTION_EVENT_TYPES = [
  'subscription.created',
  'subscription.updated',
  'subscription.trial_ending',
  'subscription.past_due',
  'subscription.canceled',
  'subscription.paused',
  'subscription.resumed',
] as const;

const refundedData = z.object({ payment: paymentSchema, refund: refundResultSchema.optional() });

/** Zod schema of `PaymentEvent`: validate an event read back from a queue or a database. */
export const paymentEventSchema = z.discriminatedUnion('type', [
  event('payment.succeeded', paymentSchema),
  event('payment.failed', paymentSchema),
  event('payment.requires_action', paymentSchema),
  event('payment.refunded', refundedData),
  event('payment.disputed', disputeSchema),
  event('checkout.completed', checkoutSessionResultSchema),
  event('checkout.expired', checkoutSessionResultSchema),
  event('subscription.created', subscriptionSchema),
  event('subscription.updated', subscriptionSchema),
  event('subscription.trial_ending', subscriptionSchema),
  event('subscription.past_due', subscriptionSchema),
  event('subscription.canceled', subscriptionSchema),
  event('subscription.paused', subscriptionSchema),
  event('subscription.resumed', subscriptionSchema),
  event('invoice.paid', invoiceSchema),
  event('invoice.payment_failed', invoiceSchema),
  event('invoice.action_required', invoiceSchema),
  // Never dropped: an event we do not model reaches the host with its provider type and raw object.
  event('provider.unhandled', z.object({ providerType: z.string(), object: z.record(z.string(), z.unknown()) })),
]);

/** A normalized, versioned payment event: switch on `type`; `data` is the object's state when it happened. */
export type PaymentEvent = z.output<typeof paymentEventSchema>;
/** The payment events about a subscription (`data` is a `Subscription`). */
export type SubscriptionEvent = Extract<PaymentEvent, { type: (typeof SUBSCRIPTION_EVENT_TYPES)[number] }>;
/** The member of `PaymentEvent` with the given `type`, e.g. `PaymentEventOf<'invoice.paid'>`. */
export type PaymentEventOf<T extends PaymentEventType> = Extract<PaymentEvent, { type: T }>;

/**
 * True for the subscription events, narrowing `event.data` to a `Subscription`.
 *
 * @example
 * if (isSubscriptionEvent(event)) state = applySubscriptionEvent(state, event);
 */
export function isSubscriptionEvent(event: PaymentEvent): event is SubscriptionEvent {
  return (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * JSON Schema (draft 2020-12) of the event union, for queues, OpenAPI documents and other languages.
 *
 * @example
 * writeFileSync('payment-event.schema.json', JSON.stringify(paymentEventJsonSchema(), null, 2));
 */
export function paymentEventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(paymentEventSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
