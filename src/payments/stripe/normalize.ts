/**
 * A verified Stripe event → one normalized `PaymentEvent`. Unknown types become
 * `provider.unhandled` with the raw object, so nothing is dropped silently.
 */
import { EVENT_SCHEMA_VERSION, type PaymentEvent } from '../events.js';
import { isoFromUnixSeconds } from './iso.js';
import { type Obj, chargeAsPayment, toCheckoutSession, toDispute, toInvoice, toPayment, toRefund, toSubscription } from './map.js';

/** The fields of a Stripe event (`Stripe.Event`, or its parsed JSON) that normalizing reads. */
export interface StripeEventInput {
  /** Event id, `evt_…`. */
  id: string;
  /** Stripe's event type, like `payment_intent.succeeded`. */
  type: string;
  /** Creation time, Unix seconds. */
  created: number;
  /** True for live-mode events. */
  livemode: boolean;
  /** The object the event is about, and for `*.updated` what changed. */
  data: { object: Obj; previous_attributes?: Obj };
}

/**
 * Map a verified Stripe event to one normalized `PaymentEvent`; unknown types become
 * `provider.unhandled`. `parseWebhook` does this for you after verifying.
 *
 * @example
 * const { payload } = await verifyStripeWebhook<StripeEventInput>(raw, { secret: process.env.STRIPE_WEBHOOK_SECRET! });
 * const event = normalizeStripeEvent(payload); // event.type === 'payment.succeeded', …
 */
export function normalizeStripeEvent(event: StripeEventInput): PaymentEvent {
  const object = event.data.object;
  const previous = event.data.previous_attributes ?? {};
  const base = {
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: event.id,
    provider: 'stripe',
    objectId: typeof object.id === 'string' && object.id ? object.id : event.id,
    occurredAt: isoFromUnixSeconds(event.created),
    livemode: event.livemode === true,
  } as const;

  switch (event.type) {
    case 'payment_intent.succeeded':
      return { ...base, type: 'payment.succeeded', data: toPayment(object) };
    case 'payment_intent.requires_action':
      return { ...base, type: 'payment.requires_action', data: toPayment(object) };
    case 'payment_intent.payment_failed': {
      const payment = toPayment(object);
      // Off-session SCA: Stripe reports a failure; for the host it is an action to request.
      return payment.status === 'requires_action'
        ? { ...base, type: 'payment.requires_action', data: payment }
        : { ...base, type: 'payment.failed', data: payment };
    }
    case 'charge.refunded': {
      const payment = chargeAsPayment(object);
      const refunds = typeof object.refunds === 'object' && object.refunds !== null ? (object.refunds as Obj).data : undefined;
      const latest =
        Array.isArray(refunds) && typeof refunds[0] === 'object' && refunds[0] !== null ? toRefund(refunds[0] as Obj) : undefined;
      return {
        ...base,
        objectId: payment.id || base.objectId,
        type: 'payment.refunded',
        data: latest ? { payment, refund: latest } : { payment },
      };
    }
    case 'charge.dispute.created':
      return { ...base, type: 'payment.disputed', data: toDispute(object) };
    case 'checkout.session.completed':
      return { ...base, type: 'checkout.completed', data: toCheckoutSession(object) };
    case 'checkout.session.expired':
      return { ...base, type: 'checkout.expired', data: toCheckoutSession(object) };
    case 'customer.subscription.created':
      return { ...base, type: 'subscription.created', data: toSubscription(object) };
    case 'customer.subscription.trial_will_end':
      return { ...base, type: 'subscription.trial_ending', data: toSubscription(object) };
    case 'customer.subscription.deleted':
      return { ...base, type: 'subscription.canceled', data: toSubscription(object) };
    case 'customer.subscription.paused':
      return { ...base, type: 'subscription.paused', data: toSubscription(object) };
    case 'customer.subscription.resumed':
      return { ...base, type: 'subscription.resumed', data: toSubscription(object) };
    case 'customer.subscription.updated': {
      const data = toSubscription(object);
      // `updated` is Stripe's catch-all; the transitions hosts act on get their own type.
      if ('pause_collection' in previous) {
        const wasPaused = typeof previous.pause_collection === 'object' && previous.pause_collection !== null;
        if (data.status === 'paused' && !wasPaused) return { ...base, type: 'subscription.paused', data };
        if (data.status !== 'paused' && wasPaused) return { ...base, type: 'subscription.resumed', data };
      }
      if ('status' in previous && data.status === 'past_due') return { ...base, type: 'subscription.past_due', data };
      if ('status' in previous && data.status === 'canceled') return { ...base, type: 'subscription.canceled', data };
      return { ...base, type: 'subscription.updated', data };
    }
    case 'invoice.paid':
      return { ...base, type: 'invoice.paid', data: toInvoice(object) };
    case 'invoice.payment_failed':
      return { ...base, type: 'invoice.payment_failed', data: toInvoice(object) };
    case 'invoice.payment_action_required':
      return { ...base, type: 'invoice.action_required', data: toInvoice(object) };
    default:
      return { ...base, type: 'provider.unhandled', data: { providerType: event.type.replace(/^unparsed:/, ''), object } };
  }
}
