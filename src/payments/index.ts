/**
 * `switchyard/payments`: the `PaymentProvider` port, its zod schemas, the normalized events, the
 * subscription state machine and the in-memory fake. Loads no provider SDK: the Stripe adapter is
 * `switchyard/payments/stripe`.
 *
 * @packageDocumentation
 */
export type { PaymentProvider } from './port.js';
export * from './schemas.js';
export {
  EVENT_SCHEMA_VERSION,
  isSubscriptionEvent,
  PAYMENT_EVENT_TYPES,
  paymentEventJsonSchema,
  paymentEventSchema,
  SUBSCRIPTION_EVENT_TYPES,
  type PaymentEvent,
  type PaymentEventOf,
  type PaymentEventType,
  type SubscriptionEvent,
} from './events.js';
export {
  applySubscriptionEvent,
  canTransition,
  compareSubscriptionVersions,
  isTerminalStatus,
  SUBSCRIPTION_TRANSITIONS,
  type SubscriptionState,
  type SubscriptionVersion,
} from './subscription-state.js';
export { createFakePayments } from './fake.js';
export {
  FAKE_MAGIC_AMOUNTS,
  FAKE_WEBHOOK_SECRET,
  type FakeCardBehavior,
  type FakePayments,
  type FakePaymentsOptions,
  type FakePrice,
} from './fake-types.js';
